#!/bin/sh
# Domains on our daemon: INTRODUCE / RELEASE / IS_DOMAIN_INTRODUCED /
# RESUME / SET_TARGET, @introduceDomain and @releaseDomain (plain, depth 1,
# per domid) for an unprivileged watcher the perms allow, deaths from the
# simulated hypervisor, cleanup (nodes, perms naming the domain, quota),
# domid reuse, per-domain quotas.
. "$(dirname "$0")/lib.sh"

start_daemon ours
dom0() { guest --dom0 >"$T/dom0.out" 2>&1 || { cat "$T/dom0.out"; fail "dom0"; }; }
expect() {	# expect FILE LINE...: each line is in FILE
	f=$1
	shift
	for want; do
		grep -qxF -- "$want" "$f" ||
		    { cat "$f"; fail "$(basename "$f"): no line '$want'"; }
	done
}
wait_node() {	# wait_node PATH: until dom0 can read it (10 s bound)
	i=0
	until xenstore-read "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 1000 ] || fail "timeout waiting for $1"
		sleep 0.01
	done
}

# Domain 1 watches the special paths, once dom0 lets it read them.
guest --create --setup --introduce </dev/null >/dev/null || fail "create 1"
dom0 <<'S'
setperms @releaseDomain n0 r1
setperms @introduceDomain n0 r1
getperms @releaseDomain
S
expect "$T/dom0.out" "getperms @releaseDomain -> [n0 r1]"
guest --domid 1 >"$T/w.out" 2>&1 <<'S' &
watch @releaseDomain all
event
watch @releaseDomain one 1
event
watch @introduceDomain intro 1
event
watch @releaseDomain/3 only3
event
write data/ready 1
event
event
event
event
event
event
event
event
event
event 1000
S
watcher=$!
wait_node /local/domain/1/data/ready

# Domains 2 and 3 start; 2 writes its nodes, dom0 a backend for it.
guest --create --setup --introduce >"$T/g2.out" 2>&1 <<'S' || fail "guest 2"
write data/x 2
write device/vif/0/state 1
S
guest --create --setup --introduce </dev/null >/dev/null || fail "guest 3"
dom0 <<'S'
write /local/domain/0/backend/vif/2/0/state 2
setperms /local/domain/0/backend/vif/2/0/state n0 r2
isintroduced 2
isintroduced 9
resume 2
resume 9
settarget 9 2
S
expect "$T/dom0.out" "isintroduced 2 -> \"T\"" "isintroduced 9 -> \"F\"" \
    "resume 2 -> OK" "resume 9 -> ERR ENOENT" "settarget 9 2 -> ERR ENOENT"
guest --domid 2 >"$T/g2.out" 2>&1 <<'S'
read /local/domain/0/backend/vif/2/0/state
read /local/domain/1/name
S
expect "$T/g2.out" 'read /local/domain/0/backend/vif/2/0/state -> "2"' \
    "read /local/domain/1/name -> ERR EACCES"

# Domain 2 shuts down, then is destroyed.
"$SIMXEN" shutdown 2 poweroff || fail "shutdown 2"
"$SIMXEN" destroy 2 || fail "destroy 2"
i=0
while "$SIMXEN" info 2 >/dev/null 2>&1; do	# dead once unmapped
	i=$((i + 1))
	[ $i -le 500 ] || fail "domain 2 never died"
	sleep 0.01
done
dom0 <<'S'
isintroduced 2
read /local/domain/2/data/x
read /local/domain/2/device/vif/0/state
read /local/domain/2/name
getperms /local/domain/0/backend/vif/2/0/state
S
expect "$T/dom0.out" 'isintroduced 2 -> "F"' \
    "read /local/domain/2/data/x -> ERR ENOENT" \
    "read /local/domain/2/device/vif/0/state -> ERR ENOENT" \
    'read /local/domain/2/name -> "guest2"' \
    "getperms /local/domain/0/backend/vif/2/0/state -> [n0]"

# RELEASE of domain 3.
dom0 <<'S'
release 3
release 3
isintroduced 3
S
expect "$T/dom0.out" "release 3 -> OK" "release 3 -> ERR ENOENT" \
    'isintroduced 3 -> "F"'

