# The simulated Xen: libsimxen, the ABI libraries Debian's daemons load
# through LD_LIBRARY_PATH=<builddir>/simxen/lib, the /proc/xen preload,
# the simxen CLI and their tests.  See docs/simulated-xen.md.

SIMXEN_CPPFLAGS = -I$(top_srcdir)/simxen/include

# libsimxen for our own programs (CLI, tests, simulated guest): normal
# flags, sanitizers included.
noinst_LIBRARIES += simxen/libsimxen.a
simxen_libsimxen_a_SOURCES = simxen/lib/simxen.c simxen/include/simxen.h
simxen_libsimxen_a_CPPFLAGS = $(SIMXEN_CPPFLAGS)

noinst_PROGRAMS += simxen/simxen
simxen_simxen_SOURCES = simxen/cli/simxen-cli.c
simxen_simxen_CPPFLAGS = $(SIMXEN_CPPFLAGS)
simxen_simxen_LDADD = simxen/libsimxen.a

# The ABI libraries are loaded into Debian's uninstrumented binaries, so
# they are built without $(AM_CFLAGS)/$(AM_LDFLAGS) (which carry the
# sanitizers), as shared objects with Debian's SONAMEs and symbol
# versions, each with its own copy of libsimxen (hidden by the version
# script).  They are "programs" to automake; the per-target LINK keeps
# libtool out of a -shared link.
SIMXEN_SO_CFLAGS = $(WARN_CFLAGS) -fPIC
SIMXEN_SO_LINK = $(CCLD) -shared -fPIC $(CFLAGS) $(LDFLAGS) -Wl,-z,defs \
	-Wl,--version-script=$(srcdir)/simxen/abi/

noinst_PROGRAMS += simxen/lib/libxenevtchn.so.1
simxen_lib_libxenevtchn_so_1_SOURCES = simxen/abi/evtchn.c simxen/lib/simxen.c
simxen_lib_libxenevtchn_so_1_CPPFLAGS = $(SIMXEN_CPPFLAGS)
simxen_lib_libxenevtchn_so_1_CFLAGS = $(SIMXEN_SO_CFLAGS)
simxen_lib_libxenevtchn_so_1_LINK = $(SIMXEN_SO_LINK)libxenevtchn.map \
	-Wl,-soname,libxenevtchn.so.1 -o $@
EXTRA_simxen_lib_libxenevtchn_so_1_DEPENDENCIES = \
	$(srcdir)/simxen/abi/libxenevtchn.map

noinst_PROGRAMS += simxen/lib/libxengnttab.so.1
simxen_lib_libxengnttab_so_1_SOURCES = simxen/abi/gnttab.c simxen/lib/simxen.c
simxen_lib_libxengnttab_so_1_CPPFLAGS = $(SIMXEN_CPPFLAGS)
simxen_lib_libxengnttab_so_1_CFLAGS = $(SIMXEN_SO_CFLAGS)
simxen_lib_libxengnttab_so_1_LINK = $(SIMXEN_SO_LINK)libxengnttab.map \
	-Wl,-soname,libxengnttab.so.1 -o $@
EXTRA_simxen_lib_libxengnttab_so_1_DEPENDENCIES = \
	$(srcdir)/simxen/abi/libxengnttab.map

noinst_PROGRAMS += simxen/lib/libxencall.so.1
simxen_lib_libxencall_so_1_SOURCES = simxen/abi/xencall.c simxen/lib/simxen.c
simxen_lib_libxencall_so_1_CPPFLAGS = $(SIMXEN_CPPFLAGS) $(XENCALL_CFLAGS) \
	-I$(top_srcdir)/libxs-stable
simxen_lib_libxencall_so_1_CFLAGS = $(SIMXEN_SO_CFLAGS)
simxen_lib_libxencall_so_1_LINK = $(SIMXEN_SO_LINK)libxencall.map \
	-Wl,-soname,libxencall.so.1 -o $@
EXTRA_simxen_lib_libxencall_so_1_DEPENDENCIES = \
	$(srcdir)/simxen/abi/libxencall.map

noinst_PROGRAMS += simxen/lib/libxenctrl.so.4.17
simxen_lib_libxenctrl_so_4_17_SOURCES = simxen/abi/ctrl.c \
	simxen/abi/ctrl_stubs.c simxen/lib/simxen.c
