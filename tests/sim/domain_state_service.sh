#!/bin/sh
# The toolstack's domain-state service on the simulated Xen, with our
# daemon given no other source of domain deaths: a death that happened
# before the service started is reported at its start; shutdowns and
# destructions after are reported as they happen.
. "$(dirname "$0")/lib.sh"

SERVICE=$abs_top_builddir/toolstack-hooks/xenstore-domain-state
NO_FEED=1 start_daemon ours
grep -q "domain deaths are learned from RELEASE only" "$T/daemon.log" ||
    fail "the daemon did not say it has no domain-state source"
expect() {
	f=$1
	shift
	for want; do
		grep -qxF -- "$want" "$f" ||
		    { cat "$f" "$T/daemon.log"; fail "no line '$want'"; }
	done
}
# wait_released DOMID: until xenstored says domid is gone (5 s bound).
wait_released() {
	i=0
	until printf 'isintroduced %s\n' "$1" | guest --dom0 |
	    grep -q '"F"'; do
		i=$((i + 1))
		[ $i -le 500 ] || { cat "$T/daemon.log"; fail "domid $1 stays"; }
		sleep 0.01
	done
}

for i in 1 2 3; do
	guest --create --setup --introduce </dev/null >/dev/null ||
	    fail "guest $i"
done
# Domain 1 dies while no service runs: xenstored cannot know.
"$SIMXEN" destroy 1
printf 'isintroduced 1\n' | guest --dom0 >"$T/out"
expect "$T/out" 'isintroduced 1 -> "T"'

LD_LIBRARY_PATH=$SIMLIB "$SERVICE" -V 2>"$T/service.log" &
service=$!
wait_released 1

guest --dom0 >"$T/w.out" 2>&1 <<'S' &
watch @releaseDomain/2 two
event
write /ready 1
event
event
S
watcher=$!
i=0
until xenstore-read /ready >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -le 500 ] || fail "watcher not ready"
	sleep 0.01
done
"$SIMXEN" shutdown 2 reboot
"$SIMXEN" destroy 2
wait_released 2
wait $watcher || fail "watcher"
expect "$T/w.out" "event -> @releaseDomain/2 two"
[ "$(grep -c '^event -> @releaseDomain/2 two$' "$T/w.out")" -eq 3 ] ||
    { cat "$T/w.out"; fail "want initial + shutdown + death"; }
printf 'isintroduced 3\n' | guest --dom0 >"$T/out"
expect "$T/out" 'isintroduced 3 -> "T"'
expect "$T/service.log" "xenstore-domain-state: domid 1 dead" \
    "xenstore-domain-state: domid 2 shutdown"

kill "$service"
wait "$service" || fail "the service did not exit cleanly on SIGTERM"
echo "domain_state_service.sh: passed"
