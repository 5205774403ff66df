#!/bin/sh
# backtrace.sh PID...: each process's state, what it waits in and, where
# gdb is present, a backtrace of each thread; shells and the like only
# get the first line.  For a test that hung (tests/bounded.sh,
# tests/sim/lib.sh's stop_daemon).
for p in "$@"; do
	args=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
	echo "--- $p: $(ps -o stat=,wchan:24= -p "$p") $args"
	case $(cat "/proc/$p/comm" 2>/dev/null) in
	sh | dash | bash | sleep | timeout | grep | ps | gdb | tail) continue ;;
	esac
	command -v gdb >/dev/null 2>&1 || continue
	timeout 30 gdb -batch -nx -p "$p" -ex 'thread apply all bt' \
	    2>/dev/null | grep '^#\|^Thread'
done
