#!/bin/sh
# CONTROL live-update from our daemon (docs/migration-stream.md), driven
# by Debian's xenstore-control on the simulated Xen, with a guest
# holding a relative watch and dom0 nodes with a stale permission:
# - ours -> C xenstored 4.17 -> ours -> C -> ours -> C: each update
#   returns 0, the same pid runs the new binary, the tree (values and
#   perms) stays what it was, the guest's reads and watch work after
#   each, and C never logs a record it does not know;
# - ours -> ours the same, and the limits set at run time (a global one,
#   a domain's own) stay;
# - refused, with the old daemon serving on and its tree unchanged: a
#   missing binary, /bin/false and a binary whose --help fails (both
#   fail the --help check), and to C an open transaction (C's reason,
#   naming domain 0, once -t has passed), which then still commits;
# - to C with -F and a young transaction: after -t it goes, the
#   transaction dropped (ENOENT), as C 4.17 does;
# - to C without -F and a transaction that commits meanwhile: the -s
#   is held (one request, no BUSY), then it goes; a -a from another
#   connection meanwhile answers it;
# - ours -> ours with transactions open on a guest's ring and on a dom0
#   socket: the update goes through without -F, each commit gets EAGAIN
#   (never ENOENT) and its retry commits.
. "${abs_top_srcdir:?}/tests/sim/lib.sh"
need_xen_tools
use_run_dir

start_daemon ours
pid=$DAEMON_PID
guest --create --setup --introduce </dev/null >/dev/null || fail "create 1"
guest --domid 1 >"$T/g.out" 2>&1 <<'S' || { cat "$T/g.out"; fail "guest"; }
watch data tok
event
write data/x v1
event
S
xenstore-write /test/a hello /test/b "" || fail "write"
xenstore-chmod /test/a b1 r2 || fail "chmod"
xenstore-ls -p / >"$T/tree0" || fail "ls"

# check ROUND: the tree as it was, the guest served and its watch firing.
check() {
	xenstore-ls -p / >"$T/tree" || fail "$1: ls: $(tail -5 "$T/daemon.log")"
	diff -u "$T/tree0" "$T/tree" >/dev/null ||
	    fail "$1: the tree changed: $(diff -u "$T/tree0" "$T/tree" | head)"
	guest --domid 1 >"$T/g.out" 2>&1 <<-S || { cat "$T/g.out"; fail "$1: guest"; }
	read data/x
	write data/r$1 1
	event
	rm data/r$1
	event
	S
	grep -q '^read data/x -> "v1"$' "$T/g.out" &&
	    grep -q "^event -> data/r$1 tok\$" "$T/g.out" ||
	    fail "$1: the guest after the update: $(cat "$T/g.out")"
	xenstore-ls -p / >"$T/tree" || fail "$1: ls"
	diff -u "$T/tree0" "$T/tree" >/dev/null || fail "$1: the guest's writes stayed"
}
# update ROUND BINARY ARGS: live update to BINARY with ARGS (-c).
update() {
	timeout 120 "$LU" live-update -c "$3" "$2" >"$T/lu.out" 2>&1 ||
	    fail "$1: live-update to $2: exit $?: $(cat "$T/lu.out") $(tail -5 "$T/daemon.log")"
	kill -0 "$pid" || fail "$1: the daemon's process is gone"
	exe=$(readlink "/proc/$pid/exe")
	case $2 in
	$CXSD) [ "$exe" = "$CXSD" ] || fail "$1: pid $pid runs $exe, not C" ;;
	*) [ "$exe" != "$CXSD" ] || fail "$1: pid $pid still runs C" ;;
	esac
	[ ! -e "$T/run/state_dump" ] || fail "$1: state_dump left behind"
	check "$1"
	echo "ok: $1: now $exe"
}
for round in 1 2 3; do
	update "ours-to-c-$round" "$CXSD" "-N -F $T/run/pid"
	update "c-to-ours-$round" "$OURS" "-N -V -F $T/run/pid"
done
# Limits set at run time go with a version-2 state: a global one, and
# one of domain 1's own (GLOBAL_QUOTA, DOMAIN); so do a domain's
# features (DOMAIN).
quotas() {
	guest --dom0 >"$T/q.out" 2>&1 <<-'S' || fail "quotas: $(cat "$T/q.out")"
	getquota nodes
	getquota 1 watches
	getquota 1 nodes
	getfeature 2
	S
	sed 's/.* -> //' "$T/q.out" | tr '\n' ' '
}
guest --dom0 >"$T/q.out" 2>&1 <<'S' || fail "setquota: $(cat "$T/q.out")"
setquota nodes 4321
setquota 1 watches 77
setfeature 2 1
S
# Domain 2 is offered reconnection only (SET_FEATURE before INTRODUCE).
guest --create --setup --introduce </dev/null >"$T/g2.out" 2>&1 ||
    fail "create 2: $(cat "$T/g2.out")"
