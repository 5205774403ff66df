# Shared helpers for the black-box tests.  Sourced, never run.
#
# Each test starts its own daemon on a private socket in a fresh temporary
# directory, talks to it with Debian's xenstore-* tools or our C clients,
# and stops it with SIGTERM.  Point XENSTORED at another binary to run the
# same tests against a different daemon; XENSTORED_FLAGS adds options (for
# example "-D" for Xen's own xenstored).
#
# Exit codes follow the automake simple driver: 0 pass, 1 fail, 77 skip.

set -u

# Where this file lives is the source tree's tests/blackbox; built programs
# live in the build tree, which differs under `make distcheck`.
bb_srcdir=$(cd "$(dirname "$0")/../blackbox" 2>/dev/null && pwd)
if [ -n "${abs_top_builddir:-}" ]; then
	bb_builddir=$abs_top_builddir/tests/blackbox
else
	bb_builddir=$bb_srcdir
fi
XENSTORED=${XENSTORED:-$bb_builddir/../../xenstored/xenstored}
XENSTORED_FLAGS=${XENSTORED_FLAGS:-}
# Seconds to wait for the pid file after start and for exit after SIGTERM.
XS_TIMEOUT=${XS_TIMEOUT:-10}

test_name=$(basename "$0" .sh)
XS_PID=
XS_TMP=
XS_SOCK=
XS_PIDFILE=
XS_LOG=
XS_BG_PIDS=

# --- reporting ---------------------------------------------------------

# Print why the test failed, then exit 1; the EXIT trap cleans up.
fail()
{
	echo "FAIL: $test_name: $*" >&2
	exit 1
}

# Skip only where the test cannot run at all on this host; say why.
skip()
{
	echo "SKIP: $test_name: $*" >&2
	exit 77
}

pass()
{
	echo "PASS: $test_name"
	exit 0
}

note()
{
	echo "# $*"
}

# --- assertions --------------------------------------------------------

# assert_eq WHAT EXPECTED ACTUAL
assert_eq()
{
	[ "$2" = "$3" ] && return 0
	printf 'FAIL: %s: %s differs\n  expected: [%s]\n  actual:   [%s]\n' \
	    "$test_name" "$1" "$2" "$3" >&2
	exit 1
}

# assert_contains WHAT NEEDLE HAYSTACK
assert_contains()
{
	case $3 in
	*"$2"*)	return 0 ;;
	esac
	printf 'FAIL: %s: %s lacks [%s]; it was:\n%s\n' \
	    "$test_name" "$1" "$2" "$3" >&2
	exit 1
}

# assert_files_eq WHAT EXPECTED_FILE ACTUAL_FILE: show a diff on mismatch.
assert_files_eq()
{
	if ! cmp -s "$2" "$3"; then
		echo "FAIL: $test_name: $1 differs (- expected, + actual):" >&2
		diff -u "$2" "$3" >&2
		exit 1
	fi
}

# ok CMD...: CMD must exit 0.  Its stdout goes to $out, stderr to $err.
ok()
{
	_rc=0
	"$@" >"$XS_TMP/out" 2>"$XS_TMP/err" || _rc=$?
	out=$(cat "$XS_TMP/out")
	err=$(cat "$XS_TMP/err")
	[ "$_rc" -eq 0 ] && return 0
	printf 'FAIL: %s: "%s" exited %d\n  stdout: %s\n  stderr: %s\n' \
	    "$test_name" "$*" "$_rc" "$out" "$err" >&2
	exit 1
}

# ko CMD...: CMD must exit non-zero (and not be killed by a signal).
ko()
{
	_rc=0
	"$@" >"$XS_TMP/out" 2>"$XS_TMP/err" || _rc=$?
	out=$(cat "$XS_TMP/out")
	err=$(cat "$XS_TMP/err")
	if [ "$_rc" -eq 0 ]; then
		printf 'FAIL: %s: "%s" succeeded but should fail\n  stdout: %s\n' \
		    "$test_name" "$*" "$out" >&2
		exit 1
	fi
	if [ "$_rc" -gt 128 ]; then
		printf 'FAIL: %s: "%s" died with status %d\n' \
		    "$test_name" "$*" "$_rc" >&2
		exit 1
	fi
	return 0
}

