#!/bin/sh
# SIGTERM ends the daemon cleanly (exit 0, socket and pid file removed) even
# with clients connected and idle, and a new daemon can then start on the
# same path.  A daemon killed hard leaves its socket file behind; the next
# one must replace that stale socket instead of failing to bind.
. "$(dirname "$0")/lib.sh"

xs_start
ok xenstore-write /before/term 1
# An idle client holding a connection (and a watch) open across SIGTERM.
watch_start "$XS_TMP/idle" 1000 /before
idle=$watch_pid
xs_stop
kill -KILL "$idle" 2>/dev/null

# Same socket path again: no stale state, and the store starts afresh.
xs_start
ko xenstore-exists /before
ok xenstore-write /second 2
xs_stop

# Killed hard: the socket (and pid file) stay behind.
xs_start
kill -KILL "$XS_PID"
xs_wait_exit "$XS_TIMEOUT"
[ -S "$XS_SOCK" ] || note "daemon removed its socket even on SIGKILL?"
ko xenstore-read /tool/xenstored
xs_start
ok xenstore-read /tool/xenstored
# Bound as PATH.PID, then renamed over the stale one: nothing else left.
left=$(ls -d "$XS_SOCK".* 2>/dev/null)
[ -z "$left" ] || fail "left beside the socket: $left"
xs_stop

# SIGTERM straight after start-up, with no client ever connected.
xs_start
xs_stop
pass
