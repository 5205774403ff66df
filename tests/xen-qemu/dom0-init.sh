#!/bin/sh
# /init of dom0 in the real-Xen test.  /test.conf (appended by run.sh)
# says which xenstored serves dom0 and which scenarios run:
#   DAEMON=ours        our xenstored (+ the domain-state service unless
#                      SERVICE=no)
#   DAEMON=c           Debian's C xenstored, the control
#   DAEMON=ox-stable   oxenstored with ocaml-bindings/'s patch series 1
#                      and 2 (+ the domain-state service unless SERVICE=no)
#   DAEMON=ox          Debian's oxenstored, its control
#   DAEMON=stub        our xenstored in the xenstore stub domain
#                      (toolstack-hooks/stubdom), started by Debian's
#                      init-xenstore-domain with STUB_MEM MiB (empty:
#                      xenstore-stubdom's default), and the
#                      service (-k with STUB_RECLAIM=no: the control that
#                      must miss every death)
#   PKG=yes|purged|no  yes: DAEMON=ours from the Debian packages in
#                      /debs/old, installed with dpkg -i and started by
#                      Debian's /etc/init.d/xen through the one setting
#                      of docs/debian.md (with the service); purged: the
#                      same packages installed and purged first, so the
#                      init script starts Debian's default (DAEMON=ox);
#                      yes with DAEMON=stub: also the stub domain's
#                      package and XENSTORETYPE=domain, so our daemon
#                      runs in the xenstore stub domain
#   PKG=nostub         as yes with DAEMON=ours, but XENSTORETYPE=domain
#                      is set and xenstored-stable-stubdom removed
#                      before the boot script runs: ours must serve
#                      from dom0 and say why
#   SCENARIOS="..."    see the case statement at the end
#   SHELL_ONLY=yes     set up, then an interactive shell on the console
#   HV=stock|patched   Debian's Xen 4.17, or with xen-patches/: our
#                      service must choose mode snapshot, or hypervisor
#   RELEASE_WAIT=S     how long a death's @releaseDomain event is waited
#                      for (wait_for's S, i.e. up to 3 S seconds): 30,
#                      or 10 in the controls that must miss it
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
DAEMON=ours SERVICE=yes SCENARIOS=poweroff SHELL_ONLY=no HV=stock PKG=no
STUB_MEM= STUB_RECLAIM=yes RELEASE_WAIT=30
. /test.conf

# On failure the Xen console also holds the guests' and Xen's messages.
finish() {
	echo "== xenstored's log (tail)"
	grep -v 'peer closed' /run/xsd.log | tail -30
	if [ "$DAEMON" = stub ]; then
		echo "== the xenstore domain's console (tail)"
		tail -30 /var/log/xen/console/guest-Xenstore.log
	fi
	if [ -f /run/oxenstored.log ]; then
		echo "== oxenstored's own log (tail)"
		tail -20 /run/oxenstored.log
	fi
	if [ -f /run/svc.log ]; then
		echo "== the domain-state service's log (tail)"
		tail -20 /run/svc.log
	fi
	if [ "$scenario" != stop ]; then
		echo "== xl list"; timeout 10 xl list
	fi
	echo "== processes"
	ps -o pid,args | grep -v -e ' \[' -e 'ps -o' -e grep
	# Who maps guest pages (a domain stays a zombie while one is held).
	echo "== grant and foreign mappings"
	for p in /proc/[0-9]*; do
		g=$(grep -c -e /dev/xen/gntdev -e /dev/xen/privcmd $p/maps 2>/dev/null)
		[ "${g:-0}" -gt 0 ] && echo "$(cat $p/comm) (pid ${p#/proc/}): $g"
	done
	echo "RESULT: $*"
	sleep 1	# Xen drains the serial console asynchronously
	echo -ne '\x01' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}
fail() {
	finish "FAIL [$scenario] $*"
}
# wait_for SECONDS COMMAND...: until COMMAND succeeds, for at most three
# times SECONDS: the bounds are what an idle machine needs, and a loaded
# one is slower, not wrong (with the stub domain under a load of 6 on 2
# cores a death's watch event came after more than 30 s).
wait_for() {
	n=$(($1 * 30))
	shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# maps KIND: how many mappings of /dev/xen/KIND xenstored holds.
maps() {
	grep -c "/dev/xen/$1\$" "/proc/$xsd/maps"
}
# What must be back to its first value after every guest is gone: the
# domains, the nodes, xenstored's mappings of guest pages, and with our
# daemon its own count of nodes, connections, watches, transactions and
# talloc'd memory (with oxenstored-stable, its domains).
state() {
	xl list | awk 'NR > 1 { print "domain", $1, $2 }'
	xenstore-ls -f / | sed 's/ = .*//'
	[ "$DAEMON" = stub ] ||
	    echo "xenstored maps: $(maps gntdev) gntdev, $(maps privcmd) privcmd"
	case $DAEMON in
	ours|stub)
		# Not the process's and machine's memory, which vary.
		xenstore-control memreport | grep -v -e '^rss' -e '^mem-available'
		xenstore-control domains ;;
	ox-stable)
		xenstore-control domains ;;
	esac
}
same_state() {
	state >/run/state.now 2>&1 && cmp -s /run/baseline /run/state.now
}
same_state_but_talloc() {
	state 2>&1 | grep -v '^talloc' >/run/state.now &&
	    grep -v '^talloc' /run/baseline | cmp -s - /run/state.now
}
check_baseline() {
	wait_for 30 same_state || fail "state not back to its baseline:
$(diff /run/baseline /run/state.now)"
}

