#!/bin/sh
# Build the xenstore stub domain: a Linux PV domain whose initramfs runs
# our xenstored, for Debian's unmodified init-xenstore-domain
# (docs/stubdom.md):
#
#   init-xenstore-domain --kernel OUTDIR/xenstore-stubdom.kernel \
#       --ramdisk OUTDIR/xenstore-stubdom.initramfs --memory 96 \
#       --param "console=hvc0"
#
# usage: mkimage.sh OUTDIR DESTDIR PV_ONLY
#   DESTDIR   a `make install DESTDIR=...` tree of this project: its
#             sbin/xenstored and the libraries it links are taken
#   PV_ONLY   the built toolstack-hooks/stubdom/pv-only
#   STUBDOM_KERNEL=own (default) or debian: the kernel to take:
#     own     our own configuration of Debian's linux-source-6.1, built
#             (and cached) by build-kernel.sh beside this script; the
#             Xen drivers built in; runs in 32 MiB (docs/stubdom.md)
#     debian  Debian's linux-image: the vmlinux unpacked from the
#             bzImage, its PVH entry note renamed by pv-only
#             (init-xenstore-domain would otherwise build a PVH domain,
#             which needs HAP), its xen-evtchn and xen-gntdev modules in
#             the initramfs; needs 96 MiB
#   KVER=...  with debian, the linux-image-KVER package to take; default
#             the newest /boot/vmlinuz-*-amd64
#   SOURCE_DATE_EPOCH  the time stamp of every file in the initramfs
#             (default 0); not passed to build-kernel.sh, whose cache key
#             does not hold it (its stamp is linux-source's)
#   STUBDOM_CACHE_HOME  XDG_CACHE_HOME for build-kernel.sh's cache (a
#             Debian package build resets HOME and XDG_CACHE_HOME)
#
# Inputs, all from Debian packages: linux-source-6.1 or linux-image-KVER,
# busybox-static, and the libraries xenstored links (libc6, libtalloc2,
# libevent-core, libsystemd0, libxen...), named with their versions in
# OUTDIR/xenstore-stubdom.manifest.  The same inputs give the same bytes:
# files sorted, owned by 0:0, stamped SOURCE_DATE_EPOCH; gzip -n and xz
# single-threaded; the kernel as build-kernel.sh says.
set -eu

out=${1:?usage: mkimage.sh OUTDIR DESTDIR PV_ONLY}
dest=${2:?usage: mkimage.sh OUTDIR DESTDIR PV_ONLY}
pvonly=${3:?usage: mkimage.sh OUTDIR DESTDIR PV_ONLY}
here=$(cd "$(dirname "$0")" && pwd)
epoch=${SOURCE_DATE_EPOCH:-0}

die() {
	echo "mkimage.sh: $*" >&2
	exit 1
}

kind=${STUBDOM_KERNEL:-own}
mods=
case $kind in
own) kernel=$here/build-kernel.sh ;;
debian)
	if [ -n "${KVER:-}" ]; then
		kernel=/boot/vmlinuz-$KVER
	else
		kernel=$(find /boot -maxdepth 1 -name 'vmlinuz-*-amd64' | sort -V | tail -1)
	fi
	mods=/lib/modules/${kernel#/boot/vmlinuz-}/kernel/drivers/xen ;;
*) die "STUBDOM_KERNEL=own|debian, not $kind" ;;
esac
xsd=$(find "$dest" -path '*/sbin/xenstored' -type f | head -1)
for f in "$kernel" ${mods:+"$mods/xen-evtchn.ko" "$mods/xen-gntdev.ko"} \
    /bin/busybox "$xsd" "$pvonly"; do
	if [ -z "$f" ] || [ ! -e "$f" ]; then
		die "${f:-sbin/xenstored in $dest} missing (scripts/setup-debian.sh --xen; make install DESTDIR=...)"
	fi
done
for t in cpio gzip xz; do
	command -v $t >/dev/null || die "$t missing"
done
# Where the DESTDIR tree keeps libxs-stable.
xsdlib=$(dirname "$(find "$dest" -name 'libxs-stable.so.*' | head -1)")

mkdir -p "$out"
T=$(mktemp -d /tmp/stubdom.XXXXXX)
trap 'rm -rf "$T"' EXIT
root=$T/root
mkdir -p "$root/bin" "$root/sbin" "$root/lib" "$root/proc" "$root/dev" \
    "$root/tmp"
[ -z "$mods" ] || mkdir "$root/mods"
manifest=$T/manifest
: >"$manifest"

