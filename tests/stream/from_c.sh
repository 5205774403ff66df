#!/bin/sh
# Live update from Debian's C xenstored 4.17 to ours on the simulated
# Xen (docs/migration-stream.md): Debian's `xenstore-control live-update
# -c ARGS <ours>` makes C write its state and exec our daemon with -U,
# which takes over C's socket, its event channels, a guest's ring and
# watch and a dom0 client's watch.  Then: xenstore-control got OK, the
# pid is the same, the whole tree (values and perms) is what it was,
# both watches still fire, the guest's and dom0's requests are served
# and the state file is gone.
. "${abs_top_srcdir:?}/tests/sim/lib.sh"
LU=/usr/lib/xen-4.17/bin/xenstore-control
[ -x "$CXSD" ] && [ -x "$LU" ] || { echo "SKIP: xen-utils-4.17 missing"; exit 77; }

start_daemon cxenstored
guest --create --setup --introduce </dev/null >/dev/null || fail "create 1"
guest --domid 1 >"$T/g1.out" 2>&1 <<'S' || { cat "$T/g1.out"; fail "guest 1"; }
watch data tok
event
write data/x v1
event
S
xenstore-write /test/a hello /test/b "" || fail "write"
xenstore-chmod /test/a b1 r2 || fail "chmod"
# A dom0 socket client with a watch, across the update.
xenstore-watch -n 2 /test >"$T/watch.out" 2>&1 &
watcher=$!
i=0
until grep -q '^/test$' "$T/watch.out"; do
	i=$((i + 1)); [ $i -le 1000 ] || fail "xenstore-watch did not start"
	sleep 0.01
done
xenstore-ls -p / >"$T/before" || fail "ls before"
pid=$DAEMON_PID

# C's argv is "-N -F pid"; -c gives ours its own (C adds -U).
timeout 60 "$LU" live-update -c "-N -V -F $T/run/pid" "$OURS" \
    >"$T/lu.out" 2>&1 || {
	cat "$T/lu.out" "$T/daemon.log"
	fail "xenstore-control live-update: exit $?"
}
cat "$T/lu.out"
# One round trip, so the new daemon is known to serve.
xenstore-read /test/a >/dev/null || { cat "$T/daemon.log"; fail "read after"; }
kill -0 "$pid" 2>/dev/null || fail "the daemon's process is gone"
exe=$(readlink "/proc/$pid/exe")
case $exe in
*/xenstore-4.17/*|*/xen-4.17/bin/xenstored) fail "still C xenstored: $exe" ;;
esac
echo "pid $pid now runs $exe"
[ ! -e "$T/run/state_dump" ] || fail "state_dump left behind"
grep -q 'live update: [0-9]* connections taken over' "$T/daemon.log" ||
    { cat "$T/daemon.log"; fail "no takeover line in our log"; }

xenstore-ls -p / >"$T/after" || fail "ls after"
diff -u "$T/before" "$T/after" || fail "the tree changed"

# The guest's watch (relative, on its ring) fires for its own write.
guest --domid 1 >"$T/g2.out" 2>&1 <<'S' || { cat "$T/g2.out" "$T/daemon.log"; fail "guest 1 after"; }
read data/x
write data/y v2
event
S
cat "$T/g2.out"
grep -q '^read data/x -> "v1"$' "$T/g2.out" || fail "guest's read after"
grep -q '^event -> data/y tok$' "$T/g2.out" || fail "guest's watch after"

# dom0's watch: one more event, then xenstore-watch exits (-n 2: this and the first).
xenstore-write /test/c 1 || fail "write after"
i=0
while kill -0 $watcher 2>/dev/null; do
	i=$((i + 1)); [ $i -le 1000 ] || fail "dom0's watch did not fire: $(cat "$T/watch.out")"
	sleep 0.01
done
grep -q '^/test/c$' "$T/watch.out" || fail "dom0's watch: $(cat "$T/watch.out")"
echo "ok: C xenstored 4.17 -> ours, tree of $(wc -l <"$T/after") lines kept"

# -U with no state, or a state that is not a stream: a clear refusal,
# before anything is taken over.
mkdir "$T/bad"
for case in missing garbage cut; do
	case $case in
	missing) rm -f "$T/bad/state_dump"; want="No such file" ;;
	garbage) echo "this is not a migration stream" >"$T/bad/state_dump"; want='no "xenstore" ident' ;;
	cut) head -c 40 "$abs_top_srcdir/tests/fuzz/corpus/stream/v1" \
	    >"$T/bad/state_dump"; want="longer than the rest" ;;
	esac
	XENSTORED_RUNDIR=$T/bad XENSTORED_PATH=$T/bad/socket \
	    timeout 20 "$OURS" -N -U >"$T/bad.out" 2>&1
	rc=$?
	[ $rc = 1 ] && grep -q "live update: .*$want" "$T/bad.out" ||
	    fail "-U with a $case state: exit $rc, $(cat "$T/bad.out")"
	[ ! -e "$T/bad/socket" ] || fail "-U with a $case state made a socket"
	echo "ok: -U, $case state: $(tail -1 "$T/bad.out")"
done
echo "PASS: live update from C xenstored 4.17"