# release_path DOMID: the watch that reports DOMID's death.  Debian's C
# xenstored 4.17 never fires @releaseDomain/<domid> (measured here,
# although its docs/misc/xenstore.txt describes it), only @releaseDomain;
# nor does oxenstored.
release_path() {
	if [ "$DAEMON" = ours ] || [ "$DAEMON" = stub ]; then
		echo "@releaseDomain/$1"
	else
		echo @releaseDomain
	fi
}
# watch_release DOMID: watch for DOMID's death in the background; the
# watch's first event is the one every new watch gets.
watch_release() {
	timeout 400 xenstore-watch -n 2 "$(release_path "$1")" \
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
	if [ "$DAEMON" = stub ]; then
		# The daemon is in another domain: it serves dom0 over a ring
		# like any guest, and /proc/<pid>/maps is not ours to read.
		d=$(xenstore-control domains) || fail "CONTROL domains"
		echo "$d" | grep -q '^domid 0 ' || fail "CONTROL domains: no dom0: $d"
		echo "$d" | grep -q "^domid $2 " || fail "CONTROL domains: no $2: $d"
	else
		check_maps
	fi
}
# mapping_count: "GNTDEV PRIVCMD GUESTS", xenstored's mappings and the
# number of guests (dying ones too: their rings may still be mapped).
mapping_count() {
	echo "$(maps gntdev) $(maps privcmd) $(xl list | awk 'NR > 2' | wc -l)"
}
# check_maps: xenstored maps each guest's ring once, by grant (gntdev),
# never by foreign mapping (privcmd); Debian's oxenstored the other way
# round.  dom0's own ring is /proc/xen/xsd_kva, counted by neither.  Ours
# and oxenstored-stable also have no libxenctrl and no privcmd descriptor
# (but ours libxencall's one on the patched hypervisor); Debian's
# oxenstored has both.
maps_ok() {
	# shellcheck disable=SC2046 # three numbers
	set -- $(mapping_count)
	case $DAEMON in
	ox) [ "$2" -eq "$3" ] && [ "$1" -eq 0 ] ;;
	*) [ "$1" -eq "$3" ] && [ "$2" -eq 0 ] ;;
	esac
}
check_maps() {
	wait_for 30 maps_ok ||
	    fail "xenstored's mappings (gntdev privcmd guests): $(mapping_count)"
	fds=0
	for f in /proc/"$xsd"/fd/*; do
		[ "$(readlink "$f")" != /dev/xen/privcmd ] || fds=$((fds + 1))
	done
	xc=$(grep -c /libxenctrl "/proc/$xsd/maps")
	# Ours asks the patched hypervisor about domains through libxencall
	# (XEN_DOMCTL_get_domain_state): one descriptor, there only.
	want_fds=0
	[ "$DAEMON" = ours ] && [ "$HV" = patched ] && want_fds=1
	case $DAEMON in
	ours|ox-stable)
		if [ "$fds" -ne "$want_fds" ] || [ "$xc" -ne 0 ]; then
			fail "xenstored has $fds privcmd descriptors (want $want_fds), $xc libxenctrl mappings"
		fi ;;
	ox)
		if [ "$fds" -eq 0 ] || [ "$xc" -eq 0 ]; then
			fail "Debian's oxenstored has $fds privcmd descriptors, $xc libxenctrl mappings"
		fi ;;
	esac
	echo "xenstored maps (gntdev privcmd guests): $(mapping_count)," \
	    "$fds privcmd descriptors, $xc libxenctrl mappings"
}
# boot NAME END: xl create a guest that ends with END (guest-init.sh);
# sets $domid.
boot() {
	t0=$(cut -d' ' -f1 /proc/uptime)
	xl create -q /g1.cfg "name=\"$1\"" "extra=\"console=hvc0 end=$2\"" ||
	    fail "xl create $1"
	domid=$(xl domid "$1") || fail "xl domid $1"
	guest_ready "$1" "$domid"
	# From xl create to the guest's data/ready (docs/performance.md).
	echo "$t0 $(cut -d' ' -f1 /proc/uptime)" |
	    awk '{ printf "%.2f\n", $2 - $1 }' >>/run/ready.times
}
# boot_armed: g1 booted with end=again, its second watch set; sets $g.
boot_armed() {
	boot g1 again
	g=/local/domain/$domid
	wait_for 60 sh -c "[ \"\$(xenstore-read $g/data/armed)\" = 1 ]" ||
	    fail "g1 never armed its second watch"
}
# still_served WHAT: after a new daemon process or binary took over
# (WHAT: restart, upgrade), the watch boot_armed's g1 set before fires
# for a write made after, on the same ring; its kernel's watch on
# control/shutdown ends it; and all but the talloc figures (the new
# daemon's own, from the sessions it restored) are back to the
# baseline, which is then taken again for the scenarios after.
still_served() {
	xenstore-write $g/data/ping2 "q$domid" || fail "write ping2"
	wait_for 30 xenstore-read $g/data/pong2 ||
	    fail "no second pong from g1 after the $1"
	v=$(xenstore-read $g/data/pong2)
	[ "$v" = "q$domid" ] || fail "g1 answered '$v' to q$domid"
	echo "g1 (domid $domid): ping/pong after the $1 ok"
	[ "$DAEMON" = stub ] || check_maps
	xl shutdown -w g1 || fail "xl shutdown after the $1"
	gone "$domid"
	wait_for 30 same_state_but_talloc ||
	    fail "state not back to its baseline after the $1:
$(grep -v '^talloc' /run/baseline | diff - /run/state.now)"
	state >/run/baseline 2>&1 || fail "cannot read the state"
}
# pkg_install DIR WHAT PATTERN EXE: g1 armed (boot_armed), then dpkg -i
# of DIR's packages (WHAT: upgrade, refused upgrade), whose output must
# match PATTERN (grep's); the daemon must keep its pid and run EXE (in
# the stub domain: the same domain must serve).
pkg_install() {
	boot_armed
	old=$xsd
	dpkg -i "$1"/*.deb >/run/pkg.log 2>&1 ||
	    fail "dpkg -i ($2): $(tail -5 /run/pkg.log)"
	grep "xenstored-stable" /run/pkg.log
	grep -q "$3" /run/pkg.log || fail "$2: $(tail -5 /run/pkg.log)"
	if [ "$DAEMON" = stub ]; then
		now=$(xenstore-read /tool/xenstored/domid)
		[ "$now" = "$stubid" ] && xl list "$stubid" >/dev/null ||
		    fail "$2: the xenstore domain was $stubid, now '$now'"
		return 0
	fi
	xsd=$(cat /run/xenstore.pid)
	[ "$xsd" = "$old" ] || fail "$2: the daemon's pid went from $old to $xsd"
	exe=$(readlink "/proc/$xsd/exe")
	[ "$exe" = "$4" ] || fail "$2: pid $xsd runs '$exe', not '$4'"
}
# gone DOMID: the domain is dead and nothing of it is left.
gone() {
	p=$(cat /run/rel-$1.pid)
	# RELEASE_WAIT: shorter in a control that must miss the death.
	wait_for "$RELEASE_WAIT" sh -c "! kill -0 $p" || kill "$p"
	w=$(release_path "$1")
	wait "$p" || fail "no $w event for domid $1: $(cat /run/rel-$1.log)"
	[ "$(grep -c "^$w\$" /run/rel-$1.log)" -eq 2 ] ||
	    fail "$w events: $(cat /run/rel-$1.log)"
	wait_for 60 sh -c "! xl list $1" || fail "domain $1 still listed"
	wait_for 30 sh -c "! xenstore-exists /local/domain/$1" ||
	    fail "/local/domain/$1 is left"
	if [ "$DAEMON" != c ] && [ "$DAEMON" != ox ]; then
		wait_for 30 sh -c "! xenstore-control domains | grep -q '^domid $1 '" ||
		    fail "xenstored still serves domain $1"
	fi
	echo "domid $1 is gone"
}

# The domain-state service, whose log /run/svc.log keeps every start.
# It must choose the mode this hypervisor calls for.  In mode
# hypervisor it uses libxencall alone: one descriptor on
# /dev/xen/privcmd, where libxenctrl's xc_interface_open() would add
# those of libxenforeignmemory and libxendevicemodel.
start_service() {
	touch /run/svc.log
	s0=$(grep -c ': start: ' /run/svc.log)
	keep=
	[ "$STUB_RECLAIM" = yes ] || keep=-k
	/usr/local/sbin/xenstore-domain-state -V $keep >>/run/svc.log 2>&1 &
	echo $! >/run/svc.pid
	# (Or until it exits: a refused VIRQ_DOM_EXC ends it at once.)
	wait_for 30 sh -c "[ \$(grep -c ': start: ' /run/svc.log) -gt $s0 ] ||
	    ! kill -0 $(cat /run/svc.pid)" &&
	    [ "$(grep -c ': start: ' /run/svc.log)" -gt "$s0" ] ||
	    fail "the service did not start: $(tail -5 /run/svc.log)"
	mode=$(grep ': mode ' /run/svc.log | tail -1)
	mode=${mode#xenstore-domain-state: }
	case $HV in
	patched) want="mode hypervisor (XEN_DOMCTL_get_domain_state)" ;;
	*) want="mode snapshot (xc_domain_getinfolist)" ;;
	esac
	[ "$mode" = "$want" ] ||
	    fail "the service chose '$mode' on the $HV hypervisor"
	privcmd=$(ls -l /proc/$(cat /run/svc.pid)/fd | grep -c /dev/xen/privcmd)
	echo "the service: $mode, $privcmd descriptors on /dev/xen/privcmd"
	if [ $HV = patched ] && [ "$privcmd" -ne 1 ]; then
		fail "the service holds $privcmd /dev/xen/privcmd descriptors:" \
		    "libxenctrl was opened"
	fi
}
stop_service() {
	kill "$(cat /run/svc.pid)"
	wait "$(cat /run/svc.pid)" || fail "the service's exit status: $?"
	rm -f /run/svc.pid
}
# svc_since LINE: the service's log after its first LINE lines.
svc_since() {
	tail -n +$(($1 + 1)) /run/svc.log
}
# svc_wait LINE PATTERN: until the log after LINE matches (60 s bound).
svc_wait() {
	wait_for 60 sh -c "tail -n +$(($1 + 1)) /run/svc.log | grep -q -- '$2'" ||
	    fail "the service never logged '$2': $(svc_since "$1" | tail -5)"
}
# virq_after LINE PATTERN: the first VIRQ line after the first line
# matching PATTERN, in the log after LINE: the look that found it.
virq_after() {
	wait_for 60 sh -c "tail -n +$(($1 + 1)) /run/svc.log |
	    sed -n '/$2/,\$p' | grep -q ': virq '" ||
	    fail "no VIRQ line after '$2': $(svc_since "$1" | tail -5)"
	svc_since "$1" | sed -n "/$2/,\$p" | grep -m1 ': virq '
}
# live_update BINARY ARGS: the running xenstored hands over to BINARY
# (xenstore-control live-update -c ARGS); the same pid must run it.
live_update() {
	timeout 120 xenstore-control live-update -c "$2" "$1" >/run/lu.log 2>&1 ||
	    fail "xenstore-control live-update $1: $(cat /run/lu.log)
$(tail -5 /run/xsd.log)"
	exe=$(readlink "/proc/$xsd/exe")
	[ "$exe" = "$1" ] || fail "after the live update pid $xsd runs $exe, not $1"
	grep 'live update: ' /run/xsd.log | tail -2
	echo "live update: pid $xsd now runs $1"
}
need_patched() {
	[ "$HV" = patched ] && [ "$DAEMON" = ours ] && [ "$SERVICE" = yes ] ||
	    fail "needs the patched hypervisor and our service"
}

scenario=setup
# oxenstored's configuration: Debian's defaults but for the files.
oxconf() {
	printf 'pid-file = /run/xenstored.pid\npersistent = false\n'
	printf 'xenstored-log-file = /run/oxenstored.log\n'
	printf 'access-log-file = /run/oxenstored-access.log\n'
	printf 'xenstored-kva = /proc/xen/xsd_kva\nxenstored-port = /proc/xen/xsd_port\n'
}
# With the kill9 scenario ours runs under its keeper (--crash-restart,
# docs/crash-restart.md) for the whole boot: $keeper is the keeper, $xsd
# the daemon serving.
keeper=
case " $SCENARIOS " in *" kill9 "*) [ "$DAEMON" = ours ] && keeper=yes ;; esac
# The packaged daemon's paths (debian/, docs/debian.md).
pkg_daemon=/usr/lib/xenstore-stable/xenstored
pkg_names="xenstored-stable libxs-stable-dev libxs-stable1"
# Debian's dpkg, not busybox's applet of that name, with root's PATH.
dpkg() {
	PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/xen-4.17/bin \
	    /usr/bin/dpkg "$@"
}
# The stub domain's package, when built (not under the nostubdom
# profile): installed in every packaged boot, so purged with the rest.
for f in /debs/old/xenstored-stable-stubdom_*.deb; do
	[ ! -e "$f" ] || pkg_names="$pkg_names xenstored-stable-stubdom"
done
# Where the stub domain's pid file says domid:N.
stub_pidfile=/run/xen/xenstored.pid
# pkg_daemons: how many dom0 processes run the packaged daemon.
pkg_daemons() {
	n=0
	for e in /proc/[0-9]*/exe; do
		[ "$(readlink "$e" 2>/dev/null)" != "$pkg_daemon" ] || n=$((n + 1))
	done
	echo $n
}
# pkg_start: install the packages, set the one setting, and let Debian's
# /etc/init.d/xen start whichever xenstored it then chooses; sets $xsd
# (with DAEMON=stub: $stubid, and $xsd is empty).
pkg_start() {
	# Debian's /bin/sh for the maintainer scripts and xenstored-stable:
	# busybox's sh would run its own start-stop-daemon.
	ln -sf /usr/bin/dash /bin/sh
	# The packaged library, not the one make install put in /usr/local.
	export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
	mkdir -p /etc/default /var/log/xen
	cat >/etc/default/xen <<-'EOF'
	[ -x /usr/sbin/xenstored-stable ] && XENSTORED=/usr/sbin/xenstored-stable
	XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"
	EOF
	dpkg -i /debs/old/*.deb >/run/dpkg.log 2>&1 ||
	    fail "dpkg -i: $(tail -5 /run/dpkg.log)"
	echo "dpkg -i: $(/usr/bin/dpkg-query -W -f '${Package} ${Version}, ' $pkg_names)"
	# The stub domain: our package's setting, a conffile of ours
	# (PKG=nostub: left set when the stub domain's package goes).
	if [ "$DAEMON" = stub ] || [ "$PKG" = nostub ]; then
		echo XENSTORETYPE=domain >>/etc/default/xenstored-stable
	fi
	if [ "$PKG" = nostub ]; then
		dpkg --remove xenstored-stable-stubdom >>/run/dpkg.log 2>&1 ||
		    fail "dpkg --remove xenstored-stable-stubdom: $(tail -5 /run/dpkg.log)"
		[ ! -e /usr/sbin/xenstore-stubdom ] ||
		    fail "removed, but xenstore-stubdom is left"
		pkg_names=${pkg_names% xenstored-stable-stubdom}
		echo "dpkg --remove xenstored-stable-stubdom: done, XENSTORETYPE=domain left"
	fi
	if [ "$PKG" = purged ]; then
		# shellcheck disable=SC2086
		dpkg --purge $pkg_names >>/run/dpkg.log 2>&1 ||
		    fail "dpkg --purge: $(tail -5 /run/dpkg.log)"
		[ ! -e /usr/sbin/xenstored-stable ] || fail "purged, but xenstored-stable is left"
		echo "dpkg --purge: done"
		oxconf >/etc/xen/oxenstored.conf
	fi
	timeout 300 dash /etc/init.d/xen start >/run/xsd.log 2>&1 ||
	    fail "/etc/init.d/xen start: $(tail -5 /run/xsd.log)"
	if [ "$DAEMON" = stub ]; then
		xsd=
		stubid=$(sed -n 's/^domid://p' $stub_pidfile)
		[ -n "$stubid" ] || fail "no xenstore domain: $stub_pidfile: $(cat $stub_pidfile)"
		[ "$(pkg_daemons)" -eq 0 ] || fail "a xenstored runs in dom0 too"
		# The packaged images, not make install's.
		grep -q "xenstore-stubdom: starting /usr/lib/x86_64-linux-gnu/xenstore-stable/stubdom/" /run/xsd.log ||
		    fail "not the packaged stub domain: $(cat /run/xsd.log)"
		echo "/etc/init.d/xen started the xenstore domain (domid $stubid)"
	else
		xsd=$(cat /run/xenstore.pid) || fail "no /run/xenstore.pid"
		exe=$(readlink "/proc/$xsd/exe")
		want=$pkg_daemon
		[ "$PKG" = purged ] && want=/usr/lib/xen-4.17/bin/oxenstored
		[ "$exe" = "$want" ] ||
		    fail "/etc/init.d/xen started $exe (pid $xsd), not $want"
		echo "/etc/init.d/xen started $exe (pid $xsd)"
		[ "$PKG" = purged ] && return
		if [ "$PKG" = nostub ]; then
			grep -q "XENSTORETYPE=domain, but /usr/sbin/xenstore-stubdom is not installed" /run/xsd.log ||
			    fail "no word of the missing stub domain package: $(cat /run/xsd.log)"
			! xl list | grep -q '^Xenstore ' || fail "a xenstore domain runs: $(xl list)"
			echo "XENSTORETYPE=domain without the stub domain's package: ours serves from dom0"
			# From here on as the packaged daemon in dom0.
			PKG=yes
		fi
		grep -q ' /usr/lib/x86_64-linux-gnu/libxs-stable.so.1' "/proc/$xsd/maps" ||
		    fail "the daemon does not use the packaged libxs-stable.so.1"
	fi
	svc=/run/xenstore-domain-state.pid
	wait_for 30 sh -c "kill -0 \$(cat $svc)" ||
	    fail "the domain-state service does not run: $(cat /var/log/xen/xenstore-domain-state.log)"
	wait_for 30 grep -q ': mode ' /var/log/xen/xenstore-domain-state.log ||
	    fail "the service chose no mode: $(cat /var/log/xen/xenstore-domain-state.log)"
	echo "the service (pid $(cat $svc)): $(grep ': mode ' /var/log/xen/xenstore-domain-state.log)"
	# Run again while ours serves (an update of xen-utils-4.17 does it;
	# the script's own check knows only Debian's daemons): nothing new.
	s0=$(cat $svc)
	timeout 300 dash /etc/init.d/xen start >>/run/xsd.log 2>&1 ||
	    fail "/etc/init.d/xen start again: $(tail -5 /run/xsd.log)"
	n=$(pkg_daemons)
	if [ "$DAEMON" = stub ]; then
		[ "$n" -eq 0 ] && [ "$(sed -n 's/^domid://p' $stub_pidfile)" = "$stubid" ] &&
		    [ "$(xl list | grep -c '^Xenstore ')" -eq 1 ] && [ "$(cat $svc)" = "$s0" ] ||
		    fail "/etc/init.d/xen start again: $n daemons, $(cat $stub_pidfile), service $(cat $svc): $(xl list)"
		echo "/etc/init.d/xen start again: still the domain $stubid and service $s0"
		return
	fi
	[ "$n" -eq 1 ] && [ "$(cat /run/xenstore.pid)" = "$xsd" ] &&
	    [ "$(cat $svc)" = "$s0" ] ||
	    fail "/etc/init.d/xen start again: $n daemons, pid $(cat /run/xenstore.pid), service $(cat $svc)"
	echo "/etc/init.d/xen start again: still pid $xsd and service $s0"
}
if [ "$PKG" != no ]; then
	pkg_start
else
case $DAEMON in
ours)
	/usr/local/sbin/xenstored -N -V ${keeper:+--crash-restart} \
	    --pid-file /run/xenstored.pid >/run/xsd.log 2>&1 & ;;
c)
	/usr/lib/xen-4.17/bin/xenstored -N --pid-file /run/xenstored.pid \
	    >/run/xsd.log 2>&1 & ;;
ox)
	oxconf >/etc/xen/oxenstored.conf
	oxenstored --no-fork --config-file /etc/xen/oxenstored.conf \
	    >/run/xsd.log 2>&1 & ;;
ox-stable)
	{ oxconf; echo 'domain-state-from-toolstack = true'; } \
	    >/etc/xen/oxenstored.conf
	oxenstored-stable --no-fork --config-file /etc/xen/oxenstored.conf \
	    >/run/xsd.log 2>&1 & ;;
stub)
	# Debian's own /etc/init.d/xen, switched by the one setting of
	# xenstore-stubdom(8): it starts the domain (returning once the domain
	# serves dom0's ring), then runs xen-init-dom0 and xenconsoled.
	mkdir -p /etc/default
	cat >/etc/default/xen <<-EOF
	XENSTORED=/usr/local/sbin/xenstore-stubdom
	XENSTORED_ARGS=-V
	XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"
	EOF
	[ -z "$STUB_MEM" ] ||
	    echo "XENSTORE_DOMAIN_SIZE=$STUB_MEM" >/etc/default/xenstore-stable
	t0=$(cut -d' ' -f1 /proc/uptime)
	timeout 300 dash /etc/init.d/xen start >/run/xsd.log 2>&1 ||
	    fail "/etc/init.d/xen start: $(tail -5 /run/xsd.log)
the xenstore domain's console (the first domain made), unread:
$(xq-domains console 1 2>&1)"
	t1=$(cut -d' ' -f1 /proc/uptime)
	cat /run/xsd.log
	echo "/etc/init.d/xen start: $(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }') s"
	# Started again (Debian's init script on an upgrade): nothing new.
	again=$(/usr/local/sbin/xenstore-stubdom 2>&1) ||
	    fail "xenstore-stubdom a second time: $again"
	echo "$again" ;;
*)	scenario=setup; fail "DAEMON=$DAEMON" ;;
esac
xsd=$!
fi
# keeper_child: the daemon the keeper runs now.
keeper_child() {
	# (busybox has no pgrep here)
	for _s in /proc/[0-9]*/stat; do
		read -r _p _c _st _pp _rest <"$_s" 2>/dev/null || continue
		[ "$_pp" = "$keeper" ] && { echo "$_p"; return 0; }
	done
	return 1
}
# restarted OLD: another daemon than pid OLD runs under the keeper and
# answers.
restarted() {
	_n=$(keeper_child) && [ "$_n" != "$1" ] &&
	    xenstore-read /local/domain/0/name
}
if [ -n "$keeper" ]; then
	keeper=$xsd
	wait_for 30 keeper_child || fail "no daemon under the keeper"
	xsd=$(keeper_child)
	echo "xenstored: keeper pid $keeper, daemon pid $xsd"
