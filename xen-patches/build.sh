#!/bin/sh
# Build Debian's Xen 4.17 hypervisor with the xen-patches/4.17 series
# (XEN_DOMCTL_get_domain_state, Xen 4.21's stable domctl), in two
# configurations:
#
#   OUTDIR/xen.gz               Debian's kconfig for the amd64 hypervisor
#                               (debian/xen-kconfig + olddefconfig, as
#                               debian/rules does): the one to boot, e.g.
#                               XEN_QEMU_XEN=OUTDIR/xen.gz for
#                               tests/xen-qemu/run.sh.
#   OUTDIR/xen-flask-debug.gz   the same plus CONFIG_DEBUG, CONFIG_XSM and
#                               CONFIG_XSM_FLASK (with the built-in example
#                               policy): only to show that the FLASK side
#                               of the series compiles.
#
# usage: build.sh [--only release|flask-debug] [--force] [OUTDIR]
#   OUTDIR defaults to $XEN_HV_OUT, else
#   ${XDG_CACHE_HOME:-~/.cache}/xenstore-stable/hv-4.17.
#   The Debian source package (.dsc and tarballs) comes from
#   scripts/xen-source.sh: $XEN_SRCPKG_DIR if set, else /tmp/xsa-xensrc
#   if it holds this version, else downloaded with `apt-get source` into
#   ${XDG_CACHE_HOME:-~/.cache}/xenstore-stable/xen-srcpkg-<version>.
#   JOBS (default: the number of CPUs) is passed to make -j.
#   A configuration whose binary in OUTDIR was built from the same
#   inputs (the build part of this script, the series and its patches,
#   the Debian version, the options: OUTDIR/<binary>.key) is not built
#   again unless --force.
#
# Missing build dependencies are installed with apt-get (needs root).
# Build logs and the patched trees stay in OUTDIR/work/.
set -eu

version=4.17.5+72-g01140da4e8
debversion=$version-1
here=$(cd "$(dirname "$0")" && pwd)
series_dir=$here/4.17
cachedir=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/xenstore-stable
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
only= force=no
while [ $# -gt 0 ]; do
	case $1 in
	--only) only=${2:?--only release|flask-debug}; shift ;;
	--force) force=yes ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	-*) echo "build.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
case $only in ''|release|flask-debug) ;; *) echo "build.sh: --only release|flask-debug" >&2; exit 2 ;; esac
out=${1:-${XEN_HV_OUT:-$cachedir/hv-4.17}}

die()
{
	echo "build.sh: $*" >&2
	exit 1
}

# --- build dependencies of the hypervisor alone (debian/control lists
# those of the whole package: flex, bison, python3 ...; the hypervisor
# needs a C toolchain, flex and bison for kconfig, python3 for its
# generated headers, checkpolicy for FLASK's built-in policy, and
# dpkg-source to unpack the source package).
need=
for p in gcc make binutils flex bison python3 checkpolicy dpkg-dev xz-utils patch; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
	    need="$need $p"
done
if [ -n "$need" ]; then
	[ "$(id -u)" -eq 0 ] || die "missing packages:$need (run as root to install them)"
	echo "build.sh: installing$need"
	apt-get install -y --no-install-recommends $need >/dev/null ||
	    { apt-get update >/dev/null && apt-get install -y --no-install-recommends $need >/dev/null; } ||
	    die "apt-get install$need failed"
fi

# --- the Debian source package, from the one script that knows where
# it is.
srcpkg=$(sh "$here/../scripts/xen-source.sh") ||
    die "could not obtain Debian's xen $debversion source package"
dsc=$srcpkg/xen_$debversion.dsc
[ -f "$dsc" ] || die "no $dsc"
echo "build.sh: Debian source package $dsc"