wait $watcher || fail "watcher"
# Introductions of 2 and 3; shutdown and death of 2; release of 3.
expect "$T/w.out" "event -> @introduceDomain/2 intro" \
    "event -> @introduceDomain/3 intro" \
    "event -> @releaseDomain/2 one" "event -> @releaseDomain/3 one" \
    "event -> @releaseDomain/3 only3"
[ "$(grep -c '^event -> @releaseDomain all$' "$T/w.out")" -eq 4 ] ||
    { cat "$T/w.out"; fail "@releaseDomain: want 1 initial + 3 events"; }
[ "$(grep -c '^event -> @releaseDomain/2 one$' "$T/w.out")" -eq 2 ] ||
    { cat "$T/w.out"; fail "@releaseDomain/2: want shutdown + death"; }
[ "$(grep -c 'only3' "$T/w.out")" -eq 3 ] ||
    { cat "$T/w.out"; fail "@releaseDomain/3 saw another domain"; }

# Domid 2 again: nothing of the old domain 2 is its own.
guest --create --domid 2 --introduce >"$T/g2b.out" 2>&1 <<'S' ||
read /local/domain/0/backend/vif/2/0/state
write /local/domain/2/data/y 1
S
    fail "guest 2 again"
expect "$T/g2b.out" \
    "read /local/domain/0/backend/vif/2/0/state -> ERR EACCES" \
    "write /local/domain/2/data/y 1 -> ERR EACCES"

# Per-domain quota: domain 4 may own two nodes more than xl gave it.
guest --create --setup --introduce </dev/null >/dev/null || fail "guest 4"
owned=$(xenstore-ls -p /local/domain/4 | grep -c '(n4')
[ "$owned" -gt 0 ] || fail "set-up gave domain 4 no nodes"
dom0 <<S
setquota 4 nodes $((owned + 2))
getquota 4 nodes
getquota 5 nodes
S
expect "$T/dom0.out" "getquota 4 nodes -> \"$((owned + 2))\"" \
    'getquota 5 nodes -> "1000"'
guest --domid 4 >"$T/g4.out" 2>&1 <<'S'
write data/q1 1
write data/q2 1
write data/q3 1
read data/q3
S
expect "$T/g4.out" "write data/q1 1 -> OK" "write data/q2 1 -> OK" \
    "write data/q3 1 -> ERR ENOSPC" "read data/q3 -> ERR ENOENT"
# Memory: with a 1-byte quota nothing of its own may grow.
dom0 <<'S'
setquota 4 memory 1
S
guest --domid 4 >"$T/g4.out" 2>&1 <<'S'
write data/q1 longer
read data/q1
S
expect "$T/g4.out" "write data/q1 longer -> ERR ENOMEM" 'read data/q1 -> "1"'
# Its quotas die with it: a new domain 4 has the global ones.
"$SIMXEN" destroy 4 || fail "destroy 4"
wait_reaped 4 5
dom0 <<'S'
getquota 4 nodes
getquota 4 memory
S
expect "$T/dom0.out" 'getquota 4 nodes -> "1000"' \
    'getquota 4 memory -> "2621440"'

# @releaseDomain once per shutdown until RESUME (xenstore.txt, RESUME);
# domain 6 may not read @introduceDomain's perms: it gets only its
# initial events.
guest --create --domid 5 --setup --introduce </dev/null >/dev/null ||
    fail "guest 5"
guest --create --domid 6 --setup --introduce </dev/null >/dev/null ||
    fail "guest 6"
guest --domid 6 >"$T/w6.out" 2>&1 <<'S' &
watch @introduceDomain i6
event
watch @releaseDomain/5 r6
event
write data/ready 1
event 2000
S
w6=$!
guest --create --domid 8 --setup --introduce </dev/null >/dev/null ||
    fail "guest 8"
