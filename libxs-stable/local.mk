# libxs-stable (provisional build rules; replaced by the library's own).
lib_LTLIBRARIES += libxs-stable/libxs-stable.la
libxs_stable_libxs_stable_la_SOURCES = libxs-stable/handle.c \
	libxs-stable/feed.c libxs-stable/include/xs-stable.h
libxs_stable_libxs_stable_la_CPPFLAGS = -I$(top_srcdir)/libxs-stable/include \
	$(XENGNTTAB_CFLAGS) $(XENEVTCHN_CFLAGS)
libxs_stable_libxs_stable_la_LIBADD = $(XENGNTTAB_LIBS) $(XENEVTCHN_LIBS) \
	-lxentoollog
libxs_stable_libxs_stable_la_LDFLAGS = -version-info 1:0:0
include_HEADERS += libxs-stable/include/xs-stable.h
pkgconfig_DATA += libxs-stable/libxs-stable.pc
