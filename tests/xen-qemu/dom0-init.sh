#!/bin/sh
# /init of dom0 in the real-Xen test.  /test.conf (appended by run.sh)
# says which xenstored serves dom0 and which scenarios run:
#   DAEMON=ours|c      our xenstored (+ the domain-state service unless
#                      SERVICE=no) or Debian's C xenstored, the control
#   SCENARIOS="..."    see the case statement at the end
#   SHELL_ONLY=yes     set up, then an interactive shell on the console
# Ends with "RESULT: PASS" or "RESULT: FAIL <why>" on the serial console,
# then leaves QEMU through isa-debug-exit.
export PATH=/bin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin:/usr/local/sbin
export LD_LIBRARY_PATH=/usr/local/lib:/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /var/log/xen/console /var/lib/xenstored
ln -s /run /var/run
mkdir -p /dev/pts /run/xenstored /run/xen
mount -t devpts devpts /dev/pts
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs; do
	insmod /mods/$m.ko || echo "insmod $m failed"
done
mount -t xenfs xenfs /proc/xen
DAEMON=ours SERVICE=yes SCENARIOS=poweroff SHELL_ONLY=no
. /test.conf

# On failure the Xen console also holds the guests' and Xen's messages.
finish() {
	echo "== xenstored's log (tail)"
	grep -v 'peer closed' /run/xsd.log | tail -30
	if [ -f /run/svc.log ]; then
		echo "== the domain-state service's log (tail)"
		tail -20 /run/svc.log
	fi
	if [ "$scenario" != stop ]; then
		echo "== xl list"; timeout 10 xl list
	fi
	echo "RESULT: $*"
	sleep 1	# Xen drains the serial console asynchronously
	echo -ne '\x01' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}
fail() {
	finish "FAIL [$scenario] $*"
}
# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
	n=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# What must be back to its first value after every guest is gone: the
# domains, the nodes, and with our daemon its own count of
# nodes, connections, watches, transactions and talloc'd memory.
state() {
	xl list | awk 'NR > 1 { print "domain", $1, $2 }'
	xenstore-ls -f / | sed 's/ = .*//' 
	if [ "$DAEMON" = ours ]; then
		xenstore-control memreport
		xenstore-control domains
	fi
}
same_state() {
	state >/run/state.now 2>&1 && cmp -s /run/baseline /run/state.now
}
check_baseline() {
	wait_for 30 same_state || fail "state not back to its baseline:
$(diff /run/baseline /run/state.now)"
}

# release_path DOMID: the watch that reports DOMID's death.  Debian's C
# xenstored 4.17 never fires @releaseDomain/<domid> (measured here,
# although its docs/misc/xenstore.txt describes it), only @releaseDomain.
release_path() {
	if [ "$DAEMON" = ours ]; then
		echo "@releaseDomain/$1"
	else
		echo @releaseDomain
	fi
}
# watch_release DOMID: watch for DOMID's death in the background; the
# watch's first event is the one every new watch gets.
watch_release() {
	timeout 120 xenstore-watch -n 2 "$(release_path "$1")" \
	    >/run/rel-$1.log 2>&1 &
	echo $! >/run/rel-$1.pid
}
# guest_ready NAME DOMID: the guest wrote its keys and answers a ping.
guest_ready() {
	g=/local/domain/$2
	wait_for 60 sh -c "[ \"\$(xenstore-read $g/data/ready)\" = 1 ]" ||
	    fail "$1 (domid $2) never wrote data/ready"
	v=$(xenstore-read $g/data/hello)
	[ "$v" = "from guest $2" ] || fail "$1 wrote hello='$v'"
	watch_release "$2"
	xenstore-write $g/data/ping "p$2"
	wait_for 30 xenstore-read $g/data/pong || fail "no pong from $1"
	v=$(xenstore-read $g/data/pong)
	[ "$v" = "p$2" ] || fail "$1 answered '$v' to p$2"
	echo "$1 is domid $2: hello, ping/pong ok"
}
# boot NAME END: xl create a guest that ends with END (guest-init.sh);
# sets $domid.
boot() {
	xl create -q /g1.cfg "name=\"$1\"" "extra=\"console=hvc0 end=$2\"" ||
	    fail "xl create $1"
	domid=$(xl domid "$1") || fail "xl domid $1"
	guest_ready "$1" "$domid"
}
# gone DOMID: the domain is dead and nothing of it is left.
gone() {
	p=$(cat /run/rel-$1.pid)
	wait_for 30 sh -c "! kill -0 $p" || kill "$p"
	w=$(release_path "$1")
	wait "$p" || fail "no $w event for domid $1: $(cat /run/rel-$1.log)"
	[ "$(grep -c "^$w\$" /run/rel-$1.log)" -eq 2 ] ||
	    fail "$w events: $(cat /run/rel-$1.log)"
	wait_for 60 sh -c "! xl list $1" || fail "domain $1 still listed"
	wait_for 30 sh -c "! xenstore-exists /local/domain/$1" ||
	    fail "/local/domain/$1 is left"
	if [ "$DAEMON" = ours ]; then
		wait_for 30 sh -c "! xenstore-control domains | grep -q '^domid $1 '" ||
		    fail "xenstored still serves domain $1"
	fi
	echo "domid $1 is gone"
}

