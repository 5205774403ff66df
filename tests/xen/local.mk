# Xen's own xenstore test (tools/tests/xenstore/test-xenstore.c), built at
# test time from a Xen source tree that tests/xen/fetch-xen-source.sh
# fetches; see the top of tests/xen/test-xenstore.sh.

TESTS += tests/xen/test-xenstore.sh
EXTRA_DIST += tests/xen/test-xenstore.sh tests/xen/fetch-xen-source.sh \
	tests/xen/include/xen-tools/libs.h

# The script compiles with the compiler and flags configure found.
AM_TESTS_ENVIRONMENT += CC='$(CC)'; export CC; \
	XENSTORE_CFLAGS='$(XENSTORE_CFLAGS)'; export XENSTORE_CFLAGS; \
	XENSTORE_LIBS='$(XENSTORE_LIBS)'; export XENSTORE_LIBS;