xenstore-ls -p / >"$T/tree0" || fail "ls"
q0=$(quotas)
case $q0 in *' "1" ') ;; *) fail "domain 2's features: $q0" ;; esac

update ours-to-ours "$OURS" "-N -V -F $T/run/pid"
q1=$(quotas)
[ "$q1" = "$q0" ] ||
    fail "limits and features before the update: $q0; after: $q1"
echo "ok: ours-to-ours kept the limits and domain 2's features: $q1"
if grep -i -e 'unknown' -e 'ignor' "$T/daemon.log"; then
	fail "a daemon did not take a record"
fi

# refused ROUND BINARY WANT [SECONDS]: live-update (-t SECONDS, 3) fails
# with WANT in its output, and the old daemon serves on with everything.
refused() {
	timeout 60 "$LU" live-update -t "${4:-3}" "$2" >"$T/lu.out" 2>&1 &&
	    fail "$1: live-update to $2 succeeded"
	grep -q "$3" "$T/lu.out" || fail "$1: $(cat "$T/lu.out")"
	[ "$(readlink "/proc/$pid/exe")" != "$CXSD" ] || fail "$1: C runs"
	[ ! -e "$T/run/state_dump" ] || fail "$1: state_dump left behind"
	check "$1"
	echo "ok: $1: $(tr '\n' ' ' <"$T/lu.out")"
}
printf '#!/bin/sh\nexit 3\n' >"$T/nohelp"
chmod +x "$T/nohelp"
refused missing "$T/no-such-binary" "File not accessible"
refused false /bin/false "failed to run with --help"
refused nohelp "$T/nohelp" "failed to run with --help"
# To C, an open transaction (dom0's, on a socket): BUSY until -t runs
# out, then C 4.17's reason naming its domain once it is that old; then
# it commits.
# tx_open OUT NODE MS END: a dom0 client (output in OUT) writes NODE in
# a transaction, waits MS ms, ends it (commit or abort) and removes NODE;
# in the background ($txguest), once the write is done.
tx_open() {
	printf 'txstart\nwrite %s 1\nsleep %s\ntxend %s\nrm %s\n' "$2" "$3" \
	    "$4" "$2" | guest --dom0 --timeout 20000 >"$1" 2>&1 &
	txguest=$!
	wait_line "^write $2 1 -> OK" "$1" "the transaction on $2 did not start"
}
tx_open "$T/tx.out" /t 5000 commit
sleep 1	# the transaction is then at least -t 1 old
refused busy "$CXSD" "Domain 0: [0-9]* s" 1
grep -q "^Domains with long running transactions:" "$T/lu.out" ||
    fail "busy: $(cat "$T/lu.out")"
wait $txguest || fail "busy: the guest: $(cat "$T/tx.out")"
grep -q '^txend commit -> OK' "$T/tx.out" ||
    fail "busy: the transaction did not commit: $(cat "$T/tx.out")"

# To C with -F: a young transaction holds the update (BUSY) until -t
# has passed, then is dropped, as C 4.17 does: its commit gets ENOENT.
guest --dom0 >"$T/txf.out" 2>&1 <<'S' &
watch /gof gotok
event
txstart
write /tf 1
event
txend commit
S
txguest=$!
wait_line '^write /tf 1 -> OK' "$T/txf.out" "the -F transaction did not start"
timeout 60 "$LU" live-update -F -t 2 -c "-N -F $T/run/pid" "$CXSD" \
    >"$T/lu.out" 2>&1 || fail "force: exit $?: $(cat "$T/lu.out")"
[ "$(readlink "/proc/$pid/exe")" = "$CXSD" ] || fail "force: C does not run"
xenstore-write /gof 1 || fail "force: write"
wait $txguest || fail "force: the client: $(cat "$T/txf.out")"
grep -q '^txend commit -> ERR ENOENT$' "$T/txf.out" ||
    fail "force: the dropped transaction: $(cat "$T/txf.out")"
xenstore-rm /gof || fail "force: rm"
echo "ok: force: to C after -t, the transaction dropped (ENOENT)"
update c-to-ours-after-force "$OURS" "-N -V -F $T/run/pid -T $T/trace"