printf 'setperms @releaseDomain n0 r1 r8\n' | guest --dom0 >/dev/null
guest --domid 8 >"$T/w1.out" 2>&1 <<'S' &
watch @releaseDomain/5 five
event
write data/ready5 1
event
event
event 1000
S
w1=$!
wait_node /local/domain/6/data/ready
wait_node /local/domain/8/data/ready5
"$SIMXEN" shutdown 5 suspend || fail "shutdown 5"
"$SIMXEN" resume 5 || fail "simxen resume 5"
"$SIMXEN" shutdown 5 suspend || fail "shutdown 5 again"
"$SIMXEN" resume 5 || fail "simxen resume 5"
printf 'resume 5\n' | guest --dom0 >"$T/dom0.out"
expect "$T/dom0.out" "resume 5 -> OK"
"$SIMXEN" shutdown 5 crash || fail "shutdown 5 a third time"
guest --create --domid 7 --introduce </dev/null >/dev/null ||
    fail "guest 7"
wait $w1 || fail "watcher 8"
wait $w6 || fail "watcher 6"
# Initial, the first shutdown, the one after RESUME; not the second.
expect "$T/w1.out" "event -> @releaseDomain/5 five" \
    "event 1000 -> TIMEOUT"
[ "$(grep -c '^event -> @releaseDomain/5 five$' "$T/w1.out")" -eq 3 ] ||
    { cat "$T/w1.out"; fail "@releaseDomain/5: want initial + 2"; }
expect "$T/w6.out" "event -> @introduceDomain i6" \
    "event -> @releaseDomain/5 r6" "event 2000 -> TIMEOUT"

# The toolstack's CONTROL domain-state: dom0 only, idempotent.
guest --create --domid 9 --introduce </dev/null >/dev/null || fail "guest 9"
guest --dom0 >"$T/dom0.out" 2>&1 <<'S'
watch @releaseDomain/9 t9
event
control domain-state 9 shutdown 3
event
control domain-state 9 shutdown 3
control domains
control domain-state 9 dead
event
isintroduced 9
control domain-state 9 dead
control domain-state 9 exploded
control domain-state 9 running 3
control domain-state 99999 dead
event 300
S
expect "$T/dom0.out" "control domain-state 9 shutdown 3 -> OK" \
    "control domain-state 9 dead -> OK" 'isintroduced 9 -> "F"' \
    "control domain-state 9 exploded -> ERR EINVAL" \
    "control domain-state 9 running 3 -> ERR EINVAL" \
    "control domain-state 99999 dead -> ERR EINVAL" "event 300 -> TIMEOUT"
[ "$(grep -c '^event -> @releaseDomain/9 t9$' "$T/dom0.out")" -eq 3 ] ||
    { cat "$T/dom0.out"; fail "domain-state: want initial + shutdown + dead"; }
grep -q '^control domains -> ".*domid 9 port [0-9]* conn [0-9]* shutdown' \
    "$T/dom0.out" || { cat "$T/dom0.out"; fail "control domains"; }
printf 'control domain-state 8 dead\n' | guest --domid 8 >"$T/out"
expect "$T/out" "control domain-state 8 dead -> ERR EACCES"

# The accounting of dom0's memory comes back exactly: perms entries
# naming a dead domain are dropped with their charge (they once left 4
# bytes each behind).
mem0() {	# dom0's memory usage, from CONTROL quota 0
	printf 'control quota 0\n' | guest --dom0 2>&1 |
	    sed -n 's/.*memory *: *\([0-9]*\).*/\1/p'
}
before=$(mem0)
[ -n "$before" ] || fail "no memory usage for dom0"
guest --create --domid 10 --introduce </dev/null >/dev/null || fail "guest 10"
dom0 <<'S'
write /drift/a 1
write /drift/b 2
setperms /drift/a n0 r10 w10 b10
setperms /drift/b n0 r10 r3
S
"$SIMXEN" destroy 10 || fail "destroy 10"
i=0
until xenstore-ls -p /drift 2>/dev/null | grep -q '^b = "2".*(n0,r3)$'; do
	i=$((i + 1))
	[ $i -le 1000 ] || { xenstore-ls -p /drift; fail "perms of 10 stay"; }
	sleep 0.01
done
xenstore-ls -p /drift | grep -q '^a = "1".*(n0)$' ||
    { xenstore-ls -p /drift; fail "perms naming 10 on /drift/a stay"; }
xenstore-rm /drift || fail "rm /drift"
after=$(mem0)
[ "$after" = "$before" ] ||
    fail "dom0's memory usage drifted: $before before, $after after"

kill -0 "$DAEMON_PID" || fail "daemon died"
echo "domains.sh: passed"
