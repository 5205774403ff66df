# libxs-stable: the one library that talks to Xen (docs/libxs-stable.md).
lib_LTLIBRARIES += libxs-stable/libxs-stable.la
libxs_stable_libxs_stable_la_SOURCES = libxs-stable/handle.c \
	libxs-stable/feed.c libxs-stable/domstate.c libxs-stable/quiet.c \
	libxs-stable/quiet.h libxs-stable/domctl-4.21.h \
	libxs-stable/include/xs-stable.h
libxs_stable_libxs_stable_la_CPPFLAGS = -I$(top_srcdir)/libxs-stable/include \
	$(XENGNTTAB_CFLAGS) $(XENEVTCHN_CFLAGS) $(XENCALL_CFLAGS)
libxs_stable_libxs_stable_la_LIBADD = $(XENGNTTAB_LIBS) $(XENEVTCHN_LIBS) \
	$(XENCALL_LIBS)
# SONAME libxs-stable.so.1: XSS_API_VERSION.  Only xss_* is exported.
libxs_stable_libxs_stable_la_LDFLAGS = -version-info 1:0:0 \
	-Wl,--version-script=$(top_srcdir)/libxs-stable/libxs-stable.map
EXTRA_libxs_stable_libxs_stable_la_DEPENDENCIES = \
	libxs-stable/libxs-stable.map
include_HEADERS += libxs-stable/include/xs-stable.h
pkgconfig_DATA += libxs-stable/libxs-stable.pc
EXTRA_DIST += libxs-stable/libxs-stable.map libxs-stable/libxs-stable.pc.in

# Tests: the feed alone; the handle without Xen, then on the simulated
# Xen against a simulated domain.
check_PROGRAMS += tests/libxs-stable/test_feed tests/libxs-stable/test_handle \
	tests/libxs-stable/test_domstate
TESTS += tests/libxs-stable/test_feed tests/libxs-stable/test_handle.sh \
	tests/libxs-stable/test_domstate.sh
EXTRA_DIST += tests/libxs-stable/test_handle.sh \
	tests/libxs-stable/test_domstate.sh
tests_libxs_stable_test_feed_SOURCES = tests/libxs-stable/test_feed.c
tests_libxs_stable_test_feed_CPPFLAGS = -I$(top_srcdir)/libxs-stable/include \
	-I$(top_srcdir)/tests/unit
tests_libxs_stable_test_feed_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_libxs_stable_test_feed_LDADD = libxs-stable/libxs-stable.la \
	$(CUNIT_LIBS)
tests_libxs_stable_test_handle_SOURCES = tests/libxs-stable/test_handle.c
tests_libxs_stable_test_handle_CPPFLAGS = \
	-I$(top_srcdir)/libxs-stable/include -I$(top_srcdir)/simxen/include \
	-I$(top_srcdir)/tests/unit
tests_libxs_stable_test_handle_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_libxs_stable_test_handle_LDADD = libxs-stable/libxs-stable.la \
	simxen/libsimxen.a $(CUNIT_LIBS)
# The domain-state call: without Xen, then on the simulated Xen (which
# test_domstate.sh points libxencall at), then on a stock 4.17 host.
tests_libxs_stable_test_domstate_SOURCES = tests/libxs-stable/test_domstate.c
tests_libxs_stable_test_domstate_CPPFLAGS = \
	-I$(top_srcdir)/libxs-stable/include -I$(top_srcdir)/simxen/include \
	-I$(top_srcdir)/tests/unit
tests_libxs_stable_test_domstate_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_libxs_stable_test_domstate_LDADD = libxs-stable/libxs-stable.la \
	simxen/libsimxen.a $(CUNIT_LIBS)