# --- one configuration: unpack, patch, configure, build.
mkdir -p "$out/work"
out=$(cd "$out" && pwd)
# The patches' own dates would do; the changelog's keeps the build
# reproducible the way debian/rules does.
# inputs_key OPTION...: what a build depends on, hashed.
inputs_key()
{
	{
		echo "$debversion $*"
		# From "one configuration" on: where the source package was
		# found does not change what is built.
		sed -n '/^# --- one configuration/,$p' "$here/build.sh"
		cat "$series_dir/series"
		grep -v '^[[:space:]]*\(#\|$\)' "$series_dir/series" |
		while read -r p; do cat "$series_dir/$p"; done
	} | sha256sum | cut -d' ' -f1
}
build_one()
{
	name=$1 result=$2
	shift 2
	key=$(inputs_key "$@")
	if [ $force = no ] && [ -f "$out/$result" ] &&
	    [ "$(cat "$out/$result.key" 2>/dev/null)" = "$key" ]; then
		echo "build.sh: [$name] $out/$result is up to date"
		echo "$name $result up-to-date" >>"$out/work/times"
		return 0
	fi
	w=$out/work/$name
	rm -rf "$w"
	mkdir -p "$w"
	# dpkg-source applies Debian's own patch queue (debian/patches).
	dpkg-source -x "$dsc" "$w/src" >"$w/unpack.log" 2>&1 ||
	    die "dpkg-source -x $dsc failed, see $w/unpack.log"
	cd "$w/src" || die "no $w/src"
	make_args="XEN_TARGET_ARCH=x86_64 XEN_COMPILE_ARCH=x86_64 PYTHON=/usr/bin/python3"
	# (in the environment: make's command line would split it)
	EXTRA_CFLAGS_XEN_CORE="-ffile-prefix-map=$w/src=. -fdebug-prefix-map=$w/src=."
	export EXTRA_CFLAGS_XEN_CORE
	grep -v '^[[:space:]]*\(#\|$\)' "$series_dir/series" >"$w/series"
	while read -r p; do
		[ -f "$series_dir/$p" ] || die "series names $p, which is not in $series_dir"
		if ! patch -p1 --fuzz=0 --dry-run -s -f <"$series_dir/$p" >"$w/patch.log" 2>&1; then
			cat "$w/patch.log" >&2
			die "$p does not apply to Debian's xen $debversion" \
			    "(debian/patches applied); rebase the series onto that version"
		fi
		patch -p1 --fuzz=0 -s -f <"$series_dir/$p" || die "applying $p failed after a clean dry run"
	done <"$w/series"

	cp debian/xen-kconfig xen/.config
	for opt; do
		echo "$opt" >>xen/.config
	done
	SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -STimestamp)
	# debian/rules: no dpkg build flags for the hypervisor, no downloads,
	# the build date from the changelog, the file-prefix map.
	env -u CFLAGS -u CXXFLAGS -u CPPFLAGS -u LDFLAGS \
	    WGET=/bin/false GIT=/bin/false \
	    XEN_BUILD_DATE="$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH")" \
	    XEN_BUILD_TIME="$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" +%T)" \
	    make -C xen olddefconfig $make_args >"$w/config.log" 2>&1 ||
	    die "make olddefconfig failed, see $w/config.log"
	for opt; do
		grep -qx "$opt" xen/.config || die "$name: $opt did not stick in xen/.config"
	done

	echo "build.sh: [$name] building the hypervisor (make -j$jobs), log in $w/build.log"
	start=$(date +%s)
	if ! env -u CFLAGS -u CXXFLAGS -u CPPFLAGS -u LDFLAGS \
	    WGET=/bin/false GIT=/bin/false \
	    XEN_BUILD_DATE="$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH")" \
	    XEN_BUILD_TIME="$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" +%T)" \
	    make -C xen -j"$jobs" $make_args >"$w/build.log" 2>&1; then
		grep -E 'error|warning:' "$w/build.log" | head -20 >&2
		die "[$name] build failed, see $w/build.log"
	fi
	secs=$(($(date +%s) - start))
	[ -f xen/xen.gz ] || die "[$name] no xen/xen.gz after the build"
	# Xen builds with -Werror; say so if a warning slipped through anyway.
	warnings=$(grep -c 'warning:' "$w/build.log" || true)
	cp xen/xen.gz "$out/$result"
	cp xen/.config "$out/$result.config"
	cp xen/xen-syms "$out/$result.syms"
	echo "$key" >"$out/$result.key"
	echo "build.sh: [$name] ${secs}s, $warnings compiler warnings, $out/$result"
	echo "$name $result ${secs}s warnings=$warnings" >>"$out/work/times"
	cd "$out"
}

: >"$out/work/times"
# (Not "[ ... ] || build_one": set -e does not apply to the left of ||.)
if [ "$only" != flask-debug ]; then
	build_one release xen.gz
fi
if [ "$only" != release ]; then
	build_one flask-debug xen-flask-debug.gz \
	    CONFIG_EXPERT=y CONFIG_DEBUG=y CONFIG_XSM=y CONFIG_XSM_FLASK=y \
	    CONFIG_XSM_FLASK_POLICY=y
fi

{
	echo "Debian xen $debversion + xen-patches/4.17:"
	grep -v '^[[:space:]]*\(#\|$\)' "$series_dir/series" | sed 's/^/  /'
	cat "$out/work/times"
} >"$out/BUILD-INFO"
(cd "$out" && sha256sum xen*.gz >SHA256SUMS)
echo "build.sh: done; boot it with XEN_QEMU_XEN=$out/xen.gz (tests/xen-qemu/run.sh)"
