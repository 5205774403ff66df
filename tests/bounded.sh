#!/bin/sh
# bounded.sh COMMAND [ARG...]: make check's runner (SH_LOG_COMPILER,
# with the shell, and LOG_COMPILER).  Runs a test in a session of its
# own with a bound of TEST_TIMEOUT seconds (600 unless set; a whole
# make -j2 check takes about 2 minutes here).  Past the bound it prints
# what every process of the session waits in, with a backtrace of each
# where gdb is present, kills the session and fails: a hung test costs
# one bound and says where it hung, not the whole CI run.
limit=${TEST_TIMEOUT:-600}
# A background job of a shell without job control is not a group
# leader, so setsid(1) does not fork: $! is the session's leader.
setsid "$@" &
pid=$!

# dump: what each process of the session waits in.
dump() {
	echo "bounded.sh: $* still running after ${limit} s; its processes:"
	ps -s "$pid" -o pid=,ppid=,stat=,args= 2>/dev/null
	# shellcheck disable=SC2046
	sh "$(dirname "$0")/backtrace.sh" \
	    $(ps -s "$pid" -o pid= 2>/dev/null)
}

(
	sleep "$limit" </dev/null >/dev/null 2>&1 &
	s=$!
	trap 'kill $s 2>/dev/null; exit 0' TERM
	wait $s
	dump "$@"
	kill -TERM -- "-$pid" 2>/dev/null
	sleep 5
	kill -KILL -- "-$pid" 2>/dev/null
	echo "bounded.sh: killed after ${limit} s"
) &
watchdog=$!
wait $pid
rc=$?
kill $watchdog 2>/dev/null
wait $watchdog
# Anything the test left behind in its session goes with it.
kill -KILL -- "-$pid" 2>/dev/null
exit $rc