# sorted TEXT: the lines of TEXT sorted and joined by single spaces, for
# comparing lists whose order the daemon chooses.
sorted()
{
	printf '%s\n' "$1" | sort | tr '\n' ' ' | sed 's/ $//'
}

# --- the daemon --------------------------------------------------------

# Linux process state letter, empty once the pid is gone.  A zombie still
# answers kill -0, so this is how we see that a child has exited.
proc_state()
{
	sed -n 's/^[0-9]* (.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null
}

xs_running()
{
	[ -n "$XS_PID" ] || return 1
	case $(proc_state "$XS_PID") in
	''|Z|X)	return 1 ;;
	esac
	return 0
}

show_log()
{
	[ -n "$XS_LOG" ] && [ -s "$XS_LOG" ] || return 0
	echo "--- last lines of $XS_LOG:" >&2
	tail -n 30 "$XS_LOG" >&2
	echo "---" >&2
}

# EXIT trap: never leave a daemon or temporary files behind.
xs_cleanup()
{
	_status=$?
	trap - EXIT
	if [ "$_status" -ne 0 ] && [ "$_status" -ne 77 ]; then
		show_log
	fi
	for _p in $XS_BG_PIDS; do
		kill -KILL "$_p" 2>/dev/null
	done
	if [ -n "$XS_PID" ] && kill -0 "$XS_PID" 2>/dev/null; then
		kill -KILL "$XS_PID" 2>/dev/null
		wait "$XS_PID" 2>/dev/null
	fi
	[ -n "$XS_TMP" ] && rm -rf "$XS_TMP"
	exit "$_status"
}
trap xs_cleanup EXIT
trap 'exit 1' HUP INT TERM

# Make the per-test scratch directory; xs_start calls it too.
xs_tmpdir()
{
	[ -n "$XS_TMP" ] && return 0
	XS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/xs-$test_name.XXXXXX") ||
	    fail "mktemp -d failed"
}

# xs_start [daemon options...]: start the daemon in the foreground (-N) on
# a private socket and wait until it has written its pid file, which it
# does only once the socket accepts connections.
xs_start()
{
	[ -x "$XENSTORED" ] || fail "no daemon at XENSTORED=$XENSTORED"
	xs_tmpdir
	XS_SOCK=$XS_TMP/socket
	XS_PIDFILE=$XS_TMP/xenstored.pid
	XS_LOG=$XS_TMP/xenstored.log
	XENSTORED_PATH=$XS_SOCK
	XENSTORED_RUNDIR=$XS_TMP
	export XENSTORED_PATH XENSTORED_RUNDIR

	# shellcheck disable=SC2086 # XENSTORED_FLAGS is a list of words.
	"$XENSTORED" -N -F "$XS_PIDFILE" $XENSTORED_FLAGS "$@" \
	    </dev/null 2>"$XS_LOG" >&2 &
	XS_PID=$!

	# Wait for our pid in the pid file: a stale file from a daemon that
	# was killed may be there already, and must be overwritten.
	_ticks=$((XS_TIMEOUT * 20))
	while [ "$(cat "$XS_PIDFILE" 2>/dev/null | tr -d ' \n')" != "$XS_PID" ]; do
		xs_running || fail "daemon exited during start-up"
		_ticks=$((_ticks - 1))
		[ "$_ticks" -gt 0 ] ||
		    fail "no pid file $XS_PIDFILE with pid $XS_PID" \
			"after ${XS_TIMEOUT}s"
		sleep 0.05
	done
	[ -S "$XS_SOCK" ] || fail "pid file written but no socket at $XS_SOCK"
	# The pid file promises that the socket accepts already.
	xenstore-exists / >/dev/null 2>&1 ||
	    fail "pid file written but the socket does not serve"
}

# xs_wait_exit SECONDS: wait for the daemon to exit; sets xs_status.
xs_wait_exit()
{
	_ticks=$(($1 * 20))
	while xs_running; do
		_ticks=$((_ticks - 1))
		if [ "$_ticks" -le 0 ]; then
			kill -KILL "$XS_PID" 2>/dev/null
			wait "$XS_PID" 2>/dev/null
			XS_PID=
			fail "daemon still running ${1}s after the signal"
		fi
		sleep 0.05
	done
	xs_status=0
	wait "$XS_PID" || xs_status=$?
	XS_PID=
}

