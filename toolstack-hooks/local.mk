# The toolstack's domain-state service: binds VIRQ_DOM_EXC, learns domain
# states from the hypervisor's XEN_DOMCTL_get_domain_state (libxs-stable)
# or, on stock hypervisors, from libxenctrl; tells xenstored with CONTROL
# domain-state.
sbin_PROGRAMS += toolstack-hooks/xenstore-domain-state
toolstack_hooks_xenstore_domain_state_SOURCES = \
	toolstack-hooks/xenstore-domain-state.c
toolstack_hooks_xenstore_domain_state_CPPFLAGS = \
	-I$(top_srcdir)/libxs-stable/include
toolstack_hooks_xenstore_domain_state_CFLAGS = $(AM_CFLAGS) \
	$(XENCTRL_CFLAGS) $(XENEVTCHN_CFLAGS) $(XENSTORE_CFLAGS)
toolstack_hooks_xenstore_domain_state_LDADD = libxs-stable/libxs-stable.la \
	$(XENCTRL_LIBS) $(XENEVTCHN_LIBS) $(XENSTORE_LIBS)

# systemd units and the /etc/default file (docs/operations.md).
systemdsystemunit_DATA = toolstack-hooks/xenstored.service \
	toolstack-hooks/xenstore-domain-state.service
CLEANFILES += $(systemdsystemunit_DATA)
EXTRA_DIST += toolstack-hooks/xenstored.service.in \
	toolstack-hooks/xenstore-domain-state.service.in \
	toolstack-hooks/default/xenstore-stable
defaultdir = $(sysconfdir)/default
dist_default_DATA = toolstack-hooks/default/xenstore-stable

# Units name the daemons where `make install` puts them.
edit_unit = $(MKDIR_P) toolstack-hooks && \
	sed -e 's|@sbindir[@]|$(sbindir)|g'
toolstack-hooks/xenstored.service: \
    $(srcdir)/toolstack-hooks/xenstored.service.in Makefile
	$(AM_V_GEN)$(edit_unit) $(srcdir)/toolstack-hooks/xenstored.service.in >$@
toolstack-hooks/xenstore-domain-state.service: \
    $(srcdir)/toolstack-hooks/xenstore-domain-state.service.in Makefile
	$(AM_V_GEN)$(edit_unit) \
	    $(srcdir)/toolstack-hooks/xenstore-domain-state.service.in >$@
