# The daemon.  The modules other than main.c form a convenience library so
# that unit tests link exactly the modules they test.
noinst_LIBRARIES += xenstored/libxsd.a
xenstored_libxsd_a_SOURCES = \
	xenstored/conn.c xenstored/conn.h \
	xenstored/conn_ring.c xenstored/conn_ring.h \
	xenstored/conn_socket.c xenstored/conn_socket.h \
	xenstored/conflict.c xenstored/conflict.h \
	xenstored/control.c xenstored/control.h \
	xenstored/dispatch.c xenstored/dispatch.h \
	xenstored/domain.c xenstored/domain.h \
	xenstored/domain_feed.c xenstored/domain_feed.h \
	xenstored/framing.c xenstored/framing.h \
	xenstored/hash.c xenstored/hash.h \
	xenstored/journal.c xenstored/journal.h \
	xenstored/keeper.c xenstored/keeper.h \
	xenstored/log.c xenstored/log.h \
	xenstored/loop.c xenstored/loop.h \
	xenstored/ops.c xenstored/ops.h \
	xenstored/ops_domain.c xenstored/ops_domain.h \
	xenstored/path.c xenstored/path.h \
	xenstored/perms.c xenstored/perms.h \
	xenstored/quota.c xenstored/quota.h \
	xenstored/request.h \
	xenstored/state.c xenstored/state.h \
	xenstored/store.c xenstored/store.h \
	xenstored/stream.c xenstored/stream.h \
	xenstored/txn.c xenstored/txn.h \
	xenstored/watch.c xenstored/watch.h
xenstored_libxsd_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/libxs-stable/include
xenstored_libxsd_a_CFLAGS = $(AM_CFLAGS) $(TALLOC_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(SYSTEMD_CFLAGS)

sbin_PROGRAMS += xenstored/xenstored
xenstored_xenstored_SOURCES = xenstored/main.c
xenstored_xenstored_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/libxs-stable/include
xenstored_xenstored_CFLAGS = $(AM_CFLAGS) $(TALLOC_CFLAGS) $(SYSTEMD_CFLAGS)
xenstored_xenstored_LDADD = xenstored/libxsd.a libxs-stable/libxs-stable.la \
	$(TALLOC_LIBS) $(LIBEVENT_LIBS) $(SYSTEMD_LIBS)
