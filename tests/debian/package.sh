#!/bin/sh
# The Debian packages (debian/, docs/debian.md) on this host: build them
# from a clean clone with dpkg-buildpackage (tests skipped: the caller
# ran them), lintian with no error or warning that debian/ does not
# override, then as an administrator would: dpkg -i beside Debian's
# xen-utils-4.17 (no file conflict, nothing Debian starts changed), the
# same again as an upgrade (whose live update finds no daemon of ours
# serving and does nothing), then purge (nothing of ours left).  The
# stub domain's package is built with its images (their kernel from
# build-kernel.sh's cache, which this passes in as STUBDOM_CACHE_HOME:
# the package build resets HOME) and must hold what its manifest says.
#
# usage: package.sh SRCDIR OUTDIR   (as root, on a host without our
# packages; scripts/setup-debian.sh --xen first)
set -eu
src=$(cd "${1:?usage: package.sh SRCDIR OUTDIR}" && pwd)
out=${2:?usage: package.sh SRCDIR OUTDIR}
fail() { echo "FAIL: package: $*" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
git clone -q "$src" "$out/xenstore-stable"
(cd "$out/xenstore-stable" &&
    STUBDOM_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache} \
    DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) \
    >"$out/build.log" 2>&1 ||
    { tail -30 "$out/build.log"; fail "dpkg-buildpackage"; }
ver=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
debs=
pkgs="xenstored-stable xenstored-stable-stubdom libxs-stable1 libxs-stable-dev"
for p in $pkgs; do
	f=$(ls "$out/${p}_${ver}_"*.deb) || fail "no $p package"
	debs="$debs $f"
done
echo "ok: built$(for f in $debs; do printf ' %s' "${f##*/}"; done)"

# The stub domain's package: both images with the checksums beside
# them, and a Built-Using entry for each Debian package its manifest
# names (the kernel's linux, the initramfs's busybox and glibc...).
f=$(ls "$out/xenstored-stable-stubdom_${ver}_"*.deb)
rm -rf "$out/stubdom"
dpkg-deb -x "$f" "$out/stubdom"
d=$(find "$out/stubdom/usr/lib" -type d -name stubdom)
[ -n "$d" ] || fail "xenstored-stable-stubdom: no stubdom directory"
for i in kernel initramfs manifest sha256; do
	[ -s "$d/xenstore-stubdom.$i" ] || fail "xenstored-stable-stubdom: no xenstore-stubdom.$i"
done
(cd "$d" && sha256sum --quiet -c xenstore-stubdom.sha256) ||
    fail "xenstored-stable-stubdom: the images do not match their checksums"
grep -q "@stubdomdir@\|/usr/local" "$out/stubdom/usr/sbin/xenstore-stubdom" &&
    fail "xenstore-stubdom names $(grep -o '@stubdomdir@\|/usr/local[^ ]*' "$out/stubdom/usr/sbin/xenstore-stubdom" | head -1)"
grep -q "^stubdomdir=${d#"$out/stubdom"}\$" "$out/stubdom/usr/sbin/xenstore-stubdom" ||
    fail "xenstore-stubdom does not look in ${d#"$out/stubdom"}"
bu=$(dpkg-deb -f "$f" Built-Using)
for p in busybox glibc linux; do
	echo "$bu" | grep -q "\(^\|, \)$p (= " ||
	    fail "xenstored-stable-stubdom: Built-Using lacks $p: $bu"
done
echo "ok: xenstored-stable-stubdom: $(stat -c %s "$d/xenstore-stubdom.kernel") + $(stat -c %s "$d/xenstore-stubdom.initramfs") bytes of images, Built-Using $(echo "$bu" | tr ',' '\n' | wc -l) sources"

lintian --pedantic "$out"/*.changes >"$out/lintian.log" 2>&1 || true
if grep -E '^[EW]: ' "$out/lintian.log"; then
	fail "lintian errors or warnings (overrides go in debian/)"
fi
echo "ok: lintian: $(grep -c -E '^[IP]: ' "$out/lintian.log") info/pedantic tags, no error or warning"

for p in xen-utils-4.17 xen-utils-common; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || fail "$p is not installed"
done
for p in $pkgs; do
	! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'ok installed$' || fail "$p is installed already"
done
sum0=$(md5sum /etc/default/xen /etc/init.d/xen /usr/sbin/xenstored)
# shellcheck disable=SC2086
dpkg -i $debs >"$out/install.log" 2>&1 ||
    { cat "$out/install.log"; fail "dpkg -i"; }
[ "$(md5sum /etc/default/xen /etc/init.d/xen /usr/sbin/xenstored)" = "$sum0" ] ||
    fail "installing changed Debian's xen files"
[ "$(dpkg -S /usr/sbin/xenstored)" = "xen-utils-common: /usr/sbin/xenstored" ] ||
    fail "/usr/sbin/xenstored: $(dpkg -S /usr/sbin/xenstored)"
/usr/lib/xenstore-stable/xenstored --help >/dev/null ||
    fail "the installed daemon does not run"
xenstored-stable --help >/dev/null || fail "xenstored-stable --help"
xenstore-stubdom --help >/dev/null || fail "xenstore-stubdom --help"
for m in xenstored xenstored-stable xenstore-domain-state xenstore-stubdom; do
	man -w "$m" >/dev/null 2>&1 || [ -e "/usr/share/man/man8/$m.8.gz" ] ||
	    fail "no man page $m(8)"
done
pkg-config --exists libxs-stable || fail "libxs-stable.pc"
echo "ok: installed beside xen-utils-4.17, Debian's files unchanged"

# The upgrade path: postinst configure with the old version.
# shellcheck disable=SC2086
dpkg -i $debs >"$out/upgrade.log" 2>&1 ||
    { cat "$out/upgrade.log"; fail "dpkg -i (upgrade)"; }
! grep -q 'not updated' "$out/upgrade.log" ||
    fail "upgrade with no daemon of ours serving: $(cat "$out/upgrade.log")"
echo "ok: upgrade with no daemon of ours serving: nothing to update"

# shellcheck disable=SC2086
dpkg --purge $pkgs \
    >"$out/purge.log" 2>&1 || { cat "$out/purge.log"; fail "purge"; }
for f in /usr/lib/xenstore-stable /usr/sbin/xenstored-stable \
    /usr/sbin/xenstore-domain-state /etc/default/xenstored-stable \
    /usr/sbin/xenstore-stubdom "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/xenstore-stable"; do
	[ ! -e "$f" ] || fail "$f left after purge"
done
[ "$(md5sum /etc/default/xen /etc/init.d/xen /usr/sbin/xenstored)" = "$sum0" ] ||
    fail "purging changed Debian's xen files"
echo "ok: purged, nothing left"
echo "PASS: Debian packages"
