#!/bin/sh
# Fetch the Debian source package of Xen 4.17 and keep only the files the
# tests use: Xen's own xenstore test, plus the protocol documents for
# reference.  Run once (as root if no deb-src entry is configured yet);
# tests/xen/test-xenstore.sh finds the result.
#
# usage: fetch-xen-source.sh [--print-dir] [DESTDIR]
#   DESTDIR defaults to $XEN_SOURCE_CACHE, else
#   ${XDG_CACHE_HOME:-~/.cache}/xenstore-stable/xen-<version>.
#   --print-dir prints DESTDIR (for XEN_SOURCE_DIR) and fetches nothing.
#
# The security suite carries a newer Xen whose source cannot be
# downloaded, so the version is pinned to the one in bookworm proper.

set -eu

version=4.17.5+72-g01140da4e8
debversion=$version-1
print_dir=no
if [ "${1:-}" = --print-dir ]; then
	print_dir=yes
	shift
fi
cachedir=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/xenstore-stable
dest=${1:-${XEN_SOURCE_CACHE:-$cachedir/xen-$version}}
if [ "$print_dir" = yes ]; then
	echo "$dest"
	exit 0
fi
files="tools/tests/xenstore/test-xenstore.c
docs/misc/xenstore.txt
docs/misc/xenstore-ring.txt
xen/include/public/io/xs_wire.h"

die()
{
	echo "fetch-xen-source: $*" >&2
	exit 1
}

if [ -f "$dest/tools/tests/xenstore/test-xenstore.c" ]; then
	echo "fetch-xen-source: already in $dest"
	exit 0
fi

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
	echo "fetch-xen-source: added $new"
	update=yes
fi
if [ "$update" = no ] &&
    ! apt-cache showsrc xen 2>/dev/null | grep -qx "Version: $debversion"; then
	update=yes
fi
if [ "$update" = yes ]; then
	[ "$(id -u)" -eq 0 ] || die "apt-get update needs root"
	apt-get update
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/xen-src.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source --download-only "xen=$debversion") ||
    die "apt-get source xen=$debversion failed"
set -- "$work"/xen_"$version".orig.tar.*
[ -f "$1" ] || die "no upstream tarball among: $(ls "$work")"

mkdir -p "$dest"
patterns=
for f in $files; do
	patterns="$patterns */$f"
done
set -f
# shellcheck disable=SC2086 # one pattern per word, no globbing by sh.
tar -xf "$1" -C "$dest" --strip-components=1 --wildcards $patterns ||
    die "could not extract the files from $1"
set +f
[ -f "$dest/tools/tests/xenstore/test-xenstore.c" ] ||
    die "test-xenstore.c missing from $1"
echo "fetch-xen-source: extracted into $dest:"
(cd "$dest" && find . -type f | sort)
