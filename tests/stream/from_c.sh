#!/bin/sh
# Live update from Debian's C xenstored 4.17 to ours on the simulated
# Xen (docs/migration-stream.md).  The same scenario runs twice on C:
# once with `xenstore-control live-update -c ARGS <ours>` in its middle
# (C writes its state and execs our daemon with -U, which takes over C's
# socket, event channels, rings and watches), once without.  10 guests
# each hold a relative watch and half a WRITE in their ring, dom0 has
# 10,000 nodes (one with a stale permission) and a socket client with a
# watch.  With the update: xenstore-control returns 0, the pid is the
# same and runs our binary, the state file is gone, and the whole tree
# (values and perms) is what it was.  In both runs alike: each guest
# completes its WRITE, which ours handles, gets its watch event and its
# reads served; dom0's watch fires once more; the transcripts of the
# two runs are the same.  Then -U with a missing or malformed state is
# refused before anything is taken over.
. "${abs_top_srcdir:?}/tests/sim/lib.sh"
need_xen_tools
GUESTS="1 2 3 4 5 6 7 8 9 10"
# WRITE data/half "h" (req 77): 16 header bytes and "data" now, the
# rest after.  The reply goes to nobody (simxen-guest drops replies it
# did not ask for); the node shows it was handled.
HALF1=0b0000004d000000000000000b00000064617461
HALF2=2f68616c660068

# run NAME yes|no: the scenario, its transcripts in $T/NAME.*.
run() {
	out=$T/$1
	start_daemon cxenstored
	for d in $GUESTS; do
		guest --create --setup --introduce </dev/null >/dev/null ||
		    fail "create $d"
		guest --domid "$d" >"$out.g$d.before" 2>&1 <<-S ||
		watch data tok$d
		event
		write data/x v$d
		event
		raw $HALF1
		S
		    { cat "$out.g$d.before"; fail "guest $d"; }
	done
	guest --dom0 >"$out.dom0" 2>&1 <<-'S' || fail "10,000 nodes"
	repeat 10000 write /big/n%d v%d
	S
	xenstore-write /test/a hello /test/b "" || fail "write"
	xenstore-chmod /test/a b1 r2 || fail "chmod"
	xenstore-watch -n 2 /test >"$out.watch" 2>&1 &
	watcher=$!
	wait_line '^/test$' "$out.watch" "xenstore-watch did not start"
	xenstore-ls -p / >"$out.before" || fail "ls before"
	pid=$DAEMON_PID

	if [ "$2" = yes ]; then
		# C's argv is "-N -F pid"; -c gives ours its own (C adds -U).
		timeout 120 "$LU" live-update -c "-N -V -F $T/run/pid" "$OURS" \
		    >"$T/lu.out" 2>&1 || {
			cat "$T/lu.out" "$T/daemon.log"
			fail "xenstore-control live-update: exit $?"
		}
		cat "$T/lu.out"
		xenstore-read /test/a >/dev/null ||
		    { cat "$T/daemon.log"; fail "read after"; }
		kill -0 "$pid" 2>/dev/null || fail "the daemon's process is gone"
		exe=$(readlink "/proc/$pid/exe")
		case $exe in
		*/xen-4.17/bin/xenstored) fail "still C xenstored: $exe" ;;
		esac
		echo "pid $pid now runs $exe"
		[ ! -e "$T/run/state_dump" ] || fail "state_dump left behind"
		grep 'live update: [0-9]* connections taken over' "$T/daemon.log" ||
		    { cat "$T/daemon.log"; fail "no takeover line in our log"; }
		xenstore-ls -p / >"$out.after" || fail "ls after"
		diff -u "$out.before" "$out.after" >/dev/null ||
		    fail "the tree changed: $(diff -u "$out.before" "$out.after" | head -20)"
		echo "ok: the tree, $(wc -l <"$out.after") lines, is what it was"
	fi

	for d in $GUESTS; do
		guest --domid "$d" >"$out.g$d.after" 2>&1 <<-S ||
		raw $HALF2
		read data/half
		read data/x
		write data/y w$d
		event
		event
		S
		    { cat "$out.g$d.after" "$T/daemon.log"; fail "guest $d after"; }
	done
	xenstore-write /test/c 1 || fail "write after"
	i=0
	while kill -0 $watcher 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 1000 ] || fail "dom0's watch did not fire: $(cat "$out.watch")"
		sleep 0.01
	done
	stop_daemon
}

run plain no
run update yes
for f in g1.before g1.after g10.after watch dom0; do
	echo "== $f"
	cat "$T/update.$f"
done
for d in $GUESTS; do
	for f in g$d.before g$d.after; do
		cmp -s "$T/plain.$f" "$T/update.$f" ||
		    fail "guest $d's transcript differs: $(diff "$T/plain.$f" "$T/update.$f")"
	done
	grep -q '^read data/half -> "h"$' "$T/update.g$d.after" ||
	    fail "guest $d's half-written WRITE was not completed"
	# The completed WRITE fires the watch first, then the new one.
	grep -q "^event -> data/half tok$d\$" "$T/update.g$d.after" &&
	    grep -q "^event -> data/y tok$d\$" "$T/update.g$d.after" ||
	    fail "guest $d's watch did not fire after the update"
done
for f in watch dom0; do
	cmp -s "$T/plain.$f" "$T/update.$f" ||
	    fail "dom0's $f transcript differs: $(diff "$T/plain.$f" "$T/update.$f")"
done
grep -q '^/test/c$' "$T/update.watch" ||
    fail "dom0's watch: $(cat "$T/update.watch")"
echo "ok: 10 guests and dom0: the same transcripts with and without the update"

# -U with no state, or a state that is not a stream: a clear refusal,
# before anything is taken over.
mkdir "$T/bad"
for case in missing garbage cut; do
	case $case in
	missing) rm -f "$T/bad/state_dump"; want="No such file" ;;
	garbage) echo "this is not a migration stream" >"$T/bad/state_dump"
		want='no "xenstore" ident' ;;
	cut) head -c 40 "$abs_top_srcdir/tests/fuzz/corpus/stream/v1" \
	    >"$T/bad/state_dump"; want="longer than the rest" ;;
	esac
	XENSTORED_RUNDIR=$T/bad XENSTORED_PATH=$T/bad/socket \
	    timeout 20 "$OURS" -N -U >"$T/bad.out" 2>&1
	rc=$?
	[ $rc = 1 ] && grep -q "live update: .*$want" "$T/bad.out" ||
	    fail "-U with a $case state: exit $rc, $(cat "$T/bad.out")"
	[ ! -e "$T/bad/socket" ] || fail "-U with a $case state made a socket"
	echo "ok: -U, $case state: $(head -1 "$T/bad.out")"
done
echo "PASS: live update from C xenstored 4.17"
