/*
 * Stand-in for Xen's tools/include/xen-tools/libs.h, which is not
 * installed by libxen-dev.  test-xenstore.c needs only ARRAY_SIZE.
 */
#ifndef XEN_TOOLS_LIBS_H
#define XEN_TOOLS_LIBS_H

/* Number of elements of an array (not of a pointer). */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* XEN_TOOLS_LIBS_H */
