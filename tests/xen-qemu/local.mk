# The real-Xen test under QEMU: `make check-xen` (not part of `make
# check`: it needs the packages of `scripts/setup-debian.sh --xen`).
# XEN_QEMU_ARGS narrows it, e.g. "--daemon ours" or "--daemon c reboot";
# see tests/xen-qemu/run.sh and docs/testing.md.
EXTRA_DIST += tests/xen-qemu/run.sh tests/xen-qemu/dom0-init.sh \
	tests/xen-qemu/guest-init.sh tests/xen-qemu/g1.cfg
XEN_QEMU_ARGS =

# Empty domains and the changed-domain search, for the scenarios that
# need a patched hypervisor (dom0-init.sh).  A test, so libxenctrl is
# allowed.  -no-install: a real binary (no libtool wrapper) that run.sh
# copies into dom0, where libxs-stable is the installed one.
check_PROGRAMS += tests/xen-qemu/xq-domains
tests_xen_qemu_xq_domains_SOURCES = tests/xen-qemu/xq-domains.c
tests_xen_qemu_xq_domains_CPPFLAGS = -I$(top_srcdir)/libxs-stable/include
tests_xen_qemu_xq_domains_CFLAGS = $(AM_CFLAGS) $(XENCTRL_CFLAGS) \
	$(XENEVTCHN_CFLAGS) $(XENGNTTAB_CFLAGS)
tests_xen_qemu_xq_domains_LDADD = libxs-stable/libxs-stable.la \
	$(XENCTRL_LIBS) $(XENEVTCHN_LIBS) $(XENGNTTAB_LIBS)
tests_xen_qemu_xq_domains_LDFLAGS = $(AM_LDFLAGS) -no-install

# The latency of reads and writes through libxenstore, from dom0
# (docs/performance.md); only libxenstore.
check_PROGRAMS += tests/xen-qemu/xq-latency
tests_xen_qemu_xq_latency_SOURCES = tests/xen-qemu/xq-latency.c bench/latency.h
tests_xen_qemu_xq_latency_CPPFLAGS = -I$(top_srcdir)/bench
tests_xen_qemu_xq_latency_CFLAGS = $(AM_CFLAGS) $(XENSTORE_CFLAGS)
tests_xen_qemu_xq_latency_LDADD = $(XENSTORE_LIBS)
tests_xen_qemu_xq_latency_LDFLAGS = $(AM_LDFLAGS) -no-install

# A watch with a depth, which libxenstore 4.17 cannot set: the live
# update to C that it must make fail (dom0-init.sh, pkg-refused-removal).
check_PROGRAMS += tests/xen-qemu/xq-watch
tests_xen_qemu_xq_watch_SOURCES = tests/xen-qemu/xq-watch.c
tests_xen_qemu_xq_watch_CFLAGS = $(AM_CFLAGS) $(XENSTORE_CFLAGS)
tests_xen_qemu_xq_watch_LDFLAGS = $(AM_LDFLAGS) -no-install

check-xen: all tests/xen-qemu/xq-domains$(EXEEXT) tests/xen-qemu/xq-latency$(EXEEXT) \
    tests/xen-qemu/xq-watch$(EXEEXT)
	sh $(srcdir)/tests/xen-qemu/run.sh $(abs_top_builddir) $(XEN_QEMU_ARGS)
.PHONY: check-xen