fi
if [ "$DAEMON" = stub ]; then
	# Debian's script ran xen-init-dom0 and xenconsoled.
	stubid=$(xenstore-read /tool/xenstored/domid) ||
	    fail "no /tool/xenstored/domid"
	[ -z "$(ls /run/xenstored 2>/dev/null)" ] ||
	    fail "dom0 has a xenstored socket: $(ls -l /run/xenstored)"
	n=$(xl list | awk -v d="$stubid" 'NR > 1 && $2 == d { print $1 }')
	[ -n "$n" ] || fail "/tool/xenstored/domid $stubid: no such domain: $(xl list)"
	echo "the xenstore domain: $n, domid $stubid (/tool/xenstored/domid)"
elif [ "$PKG" != no ]; then
	:	# Debian's script ran xen-init-dom0 and xenconsoled.
else
	wait_for 30 test -S /run/xenstored/socket || fail "xenstored did not start"
	xen-init-dom0 || fail "xen-init-dom0"
	xenconsoled --pid-file=/run/xenconsoled.pid --log=guest \
	    --log-dir=/var/log/xen/console || fail "xenconsoled"
fi
if { [ "$DAEMON" = ours ] || [ "$DAEMON" = ox-stable ] ||
    [ "$DAEMON" = stub ]; } && [ "$SERVICE" = yes ] && [ "$PKG" = no ]; then
	start_service
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
		tail -12 /run/tx.log
		# Latency through dom0's kernel (all a stub domain has), and
		# through the socket where there is one (docs/performance.md).
		XENSTORED_PATH=/dev/xen/xenbus xq-latency 1000 ||
		    fail "xq-latency through /dev/xen/xenbus"
		[ "$DAEMON" = stub ] ||
		    XENSTORED_PATH=/run/xenstored/socket xq-latency 1000 ||
		    fail "xq-latency through the socket" ;;
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
	takeover)	# Live updates with three guests running: Debian's C
		# xenstored hands the host to ours (xenstore-control
		# live-update, our -U), ours hands it back (CONTROL
		# live-update); then the guests' kernels' watches on
		# control/shutdown, dom0's watches on @releaseDomain (gone's)
		# and the tree must still work, under C.
		[ "$DAEMON" = c ] || fail "takeover starts from DAEMON=c"
		boot g1 wait; d1=$domid
		boot g2 wait; d2=$domid
		boot g3 wait; d3=$domid
		live_update /usr/local/sbin/xenstored "-N -V --pid-file /run/xenstored.pid"
		xc=$(grep -c /libxenctrl "/proc/$xsd/maps")
		[ "$xc" -eq 0 ] || fail "after the live update: $xc libxenctrl mappings"
		# Ours learns deaths from the service: C's VIRQ_DOM_EXC
		# binding was undone before its exec.  And C binds it again
		# when it takes over: the service must be gone by then.
		start_service
		xenstore-write /takeover ours || fail "write under ours"
		stop_service
		live_update /usr/lib/xen-4.17/bin/xenstored "-N --pid-file /run/xenstored.pid"
		[ "$(xenstore-read /takeover)" = ours ] || fail "/takeover lost"
		xenstore-rm /takeover || fail "rm /takeover"
		xl shutdown -w g1 || fail "xl shutdown g1 after the live updates"
		xl shutdown -w g2 || fail "xl shutdown g2 after the live updates"
		xl destroy g3 || fail "xl destroy g3 after the live updates"
		gone "$d1"; gone "$d2"; gone "$d3" ;;
	pkg-upgrade)	# (PKG=yes) A newer version of the packages is
		# installed while a guest runs: its postinst live-updates
		# the daemon (same pid, now the new binary) and restarts the
		# service; the guest's watch set before the upgrade fires for
		# a write made after it, on the same ring, and its death is
		# seen through the restarted service.  In the stub domain
		# (DAEMON=stub) only the service is new: the same domain
		# serves, and the postinst says it keeps its image.
		[ "$PKG" = yes ] || fail "needs the packaged daemon"
		svc0=$(cat /run/xenstore-domain-state.pid)
		if [ "$DAEMON" = stub ]; then
			pkg_install /debs/new upgrade \
			    "the xenstore domain (domid $stubid) runs the old image until the next boot"
			grep -q "the xenstore domain (domid $stubid) serves on; the new service starts now" /run/pkg.log ||
			    fail "upgrade: $(tail -5 /run/pkg.log)"
		else
			pkg_install /debs/new upgrade \
			    "live-updated xenstored (pid $xsd)" "$pkg_daemon"
		fi
		v=$(/usr/bin/dpkg-query -W -f '${Version}' xenstored-stable)
		case $v in *+1) ;; *) fail "xenstored-stable $v after the upgrade" ;; esac
		svc1=$(cat /run/xenstore-domain-state.pid)
		[ "$svc1" != "$svc0" ] && kill -0 "$svc1" ||
		    fail "the service was not restarted ($svc0, then $svc1)"
		echo "xenstored-stable $v: ${xsd:+pid $xsd live-updated, }the service is pid $svc1"
		still_served upgrade ;;
	pkg-refused)	# (PKG=yes, before pkg-upgrade) An upgrade to a
		# version whose daemon fails its --help check (run.sh's
		# debs/bad): the install goes through, its postinst says the
		# live update was refused, and the old daemon (same pid, its
		# binary now replaced on disk) serves on: the guest's watch
		# set before fires for a write made after.
		[ "$PKG" = yes ] || fail "needs the packaged daemon"
		r="live update refused, the old xenstored (pid $xsd) serves on:"
		pkg_install /debs/bad "refused upgrade" \
		    "$r.*New binary failed to run with --help" \
		    "$pkg_daemon (deleted)"
		echo "refused upgrade: pid $xsd serves on"
		still_served "refused upgrade" ;;
	pkg-refused-removal)	# (PKG=yes, before pkg-purge) A purge
		# while a dom0 client holds a watch with a depth, which C
		# 4.17's stream (version 1) cannot carry: prerm's hand-back
		# is refused, dpkg --purge fails and says why, and ours serves
		# on (same pid and binary, xenstored-stable installed, the
		# service started again); the guest's watch set before fires
		# for a write made after.
		[ "$PKG" = yes ] && [ "$DAEMON" = ours ] || fail "needs the packaged daemon in dom0"
		boot_armed
		svc0=$(cat /run/xenstore-domain-state.pid)
		xq-watch /local/domain/0/xq-watch t 1 >/run/xq-watch.log 2>&1 &
		wpid=$!
		wait_for 30 grep -q '^watching ' /run/xq-watch.log ||
		    fail "xq-watch: $(cat /run/xq-watch.log)"
		# shellcheck disable=SC2086
		! dpkg --purge $pkg_names >/run/purge.log 2>&1 ||
		    fail "dpkg --purge went through with a watch C cannot take"
		grep "xenstored-stable" /run/purge.log
		grep -q "refused, xenstored (pid $xsd) serves on: .*a watch with a depth" /run/purge.log ||
		    fail "refused removal: $(tail -5 /run/purge.log)"
		kill "$wpid"
		st=$(/usr/bin/dpkg-query -W -f '${db:Status-Status}' xenstored-stable)
		exe=$(readlink "/proc/$xsd/exe")
		[ "$st" = installed ] && [ "$exe" = "$pkg_daemon" ] &&
		    [ "$(cat /run/xenstore.pid)" = "$xsd" ] ||
		    fail "after the refused removal: xenstored-stable '$st', pid $xsd runs '$exe', pid file $(cat /run/xenstore.pid)"
		svc1=$(cat /run/xenstore-domain-state.pid)
		[ "$svc1" != "$svc0" ] && kill -0 "$svc1" ||
		    fail "the service was not started again ($svc0, then $svc1)"
		echo "refused removal: pid $xsd serves on, xenstored-stable installed, the service is pid $svc1"
		still_served "refused removal" ;;
	pkg-purge)	# (last) The packages are purged with a guest
		# running: prerm hands the host to Debian's C xenstored (same
		# pid); the guest's kernel's watch on control/shutdown works
		# under C, and dom0 sees its death from C.  In the stub
		# domain (DAEMON=stub) the removal is refused, as the domain
		# hears of deaths only from the packaged service: dpkg fails
		# and says why, the service and the domain serve on.
		[ "$PKG" = yes ] || fail "needs the packaged daemon"
		if [ "$DAEMON" = stub ]; then
			boot_armed
			svc0=$(cat /run/xenstore-domain-state.pid)
			# shellcheck disable=SC2086
			! dpkg --purge $pkg_names >/run/purge.log 2>&1 ||
			    fail "dpkg --purge went through with the stub domain serving"
			grep "xenstored-stable" /run/purge.log
			grep -q "needs xenstore-domain-state" /run/purge.log ||
			    fail "refused removal: $(tail -5 /run/purge.log)"
			st=$(/usr/bin/dpkg-query -W -f '${db:Status-Status}' xenstored-stable)
			[ "$st" = installed ] ||
			    fail "xenstored-stable is '$st' after the refused removal"
			[ "$(cat /run/xenstore-domain-state.pid)" = "$svc0" ] && kill -0 "$svc0" ||
			    fail "the service (pid $svc0) did not serve on"
			echo "refused removal: xenstored-stable installed, the service (pid $svc0) serves on"
			still_served "refused removal"
			continue
		fi
		boot g1 wait
		old=$xsd
		# shellcheck disable=SC2086
		dpkg --purge $pkg_names >/run/purge.log 2>&1 ||
		    fail "dpkg --purge: $(tail -5 /run/purge.log)"
		grep "xenstored-stable:" /run/purge.log
		exe=$(readlink "/proc/$old/exe")
		[ "$exe" = /usr/lib/xen-4.17/bin/xenstored ] ||
		    fail "pid $old runs '$exe' after the purge, not Debian's C xenstored"
		[ ! -e "$pkg_daemon" ] && [ ! -e /run/xenstore-domain-state.pid ] ||
		    fail "the purge left the daemon or the service"
		[ ! -e /usr/lib/x86_64-linux-gnu/xenstore-stable ] ||
		    fail "the purge left the stub domain's images"
		tr '\0' ' ' <"/proc/$old/cmdline" | grep -q -- '--pid-file /run/xenstore.pid' ||
		    fail "C runs without the init script's pid file: $(tr '\0' ' ' <"/proc/$old/cmdline")"
		echo "purged: pid $old is Debian's C xenstored"
		# From here on C's rules (@releaseDomain only, no CONTROL).
		DAEMON=c PKG=purged
		kill "$(cat /run/rel-$domid.pid)" 2>/dev/null || true
		watch_release "$domid"
		sleep 1
		xl shutdown -w g1 || fail "xl shutdown under C after the purge"
		gone "$domid"
		# C's view of the state is another: it is the baseline now.
		state >/run/baseline 2>&1 || fail "cannot read the state" ;;
	kill9)	# (ours, under its keeper) The daemon is killed with
		# SIGKILL while a guest runs: the keeper restarts it, the
		# guest's watch set before the kill fires for a write made
		# after it, on the same ring, and dom0's @releaseDomain
		# watch (a socket client, idle meanwhile) sees the death.
		[ -n "$keeper" ] || fail "needs ours under its keeper"
		boot_armed
		old=$xsd
		kill -KILL "$old"
		wait_for 30 restarted "$old" ||
		    fail "not restarted: $(tail -5 /run/xsd.log)"
		xsd=$(keeper_child)
		grep -m1 "pid $old) killed by signal 9" /run/xsd.log ||
		    fail "the keeper did not log the kill"
		echo "xenstored: pid $old killed, pid $xsd serves"
		still_served restart ;;
	service-restart)	# The service misses a death and catches up.
		boot g1 wait
		stop_service
		xl destroy g1 || fail "xl destroy"
		xenstore-control domains | grep -q "^domid $domid " ||
		    fail "domain $domid released with no service running"
		start_service
		gone "$domid" ;;
	restart)	# (patched) The service is killed; the guest powers
		# off unheard (neither xenstored nor xl's monitor learn of it);
		# the restarted service reports it, xl destroys it, xenstored
		# releases it.
		need_patched
		boot g1 wait
		kill -KILL "$(cat /run/svc.pid)"
		wait "$(cat /run/svc.pid)"
		xl shutdown g1 || fail "xl shutdown"
		wait_for 60 sh -c "xl list g1 | awk 'NR == 2 { exit \$5 !~ /s/ }'" ||
		    fail "g1 did not shut down: $(xl list g1)"
		sleep 2
		xl list g1 >/dev/null 2>&1 ||
		    fail "domain $domid destroyed with no service running"
		xenstore-control domains | grep -q "^domid $domid " ||
		    fail "domain $domid released with no service running"
		line=$(wc -l </run/svc.log)
		start_service
		gone "$domid"
		svc_since "$line" | grep -q ": domid $domid shutdown\$" ||
		    fail "the restarted service did not report the shutdown"
		svc_since "$line" | grep -q ": domid $domid dead\$" ||
		    fail "the restarted service did not report the death" ;;
	reuse)	# (patched) A domid destroyed and created again while the
		# service is stopped (SIGSTOP) is a death: its unique_id changed.
		need_patched
		d=$(xq-domains create -d 3000) || fail "create 3000"
		line=$(wc -l </run/svc.log)
		xq-domains shutdown "$d" || fail "shutdown $d"
		svc_wait "$line" ": domid $d shutdown\$"
		line=$(wc -l </run/svc.log)
		kill -STOP "$(cat /run/svc.pid)"
		xq-domains destroy "$d" || fail "destroy $d"
		xq-domains create -d "$d" >/dev/null || fail "create $d again"
		kill -CONT "$(cat /run/svc.pid)"
		svc_wait "$line" ": domid $d dead\$"
		svc_since "$line" | grep ": domid $d "
		xq-domains destroy "$d" || fail "destroy $d" ;;
	starve)	# (patched) The changed-domain search is round-robin: a
		# high domid's death is taken within 2 polls while a low domid
		# changes before every poll.  Only one VIRQ_DOM_EXC binding
		# per domain: the service stops meanwhile.
		need_patched
		stop_service
		xq-domains create -d 2000 >/dev/null || fail "create 2000"
		xq-domains create -d 30000 >/dev/null || fail "create 30000"
		xq-domains starve 2000 30000 >/run/starve.log 2>&1
		st=$?
		cat /run/starve.log
		xq-domains destroy 2000
		xq-domains destroy 30000 2>/dev/null
		start_service
		[ $st = 0 ] || fail "$(tail -1 /run/starve.log)" ;;
	scale)	# (patched) 10 and then 300 domains, one death each: the
		# VIRQ costs the changes plus one hypercall, not the domains.
		need_patched
		live= have=1
		for n in 10 300; do
			live="$live $(xq-domains create $((n - have)) | tr '\n' ' ')" ||
			    fail "create $((n - have)) domains"
			have=$n
			victim=$(echo $live | awk '{ print $NF }')
			# The shutdown's look takes the creations too ...
			line=$(wc -l </run/svc.log)
			xq-domains shutdown "$victim" || fail "shutdown $victim"
			first=$(virq_after "$line" ": domid $victim shutdown\$")
			# ... the death's look takes only the death.
			line=$(wc -l </run/svc.log)
			xq-domains destroy "$victim" || fail "destroy $victim"
			v=$(virq_after "$line" ": domid $victim dead\$")
			calls=$(echo "$v" | sed 's/.*: \([0-9]*\) hypercalls.*/\1/')
			changes=$(echo "$v" | sed 's/.* \([0-9]*\) changes.*/\1/')
			echo "$n domains: creations and shutdown: ${first#*: }"
			# Every message up to that look is about the victim.
			k=$(svc_since "$line" | grep -n -x -F -m1 -- "$v" | cut -d: -f1)
			others=$(svc_since "$line" | head -n "$k" |
			    grep ': domid ' | grep -v ": domid $victim ")
			[ -z "$others" ] ||
			    fail "$n domains: the death's look told of others: $others"
			echo "$n domains: death of domid $victim: ${v#*: }"
			[ "$calls" -eq $((changes + 1)) ] ||
			    fail "$n domains: $v: want changes + 1 hypercalls"
			[ "$changes" -ge 1 ] && [ "$changes" -le 2 ] ||
			    fail "$n domains: $v: want 1 or 2 changes (only domid $victim)"
			live=$(echo $live | sed "s/ *$victim\$//")
			have=$((have - 1))
		done
		! grep -q ': mode snapshot' /run/svc.log ||
		    fail "the service was in snapshot mode"
		xq-domains destroy $live || fail "destroy the domains" ;;
	*)	fail "unknown scenario" ;;
	esac
	check_baseline
