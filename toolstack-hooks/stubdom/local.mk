# The xenstore stub domain (docs/stubdom.md): `make stubdom` builds a
# Linux PV kernel and an initramfs running this build's xenstored, from
# Debian packages (scripts/setup-debian.sh --xen); `make install` then
# installs them to $(stubdomdir) beside the manifest of their inputs.
# Not part of `make all`: it needs linux-source-6.1 (or, with
# STUBDOM_KERNEL=debian, linux-image-amd64) and busybox-static, and the
# kernel's first build takes minutes.
noinst_PROGRAMS += toolstack-hooks/stubdom/pv-only
toolstack_hooks_stubdom_pv_only_SOURCES = toolstack-hooks/stubdom/pv-only.c
EXTRA_DIST += toolstack-hooks/stubdom/mkimage.sh toolstack-hooks/stubdom/init.sh \
	toolstack-hooks/stubdom/build-kernel.sh toolstack-hooks/stubdom/kernel.config
stubdomdir = $(pkglibdir)/stubdom
# The stub domain's kernel: own (build-kernel.sh, from linux-source-6.1)
# or debian (linux-image-amd64), and its default --memory in MiB: what
# the real-Xen matrix passes with (docs/stubdom.md).
STUBDOM_KERNEL = own
STUBDOM_MEMORY = 32

# Its start program and systemd unit (docs/operations.md).
sbin_SCRIPTS += toolstack-hooks/stubdom/xenstore-stubdom
systemdsystemunit_DATA += toolstack-hooks/stubdom/xenstore-stubdom.service
CLEANFILES += toolstack-hooks/stubdom/xenstore-stubdom \
	toolstack-hooks/stubdom/xenstore-stubdom.service
EXTRA_DIST += toolstack-hooks/stubdom/xenstore-stubdom.in \
	toolstack-hooks/stubdom/xenstore-stubdom.service.in
edit_stubdom = $(MKDIR_P) toolstack-hooks/stubdom && sed \
	-e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@stubdomdir[@]|$(stubdomdir)|g' \
	-e 's|@STUBDOM_MEMORY[@]|$(STUBDOM_MEMORY)|g'
toolstack-hooks/stubdom/xenstore-stubdom: \
    $(srcdir)/toolstack-hooks/stubdom/xenstore-stubdom.in Makefile
	$(AM_V_GEN)$(edit_stubdom) $(srcdir)/toolstack-hooks/stubdom/xenstore-stubdom.in >$@ && \
	    chmod +x $@
toolstack-hooks/stubdom/xenstore-stubdom.service: \
    $(srcdir)/toolstack-hooks/stubdom/xenstore-stubdom.service.in Makefile
	$(AM_V_GEN)$(edit_stubdom) \
	    $(srcdir)/toolstack-hooks/stubdom/xenstore-stubdom.service.in >$@
STUBDOM_FILES = xenstore-stubdom.kernel xenstore-stubdom.initramfs \
	xenstore-stubdom.manifest xenstore-stubdom.sha256

stubdom: all toolstack-hooks/stubdom/pv-only$(EXEEXT)
	rm -rf stubdom/inst
	$(MAKE) $(AM_MAKEFLAGS) install DESTDIR='$(abs_top_builddir)/stubdom/inst' >/dev/null
	STUBDOM_KERNEL='$(STUBDOM_KERNEL)' \
	    sh $(srcdir)/toolstack-hooks/stubdom/mkimage.sh stubdom \
	    '$(abs_top_builddir)/stubdom/inst' toolstack-hooks/stubdom/pv-only$(EXEEXT)
	rm -rf stubdom/inst
.PHONY: stubdom

# Installed when built (the inner install of `make stubdom` finds none).
install-data-local:
	@if [ -f stubdom/xenstore-stubdom.kernel ]; then \
	    echo " $(MKDIR_P) '$(DESTDIR)$(stubdomdir)'"; \
	    $(MKDIR_P) '$(DESTDIR)$(stubdomdir)' && \
	    for f in $(STUBDOM_FILES); do \
	        $(INSTALL_DATA) stubdom/$$f '$(DESTDIR)$(stubdomdir)/' || exit 1; \
	    done; \
	fi
uninstall-local:
	for f in $(STUBDOM_FILES); do rm -f '$(DESTDIR)$(stubdomdir)'/$$f; done

clean-local: clean-stubdom
clean-stubdom:
	rm -rf stubdom
.PHONY: clean-stubdom
