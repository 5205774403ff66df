#!/bin/sh
# Restart after a crash (docs/crash-restart.md), on the simulated Xen:
# our daemon with --crash-restart under load from two guest writers (on
# their rings) and a dom0 writer (a new socket each write), each
# recording every write acknowledged, is killed with SIGKILL ROUNDS
# times (100 unless CRASH_ROUNDS says).  After each restart a third
# guest's watch must fire for a write made then; at the end every
# acknowledged write must be in the tree with its value, the guests
# must have had no error (they never reconnect), and the keeper must
# have restarted the daemon once per kill.
. "${abs_top_srcdir:?}/tests/sim/lib.sh"
ROUNDS=${CRASH_ROUNDS:-100}
use_run_dir

# The background writers end with the test, whichever way it ends.
BG=
trap 'touch "$T/stop" 2>/dev/null; [ -z "$BG" ] || kill $BG 2>/dev/null; cleanup' EXIT
running() { [ -d "$T" ] && [ ! -e "$T/stop" ]; }

# Room for every write of the run (unique keys, never overwritten).
OURS_ARGS="--crash-restart -E 100000" start_daemon ours
keeper=$DAEMON_PID

for d in 1 2 3; do
	guest --create --setup --introduce </dev/null >/dev/null ||
	    fail "create $d"
done

# Guest writers: each write acknowledged prints "-> OK"; a pause after
# each keeps the tree to a few thousand nodes.  At most about 20 writes
# ahead of the guest's output (OUT; a pipe would hold thousands), so
# that the end waits for few.
writer() {
	i=0
	while running; do
		i=$((i + 1))
		echo "write data/w$i v$i"
		echo "sleep 2"
		[ $((i % 10)) -eq 0 ] || continue
		j=0
		while running && [ "$(wc -l <"$1")" -lt $((2 * i - 40)) ]; do
			j=$((j + 1))
			[ $j -le 6000 ] || break
			sleep 0.01
		done
	done
}
for d in 1 2; do
	writer "$T/g$d.out" |
	    guest --timeout 20000 --domid $d >"$T/g$d.out" 2>&1 &
	eval "gpid$d=\$!"
	BG="$BG $!"
done
# The watcher: commands through a FIFO, output to a file.
mkfifo "$T/w.in"
guest --timeout 20000 --domid 3 <"$T/w.in" >"$T/g3.out" 2>&1 &
gpid3=$!
BG="$BG $!"
exec 3>"$T/w.in"
echo "watch data tok" >&3
echo "event" >&3
wait_line '^event -> data tok$' "$T/g3.out" "the watcher's first event"
# The dom0 writer: one xenstore-write (a new connection) each.
(
	i=0
	while running; do
		i=$((i + 1))
		timeout 30 xenstore-write "/dom0/w$i" "v$i" 2>/dev/null &&
		    echo "$i" >>"$T/dom0.acked"
		sleep 0.01
	done
) &
dpid=$!
BG="$BG $!"

r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	# Under load: at least one more write by each writer since the
	# last, within 15 s (a guest whose requests each wait out its 20 s
	# timeout does not carry on).
	for d in 1 2; do
		n=$(wc -l <"$T/g$d.out")
		t0=$(date +%s)
		until [ "$(wc -l <"$T/g$d.out")" -gt "$n" ]; do
			[ $(($(date +%s) - t0)) -lt 15 ] &&
			    kill -0 "$(eval echo \$gpid$d)" 2>/dev/null ||
			    fail "round $r: guest $d stuck: $(tail -3 "$T/g$d.out")"
			sleep 0.005
		done
	done
	kill_daemon_under "$keeper" >/dev/null || exit 1
	# The watch fires for a write made after the restart.
	timeout 30 xenstore-write "/local/domain/3/data/r$r" x ||
	    fail "round $r: dom0 write: $(tail -5 "$T/daemon.log")"
	echo "event" >&3
	wait_line "^event -> data/r$r tok\$" "$T/g3.out" \
	    "round $r: the watch did not fire"
done
touch "$T/stop"
exec 3>&-
for p in "$gpid1" "$gpid2" "$dpid" "$gpid3"; do
	exits_within 60 "$p" || fail "pid $p still running 60 s after the stop"
