# The migration stream's tests (docs/migration-stream.md): stream-print,
# the decoder that prints every record, checked on the fuzz seeds
# against its expected output, and on the state Debian's C xenstored
# 4.17 writes for a live update; then that live update, to our daemon,
# and back (CONTROL live-update).
check_PROGRAMS += tests/stream/stream-print
tests_stream_stream_print_SOURCES = tests/stream/stream_print.c
tests_stream_stream_print_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/xenstored
tests_stream_stream_print_CFLAGS = $(AM_CFLAGS) $(TALLOC_CFLAGS)
tests_stream_stream_print_LDADD = xenstored/libxsd.a $(TALLOC_LIBS)

TESTS += tests/stream/print.sh tests/stream/c_dump.sh tests/stream/from_c.sh \
	tests/stream/handover.sh tests/stream/crash_restart.sh \
	tests/stream/keeper_handover.sh
EXTRA_DIST += tests/stream/print.sh tests/stream/print.expected \
	tests/stream/c_dump.sh tests/stream/from_c.sh tests/stream/handover.sh \
	tests/stream/crash_restart.sh tests/stream/keeper_handover.sh
