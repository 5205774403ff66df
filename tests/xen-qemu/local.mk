# The real-Xen test under QEMU: `make check-xen` (not part of `make
# check`: it needs the packages of `scripts/setup-debian.sh --xen`).
# XEN_QEMU_ARGS narrows it, e.g. "--daemon ours" or "--daemon c reboot";
# see tests/xen-qemu/run.sh and docs/testing.md.
EXTRA_DIST += tests/xen-qemu/run.sh tests/xen-qemu/dom0-init.sh \
	tests/xen-qemu/guest-init.sh tests/xen-qemu/g1.cfg
XEN_QEMU_ARGS =

check-xen: all
	sh $(srcdir)/tests/xen-qemu/run.sh $(abs_top_builddir) $(XEN_QEMU_ARGS)
.PHONY: check-xen
