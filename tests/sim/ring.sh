#!/bin/sh
# Hostile guests on our daemon: bad ring indexes, an over-long payload, a
# guest that never reads its replies.  Each time the error indicator says
# why, that guest's connection stops, the other guests and dom0 are
# served as before, and a ring reconnection brings the guest back.
. "$(dirname "$0")/lib.sh"

start_daemon ours
xs() { "$@" || fail "dom0: $*"; }

# A well-behaved neighbour, checked after each attack.
guest --create --setup --introduce >"$T/g1.out" <<'S' || fail "guest 1"
write data/alive yes
S
neighbour() {
	out=$(printf 'read data/alive\n' | guest --domid 1) ||
	    fail "guest 1 after $1: $out"
	case $out in *'"yes"'*) ;; *) fail "guest 1 after $1: $out" ;; esac
	[ "$(xenstore-read /local/domain/1/data/alive)" = yes ] ||
	    fail "dom0 after $1"
	kill -0 "$DAEMON_PID" || fail "daemon died after $1"
}

# check DOMID SCRIPT EXPECTED...: run SCRIPT as DOMID, expect each line.
check() {
	id=$1 script=$2
	shift 2
	printf '%s\n' "$script" | guest --domid "$id" >"$T/out" 2>&1 ||
	    { cat "$T/out"; fail "guest $id"; }
	for want; do
		grep -qxF -- "$want" "$T/out" ||
		    { cat "$T/out"; fail "guest $id: no line '$want'"; }
	done
}

# 1. Request producer index past the ring: error indicator 2 (RINGIDX).
guest --create --setup --introduce </dev/null >/dev/null || fail "guest 2"
check 2 "read name
set-req-prod 0x7fffffff
sleep 200
error" 'read name -> "guest2"' "error -> 2"
neighbour "bad indexes"
# A stopped connection answers nothing until the guest reconnects.
check 2 "reset
error
read name" "reset -> OK" "error -> 0" 'read name -> "guest2"'

# 2. A header declaring 4097 bytes: error indicator 3 (PROTO).
check 2 "oversize
sleep 200
error" "error -> 3"
neighbour "over-long payload"
check 2 "reset
read name" 'read name -> "guest2"'

# 3. Partial packets: a header in two pieces, then the payload.
check 2 "raw 02000000 2a000000
raw 00000000 05000000
raw 6e616d6500
sleep 100
error
read name" "error -> 0" 'read name -> "guest2"'

# 4. A guest that sends and never reads: it fills its own ring and the
# daemon's queue for it stays bounded, the others are served.
guest --create --setup --introduce </dev/null >/dev/null || fail "guest 3"
rss0=$(awk '/VmRSS/ { print $2 }' "/proc/$DAEMON_PID/status")
check 3 "flood 300" 
sent=$(sed -n 's/^flood 300 -> //p' "$T/out")
[ "$sent" -gt 20 ] || fail "flood sent only $sent requests"
neighbour "flood"
rss1=$(awk '/VmRSS/ { print $2 }' "/proc/$DAEMON_PID/status")
echo "flood: $sent requests unread; daemon RSS ${rss0} kB -> ${rss1} kB"
[ $((rss1 - rss0)) -lt 4096 ] || fail "daemon grew by $((rss1 - rss0)) kB"
# After a reconnection it is a normal guest again.
check 3 "reset
read name" 'read name -> "guest3"'

grep -q "bad request ring indexes" "$T/daemon.log" ||
    fail "bad indexes not logged"
echo "ring.sh: passed"
