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

# Unit tests of the ring client against a fake server thread.
check_PROGRAMS += simxen/guest/tests/test_ring_client
TESTS += simxen/guest/tests/test_ring_client
simxen_guest_tests_test_ring_client_SOURCES = \
	simxen/guest/tests/test_ring_client.c tests/unit/cu_main.h
simxen_guest_tests_test_ring_client_CPPFLAGS = \
	-I$(top_srcdir)/simxen/guest -I$(top_builddir)
simxen_guest_tests_test_ring_client_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) \
	-pthread
simxen_guest_tests_test_ring_client_LDADD = simxen/guest/libsimguest.a \
	simxen/libsimxen.a $(CUNIT_LIBS) -lpthread
