#!/bin/sh
# XSA-206: a guest could stall the toolstack for ever.  Attack: the guest
# rewrites one of its nodes in a loop, as fast as it is served; every
# transaction of dom0 that reads that node (a backend reading its
# frontend's state) then fails with EAGAIN at commit, again and again.
# Xen's fix: C xenstored rate-limits the writes of unprivileged domains
# ("apply a write transaction rate limit"); oxenstored takes conflict
# credit from a domain whose writes fail others' transactions and stops
# serving it while it has none.
# Must: while the guest loops, dom0 commits 20 transactions reading the
# node, each within 60 tries, and at most 3 of them need more than 5 (a
# rate limit lets short bursts through: C xenstored was seen to need 44
# tries once, never more than 2 transactions over 5); the guest is
# served throughout.
. "$(dirname "$0")/lib.sh"
TRIES=${XSA206_TRIES:-60}
MANY=${XSA206_MANY:-3}
xsa_start
mkguest 2

as_guest writer 2 <<'S' &
watch data/stop s
event
write data/x 0
write data/ready 1
repeat 10000000 -e write data/x %d
S
writer=$!
bg_track $writer
i=0
until [ "$(xenstore-read /local/domain/2/data/ready 2>/dev/null)" = 1 ]; do
	i=$((i + 1))
	[ $i -le 1000 ] || fail "the writer never got ready"
	kill -0 $writer 2>/dev/null || { cat "$T/writer.out" >&2; fail "the writer ended"; }
	sleep 0.01
done

i=0
while [ $i -lt 20 ]; do
	echo "txretry 1000 read /local/domain/2/data/x; write /local/domain/0/xsa206 $i"
	i=$((i + 1))
done >"$T/tx.txt"
dom0 tx <"$T/tx.txt"
kill -0 $writer 2>/dev/null || { cat "$T/writer.out" >&2; fail "the writer stopped before dom0 was done"; }
dom0 stop <<'S'
write /local/domain/2/data/stop 1
S
wait $writer || { cat "$T/writer.out" >&2; fail "the writer failed"; }
writes=$(sed -n 's/^repeat [^>]*-> //p' "$T/writer.out")
tries=$(sed -n 's/^txretry .* -> OK tries=//p' "$T/tx.txt" "$T/tx.out" | sort -n | tr '\n' ' ')
note "dom0's 20 transactions took $tries tries; the guest's writes: $writes"
[ "$(grep -c ' -> OK tries=' "$T/tx.out")" -eq 20 ] ||
    { cat "$T/tx.out" >&2; fail "not every transaction of dom0 committed"; }
slow=0
for n in $tries; do
	[ "$n" -le "$TRIES" ] ||
	    fail "a transaction of dom0 took $n tries (bound $TRIES) while the guest rewrote the node"
	[ "$n" -le 5 ] || slow=$((slow + 1))
done
[ $slow -le "$MANY" ] ||
    fail "$slow of dom0's 20 transactions took more than 5 tries (bound $MANY) while the guest rewrote the node"
case $writes in "OK*"*) ;; *) fail "the guest was not served: $writes" ;; esac
xsa_finish
