#!/bin/sh
# The real-Xen test: Debian's Xen 4.17 and a Debian Linux PV dom0 booted
# under QEMU (software emulation), our freshly built xenstored and
# domain-state service as dom0's xenstore, one PV guest from `xl create`
# to poweroff (dom0-init.sh says what is checked).  The dom0 and guest
# images are initramfs archives made from this host's own packages.
#
# usage: run.sh BUILDDIR     (make check-xen runs it)
# Needs: apt-get install qemu-system-x86 xen-hypervisor-4.17-amd64
#        linux-image-amd64 busybox-static zstd cpio xen-utils-4.17
#        xenstore-utils   (scripts/setup-debian.sh --xen)
set -eu
build=$(cd "${1:?usage: run.sh BUILDDIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
xen=/boot/xen-4.17-amd64.gz
kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)
kver=${kernel#/boot/vmlinuz-}
for f in "$xen" "$kernel" /usr/bin/qemu-system-x86_64 /usr/bin/busybox \
    /usr/bin/zstd /usr/lib/xen-4.17/bin/xl; do
	[ -e "$f" ] || { echo "run.sh: $f missing: sh scripts/setup-debian.sh --xen" >&2; exit 1; }
done
T=$(mktemp -d /tmp/xen-qemu.XXXXXX)
trap 'rm -rf "$T"' EXIT

# copy FILE...: into $root with the shared libraries they need.
copy() {
	for f; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
		ldd "$f" 2>/dev/null | awk '/=>/ { print $3 } /ld-linux/ { print $1 }' |
		while read -r l; do
			[ -e "$l" ] || continue
			mkdir -p "$root$(dirname "$l")"
			cp -Ln "$l" "$root$l"
		done
	done
}
# skeleton ROOT INIT: busybox and an /init.
skeleton() {
	root=$1
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" \
	    "$root/run" "$root/etc"
	cp /usr/bin/busybox "$root/bin/"
	for c in sh mount mkdir cat echo ls sleep dd poweroff grep test \
	    timeout insmod; do
		ln -sf busybox "$root/bin/$c"
	done
	cp "$2" "$root/init"
	chmod +x "$root/init"
}
pack() {
	(cd "$1" && find . | cpio -o -H newc 2>/dev/null | zstd -q -3 -T0) >"$2"
}

echo "run.sh: images from this host's packages, kernel $kver"
skeleton "$T/guest" "$here/guest-init.sh"
root=$T/guest
copy /usr/bin/xenstore-read /usr/bin/xenstore-write /usr/bin/xenstore-watch
pack "$T/guest" "$T/guest.img"

make -C "$build" install DESTDIR="$T/inst" >/dev/null
skeleton "$T/dom0" "$here/dom0-init.sh"
root=$T/dom0
copy /usr/bin/xenstore-read /usr/bin/xenstore-write /usr/bin/xenstore-watch \
    /usr/bin/xenstore-ls /usr/lib/xen-4.17/bin/xl \
    /usr/lib/xen-4.17/bin/xen-init-dom0 /usr/lib/xen-4.17/bin/xenconsoled \
    /usr/lib/xen-4.17/bin/xenstore-control
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/lib/x86_64-linux-gnu/"
mkdir -p "$root/usr/local" "$root/etc/xen" "$root/var/lib/xen" "$root/mods"
cp -a "$T/inst/usr/local/sbin" "$T/inst/usr/local/lib" "$root/usr/local/"
# The installed daemons, with the libraries they need from the host.
LD_LIBRARY_PATH=$T/inst/usr/local/lib copy \
    "$T/inst/usr/local/sbin/xenstored" \
    "$T/inst/usr/local/sbin/xenstore-domain-state" 2>/dev/null || true
cp -a "$T/inst/usr/local/sbin/." "$root/usr/local/sbin/"
rm -rf "$root$T"
touch "$root/etc/xen/xl.conf"
mods=/lib/modules/$kver/kernel/drivers/xen
cp $mods/xen-evtchn.ko* $mods/xen-gntdev.ko* $mods/xen-gntalloc.ko* \
    $mods/xen-privcmd.ko* $mods/xenfs/xenfs.ko* "$root/mods/"
cp "$kernel" "$root/vmlinuz"
cp "$T/guest.img" "$root/guest.img"
cp "$here/g1.cfg" "$root/g1.cfg"
pack "$T/dom0" "$T/dom0.img"
gunzip -c "$xen" >"$T/xen"

echo "run.sh: booting Xen under QEMU (TCG)"
timeout 300 qemu-system-x86_64 -machine q35 -accel tcg -cpu qemu64,+rdrand \
    -m 2048 -smp 2 -nographic -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$T/xen" \
    -append "console=com1 com1=115200,8n1 dom0_mem=768M,max:768M dom0_max_vcpus=2 bootscrub=0" \
    -initrd "$kernel console=hvc0,$T/dom0.img" >"$T/serial.log" 2>&1 || true
sed -n '/^== /,$p' "$T/serial.log" | grep -v '^\[' || true
if grep -q '^RESULT: PASS' "$T/serial.log"; then
	echo "run.sh: passed"
	exit 0
fi
echo "run.sh: FAILED; the serial log's tail:"
tail -40 "$T/serial.log"
exit 1