# pkg FILE: the Debian package and version that ship FILE, for the
# manifest.  With usrmerge dpkg may know FILE by its /lib or its /usr/lib
# name.
pkg() {
	for f in "$1" "${1#/usr}" "/usr$1"; do
		p=$(dpkg -S "$f" 2>/dev/null | head -1 | cut -d: -f1) || p=
		if [ -n "$p" ]; then
			echo "$p $(dpkg-query -W -f '${Version}' "$p")"
			return
		fi
	done
	echo "(not from a package)"
}

cp /bin/busybox "$root/bin/busybox"
echo "bin/busybox: $(pkg /bin/busybox)" >>"$manifest"
for c in sh mount umount insmod rm cat echo sleep; do
	ln -s busybox "$root/bin/$c"
done
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"
cp "$xsd" "$root/sbin/xenstored"
echo "sbin/xenstored: (this build)" >>"$manifest"
# The libraries, flat in /lib (the init sets LD_LIBRARY_PATH), and the
# dynamic loader where the binary's PT_INTERP names it.
LD_LIBRARY_PATH=$xsdlib ldd "$xsd" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }' |
while read -r l; do
	[ -e "$l" ] || die "library $l (of xenstored) not found"
	case $l in
	*ld-linux*)
		mkdir -p "$root$(dirname "$l")"
		cp -L "$l" "$root$l" ;;
	*)
		cp -L "$l" "$root/lib/" ;;
	esac
	case $l in
	"$xsdlib"/*) echo "lib/$(basename "$l"): (this build)" ;;
	*ld-linux*) echo "${l#/}: $(pkg "$(readlink -f "$l")")" ;;
	*) echo "lib/$(basename "$l"): $(pkg "$(readlink -f "$l")")" ;;
	esac >>"$manifest"
done
[ -z "$mods" ] || for m in xen-evtchn xen-gntdev; do
	cp "$mods/$m.ko" "$root/mods/"
	echo "mods/$m.ko: $(pkg "$mods/$m.ko")" >>"$manifest"
done
strip --strip-unneeded "$root/sbin/xenstored" "$root"/lib/*.so* 2>/dev/null || true

# The initramfs: sorted, owned by root, one time stamp, xz as the
# kernel's unpacker wants it: crc32, and a small dictionary, which it
# must allocate in the domain's memory (xz -9's 64 MiB does not fit).
find "$root" -exec touch -h -d "@$epoch" {} +
(cd "$root" && find . | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --reproducible --quiet) >"$T/initramfs.cpio"
xz --check=crc32 --lzma2=preset=9,dict=1MiB -T1 -c "$T/initramfs.cpio" \
    >"$T/initramfs"

# The kernel, gzipped (init-xenstore-domain unpacks it).
if [ "$kind" = own ]; then
	env -u SOURCE_DATE_EPOCH \
	    ${STUBDOM_CACHE_HOME:+XDG_CACHE_HOME="$STUBDOM_CACHE_HOME"} \
	    sh "$kernel" "$T/k" >&2 || die "build-kernel.sh failed"
	gzip -9 -n -c "$T/k/vmlinux" >"$T/kernel"
	echo "kernel: $(head -1 "$T/k/BUILD-INFO") by build-kernel.sh, $(grep '^kernel.config sha256' "$T/k/BUILD-INFO")" >>"$manifest"
else
	off=$(LC_ALL=C grep -obUa "$(printf '\3757zXZ')" "$kernel" | head -1 | cut -d: -f1)
	[ -n "$off" ] || die "$kernel: no xz payload"
	tail -c +$((off + 1)) "$kernel" | xz -dc --single-stream >"$T/vmlinux"
	"$pvonly" "$T/vmlinux" "$T/vmlinux.pv" >/dev/null
	gzip -9 -n -c "$T/vmlinux.pv" >"$T/kernel"
	echo "kernel: $(pkg "$kernel"), PHYS32_ENTRY note renamed" >>"$manifest"
fi

mv "$T/kernel" "$out/xenstore-stubdom.kernel"
mv "$T/initramfs" "$out/xenstore-stubdom.initramfs"
LC_ALL=C sort "$manifest" >"$out/xenstore-stubdom.manifest"
(cd "$out" && sha256sum xenstore-stubdom.kernel xenstore-stubdom.initramfs \
    >xenstore-stubdom.sha256)
echo "mkimage.sh: $out/xenstore-stubdom.kernel" \
    "($(stat -c %s "$out/xenstore-stubdom.kernel") bytes)," \
    "$out/xenstore-stubdom.initramfs" \
    "($(stat -c %s "$out/xenstore-stubdom.initramfs") bytes, $(stat -c %s "$T/initramfs.cpio") unpacked)"
