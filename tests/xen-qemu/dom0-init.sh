#!/bin/sh
# /init of dom0 in the real-Xen test: our xenstored and domain-state
# service, Xen's xenconsoled and xl, one PV guest from create to
# poweroff.  Ends with "RESULT: PASS" or "RESULT: FAIL <why>" on the
# serial console, then leaves QEMU through isa-debug-exit.
export PATH=/bin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin:/usr/local/sbin
export LD_LIBRARY_PATH=/usr/local/lib:/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /run/xenstored /run/xen /var/run/xen /var/log/xen/console
mount -t devpts devpts /dev/pts
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs; do
	insmod /mods/$m.ko || echo "insmod $m failed"
done
mount -t xenfs xenfs /proc/xen

finish() {
	echo "== xenstored's log"; cat /run/xsd.log
	echo "== the domain-state service's log"; cat /run/svc.log
	echo "== xl's log"; cat /var/log/xen/xl-g1.log 2>/dev/null | tail -20
	echo "RESULT: $*"
	sleep 1	# Xen drains the serial console asynchronously
	echo -ne '\x01' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}
# wait_for COMMAND...: until it succeeds (30 s bound).
wait_for() {
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 300 ] || return 1
		sleep 0.1
	done
}

xenstored -N -V --pid-file /run/xenstored.pid >/run/xsd.log 2>&1 &
wait_for test -S /run/xenstored/socket || finish "FAIL xenstored did not start"
xen-init-dom0 || finish "FAIL xen-init-dom0"
xenconsoled --pid-file=/run/xenconsoled.pid || finish "FAIL xenconsoled"
xenstore-domain-state -V >/run/svc.log 2>&1 &
timeout 60 xenstore-watch -n 3 @releaseDomain >/run/rel.log 2>&1 &
watcher=$!
xenstore-ls -p
xl list || finish "FAIL xl list"

echo "== xl create"
xl create /g1.cfg || finish "FAIL xl create"
wait_for sh -c '[ "$(xenstore-read /local/domain/1/data/ready)" = 1 ]' ||
    finish "FAIL the guest never wrote data/ready"
hello=$(xenstore-read /local/domain/1/data/hello)
[ "$hello" = "from guest 1" ] || finish "FAIL guest wrote '$hello'"
xenstore-write /local/domain/1/data/ping 42
wait_for xenstore-read /local/domain/1/data/pong ||
    finish "FAIL no pong from the guest"
[ "$(xenstore-read /local/domain/1/data/pong)" = 42 ] ||
    finish "FAIL wrong pong"
echo "== the guest powers off"
wait_for sh -c '! xl list g1' || finish "FAIL g1 never went away"
wait $watcher
[ "$(grep -c '^@releaseDomain$' /run/rel.log)" -eq 3 ] ||
    finish "FAIL @releaseDomain: $(cat /run/rel.log)"
wait_for sh -c '! xenstore-control domains | grep -q "^domid 1 "' ||
    finish "FAIL xenstored still serves domain 1"
xenstore-read /local/domain/1/data/hello >/dev/null 2>&1 &&
    finish "FAIL the guest's nodes are left"
xl list
xenstore-control domains
finish PASS
