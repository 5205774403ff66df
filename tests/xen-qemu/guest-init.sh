#!/bin/sh
# /init of the test guest: a PV Linux with busybox and xenstore-utils.
# Its kernel's xenbus talks to dom0's xenstore over the store ring.
# The kernel command line's end=poweroff|crash|wait says how this boot
# ends once the ping/pong with dom0 is done; `wait` leaves it to dom0
# (xl shutdown/reboot/destroy), which the kernel carries out through
# /sbin/poweroff and /sbin/reboot.
export PATH=/bin:/sbin:/usr/bin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
end=wait
for w in $(cat /proc/cmdline); do
	case $w in end=*) end=${w#end=} ;; esac
done
d=$(xenstore-read domid)
xenstore-write data/hello "from guest $d"
xenstore-write data/ready 1
# Ping/pong with dom0 through a watch on our own node.
xenstore-watch -n 2 data/ping >/dev/null
xenstore-write data/pong "$(xenstore-read data/ping)"
sleep 1
case $end in
poweroff) poweroff -f ;;
crash) echo c >/proc/sysrq-trigger ;;
esac
while :; do sleep 60; done
