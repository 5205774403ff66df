#!/bin/sh
# Build the xenstore stub domain's own Linux kernel (docs/stubdom.md):
# Debian's linux-source-6.1, `make tinyconfig` plus kernel.config beside
# this script.  Debian's linux-image-amd64 needs some 55 MiB of the
# domain's memory; this one a few.
#
# usage: build-kernel.sh OUTDIR
#   writes OUTDIR/vmlinux (the stripped ELF that init-xenstore-domain
#   loads), OUTDIR/config (the final .config) and OUTDIR/BUILD-INFO.
#   JOBS=n         parallel make jobs (default: the number of CPUs)
#   SOURCE_DATE_EPOCH  the kernel's build time stamp (default: the time
#                  stamp of the linux-source tarball, which the package
#                  fixes)
#
# Needs linux-source-6.1 bc bison flex libelf-dev libssl-dev xz-utils
# (scripts/setup-debian.sh --xen installs them).
#
# The result is cached in $XDG_CACHE_HOME/xenstore-stable/stubdom-kernel/KEY,
# KEY the sha256 of the linux-source-6.1 version, the fragment and this
# script, their comment lines left out: a build takes minutes, and the
# same inputs give the same bytes (fixed KBUILD_BUILD_* stamps; an
# in-tree build names no path of ours).
set -eu

out=${1:?usage: build-kernel.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
frag=$here/kernel.config
self=$here/$(basename "$0")
pkg=linux-source-6.1
tarball=/usr/src/$pkg.tar.xz

die() {
	echo "build-kernel.sh: $*" >&2
	exit 1
}

ver=$(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null) || ver=
if [ -z "$ver" ] || [ ! -f "$tarball" ]; then
	die "$pkg is not installed (apt-get install $pkg)"
fi
for t in gcc make bc bison flex xz sha256sum objcopy; do
	command -v $t >/dev/null || die "$t missing (see the head of this script)"
done

fragsum=$(sha256sum "$frag" | cut -d' ' -f1)
key=$({ echo "$pkg $ver"; grep -hv '^[[:space:]]*#' "$frag" "$self"; } |
    sha256sum | cut -d' ' -f1)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/xenstore-stable/stubdom-kernel/$key
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -f "$cache/vmlinux" ] && [ -f "$cache/config" ] &&
    [ -f "$cache/BUILD-INFO" ]; then
	echo "build-kernel.sh: reusing the cached build $cache"
else
	start=$(date +%s)
	T=$(mktemp -d /tmp/stubdom-kernel.XXXXXX)
	trap 'rm -rf "$T"' EXIT
	echo "build-kernel.sh: building $pkg $ver in $T"
	tar -xJf "$tarball" -C "$T"
	src=$T/$pkg
	cd "$src"
	# ARCH=x86_64, not the x86 default: tinyconfig would turn 64BIT off.
	export ARCH=x86_64
	# The stamps the kernel carries in its version string (uname -v)
	# and its built-in initramfs: fixed, for the same bytes every time.
	epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$tarball")}
	KBUILD_BUILD_TIMESTAMP=$(LC_ALL=C date -u -d "@$epoch")
	export KBUILD_BUILD_TIMESTAMP
	export KBUILD_BUILD_USER=xenstore-stable
	export KBUILD_BUILD_HOST=stubdom
	export KBUILD_BUILD_VERSION=1
	export LC_ALL=C TZ=UTC
	make -s tinyconfig >"$T/tinyconfig.log" 2>&1 ||
	    { cat "$T/tinyconfig.log" >&2; die "make tinyconfig failed"; }
	# -n: allnoconfig over tinyconfig's .config and the fragment, so
	# what only the fragment makes visible (VT under TTY, the other
	# RD_* under BLK_DEV_INITRD...) stays off rather than taking its
	# default.
	scripts/kconfig/merge_config.sh -n .config "$frag" >"$T/merge.log" 2>&1 ||
	    { cat "$T/merge.log" >&2; die "merge_config.sh failed"; }

	# Every line of the fragment must have held: Kconfig drops what a
	# missing dependency forbids, silently.
	missing=$(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p' \
	    -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1 unset/p' "$frag" |
	    while read -r want unset; do
		if [ -n "$unset" ]; then
			! grep -q "^$want=" .config || echo "  $want (wanted unset): $(grep "^$want=" .config)"
		else
			grep -qxF "$want" .config ||
			    echo "  $want: got $(grep "^${want%%=*}=" .config || echo unset)"
		fi
	    done)
	[ -z "$missing" ] || die "options of $frag not in the final .config:
$missing"

	make -s -j"${JOBS:-$(nproc)}" vmlinux
	# The loader needs only the loadable segments and the ELF notes
	# (Xen's among them); as arch/x86/boot/compressed strips it.
	mkdir -p "$cache.tmp.$$"
	objcopy -R .comment -S vmlinux "$cache.tmp.$$/vmlinux"
	cp .config "$cache.tmp.$$/config"
	{
		echo "$pkg $ver"
		echo "kernel $(make -s kernelrelease) ($KBUILD_BUILD_TIMESTAMP)"
		echo "kernel.config sha256 $fragsum"
		echo "build-kernel.sh sha256 $(sha256sum "$self" | cut -d' ' -f1)"
		echo "cache key $key"
		echo "gcc $(gcc -dumpfullversion), $(ld --version | head -1)"
	} >"$cache.tmp.$$/BUILD-INFO"
	cd /
	rm -rf "$cache"
	mv "$cache.tmp.$$" "$cache"
	echo "build-kernel.sh: built in $(($(date +%s) - start)) s, cached in $cache"
fi

cp "$cache/vmlinux" "$cache/config" "$cache/BUILD-INFO" "$out/"
echo "build-kernel.sh: $out/vmlinux ($(stat -c %s "$out/vmlinux") bytes)"
