# Shared by the tests on the simulated Xen: a private simulated host, one
# daemon (ours, Debian's C xenstored or Debian's oxenstored) on it, and
# cleanup on exit.  Needs $abs_top_builddir and $abs_top_srcdir (make
# check sets them).
: "${abs_top_builddir:?run through make check}"
: "${abs_top_srcdir:?run through make check}"
SIMXEN=$abs_top_builddir/simxen/simxen
SIMLIB=$abs_top_builddir/simxen/lib
GUEST=$abs_top_builddir/simxen/guest/simxen-guest
OURS=${XENSTORED:-$abs_top_builddir/xenstored/xenstored}
CXSD=/usr/lib/xen-4.17/bin/xenstored
# OXENSTORED: another oxenstored binary, e.g. ocaml-bindings/build.sh's.
OXSD=${OXENSTORED:-/usr/lib/xen-4.17/bin/oxenstored}
T=$(mktemp -d /tmp/xs-sim.XXXXXX)
SIMXEN_DIR=$T/sx
XENSTORED_PATH=$T/socket
export SIMXEN_DIR XENSTORED_PATH
DAEMON_PID=
DAEMON_KIND=
SERVICE_PID=
STOP_FAILED=
# ASan must come first in the link order; the preload library is loaded
# before it, which is harmless here.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

fail() { echo "FAIL: $*" >&2; exit 1; }

stop_daemon() {
	if [ -n "$SERVICE_PID" ]; then
		kill "$SERVICE_PID" 2>/dev/null || true
		wait "$SERVICE_PID" 2>/dev/null || true
		SERVICE_PID=
	fi
	[ -n "$DAEMON_PID" ] || return 0
	# oxenstored's SIGTERM handler saves to its compiled-in
	# /var/run/xenstored/db and, failing, keeps running.
	if [ "$DAEMON_KIND" = oxenstored ]; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
	else
		kill "$DAEMON_PID" 2>/dev/null || true
	fi
	# A daemon that ignores SIGTERM is a failure, not a hang.
	if ! exits_within 30 "$DAEMON_PID"; then
		# shellcheck disable=SC2046
		sh "$abs_top_srcdir/tests/backtrace.sh" "$DAEMON_PID" \
		    $(pgrep -P "$DAEMON_PID") >&2
		kill -KILL "$DAEMON_PID" 2>/dev/null
		echo "FAIL: $DAEMON_KIND did not stop within 30 s of SIGTERM" >&2
		STOP_FAILED=1
	fi
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
}

# wait_reaped DOMID [SECONDS]: until the simulated host has no such
# domain (a dead one goes once nothing maps its ring; 30 s bound unless
# SECONDS).
wait_reaped() {
	_i=0
	while "$SIMXEN" info "$1" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -le $((${2:-30} * 100)) ] ||
		    fail "domain $1 is never reaped (its ring stays mapped?)"
		sleep 0.01
	done
}

# exits_within SECONDS PID: whether our child PID ends (or is a zombie)
# within SECONDS, in 10 ms steps; it is not reaped.
exits_within() {
	_i=0
	while kill -0 "$2" 2>/dev/null &&
	    [ "$(ps -o stat= -p "$2" | cut -c1)" != Z ]; do
		_i=$((_i + 1))
		[ $_i -le $(($1 * 100)) ] || return 1
		sleep 0.01
	done
}

cleanup() {
	stop_daemon
	[ -n "${KEEP:-}" ] || rm -rf "$T"
	[ -z "$STOP_FAILED" ] || exit 1
}
trap cleanup EXIT

# wait_for FILE: until it exists (30 s bound, 10 ms steps; nothing to
# wait on for a socket appearing), failing if the daemon died.
wait_for() {
	i=0
	while [ ! -e "$1" ]; do
		i=$((i + 1))
		[ $i -le 3000 ] || fail "timeout waiting for $1"
		kill -0 "$DAEMON_PID" 2>/dev/null ||
		    { cat "$T/daemon.log" >&2; fail "daemon died"; }
		sleep 0.01
	done
}

# wait_line PATTERN FILE WHAT: until a line of FILE matches PATTERN
# (grep's; 30 s bound, 10 ms steps), else fail "WHAT".
wait_line() {
	i=0
	until grep -q -- "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 3000 ] || fail "$3"
		sleep 0.01
	done
}

# keeper_child PID: the daemon the --crash-restart keeper PID runs, once
# there is one (30 s bound), failing if the keeper dies.  In $(...),
# add "|| exit 1": fail ends only the subshell there.
keeper_child() {
	_i=0
	until _c=$(pgrep -P "$1") && [ -n "$_c" ]; do
		_i=$((_i + 1))
		[ $_i -le 3000 ] || fail "no daemon under the keeper $1"
		kill -0 "$1" 2>/dev/null ||
		    fail "the keeper $1 died: $(tail -5 "$T/daemon.log")"
		sleep 0.01
	done
	echo "$_c"
}

