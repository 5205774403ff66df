#!/bin/sh
# Live updates of a daemon under its keeper (--crash-restart,
# docs/crash-restart.md), on the simulated Xen, with a guest's watch and
# a dom0 socket client:
# - ours -> ours with --crash-restart: the keeper stays; a kill -9 of
#   the new daemon is then survived (the guest's watch still fires);
# - ours -> C xenstored 4.17: the keeper lets go: it holds no client's
#   socket any more (the ones C closes reach their peers' EOF), the
#   snapshot and journal are gone, and when C is killed the keeper exits
#   with it instead of starting ours from a stale state;
# - ours without --crash-restart in the new command line: the same
#   letting go.
. "${abs_top_srcdir:?}/tests/sim/lib.sh"
need_xen_tools
use_run_dir

# fds PID: how many descriptors it holds above 2.
fds() {
	ls "/proc/$1/fd" | awk '$1 > 2' | wc -l
}
# watch_fires ROUND: the guest's watch, set at the start, fires for a
# write made now.
watch_fires() {
	xenstore-write "/local/domain/1/data/r$1" x ||
	    fail "$1: write: $(tail -5 "$T/daemon.log")"
	echo "event" >&3
	wait_line "^event -> data/r$1 tok\$" "$T/g.out" \
	    "$1: the watch did not fire: $(tail -3 "$T/g.out")"
}
# update ROUND BINARY ARGS: live update of the keeper's child.
update() {
	old=$(keeper_child "$keeper") || exit 1
	timeout 120 "$LU" live-update -c "$3" "$2" >"$T/lu.out" 2>&1 ||
	    fail "$1: live-update to $2: $(cat "$T/lu.out") $(tail -5 "$T/daemon.log")"
	[ "$(keeper_child "$keeper")" = "$old" ] || fail "$1: another pid serves"
	watch_fires "$1"
	echo "ok: $1"
}

# ours_keeper: ours under its keeper, a guest watching, a dom0 client.
ours_keeper() {
	OURS_ARGS=--crash-restart start_daemon ours
	keeper=$DAEMON_PID
	guest --create --setup --introduce </dev/null >/dev/null || fail "create 1"
	rm -f "$T/w.in"
	mkfifo "$T/w.in"
	guest --timeout 60000 --domid 1 <"$T/w.in" >"$T/g.out" 2>&1 &
	gpid=$!
	exec 3>"$T/w.in"
	echo "watch data tok" >&3
	echo "event" >&3	# the one every new watch gets
	wait_line '^event -> data tok$' "$T/g.out" "no first event"
	watch_fires start
}

ours_keeper
update ours-to-ours "$OURS" "-N -V --crash-restart"
kill_daemon_under "$keeper" >/dev/null || exit 1
watch_fires after-kill
echo "ok: ours -> ours kept the keeper: the kill was survived"

# A dom0 client connected across the update to C: C closes it at
# SIGTERM-free exit below; here, only that the keeper drops its copy.
held=$(fds "$keeper")
update ours-to-c "$CXSD" "-N -F $T/run/pid"
left=$(fds "$keeper")
[ "$left" -lt "$held" ] && [ "$left" -le 3 ] ||
    fail "the keeper holds $left descriptors after letting go (before: $held)"
for f in state_snapshot state_journal state_busy; do
	[ ! -e "$T/run/$f" ] || fail "$f left behind for C"
done
grep -q 'the keeper let go' "$T/daemon.log" || fail "no log of letting go"
c=$(keeper_child "$keeper") || exit 1
kill -9 "$c"
i=0
while kill -0 "$keeper" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 3000 ] || fail "the keeper outlived C"
	sleep 0.01
done
wait "$keeper"
st=$?
[ $st -ne 0 ] || fail "the keeper exited 0 after C was killed"
restarts=$(grep -c 'restarting' "$T/daemon.log")
[ "$restarts" -eq 1 ] || fail "$restarts restarts (the one kill before C)"
DAEMON_PID=
exec 3>&-
kill "$gpid" 2>/dev/null
wait "$gpid" 2>/dev/null
echo "ok: ours -> C: the keeper let go and exited ($st) with C"

ours_keeper
update ours-without "$OURS" "-N -V"
grep -q 'the keeper let go' "$T/daemon.log" || fail "ours without --crash-restart: kept"
[ "$(fds "$keeper")" -le 3 ] || fail "the keeper still holds descriptors"
exec 3>&-
wait "$gpid" 2>/dev/null
echo "PASS: keeper handover"
