# The toolstack's domain-state service: binds VIRQ_DOM_EXC, reads domain
# states with libxenctrl, tells xenstored with CONTROL domain-state.
sbin_PROGRAMS += toolstack-hooks/xenstore-domain-state
toolstack_hooks_xenstore_domain_state_SOURCES = \
	toolstack-hooks/xenstore-domain-state.c
toolstack_hooks_xenstore_domain_state_CFLAGS = $(AM_CFLAGS) \
	$(XENCTRL_CFLAGS) $(XENEVTCHN_CFLAGS) $(XENSTORE_CFLAGS)
toolstack_hooks_xenstore_domain_state_LDADD = $(XENCTRL_LIBS) \
	$(XENEVTCHN_LIBS) $(XENSTORE_LIBS)