# kill_daemon_under KEEPER: SIGKILL for the daemon the keeper runs, then
# until another runs (30 s bound); the new one's pid.  As keeper_child
# in $(...).
kill_daemon_under() {
	_old=$(keeper_child "$1") || exit 1
	kill -9 "$_old"
	_i=0
	while _new=$(keeper_child "$1") && [ "$_new" = "$_old" ]; do
		_i=$((_i + 1))
		[ $_i -le 3000 ] || fail "pid $_old killed: not restarted"
		sleep 0.01
	done
	echo "$_new"
}

# use_run_dir: XENSTORED_RUNDIR (state files, snapshot, journal) in $T.
use_run_dir() {
	mkdir -p "$T/run"
	XENSTORED_RUNDIR=$T/run
	export XENSTORED_RUNDIR
}

# need_xen_tools: Debian's C xenstored and xenstore-control as $LU, or
# skip the test (exit 77).
need_xen_tools() {
	LU=/usr/lib/xen-4.17/bin/xenstore-control
	[ -x "$CXSD" ] && [ -x "$LU" ] ||
	    { echo "SKIP: xen-utils-4.17 missing"; exit 77; }
}

# start_daemon ours|cxenstored|oxenstored: a fresh simulated host and
# that daemon on it, in the foreground (the simulator tracks mappings
# per process), logging to $T/daemon.log.  DOMAIN_STATE_SERVICE=1: then
# the toolstack's domain-state service in hypervisor mode, logging to
# $T/service.log, for a daemon that learns deaths only from it (an
# oxenstored with patch series 2, docs/oxenstored.md).
start_daemon() {
	stop_daemon
	DAEMON_KIND=$1
	rm -rf "$SIMXEN_DIR" "$XENSTORED_PATH"
	# SIMXEN_INIT: e.g. --stock, a hypervisor without the domain-state call.
	"$SIMXEN" init ${SIMXEN_INIT:-} >/dev/null || fail "simxen init"
	ready=
	case $1 in
	ours)
		# NO_FEED: no domain-state socket (the service's tests).
		feed="--domain-state-socket=$SIMXEN_DIR/domain-state.d/xenstored"
		[ -z "${NO_FEED:-}" ] || feed=-V
		# Its pid file is written once it serves: what we wait for.
		rm -f "$T/ours.pid"
		ready=$T/ours.pid
		LD_LIBRARY_PATH=$SIMLIB LD_PRELOAD=$SIMLIB/libsimxen-procxen.so \
		    "$OURS" -N -V "$feed" --pid-file "$ready" ${OURS_ARGS:-} \
		    >"$T/daemon.log" 2>&1 &
		;;
	cxenstored)
		[ -x $CXSD ] || fail "$CXSD missing (xen-utils-4.17)"
		mkdir -p "$T/run"
		XENSTORED_RUNDIR=$T/run \
		    LD_LIBRARY_PATH=$SIMLIB LD_PRELOAD=$SIMLIB/libsimxen-procxen.so \
		    $CXSD -N -F "$T/run/pid" >"$T/daemon.log" 2>&1 &
		;;
	oxenstored)
		# Its socket path is compiled in (define.ml): the preload
		# moves it to $SIMXEN_XENSTORED_SOCKET.
		[ -x $OXSD ] || fail "$OXSD missing (xen-utils-4.17)"
		mkdir -p "$T/ox"
		cat >"$T/ox/oxenstored.conf" <<CONF
pid-file = $T/ox/pid
persistent = false
xenstored-log-file = $T/ox/xenstored.log
access-log-file = $T/ox/access.log
xenstored-kva = $SIMXEN_DIR/xsd_kva
xenstored-port = $SIMXEN_DIR/xsd_port
CONF
		SIMXEN_XENSTORED_SOCKET=$XENSTORED_PATH \
		    LD_LIBRARY_PATH=$SIMLIB LD_PRELOAD=$SIMLIB/libsimxen-procxen.so \
		    $OXSD --no-fork --config-file "$T/ox/oxenstored.conf" \
		    >"$T/daemon.log" 2>&1 &
		;;
	*)
		fail "unknown daemon $1"
		;;
	esac
	DAEMON_PID=$!
	wait_for "${ready:-$XENSTORED_PATH}"
	ready=
	[ -n "${DOMAIN_STATE_SERVICE:-}" ] || return 0
	LD_LIBRARY_PATH=$SIMLIB \
	    "$abs_top_builddir/toolstack-hooks/xenstore-domain-state" -V \
	    -m hypervisor >"$T/service.log" 2>&1 &
	SERVICE_PID=$!
	# It logs "start:" once it has told the daemon the current state.
	i=0
	until grep -q '^xenstore-domain-state: start:' "$T/service.log"; do
		i=$((i + 1))
		if [ $i -gt 500 ] || ! kill -0 "$SERVICE_PID" 2>/dev/null; then
			cat "$T/service.log" >&2
			fail "domain-state service did not start"
		fi
		sleep 0.01
	done
}

# guest ARGS...: run simxen-guest (the script on stdin).
guest() {
	"$GUEST" --timeout 3000 "$@"
}
