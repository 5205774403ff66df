#!/bin/sh
# XSA-324 (CVE-2020-29484): a watch event could exceed the 4096-byte
# payload limit: the WATCH request bounds the watched path plus the
# token, but an event carries the path of the changed node, which may be
# longer.  C xenstored then dereferenced a NULL pointer (no request being
# handled for that connection) and crashed.  Attack: a guest watches its
# home with a token of 4000 bytes and writes a node with a 2000-byte
# path; and so for a watch of dom0 with a long token on the guest's
# home (the socket case).
# Xen's fix ("drop watch event messages exceeding maximum size").
# Must: the oversized event is dropped, never sent (the watcher's client
# would break: a transport failure here); the next event that fits is
# delivered, to the guest and to dom0; the daemon stays alive.  Ours
# refuses such a watch at WATCH instead (EINVAL: docs/protocol.md,
# difference 13), which leaves no event to drop.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
tok=$(rep t 4000)
tok0=$(rep u 4000)
long=data/$(rep l 99)
while [ ${#long} -lt 2000 ]; do long=$long/$(rep l 99); done

# Does the daemon take such a token at all?  If not, no watch below
# waits for events that cannot come.
dom0 probe <<S
watch /xsa/probe $tok0
unwatch /xsa/probe $tok0
S
wait_ms=5000
[ "$(result probe "watch /xsa/probe $tok0")" != "ERR EINVAL" ] || wait_ms=200

# dom0 watches the guest's home with a long token, in the background.
XSA_TIMEOUT=$wait_ms dom0 watch0 <<S &
watch /local/domain/2 $tok0
event
write /xsa/ready0 1
repeat 100 -u /local/domain/2/data/marker -u TIMEOUT event
S
w0=$!
bg_track $w0
i=0
until [ "$(xenstore-read /xsa/ready0 2>/dev/null)" = 1 ]; do
	i=$((i + 1))
	[ $i -le 1000 ] || fail "dom0's watcher never got ready"
	kill -0 $w0 2>/dev/null || { cut -c1-100 "$T/watch0.out" >&2; fail "dom0's watcher ended"; }
	sleep 0.01
done

XSA_TIMEOUT=$wait_ms as_guest attack 2 <<S
watch data $tok
event
write $long v
write data/marker v
repeat 100 -u data/marker -u TIMEOUT event
read name
S
wait $w0 || { cut -c1-100 "$T/watch0.out" >&2; fail "dom0's watcher failed"; }
for f in attack watch0; do
	sed -n 's/^repeat 100 .* -> //p' "$T/$f.out" >"$T/$f-ev.out"
done
expect attack "write $long v -> OK" 'read name -> "guest2"'
# watched NAME TOKEN PATH: the watch was refused (EINVAL), or the event
# of PATH that fits came.
watched() {
	if [ "$(result "$1" "watch $3")" = "ERR EINVAL" ]; then
		note "$1: the watch with a 4000-byte token was refused (EINVAL)"
		return
	fi
	grep -q "^repeat 100 .* -> .*$4 $2\*1" "$T/$1.out" ||
	    { cut -c1-200 "$T/$1.out" >&2; fail "$1: the event that fits never came"; }
}
watched attack "$tok" "data $tok" data/marker
watched watch0 "$tok0" "/local/domain/2 $tok0" /local/domain/2/data/marker
reject_re attack-ev "$(rep l 99)"
reject_re watch0-ev "$(rep l 99)"
xsa_finish
