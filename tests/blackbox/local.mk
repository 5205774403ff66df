# Black-box tests: each script starts the built daemon on a private socket
# and drives it with Debian's xenstore-* tools or with the two clients
# below.  Paths are relative to the top of the tree (non-recursive make).

check_PROGRAMS += tests/blackbox/xs_client tests/blackbox/raw_client

# Per-target CPPFLAGS replace AM_CPPFLAGS: the clients are black-box and
# must not see the daemon's headers.
tests_blackbox_xs_client_SOURCES = tests/blackbox/xs_client.c
tests_blackbox_xs_client_CPPFLAGS = $(XENSTORE_CFLAGS)
tests_blackbox_xs_client_CFLAGS = $(AM_CFLAGS) -pthread
tests_blackbox_xs_client_LDADD = $(XENSTORE_LIBS)

tests_blackbox_raw_client_SOURCES = tests/blackbox/raw_client.c
tests_blackbox_raw_client_CPPFLAGS = $(XENSTORE_CFLAGS)
tests_blackbox_raw_client_CFLAGS = $(AM_CFLAGS)

BLACKBOX_TESTS = \
	tests/blackbox/initial_tree.sh \
	tests/blackbox/write_read.sh \
	tests/blackbox/list_rm.sh \
	tests/blackbox/chmod.sh \
	tests/blackbox/relative_paths.sh \
	tests/blackbox/bad_paths.sh \
	tests/blackbox/big_directory.sh \
	tests/blackbox/watch.sh \
	tests/blackbox/control.sh \
	tests/blackbox/concurrent.sh \
	tests/blackbox/sigterm.sh \
	tests/blackbox/startup_errors.sh \
	tests/blackbox/sighup.sh \
	tests/blackbox/trace.sh \
	tests/blackbox/xs_client.sh \
	tests/blackbox/raw_protocol.sh

TESTS += $(BLACKBOX_TESTS)
EXTRA_DIST += tests/blackbox/lib.sh $(BLACKBOX_TESTS)
