#!/bin/sh
# SIGHUP does not stop the daemon or lose data: it reopens its log files,
# so an administrator can rotate the trace file (-T) by renaming it and
# sending SIGHUP; the daemon keeps serving the connections it already had.
. "$(dirname "$0")/lib.sh"

xs_tmpdir
trace=$XS_TMP/trace
xs_start -T "$trace"

ok xenstore-write /hup/a 1
watch_start "$XS_TMP/events" 3 /hup
w=$watch_pid

kill -HUP "$XS_PID"
sleep 0.2
xs_alive "SIGHUP"
ok xenstore-read /hup/a
assert_eq "value after SIGHUP" 1 "$out"
# The watcher's connection from before the signal still gets events.
ok xenstore-write /hup/b 2

# Rotate: rename the trace file; SIGHUP makes the daemon open a new one.
[ -s "$trace" ] || fail "no trace written to $trace before rotation"
mv "$trace" "$trace.1"
kill -HUP "$XS_PID"
sleep 0.2
xs_alive "second SIGHUP"
ok xenstore-write /hup/after-rotation 3
ticks=40
until [ -s "$trace" ]; do
	ticks=$((ticks - 1))
	[ "$ticks" -gt 0 ] || fail "no new trace file after rename and SIGHUP"
	sleep 0.05
done
grep -q after-rotation "$trace" ||
    fail "new trace file does not mention the request sent after SIGHUP"

ok xenstore-rm /hup/a
watch_end "$w" "$XS_TMP/events" "/hup
/hup/b
/hup/after-rotation"

# Several signals in a burst.
for _ in 1 2 3 4 5; do
	kill -HUP "$XS_PID"
done
sleep 0.2
xs_alive "a burst of SIGHUP"

xs_stop
pass
