#!/bin/sh
# -T FILE writes an access trace: every request we send shows up in it,
# with its path, and -V (verbose) is accepted alongside.
. "$(dirname "$0")/lib.sh"

xs_tmpdir
trace=$XS_TMP/trace
xs_start -V -T "$trace"

marker=trace-marker-$$
ok xenstore-write "/$marker/node" "value-$marker"
ok xenstore-read "/$marker/node"
ok xenstore-list "/$marker"

ticks=40
until grep -q "$marker/node" "$trace" 2>/dev/null; do
	ticks=$((ticks - 1))
	[ "$ticks" -gt 0 ] || fail "trace $trace never mentions /$marker/node;" \
	    "it has: $(head -c 2000 "$trace" 2>/dev/null)"
	sleep 0.05
done
lines=$(grep -c "$marker" "$trace")
[ "$lines" -ge 3 ] ||
    fail "expected a trace line for each of 3 requests, found $lines"

xs_stop
[ -s "$trace" ] || fail "trace file empty after stop"
pass