# To C with an open transaction and no -F: the -s is held, as C 4.17
# holds it, not answered BUSY (xenstore-control, counting whole seconds,
# may take a BUSY near -t for its last answer), while the transaction
# goes on; once it commits the update goes.  The trace: one -s, no BUSY.
tx_open "$T/txh.out" /th 2000 commit
timeout 60 "$LU" live-update -t 30 -c "-N -F $T/run/pid" "$CXSD" \
    >"$T/lu.out" 2>&1 || fail "held: exit $?: $(cat "$T/lu.out")"
[ "$(readlink "/proc/$pid/exe")" = "$CXSD" ] || fail "held: C does not run"
wait $txguest || fail "held: the client: $(cat "$T/txh.out")"
grep -q '^txend commit -> OK$' "$T/txh.out" ||
    fail "held: the transaction: $(cat "$T/txh.out")"
n=$(grep -c 'IN conn [0-9]* type 0 .*(live-update -s ' "$T/trace")
b=$(grep -c 'OUT conn .*(BUSY' "$T/trace")
[ "$n" -eq 1 ] && [ "$b" -eq 0 ] ||
    fail "held: $n live-update -s requests, $b BUSY answers"
echo "ok: held: to C once the transaction committed, with one -s"
update c-to-ours-after-held "$OURS" "-N -V -F $T/run/pid"

# A -a from another connection while a -s is held: that -s is answered
# that the session was aborted, its connection is served again, and
# ours serves on.
tx_open "$T/txa.out" /ta 3000 abort
guest --dom0 --timeout 20000 >"$T/held.out" 2>&1 <<S &
control live-update -f $CXSD
control live-update -s -t 30
read /test/a
S
held=$!
n=$(grep -c 'live update: -s held' "$T/daemon.log")
wait_line "^control live-update -f" "$T/held.out" "no -f"
i=0
until [ "$(grep -c 'live update: -s held' "$T/daemon.log")" -gt "$n" ]; do
	i=$((i + 1))
	[ $i -le 3000 ] || fail "abort: the -s was not held: $(cat "$T/held.out")"
	sleep 0.01
done
printf 'control live-update -a\n' | guest --dom0 >"$T/abort.out" 2>&1
wait $held || fail "abort: the held client: $(cat "$T/held.out")"
grep -q '^control live-update -s -t 30 -> "Live-update session aborted."$' \
    "$T/held.out" && grep -q '^read /test/a -> "hello"$' "$T/held.out" ||
    fail "abort: $(cat "$T/held.out" "$T/abort.out")"
wait $txguest
[ "$(readlink "/proc/$pid/exe")" != "$CXSD" ] || fail "abort: C runs"
check abort
echo "ok: abort: the held -s answered, ours serves on"

# ours -> ours carries open transactions (TA records, stream version 2).
# Each client waits, in its transaction, for a watch on a node the test
# writes once the update is done.
guest --domid 1 >"$T/gtx.out" 2>&1 <<'S' &
unwatch data tok
watch go gotok
event
txstart
write data/t 1
event
txend commit
txretry 3 write data/t 2
read data/t
S
g1=$!
guest --dom0 >"$T/dtx.out" 2>&1 <<'S' &
watch /go0 gotok
event
txstart
write /t 1
event
txend commit
txretry 3 write /t 2
read /t
S
g0=$!
wait_line '^write data/t 1 -> OK' "$T/gtx.out" "the guest's transaction"
wait_line '^write /t 1 -> OK' "$T/dtx.out" "dom0's transaction"
timeout 120 "$LU" live-update -c "-N -V -F $T/run/pid" "$OURS" \
    >"$T/lu.out" 2>&1 ||
    fail "txn: live-update: exit $?: $(cat "$T/lu.out") $(tail -5 "$T/daemon.log")"
[ "$(readlink "/proc/$pid/exe")" != "$CXSD" ] || fail "txn: C runs"
grep -q 'TA record' "$T/daemon.log" && fail "txn: a TA record skipped"
xenstore-write /local/domain/1/go 1 /go0 1 || fail "txn: write go"
for w in "$g1 $T/gtx.out" "$g0 $T/dtx.out"; do
	set -- $w
	wait "$1" || fail "txn: the client: $(cat "$2")"
	grep -q '^txend commit -> ERR EAGAIN$' "$2" &&
	    grep -q '^txretry 3 write .*/t 2 -> OK tries=1$' "$2" &&
	    grep -q '^read .*/t -> "2"$' "$2" ||
	    fail "txn: not EAGAIN then a commit: $(cat "$2")"
done
echo "ok: ours-to-ours with two open transactions: EAGAIN, then committed"
echo "PASS: CONTROL live-update"
