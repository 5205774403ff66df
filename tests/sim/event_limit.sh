#!/bin/sh
# A guest that never reads its ring while its watches fire thousands of
# times (docs/domains.md, "A guest that does not read"): the daemon's
# queue for it stays under the guest's memory quota, the events past it
# are dropped and counted (CONTROL domains; the first drop is logged),
# the guest stays connected, and once it reads it gets every event that
# was queued, whole, then its replies.  Another guest is served meanwhile.
. "$(dirname "$0")/lib.sh"

start_daemon ours
WATCHES=10 WRITES=1000 TOKEN_LEN=1000

tok=$(head -c $TOKEN_LEN /dev/zero | tr '\0' t)
{
	echo "conn a dom0"
	echo "a: control quota"
	echo "conn g guest 1"
	echo "conn h guest 2"
	i=0
	while [ $i -lt $WATCHES ]; do
		echo "g: watch data w$i$tok"
		i=$((i + 1))
	done
	# From here g reads nothing until events-count.
	i=0
	while [ $i -lt $WRITES ]; do
		echo "a: write /local/domain/1/data/x $i"
		i=$((i + 1))
	done
	echo "h: read name"
	echo "a: control domains"
	echo "g: events-count 1000"
	echo "g: read name"
	echo "a: control domains"
} >"$T/script"
"$GUEST" --timeout 3000 -c "$T/script" >"$T/out" 2>&1 ||
    { tail -20 "$T/out"; fail "script"; }
[ "$(grep -c '^g: watch .* -> OK$' "$T/out")" -eq $WATCHES ] ||
    { grep '^g: watch' "$T/out" | cut -c1-80; fail "guest 1's watches"; }
[ "$(grep -c '^a: write .* -> OK$' "$T/out")" -eq $WRITES ] ||
    { grep -v -- '-> OK$' "$T/out" | tail; fail "dom0's writes"; }

# The limit: guest 1's memory quota (the default, nothing set it).
limit=$(sed -n 's/^a: control quota -> .*\\x0amemory *: *\([0-9]*\).*/\1/p' \
    "$T/out")
[ -n "$limit" ] && [ "$limit" -gt 0 ] || fail "no memory quota in: $(
    grep "^a: control quota" "$T/out")"

# domline N: the domid 1 line of the Nth answer to CONTROL domains.
domline() {
	grep '^a: control domains -> ' "$T/out" | sed -n "${1}p" |
	    sed 's/^[^"]*"//; s/"$//; s/\\x0a/\n/g' | grep '^domid 1 '
}
field() { echo "$1" | sed -n "s/.* $2 \([0-9]*\).*/\1/p"; }

during=$(domline 1)
queued=$(field "$during" queued)
dropped=$(field "$during" dropped)
echo "guest 1 while not reading: $during (limit $limit)"
case $during in *stopped*) fail "guest 1's connection was dropped: $during" ;; esac
[ -n "$queued" ] || fail "no backlog reported: $during"
[ "$queued" -le "$limit" ] || fail "queued $queued bytes, over $limit"
# It did fill up to the limit: the queue and the rest guest 1 is charged
# for (its connection, its nodes, one 64 KiB output chunk being filled)
# come to its memory quota, so the queue is short of it by less than
# that much.
[ "$queued" -gt $((limit - 256 * 1024)) ] ||
    fail "queued only $queued bytes of $limit"
[ -n "$dropped" ] && [ "$dropped" -gt 0 ] || fail "no drops reported: $during"

grep -q 'h: read name -> "guest2"' "$T/out" ||
    { grep '^h:' "$T/out"; fail "guest 2 not served"; }

# Every event fired either reached guest 1 or was counted as dropped
# (the first event of each watch came with its WATCH).
got=$(sed -n 's/^g: events-count 1000 -> //p' "$T/out")
echo "guest 1 got $got events, $dropped dropped, of $((WATCHES + WATCHES * WRITES))"
[ "$((got + dropped))" -eq $((WATCHES + WATCHES * WRITES)) ] ||
    fail "$got received + $dropped dropped != $((WATCHES + WATCHES * WRITES)) fired"
grep -q '^g: read name -> "guest1"$' "$T/out" ||
    { grep '^g: read' "$T/out"; fail "guest 1 not answered after reading"; }

after=$(domline 2)
case $after in
*queued*|*stopped*) fail "after reading: $after" ;;
esac
[ "$(field "$after" dropped)" = "$dropped" ] ||
    fail "drop count changed: $during / $after"

grep -q "(domid 1): output queue over $limit bytes or memory quota reached: dropping watch events" \
    "$T/daemon.log" || { cat "$T/daemon.log"; fail "first drop not logged"; }
! grep -q "does not read its replies" "$T/daemon.log" ||
    fail "a connection was disconnected"
kill -0 "$DAEMON_PID" || fail "daemon died"
echo "event_limit.sh: passed"
