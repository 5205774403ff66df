#!/bin/sh
# Obtain Debian's Xen 4.17 source package (the .dsc, the upstream tarball
# and the Debian tarball) and print the directory that holds it.  The one
# place that knows where the source comes from: tests/xen/fetch-xen-source.sh,
# xen-patches/build.sh and ocaml-bindings/build.sh all call it.
#
# usage: xen-source.sh [--print-dir | --version]
#   (no option)  make sure the package is present, then print its directory
#                on stdout (progress goes to stderr).
#   --print-dir  print the directory it would use, fetch nothing.
#   --version    print the pinned Debian version (xen=<this>).
#
# The directory is, in order: $XEN_SRCPKG_DIR (which must then hold the
# package: no quiet fallback), /tmp/xsa-xensrc if it holds this version,
# else ${XDG_CACHE_HOME:-~/.cache}/xenstore-stable/xen-srcpkg-<version>,
# filled with `apt-get source --download-only` (adding a deb-src entry
# copied from /etc/apt/sources.list.d/debian.sources first if apt has none;
# that, and apt-get update, need root).
#
# The version is pinned to bookworm proper: the security suite's newer Xen
# has no source to download.

set -eu

version=4.17.5+72-g01140da4e8
debversion=$version-1
dsc_name=xen_$debversion.dsc
cachedir=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/xenstore-stable
srcpkg=$cachedir/xen-srcpkg-$version

die()
{
	echo "xen-source: $*" >&2
	exit 1
}

# Where the package is or would go; "yes" in $found if it is there.
found=no
if [ -n "${XEN_SRCPKG_DIR:-}" ]; then
	dir=$XEN_SRCPKG_DIR
	[ -f "$dir/$dsc_name" ] && found=yes
elif [ -f "/tmp/xsa-xensrc/$dsc_name" ]; then
	dir=/tmp/xsa-xensrc found=yes
else
	dir=$srcpkg
	[ -f "$dir/$dsc_name" ] && found=yes
fi

case ${1:-} in
'') ;;
--print-dir) echo "$dir"; exit 0 ;;
--version) echo "$debversion"; exit 0 ;;
-h|--help) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
*) echo "xen-source: unknown option $1" >&2; exit 2 ;;
esac

if [ $found = yes ]; then
	echo "$dir"
	exit 0
fi
[ -z "${XEN_SRCPKG_DIR:-}" ] || die "no $dsc_name in XEN_SRCPKG_DIR=$XEN_SRCPKG_DIR"

has_deb_src()
{
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		grep -Eq '^Types:.*[[:space:]]deb-src([[:space:]]|$)' "$f" &&
		    return 0
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		grep -Eq '^[[:space:]]*deb-src[[:space:]]' "$f" && return 0
	done
	return 1
}

update=no
if ! has_deb_src; then
	src=/etc/apt/sources.list.d/debian.sources
	new=/etc/apt/sources.list.d/debian-src.sources
	[ -r "$src" ] || die "no $src to copy a deb-src entry from"
	[ "$(id -u)" -eq 0 ] || die "no deb-src entry in apt's sources;" \
	    "run as root to add $new"
	sed 's/^Types:.*/Types: deb-src/' "$src" >"$new"
	echo "xen-source: added $new" >&2
	update=yes
elif ! apt-cache showsrc xen 2>/dev/null | grep -qx "Version: $debversion"; then
	update=yes
fi
if [ $update = yes ]; then
	[ "$(id -u)" -eq 0 ] || die "apt-get update needs root"
	apt-get update >&2
fi

# Download beside the cache and rename, so an interrupted download never
# looks like a complete package.
mkdir -p "$cachedir"
work=$(mktemp -d "$cachedir/.xen-srcpkg.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"	# apt's _apt user downloads into it
(cd "$work" && apt-get source --download-only "xen=$debversion") >&2 ||
    die "apt-get source --download-only xen=$debversion failed"
[ -f "$work/$dsc_name" ] || die "apt-get source left no $dsc_name"
rm -rf "$dir"
mv "$work" "$dir"
trap - EXIT
echo "xen-source: downloaded into $dir" >&2
echo "$dir"
