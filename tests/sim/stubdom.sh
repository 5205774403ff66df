#!/bin/sh
# Our daemon as the xenstore domain (xenstored -e, docs/stubdom.md) on the
# simulated Xen: simulated domain 5 plays the master domain, whose
# kernel granted its ring at the reserved ref and left an unbound port,
# which init-xenstore-domain would pass as --event.  The daemon must
# serve that ring as the privileged master (-m 5 -p 5) with no Unix
# socket, refuse a wrong or missing port and a host without Xen, and
# never wait for its log: with stderr a pipe nobody reads it drops
# lines, keeps serving, and says later how many it dropped.
. "$(dirname "$0")/lib.sh"

"$SIMXEN" init >/dev/null || fail "simxen init"
"$SIMXEN" create --domid 5 >/dev/null || fail "simxen create 5"
port=$("$SIMXEN" info 5 | sed -n 's/.* port=\([0-9]*\) .*/\1/p')
[ -n "$port" ] || fail "no port for domain 5: $("$SIMXEN" info 5)"
stub() {
	LD_LIBRARY_PATH=$SIMLIB "$OURS" -N -V -m 5 -p 5 "$@"
}

# Refusals: each exits at once with its reason.
if stub -e 0 >"$T/e0.log" 2>&1; then fail "-e 0 accepted"; fi
grep -q 'port 0 is never an event channel' "$T/e0.log" ||
    { cat "$T/e0.log"; fail "-e 0: no reason"; }
bad=$((port + 7))
if stub -e $bad >"$T/bad.log" 2>&1; then fail "-e $bad accepted"; fi
grep -q "the master domain 5's ring (port $bad): " "$T/bad.log" ||
    { cat "$T/bad.log"; fail "-e $bad: no reason"; }
if "$OURS" -N -e "$port" >"$T/noxen.log" 2>&1; then
	fail "-e without Xen accepted"
fi
grep -q -- '-e: no hypervisor' "$T/noxen.log" ||
    { cat "$T/noxen.log"; fail "-e without Xen: no reason"; }
echo "ok - -e 0, a port that is not the master's, and no Xen are refused"

# The daemon's stderr: a FIFO whose reader never reads.
mkfifo "$T/log.fifo"
# shellcheck disable=SC2217 # it holds the FIFO open, reading nothing
sleep 100000 <"$T/log.fifo" &
reader=$!
LD_LIBRARY_PATH=$SIMLIB "$OURS" -N -V -m 5 -p 5 -e "$port" 2>"$T/log.fifo" &
DAEMON_PID=$!
i=0
until "$SIMXEN" info 5 | grep -q ' maps=1 '; do
	i=$((i + 1))
	[ $i -le 1000 ] || fail "domain 5's ring was never mapped"
	kill -0 $DAEMON_PID || fail "the daemon died"
	sleep 0.01
done
[ ! -e "$XENSTORED_PATH" ] || fail "a socket at $XENSTORED_PATH"
echo "ok - domain 5's ring is mapped, no socket"

# The master is privileged: it writes anywhere (its new nodes inherit
# their parent's perms, as a privileged domain's do), and CONTROL answers
# it.
guest --domid 5 >"$T/m.out" 2>&1 <<'S' || { cat "$T/m.out"; fail "master"; }
write /local/domain/7/x seven
read /local/domain/7/x
getperms /local/domain/7/x
control domains
isintroduced 5
S
for want in 'write /local/domain/7/x seven -> OK' \
    'read /local/domain/7/x -> "seven"' \
    'getperms /local/domain/7/x -> [n0]' 'isintroduced 5 -> "T"'; do
	grep -qxF -- "$want" "$T/m.out" ||
	    { cat "$T/m.out"; fail "master: no line '$want'"; }
done
grep -q '^control domains -> "domid 5 port ' "$T/m.out" ||
    { cat "$T/m.out"; fail "CONTROL domains does not list the master"; }
echo "ok - the master domain is privileged over its ring"

# 3000 ring reconnections, each a log line (-V): about 100 KiB, more
# than the pipe holds.  The daemon must answer throughout.
guest --domid 5 >"$T/r.out" 2>&1 <<'S' || { cat "$T/r.out"; fail "resets"; }
repeat 3000 reset
write /after ok
read /after
S
grep -qxF 'read /after -> "ok"' "$T/r.out" ||
    { cat "$T/r.out"; fail "no answer after the log filled"; }
echo "ok - 3000 reconnections with nobody reading the log: still serving"

# Now read the log: once the pipe has drained, the next line says how
# many were dropped.  Each reset makes one line; retried, since cat may
# not have emptied the pipe yet when one is written (it is dropped then).
cat "$T/log.fifo" >"$T/daemon.log" &
catpid=$!
kill $reader
i=0
until grep -q 'log lines dropped: console full' "$T/daemon.log"; do
	i=$((i + 1))
	[ $i -le 200 ] || { tail -5 "$T/daemon.log"; fail "no count of dropped lines"; }
	echo reset | guest --domid 5 >/dev/null 2>&1
	sleep 0.05
done
kill $DAEMON_PID
wait $DAEMON_PID || fail "the daemon's exit status: $?"
DAEMON_PID=
kill $catpid 2>/dev/null || true
n=$(grep -c 'ring reconnection' "$T/daemon.log")
[ "$n" -lt 3000 ] || fail "$n reconnection lines: none dropped?"
echo "ok - $(grep -o '[0-9]* log lines dropped' "$T/daemon.log" | head -1), $n kept"
