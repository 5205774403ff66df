# The real-Xen test under QEMU: `make check-xen` (not part of `make
# check`: it needs the packages of `scripts/setup-debian.sh --xen`).
EXTRA_DIST += tests/xen-qemu/run.sh tests/xen-qemu/dom0-init.sh \
	tests/xen-qemu/guest-init.sh tests/xen-qemu/g1.cfg

check-xen: all
	sh $(srcdir)/tests/xen-qemu/run.sh $(abs_top_builddir)
.PHONY: check-xen
