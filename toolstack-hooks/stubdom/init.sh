#!/bin/sh
# /init of the xenstore stub domain (toolstack-hooks/stubdom/mkimage.sh).
# init-xenstore-domain starts the domain with the kernel command line
# "--event <port> [its --param]": <port> is dom0's event channel for the
# ring dom0's kernel granted to this domain (IOCTL_XENBUS_BACKEND_SETUP).
# Words after a "--" in --param are more options for xenstored, e.g.
#   init-xenstore-domain ... --param "console=hvc0 -- -V"
# Debian's kernel brings the Xen drivers as modules (our own has them
# built in, and the image no /mods); then the daemon runs with its log
# going through a pipe to a separate `cat` that writes the console.  The
# Xen console driver waits (in the kernel) for dom0's xenconsoled to make
# room in the console ring, which it only does once started, after this
# domain serves dom0: the daemon's own stderr must never be the console.
# It sets the pipe non-blocking (xenstored -e -N) and drops lines rather
# than wait when the pipe is full.  If the daemon ends, so does this
# init, and the kernel's panic ends the domain where dom0 sees it.
export PATH=/bin:/sbin
export LD_LIBRARY_PATH=/lib
mount -t proc proc /proc
mount -t devtmpfs dev /dev
for m in xen-evtchn xen-gntdev; do
	[ ! -e /mods/$m.ko ] || insmod /mods/$m.ko || echo "stubdom: insmod $m failed"
done
event=
args=
seen=
# shellcheck disable=SC2046 # the words of the command line
set -- $(cat /proc/cmdline)
while [ $# -gt 0 ]; do
	case $seen$1 in
	--event) event=$2; shift ;;
	--) seen=yes ;;
	yes*) args="$args $1" ;;
	esac
	shift
done
if [ -z "$event" ]; then
	echo "stubdom: no --event <port> on the command line: $(cat /proc/cmdline)"
	exec sleep 2147483647
fi
# /proc stays: memreport reads the daemon's RSS and MemAvailable there.
rm -rf /mods
# shellcheck disable=SC2086 # the options given after --
/sbin/xenstored -N --event "$event" $args 2>&1 | cat
echo "stubdom: xenstored ended"