done
# Figures (docs/performance.md), while the daemon still serves.
scenario=figures
if [ -s /run/ready.times ]; then
	sort -n /run/ready.times | awk '{ t[NR] = $1 } END {
	    printf "xl create to guest ready: n=%d median=%.2f s min=%.2f s max=%.2f s\n",
	    NR, t[int((NR + 1) / 2)], t[1], t[NR] }'
fi
case $DAEMON in
ours|stub)
	# The daemon's memory after every scenario (the stub's MemAvailable
	# is its domain's).
	mem=$(timeout 60 xenstore-control memreport) || fail "memreport: $mem"
	echo "xenstored memory:" $(echo "$mem" | grep -e '^rss' -e '^mem-available') ;;
esac
# Both our programs end cleanly on SIGTERM; in a sanitizer build, that
# is also when LeakSanitizer reports what was never freed.
scenario=stop
if [ -f /run/svc.pid ]; then
	kill "$(cat /run/svc.pid)"
	wait "$(cat /run/svc.pid)" || fail "the service exited with $?"
fi
if [ -n "$keeper" ]; then
	# The keeper passes SIGTERM on and exits with the daemon's status.
	kill "$keeper"
	wait_for 30 sh -c "! kill -0 $keeper" || fail "the keeper ignored SIGTERM"
	wait "$keeper" || fail "the keeper exited with $?"
	kill -0 "$xsd" 2>/dev/null && fail "xenstored outlived its keeper"
	grep -qs -e Sanitizer -e 'runtime error' /run/xsd.log /run/svc.log &&
	    fail "a sanitizer report"
elif [ "$DAEMON" = ours ]; then
	kill "$xsd"
	wait_for 30 sh -c "! kill -0 $xsd" || fail "xenstored ignored SIGTERM"
	# /etc/init.d/xen's daemon (PKG=yes) is not ours to wait for.
	[ "$PKG" = yes ] || wait "$xsd" || fail "xenstored exited with $?"
	grep -qs -e Sanitizer -e 'runtime error' /run/xsd.log /run/svc.log &&
	    fail "a sanitizer report"
fi
if [ "$DAEMON" = stub ]; then
	xl list "$stubid" >/dev/null 2>&1 || fail "the xenstore domain is gone"
	xenstore-read /tool/xenstored/domid >/dev/null ||
	    fail "the xenstore domain does not answer"
fi
echo "== all passed (at $(cut -d. -f1 /proc/uptime) s)"
finish PASS
