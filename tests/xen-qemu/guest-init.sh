#!/bin/sh
# /init of the test guest: a PV Linux with busybox and xenstore-utils.
# Its kernel's xenbus talks to dom0's xenstored over the store ring.
export PATH=/bin:/usr/bin LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
d=$(xenstore-read domid)
xenstore-write data/hello "from guest $d"
xenstore-write data/ready 1
# Ping/pong with dom0 through a watch on our own node.
xenstore-watch -n 2 data/ping >/dev/null
xenstore-write data/pong "$(xenstore-read data/ping)"
sleep 1
poweroff -f
