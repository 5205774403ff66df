#!/bin/sh
# /init of the test guest: a PV Linux with busybox and xenstore-utils.
# Its kernel's xenbus talks to dom0's xenstore over the store ring.
# The kernel command line's end=poweroff|crash|wait|again says how this boot
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
# end=again: a second ping/pong, its watch set (its first event seen)
# before data/armed says so; dom0 restarts its xenstored in between.
if [ "$end" = again ]; then
	xenstore-watch -n 2 data/ping2 >/tmp/ping2 &
	until [ -s /tmp/ping2 ]; do sleep 0.1; done
	xenstore-write data/armed 1
	wait
	xenstore-write data/pong2 "$(xenstore-read data/ping2)"
fi
sleep 1
case $end in
poweroff) poweroff -f ;;
crash) echo c >/proc/sysrq-trigger ;;
esac
while :; do sleep 60; done