scenario=setup
case $DAEMON in
ours)
	/usr/local/sbin/xenstored -N -V --pid-file /run/xenstored.pid \
	    >/run/xsd.log 2>&1 &
	xsd=$! ;;
c)
	/usr/lib/xen-4.17/bin/xenstored -N --pid-file /run/xenstored.pid \
	    >/run/xsd.log 2>&1 & ;;
esac
wait_for 30 test -S /run/xenstored/socket || fail "xenstored did not start"
xen-init-dom0 || fail "xen-init-dom0"
xenconsoled --pid-file=/run/xenconsoled.pid || fail "xenconsoled"
if [ "$DAEMON" = ours ] && [ "$SERVICE" = yes ]; then
	/usr/local/sbin/xenstore-domain-state -V >/run/svc.log 2>&1 &
	echo $! >/run/svc.pid
fi
xl list || fail "xl list"
if [ "$SHELL_ONLY" = yes ]; then
	echo "dom0 shell: xl, xenstore-*, /g1.cfg; exit powers off"
	setsid cttyhack sh -l
	poweroff -f
fi
# xl leaves the empty parents /vm and /libxl after the first guest.
xenstore-write /vm "" /libxl "" || fail "xenstore-write"
state >/run/baseline 2>&1 || fail "cannot read the state: $(cat /run/baseline)"
cat /run/baseline

for scenario in $SCENARIOS; do
	echo "== $scenario (at $(cut -d. -f1 /proc/uptime) s)"
	case $scenario in
	tools)	# Xen's own test against the daemon, from dom0.
		xenstore-ls -p >/dev/null || fail "xenstore-ls"
		test-xenstore -i 10 >/run/tx.log 2>&1 ||
		    fail "test-xenstore: $(tail -5 /run/tx.log)"
		tail -12 /run/tx.log ;;
	poweroff)	# The guest powers itself off.
		boot g1 poweroff
		gone "$domid" ;;
	shutdown)
		boot g1 wait
		xl shutdown -w g1 || fail "xl shutdown"
		gone "$domid" ;;
	reboot)	# xl restarts the guest as a new domain.
		boot g1 wait
		old=$domid
		xl reboot g1 || fail "xl reboot"
		wait_for 60 sh -c "d=\$(xl domid g1) && [ \$d != $old ]" ||
		    fail "g1 did not come back"
		domid=$(xl domid g1)
		guest_ready g1 "$domid"
		gone "$old"
		xl destroy g1 || fail "xl destroy"
		gone "$domid" ;;
	crash)	# A kernel crash, and on_crash="destroy".
		boot g1 crash
		gone "$domid" ;;
	destroy)
		boot g1 wait
		xl destroy g1 || fail "xl destroy"
		gone "$domid" ;;
	three)	# Three guests at once, ended three ways.
		boot g1 wait; d1=$domid
		boot g2 wait; d2=$domid
		boot g3 poweroff; d3=$domid
		xl shutdown g1 || fail "xl shutdown g1"
		xl destroy g2 || fail "xl destroy g2"
		gone "$d3"; gone "$d1"; gone "$d2" ;;
	cycles)	# Ten create/destroy cycles, each a new domid.
		seen=" "
		for i in 1 2 3 4 5 6 7 8 9 10; do
			boot g1 wait
			case $seen in *" $domid "*) fail "domid $domid again" ;; esac
			seen="$seen$domid "
			xl destroy g1 || fail "xl destroy (cycle $i)"
			gone "$domid"
		done ;;
	service-restart)	# The service misses a death and catches up.
		boot g1 wait
		kill "$(cat /run/svc.pid)"
		wait "$(cat /run/svc.pid)" || fail "the service's exit status: $?"
		xl destroy g1 || fail "xl destroy"
		xenstore-control domains | grep -q "^domid $domid " ||
		    fail "domain $domid released with no service running"
		/usr/local/sbin/xenstore-domain-state -V >>/run/svc.log 2>&1 &
		echo $! >/run/svc.pid
		gone "$domid" ;;
	*)	fail "unknown scenario" ;;
	esac
	check_baseline
done
# Both our programs end cleanly on SIGTERM; in a sanitizer build, that
# is also when LeakSanitizer reports what was never freed.
scenario=stop
if [ "$DAEMON" = ours ]; then
	if [ -f /run/svc.pid ]; then
		kill "$(cat /run/svc.pid)"
		wait "$(cat /run/svc.pid)" || fail "the service exited with $?"
	fi
	kill "$xsd"
	wait_for 30 sh -c "! kill -0 $xsd" || fail "xenstored ignored SIGTERM"
	wait "$xsd" || fail "xenstored exited with $?"
	grep -qs -e Sanitizer -e 'runtime error' /run/xsd.log /run/svc.log &&
	    fail "a sanitizer report"
fi
echo "== all passed (at $(cut -d. -f1 /proc/uptime) s)"
finish PASS