simxen_lib_libxenctrl_so_4_17_CPPFLAGS = $(SIMXEN_CPPFLAGS)
simxen_lib_libxenctrl_so_4_17_CFLAGS = $(SIMXEN_SO_CFLAGS)
simxen_lib_libxenctrl_so_4_17_LINK = $(SIMXEN_SO_LINK)libxenctrl.map \
	-Wl,-soname,libxenctrl.so.4.17 -o $@
EXTRA_simxen_lib_libxenctrl_so_4_17_DEPENDENCIES = \
	$(srcdir)/simxen/abi/libxenctrl.map

noinst_PROGRAMS += simxen/lib/libxenguest.so.4.17
simxen_lib_libxenguest_so_4_17_SOURCES = simxen/abi/guest_stubs.c
simxen_lib_libxenguest_so_4_17_CPPFLAGS = $(SIMXEN_CPPFLAGS)
simxen_lib_libxenguest_so_4_17_CFLAGS = $(SIMXEN_SO_CFLAGS)
simxen_lib_libxenguest_so_4_17_LINK = $(SIMXEN_SO_LINK)libxenguest.map \
	-Wl,-soname,libxenguest.so.4.17 -o $@
EXTRA_simxen_lib_libxenguest_so_4_17_DEPENDENCIES = \
	$(srcdir)/simxen/abi/libxenguest.map

noinst_PROGRAMS += simxen/lib/libsimxen-procxen.so
simxen_lib_libsimxen_procxen_so_SOURCES = simxen/abi/procxen.c
simxen_lib_libsimxen_procxen_so_CPPFLAGS = $(SIMXEN_CPPFLAGS)
simxen_lib_libsimxen_procxen_so_CFLAGS = $(SIMXEN_SO_CFLAGS)
simxen_lib_libsimxen_procxen_so_LINK = $(CCLD) -shared -fPIC $(CFLAGS) \
	$(LDFLAGS) -Wl,-soname,libsimxen-procxen.so -o $@ -ldl

EXTRA_DIST += simxen/abi/libxenevtchn.map simxen/abi/libxengnttab.map \
	simxen/abi/libxencall.map \
	simxen/abi/libxenctrl.map simxen/abi/libxenguest.map

# Tests.  Each makes its own temporary $SIMXEN_DIR.
check_PROGRAMS += simxen/tests/simxen_test simxen/tests/xs_introduce \
	simxen/tests/abi_test simxen/tests/xencall_test
simxen_tests_simxen_test_SOURCES = simxen/tests/simxen_test.c
simxen_tests_simxen_test_CPPFLAGS = $(SIMXEN_CPPFLAGS)
simxen_tests_simxen_test_LDADD = simxen/libsimxen.a
simxen_tests_xs_introduce_SOURCES = simxen/tests/xs_introduce.c
simxen_tests_xs_introduce_CPPFLAGS = $(XENSTORE_CFLAGS)
simxen_tests_xs_introduce_LDADD = $(XENSTORE_LIBS)
# Linked against Debian's libxen*; run with our libraries (abi.sh).
simxen_tests_abi_test_SOURCES = simxen/tests/abi_test.c
simxen_tests_abi_test_CPPFLAGS = $(XENEVTCHN_CFLAGS) $(XENGNTTAB_CFLAGS)
simxen_tests_abi_test_LDADD = -lxenctrl $(XENEVTCHN_LIBS) $(XENGNTTAB_LIBS)
simxen_tests_xencall_test_SOURCES = simxen/tests/xencall_test.c
simxen_tests_xencall_test_CPPFLAGS = $(XENCALL_CFLAGS) \
	-I$(top_srcdir)/libxs-stable
simxen_tests_xencall_test_LDADD = $(XENCALL_LIBS)

TESTS += simxen/tests/simxen_test simxen/tests/abi.sh simxen/tests/xencall.sh \
	simxen/tests/debian_xenstored.sh simxen/tests/debian_oxenstored.sh
EXTRA_DIST += simxen/tests/abi.sh simxen/tests/xencall.sh simxen/tests/lib.sh \
	simxen/tests/daemon_checks.sh \
	simxen/tests/debian_xenstored.sh simxen/tests/debian_oxenstored.sh
