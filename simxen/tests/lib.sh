# Shared by the simulated-Xen shell tests: a private $SIMXEN_DIR and
# daemon directory, cleaned up (daemon killed) on exit.
# Needs $abs_top_builddir (set by `make check`).
set -e
: "${abs_top_builddir:?run through make check}"
B=$abs_top_builddir
SIMXEN=$B/simxen/simxen
SIMLIB=$B/simxen/lib
T=$(mktemp -d /tmp/simxen-sh.XXXXXX)
SIMXEN_DIR=$T/sx
export SIMXEN_DIR
DAEMON_PID=
cleanup() {
	if [ -n "$DAEMON_PID" ]; then
		kill "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# wait_for FILE: poll (10 ms steps, 10 s bound) until FILE exists.
wait_for() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ $i -le 1000 ] || fail "timeout waiting for $1"
		[ -z "$DAEMON_PID" ] || kill -0 "$DAEMON_PID" 2>/dev/null ||
		    fail "daemon died"
		sleep 0.01
	done
}
$SIMXEN init