# Stop with SIGTERM; it must exit 0 and remove its socket and pid file.
xs_stop()
{
	xs_running || fail "daemon died before the end of the test"
	kill -TERM "$XS_PID"
	xs_wait_exit "$XS_TIMEOUT"
	[ "$xs_status" -eq 0 ] ||
	    fail "daemon exited with status $xs_status after SIGTERM"
	[ ! -e "$XS_SOCK" ] || fail "socket $XS_SOCK left behind"
	[ ! -e "$XS_PIDFILE" ] || fail "pid file $XS_PIDFILE left behind"
}

# The daemon must still be up; use after anything hostile.
xs_alive()
{
	xs_running || fail "daemon died${1:+ after $1}"
	ok xenstore-read /tool/xenstored
}

# --- clients -----------------------------------------------------------

# The built C clients, from the build tree.
xs_prog()
{
	_p=$bb_builddir/$1
	[ -x "$_p" ] || fail "$_p not built (run make check, or make $1)"
	echo "$_p"
}

# Debian's /usr/bin/xenstore-control is a wrapper that needs a running
# hypervisor (/sys/hypervisor) to pick the versioned binary; call the
# versioned binary directly.  XENSTORE_CONTROL overrides.
find_xenstore_control()
{
	if [ -n "${XENSTORE_CONTROL:-}" ]; then
		echo "$XENSTORE_CONTROL"
		return 0
	fi
	for _c in /usr/lib/xen-*/bin/xenstore-control; do
		[ -x "$_c" ] && { echo "$_c"; return 0; }
	done
	if [ -r /sys/hypervisor/version/major ] &&
	    command -v xenstore-control >/dev/null; then
		command -v xenstore-control
		return 0
	fi
	return 1
}

# --- background watchers -----------------------------------------------

# wait_pid PID SECONDS: wait for a child of this shell to exit; sets
# wait_status.  Returns 1 (and leaves the child running) on timeout.
wait_pid()
{
	_ticks=$(($2 * 20))
	while :; do
		case $(proc_state "$1") in
		''|Z|X)	break ;;
		esac
		_ticks=$((_ticks - 1))
		[ "$_ticks" -gt 0 ] || return 1
		sleep 0.05
	done
	wait_status=0
	wait "$1" || wait_status=$?
	return 0
}

# wait_lines FILE N: wait up to XS_TIMEOUT seconds until FILE has N lines.
wait_lines()
{
	_ticks=$((XS_TIMEOUT * 20))
	while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ]; do
		_ticks=$((_ticks - 1))
		if [ "$_ticks" -le 0 ]; then
			echo "FAIL: $test_name: $1 has fewer than $2 lines:" >&2
			cat "$1" >&2
			exit 1
		fi
		sleep 0.05
	done
}

# watch_start FILE COUNT PATH...: run xenstore-watch -n COUNT in the
# background, printing event paths to FILE, and return once every watch
# has fired its initial event, so the watches are known to be in place.
watch_start()
{
	_file=$1 _count=$2
	shift 2
	: >"$_file"
	xenstore-watch -n "$_count" "$@" >>"$_file" 2>&1 &
	watch_pid=$!
	XS_BG_PIDS="$XS_BG_PIDS $watch_pid"
	wait_lines "$_file" $#
}

# watch_wait PID FILE: the watcher must receive its COUNT events and exit.
watch_wait()
{
	if ! wait_pid "$1" "$XS_TIMEOUT"; then
		kill "$1" 2>/dev/null
		echo "FAIL: $test_name: xenstore-watch did not get all events" \
		    "within ${XS_TIMEOUT}s; it got:" >&2
		cat "$2" >&2
		exit 1
	fi
	[ "$wait_status" -eq 0 ] ||
	    fail "xenstore-watch exited $wait_status: $(cat "$2")"
}

# watch_end PID FILE EXPECTED: watch_wait, then FILE must equal EXPECTED
# (event paths, one per line, in order).
watch_end()
{
	watch_wait "$1" "$2"
	assert_eq "watch events in $2" "$3" "$(cat "$2")"
}

# The tools are a test dependency like the daemon itself: missing tools
# fail the suite rather than skip it, so CI cannot pass vacuously.
for _t in xenstore-read xenstore-write xenstore-ls xenstore-list \
    xenstore-rm xenstore-exists xenstore-chmod xenstore-watch; do
	command -v "$_t" >/dev/null ||
	    fail "$_t not installed (apt-get install xenstore-utils)"
done
