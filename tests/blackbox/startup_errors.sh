#!/bin/sh
# Start-up failures are reported, not hidden: a socket that cannot be
# created or an unknown option make the daemon exit non-zero at once,
# with a message, and without a pid file that would tell an init system
# (or lib.sh) that it is serving.
. "$(dirname "$0")/lib.sh"

[ -x "$XENSTORED" ] || fail "no daemon at XENSTORED=$XENSTORED"
xs_tmpdir

# run_failing NAME ARGS...: with XENSTORED_PATH already set, the daemon
# must exit non-zero within XS_TIMEOUT seconds and write no pid file.
run_failing()
{
	_name=$1
	shift
	rm -f "$XS_TMP/pid"
	# shellcheck disable=SC2086 # XENSTORED_FLAGS is a list of words.
	"$XENSTORED" -N -F "$XS_TMP/pid" $XENSTORED_FLAGS "$@" \
	    </dev/null >"$XS_TMP/$_name.log" 2>&1 &
	_pid=$!
	XS_BG_PIDS="$XS_BG_PIDS $_pid"
	wait_pid "$_pid" "$XS_TIMEOUT" ||
	    fail "$_name: daemon still running after ${XS_TIMEOUT}s"
	[ "$wait_status" -ne 0 ] || fail "$_name: daemon exited 0"
	[ "$wait_status" -lt 128 ] ||
	    fail "$_name: daemon died of signal $((wait_status - 128))"
	[ -s "$XS_TMP/$_name.log" ] || fail "$_name: no message on stderr"
	[ ! -e "$XS_TMP/pid" ] || fail "$_name: pid file written"
	note "$_name: exit $wait_status: $(head -n 1 "$XS_TMP/$_name.log")"
}

# A directory in the path is a regular file: nobody can make the socket.
: >"$XS_TMP/file"
XENSTORED_PATH=$XS_TMP/file/socket
XENSTORED_RUNDIR=$XS_TMP/file
export XENSTORED_PATH XENSTORED_RUNDIR
run_failing not-a-dir

# A socket path longer than sun_path (108 bytes) cannot be bound.
long=$XS_TMP/$(printf '%0120d' 0)
XENSTORED_PATH=$long
export XENSTORED_PATH
run_failing long-path

XENSTORED_PATH=$XS_TMP/socket
XENSTORED_RUNDIR=$XS_TMP
export XENSTORED_PATH XENSTORED_RUNDIR
run_failing bad-option --no-such-option
[ ! -e "$XS_TMP/socket" ] || fail "bad-option: socket created anyway"

# And with the path fixed, the same daemon starts.
xs_start
xs_stop
pass
