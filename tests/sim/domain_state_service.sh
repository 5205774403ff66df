#!/bin/sh
# The toolstack's domain-state service on the simulated Xen, with our
# daemon given no other source of domain deaths, in both of its modes:
# "hypervisor" on a host with XEN_DOMCTL_get_domain_state (the default
# simulated host, as Xen 4.21 or 4.17 with xen-patches/) and "snapshot"
# on a stock 4.17 host (simxen init --stock).  In each: a death that
# happened before the service started is reported at its start;
# shutdowns and destructions after are reported as they happen; a domid
# destroyed and created again is reported dead; a restart of the service
# while a guest dies is reconciled.  In hypervisor mode a VIRQ costs the
# changes plus one hypercall, however many domains exist.
. "$(dirname "$0")/lib.sh"

SERVICE=$abs_top_builddir/toolstack-hooks/xenstore-domain-state
expect() {
	f=$1
	shift
	for want; do
		grep -qxF -- "$want" "$f" ||
		    { cat "$f" "$T/daemon.log"; fail "$MODE: no line '$want'"; }
	done
}
# wait_released DOMID: until xenstored says domid is gone (5 s bound).
wait_released() {
	i=0
	until printf 'isintroduced %s\n' "$1" | guest --dom0 |
	    grep -q '"F"'; do
		i=$((i + 1))
		[ $i -le 500 ] ||
		    { cat "$T/daemon.log" "$T/service.log"; fail "$MODE: domid $1 stays"; }
		sleep 0.01
	done
}
# wait_log PATTERN: until the service's log has a line matching (5 s).
wait_log() {
	i=0
	until grep -q -- "$1" "$T/service.log"; do
		i=$((i + 1))
		[ $i -le 500 ] || { cat "$T/service.log"; fail "$MODE: no '$1'"; }
		sleep 0.01
	done
}
# virq_after WHAT STEPS: $line, the summary ("virq N: ...") of the look
# that logged the line WHAT, once there is one (STEPS of 10 ms).
virq_after() {
	i=0
	until line=$(sed -n "/$1\$/,\$p" "$T/service.log" | grep -m1 ': virq '); do
		i=$((i + 1))
		[ $i -le "$2" ] || { cat "$T/service.log"; fail "$MODE: no '$1'"; }
		sleep 0.01
	done
}
start_service() {
	LD_LIBRARY_PATH=$SIMLIB "$SERVICE" -V >>"$T/service.log" 2>&1 &
	service=$!
}
stop_service() {
	kill "$service"
	wait "$service" || fail "$MODE: the service did not exit cleanly on SIGTERM"
}

for MODE in hypervisor snapshot; do
	init=
	[ $MODE = snapshot ] && init=--stock
	SIMXEN_INIT=$init NO_FEED=1 start_daemon ours
	: >"$T/service.log"
	grep -q "domain deaths are learned from RELEASE only" "$T/daemon.log" ||
	    fail "the daemon did not say it has no domain-state source"
	for i in 1 2 3; do
		guest --create --setup --introduce </dev/null >/dev/null ||
		    fail "guest $i"
	done
	# Domain 1 dies while no service runs: xenstored cannot know.
	"$SIMXEN" destroy 1
	printf 'isintroduced 1\n' | guest --dom0 >"$T/out"
	expect "$T/out" 'isintroduced 1 -> "T"'

	start_service
	wait_released 1
	expect "$T/service.log" "xenstore-domain-state: mode $MODE ($(
	    [ $MODE = hypervisor ] && echo XEN_DOMCTL_get_domain_state ||
	    echo xc_domain_getinfolist))"

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
	# A destroy before the service's next look would make one change of
	# the two (a snapshot sees the domain gone, never shut down): wait.
	wait_log "domid 2 shutdown"
	"$SIMXEN" destroy 2
	wait_released 2
	wait $watcher || fail "watcher"
	[ "$(grep -c '^event -> @releaseDomain/2 two$' "$T/w.out")" -eq 3 ] ||
	    { cat "$T/w.out"; fail "$MODE: want initial + shutdown + death"; }
	printf 'isintroduced 3\n' | guest --dom0 >"$T/out"
	expect "$T/out" 'isintroduced 3 -> "T"'
	expect "$T/service.log" "xenstore-domain-state: domid 1 dead" \
	    "xenstore-domain-state: domid 2 shutdown" \
	    "xenstore-domain-state: domid 2 dead"

	# reuse: domid 50 destroyed and created again while the service
	# is not looking (SIGSTOP) is a death: its unique_id differs.  A
	# snapshot cannot tell a new domain from the old: hypervisor mode.
	if [ $MODE = hypervisor ]; then
		"$SIMXEN" create --domid 50 >/dev/null || fail "create 50"
		"$SIMXEN" shutdown 50 reboot
		wait_log "domid 50 shutdown"
		kill -STOP "$service"
		"$SIMXEN" destroy 50
		"$SIMXEN" create --domid 50 >/dev/null ||
		    fail "$MODE: re-create 50"
		kill -CONT "$service"
		wait_log "domid 50 dead"
		"$SIMXEN" destroy 50
	fi

	# restart: domain 4 dies while the service is down.
	guest --create --domid 4 --setup --introduce </dev/null >/dev/null ||
	    fail "guest 4"
	stop_service
	"$SIMXEN" destroy 4
	start_service
	wait_released 4
	# Its ring unmapped, the dead domain goes for good: a change of its
	# own, which must come before the one-death looks below.
	wait_reaped 4

	# scale: with 10 and then 300 domains, one destroyed.
	for n in 10 300; do
		have=$("$SIMXEN" list | wc -l)
		while [ "$have" -le "$n" ]; do
			"$SIMXEN" create >/dev/null || fail "create"
			have=$((have + 1))
		done
		# A first VIRQ takes the creations; the next is one death.
		victim=$("$SIMXEN" list | awk 'END { print $1 }')
		"$SIMXEN" shutdown "$victim" poweroff
		# The look that found the shutdown has ended (its "virq"
		# line): a death before its last call would fall into it.
		virq_after "domid $victim shutdown" 3000
		"$SIMXEN" destroy "$victim"
		# The VIRQ whose look found the death.
		virq_after "domid $victim dead" 500
		calls=$(echo "$line" | sed 's/.*: \([0-9]*\) hypercalls.*/\1/')
		changes=$(echo "$line" | sed 's/.* \([0-9]*\) changes.*/\1/')
		echo "$MODE, $n domains, one death: $line"
		[ "$changes" -eq 1 ] ||
		    fail "$MODE: $line: want 1 change; the service's log ends:
$(tail -15 "$T/service.log")"
		if [ $MODE = hypervisor ]; then
			[ "$calls" -eq 2 ] ||
			    fail "$MODE: $line: want changes + 1 hypercalls"
		else
			# xc_domain_getinfolist() reads 256 domains a call.
			want=2
			[ $n -lt 256 ] && want=1
			[ "$calls" -eq $want ] ||
			    fail "$MODE: $line: want $want domain reads"
		fi
	done
	stop_service
done
echo "domain_state_service.sh: passed"
