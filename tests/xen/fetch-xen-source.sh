#!/bin/sh
# Extract from Debian's Xen 4.17 source package only the files the tests
# use: Xen's own xenstore test, plus the protocol documents for reference.
# The package itself is obtained by scripts/xen-source.sh (see there for
# $XEN_SRCPKG_DIR and the download cache).  Run once (as root if no deb-src
# entry is configured yet and the package must be downloaded);
# tests/xen/test-xenstore.sh finds the result.
#
# usage: fetch-xen-source.sh [--print-dir] [DESTDIR]
#   DESTDIR defaults to $XEN_SOURCE_CACHE, else
#   ${XDG_CACHE_HOME:-~/.cache}/xenstore-stable/xen-<version>.
#   --print-dir prints DESTDIR (for XEN_SOURCE_DIR) and fetches nothing.

set -eu

xen_source=$(dirname "$0")/../../scripts/xen-source.sh
debversion=$(sh "$xen_source" --version)
version=${debversion%-*}
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

# The source package comes from the one script that knows where to find it.
srcpkg=$(sh "$xen_source") ||
    die "could not obtain Debian's xen $debversion source package"
set -- "$srcpkg"/xen_"$version".orig.tar.*
[ -f "$1" ] || die "no upstream tarball in $srcpkg: $(ls "$srcpkg")"

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
