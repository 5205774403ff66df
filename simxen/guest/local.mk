# The simulated guest: a ring client (libsimguest.a) and the
# simxen-guest command that drives it from a script.
noinst_LIBRARIES += simxen/guest/libsimguest.a
simxen_guest_libsimguest_a_SOURCES = simxen/guest/guest.c simxen/guest/guest.h
simxen_guest_libsimguest_a_CPPFLAGS = -I$(top_srcdir)/simxen/include

noinst_PROGRAMS += simxen/guest/simxen-guest
simxen_guest_simxen_guest_SOURCES = simxen/guest/simxen-guest.c
simxen_guest_simxen_guest_CPPFLAGS = -I$(top_srcdir)/simxen/include \
	$(XENSTORE_CFLAGS)
simxen_guest_simxen_guest_LDADD = simxen/guest/libsimguest.a \
	simxen/libsimxen.a $(XENSTORE_LIBS)
