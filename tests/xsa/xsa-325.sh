#!/bin/sh
# XSA-325 (CVE-2020-29483): C xenstored dropped a guest that broke the
# ring protocol as if it had died: it fired @releaseDomain while the
# guest still ran, and forgot the domain, so no @releaseDomain came when
# it was really destroyed; the toolstack never cleaned up after it
# (a zombie domain), and with a stub domain (SET_TARGET) the forgotten
# connection was used after being freed.  Attack: a guest with a stub
# domain breaks its ring indexes, then is destroyed with its stub domain.
# Xen's fix ("Preserve bad client until they are destroyed"): the
# connection is ignored but the domain kept until it dies.
# Must: after the violation the domain is still introduced; its
# destruction fires @releaseDomain (after the violation) and its ring is
# unmapped; the daemon survives the stub domain's end too.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
mkguest 3
dom0 settarget <<'S'
settarget 3 2
S

dom0 watcher <<'S' &
watch @releaseDomain rel
watch /xsa/m m
event
event
write /xsa/ready 1
repeat 100 -u /xsa/m -u TIMEOUT event
write /xsa/phase2 1
repeat 100 -u @releaseDomain -u TIMEOUT event
S
w=$!
bg_track $w
# waitnode PATH: until dom0 reads 1 there, while the watcher runs.
waitnode() {
	i=0
	until [ "$(xenstore-read "$1" 2>/dev/null)" = 1 ]; do
		i=$((i + 1))
		[ $i -le 1000 ] || fail "the watcher never wrote $1"
		kill -0 $w 2>/dev/null || { cat "$T/watcher.out" >&2; fail "the watcher ended"; }
		sleep 0.01
	done
}
waitnode /xsa/ready

as_guest bad 2 <<'S'
read name
set-req-prod 0x7fffffff
S
neighbour_ok "the violation"
dom0 after <<'S'
isintroduced 2
write /xsa/m 1
S
expect after 'isintroduced 2 -> "T"'
waitnode /xsa/phase2
# The guest and its stub domain die together, as xl destroys them.
"$SIMXEN" destroy 2 >/dev/null && "$SIMXEN" destroy 3 >/dev/null ||
    fail "destroying domains 2 and 3"
wait_reaped 2 10
wait_reaped 3 10
wait $w || { cat "$T/watcher.out" >&2; fail "the watcher failed"; }
sed -n 's/^repeat 100 -u @releaseDomain .* -> //p' "$T/watcher.out" >"$T/phase2.out"
expect_re phase2 '@releaseDomain'
reject_re phase2 'TIMEOUT'
dom0 after2 <<'S'
isintroduced 2
isintroduced 3
S
expect after2 'isintroduced 2 -> "F"' 'isintroduced 3 -> "F"'
xsa_finish