done
wait "$gpid1" || fail "guest 1: $(tail -3 "$T/g1.out")"
wait "$gpid2" || fail "guest 2: $(tail -3 "$T/g2.out")"
wait "$dpid"
wait "$gpid3" || fail "guest 3: $(tail -3 "$T/g3.out")"

# Each guest's output: only writes that were acknowledged and pauses.
for d in 1 2; do
	bad=$(grep -v -e '^write data/w[0-9]* v[0-9]* -> OK$' -e '^sleep 2 -> OK$' \
	    -e '^OK$' "$T/g$d.out" | head -3)
	[ -z "$bad" ] || fail "guest $d saw: $bad"
done
# Every acknowledged write is there, with its value.
timeout 60 xenstore-ls -f / >"$T/tree" || fail "ls"
missing=0 acked=0
for d in 1 2; do
	sed -n 's/^write data\/w\([0-9]*\) v[0-9]* -> OK$/\1/p' "$T/g$d.out" \
	    >"$T/g$d.acked"
	acked=$((acked + $(wc -l <"$T/g$d.acked")))
	m=$(sed "s|.*|/local/domain/$d/data/w& = \"v&\"|" "$T/g$d.acked" |
	    sort | comm -23 - "$(sort "$T/tree" >"$T/tree.s"; echo "$T/tree.s")" |
	    wc -l)
	missing=$((missing + m))
done
touch "$T/dom0.acked"
acked=$((acked + $(wc -l <"$T/dom0.acked")))
m=$(sed 's|.*|/dom0/w& = "v&"|' "$T/dom0.acked" | sort |
    comm -23 - "$T/tree.s" | wc -l)
missing=$((missing + m))
restarts=$(grep -c 'killed by signal 9: restarting' "$T/daemon.log")
echo "rounds $ROUNDS, restarts $restarts, acknowledged writes $acked" \
    "(dom0 $(wc -l <"$T/dom0.acked")), missing $missing"
[ "$restarts" -eq "$ROUNDS" ] || fail "$restarts restarts for $ROUNDS kills"
[ "$missing" -eq 0 ] || fail "$missing acknowledged writes missing"
[ "$acked" -gt $((2 * ROUNDS)) ] || fail "only $acked writes in all"
grep -q 'giving up\|fatal' "$T/daemon.log" && fail "$(grep 'giving up\|fatal' "$T/daemon.log")"
# The files stream-print decodes (docs/crash-restart.md): a snapshot
# and a journal of one generation; a journal cut inside a batch reads
# to the batch before; one with a batch's record damaged does not.
print=$abs_top_builddir/tests/stream/stream-print
"$print" "$T/run/state_snapshot" >"$T/snap.txt" || fail "stream-print: snapshot"
"$print" "$T/run/state_journal" >"$T/journal.txt" || fail "stream-print: journal"
g=$(sed -n 's/^GEN //p' "$T/snap.txt")
[ -n "$g" ] && [ "$(sed -n 2p "$T/journal.txt")" = "GEN $g" ] ||
    fail "snapshot and journal of different generations"
grep -q '^END$' "$T/snap.txt" || fail "a snapshot without END"
j=$(wc -c <"$T/run/state_journal")
if [ "$j" -gt 100 ]; then
	head -c $((j - 3)) "$T/run/state_journal" >"$T/cut"
	"$print" "$T/cut" >"$T/cut.txt" &&
	    grep -q '^(.* bytes of a batch cut short)$' "$T/cut.txt" &&
	    ! grep -q 'after END' "$T/cut.txt" ||
	    fail "stream-print: a torn journal: $(tail -2 "$T/cut.txt")"
fi
# GEN (16 bytes) after the header (16): the first batch's first record's
# length, at 16 + 16 + 8 + 4, made longer than its batch.
{ head -c 44 "$T/run/state_journal"; printf '\377\377\000\000'
  tail -c +49 "$T/run/state_journal"; } >"$T/bad"
"$print" "$T/bad" >/dev/null 2>"$T/bad.err" && fail "a damaged batch read"
grep -q 'the batch before offset' "$T/bad.err" ||
    fail "stream-print: $(cat "$T/bad.err")"
# A clean stop (SIGTERM through the keeper) leaves nothing to restart
# from.
stop_daemon
for f in state_snapshot state_journal state_busy; do
	[ ! -e "$T/run/$f" ] || fail "$f left after a clean stop"
done
echo "ok: crash restart"
