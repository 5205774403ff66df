#!/bin/sh
# Build oxenstored from Debian's Xen 4.17 source package against the
# installed libxen-dev, with Xen's own OCaml makefiles (tools/ocaml), in
# two trees:
#
#   OUTDIR/oxenstored-control   Debian's source as it is (debian/patches
#                               applied): what Debian's xen-utils-4.17
#                               ships, built here, the control.
#   OUTDIR/oxenstored-patched   the same with patches/4.17/grant-mapping
#                               applied: rings mapped by grant
#                               (docs/oxenstored.md).
#   OUTDIR/oxenstored-stable    grant-mapping, then
#                               patches/4.17/no-libxenctrl: domain states
#                               from the toolstack, no libxenctrl linked.
#   OUTDIR/oxenstored.conf      its configuration file, as Xen generates it.
#   OUTDIR/ocaml/               the binding (xengnttab, dropped into the
#                               tree as tools/ocaml/libs/xg) and Xen's
#                               xenmmap, compiled by the control tree, for
#                               programs that link the binding
#                               (tests/ocaml/).
#
# usage: build.sh [--force] [OUTDIR]
#   OUTDIR defaults to $OXENSTORED_OUT, else
#   ${XDG_CACHE_HOME:-~/.cache}/xenstore-stable/oxenstored-4.17.
#   The source package comes from scripts/xen-source.sh.  A result built
#   from the same inputs (this script, ocaml-bindings/xengnttab, the
#   patches, the Debian version: OUTDIR/BUILD-KEY) is not built again
#   unless --force.
#
# Instead of Xen's configure (which wants the build dependencies of all of
# Xen's tools) this script writes the few configure outputs tools/ocaml
# reads: config/Tools.mk, tools/config.h, and the paths Debian configures
# (--prefix=/usr --sysconfdir=/etc --localstatedir=/var, debian/rules).
# The C stubs then compile against the headers in the source's
# tools/include (and the installed /usr/include/xen) and link the
# installed libraries (-lxenctrl ... from libxen-dev).  Like Debian's
# build, no systemd support (Debian's oxenstored does not link
# libsystemd).  Needs ocaml-nox and ocaml-findlib (scripts/setup-debian.sh).
# Build logs and trees stay in OUTDIR/work/.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cachedir=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/xenstore-stable
force=no
while [ $# -gt 0 ]; do
	case $1 in
	--force) force=yes ;;
	-h|--help) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	-*) echo "build.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
out=${1:-${OXENSTORED_OUT:-$cachedir/oxenstored-4.17}}

die()
{
	echo "ocaml-bindings/build.sh: $*" >&2
	exit 1
}

for t in ocamlfind ocamlopt dpkg-source make gcc perl; do
	command -v $t >/dev/null ||
	    die "$t missing (run scripts/setup-debian.sh: ocaml-nox, ocaml-findlib)"
done

debversion=$(sh "$top/scripts/xen-source.sh" --version)
srcpkg=$(sh "$top/scripts/xen-source.sh") ||
    die "could not obtain Debian's xen $debversion source package"
dsc=$srcpkg/xen_$debversion.dsc

mkdir -p "$out/work"
out=$(cd "$out" && pwd)
key=$({
	echo "$debversion $(ocamlopt -version) $(gcc -dumpversion)"
	cat "$here/build.sh"
	find "$here/xengnttab" "$here/patches" -type f | LC_ALL=C sort | xargs cat
} | sha256sum | cut -d' ' -f1)
if [ $force = no ] && [ -x "$out/oxenstored-control" ] &&
    [ -x "$out/oxenstored-patched" ] && [ -x "$out/oxenstored-stable" ] &&
    [ "$(cat "$out/BUILD-KEY" 2>/dev/null)" = "$key" ]; then
	echo "ocaml-bindings/build.sh: $out/oxenstored-{control,patched,stable} are up to date"
	exit 0
fi
rm -f "$out/BUILD-KEY"

# configure_tree SRC: the configure outputs tools/ocaml reads.
configure_tree()
{
	cat >"$1/config/Tools.mk" <<'EOF'
# Written by ocaml-bindings/build.sh in place of Xen's configure: only
# what tools/ocaml reads.
CONFIG_WERROR := y
OCAML_TOOLS := y
CONFIG_SYSTEMD := n
PERL := perl
EOF
	cat >"$1/tools/config.h" <<'EOF'
/* Written by ocaml-bindings/build.sh in place of Xen's configure. */
#undef HAVE_SYSTEMD
EOF
	# m4/paths.m4 with Debian's --prefix/--sysconfdir/--localstatedir
	# on Linux.
	for f in tools/ocaml/xenstored/paths.ml tools/ocaml/xenstored/oxenstored.conf; do
		sed -e 's|@XEN_LOG_DIR@|/var/log/xen|g' \
		    -e 's|@XEN_CONFIG_DIR@|/etc/xen|g' \
		    -e 's|@XEN_RUN_DIR@|/var/run/xen|g' \
		    -e 's|@XEN_RUN_STORED@|/var/run/xenstored|g' \
		    -e 's|@XEN_LIB_DIR@|/var/lib/xen|g' \
		    -e 's|@XENSTORED_KVA@|/proc/xen/xsd_kva|g' \
		    -e 's|@XENSTORED_PORT@|/proc/xen/xsd_port|g' \
		    "$1/$f.in" >"$1/$f"
		! grep -n '@[A-Z_]*@' "$1/$f" ||
		    die "$f: a configure variable is left unsubstituted"
	done
}

# apply_series SRC DIR: DIR's series, in order, each dry-run first.
apply_series()
{
	grep -v '^[[:space:]]*\(#\|$\)' "$2/series" |
	while read -r p; do
		[ -f "$2/$p" ] || die "series names $p, which is not in $2"
		(cd "$1" && patch -p1 --fuzz=0 --dry-run -s -f <"$2/$p") >&2 ||
		    die "$p does not apply to Debian's xen $debversion"
		(cd "$1" && patch -p1 --fuzz=0 -s -f <"$2/$p") ||
		    die "applying $p failed after a clean dry run"
	done
}

# build_tree NAME [SERIES-DIR...]: unpack, add the binding, apply each
# series in turn, build; the tree in $w/src.  $libs: the libraries to
# build (a tree without libs/xc proves oxenstored does not need it).
libs_all="libs/mmap libs/eventchn libs/xc libs/xb libs/xg"
libs=
build_tree()
{
	name=$1
	w=$out/work/$1
	shift
	rm -rf "$w"
	mkdir -p "$w"
	dpkg-source -x "$dsc" "$w/src" >"$w/unpack.log" 2>&1 ||
	    die "dpkg-source -x $dsc failed, see $w/unpack.log"
	configure_tree "$w/src"
	cp -R "$here/xengnttab" "$w/src/tools/ocaml/libs/xg"
	for series; do
		apply_series "$w/src" "$series"
	done
	start=$(date +%s)
	# The order of tools/ocaml/libs/Makefile, only the libraries
	# oxenstored links, and the binding.
	for d in ${libs:-$libs_all} xenstored; do
		echo "== $d" >>"$w/build.log"
		# Our stubs also build clean with -Wextra, Xen's own do not.
		extra=
		[ "$d" != libs/xg ] || extra="META APPEND_CFLAGS=-Wextra"
		# shellcheck disable=SC2086 # two words, or none
		make -C "$w/src/tools/ocaml/$d" all $extra >>"$w/build.log" 2>&1 || {
			grep -E 'rror|warning' "$w/build.log" | tail -20 >&2
			die "[$name] make in tools/ocaml/$d failed, see $w/build.log"
		}
	done
	secs=$(($(date +%s) - start))
	[ -x "$w/src/tools/ocaml/xenstored/oxenstored" ] ||
	    die "[$name] no oxenstored after the build"
	echo "ocaml-bindings/build.sh: [$name] ${secs}s, log in $w/build.log"
	echo "$name ${secs}s" >>"$out/work/times"
}

: >"$out/work/times"
build_tree control
x=$out/work/control/src/tools/ocaml
cp "$x/xenstored/oxenstored" "$out/oxenstored-control"
cp "$x/xenstored/oxenstored.conf" "$out/oxenstored.conf"
rm -rf "$out/ocaml"
mkdir -p "$out/ocaml/xenmmap" "$out/ocaml/xengnttab"
cp "$x"/libs/mmap/*.cmi "$x"/libs/mmap/*.cmxa "$x"/libs/mmap/*.a \
    "$x"/libs/mmap/*.cmx "$x"/libs/mmap/mmap_stubs.h "$out/ocaml/xenmmap/"
cp "$x"/libs/xg/*.cmi "$x"/libs/xg/*.cmxa "$x"/libs/xg/*.a \
    "$x"/libs/xg/*.cmx "$x"/libs/xg/META "$out/ocaml/xengnttab/"

build_tree patched "$here/patches/4.17/grant-mapping"
x=$out/work/patched/src/tools/ocaml
nm "$x/xenstored/oxenstored" | grep -q stub_xengnttab_map_grant_ref ||
    die "the patched oxenstored does not use the binding"
cp "$x/xenstored/oxenstored" "$out/oxenstored-patched"

# Without libs/xc in the tree, any use of Xenctrl left fails to compile.
libs="libs/mmap libs/eventchn libs/xb libs/xg"
build_tree stable \
    "$here/patches/4.17/grant-mapping" "$here/patches/4.17/no-libxenctrl"
x=$out/work/stable/src/tools/ocaml
! ldd "$x/xenstored/oxenstored" | grep -q libxenctrl ||
    die "the stable oxenstored still links libxenctrl"
cp "$x/xenstored/oxenstored" "$out/oxenstored-stable"
{
	echo "Debian xen $debversion, tools/ocaml built against the installed libxen-dev"
	echo "oxenstored-patched: patches/4.17/grant-mapping:"
	grep -v '^[[:space:]]*\(#\|$\)' "$here/patches/4.17/grant-mapping/series" |
	    sed 's/^/  /'
	echo "oxenstored-stable: the same, then patches/4.17/no-libxenctrl:"
	grep -v '^[[:space:]]*\(#\|$\)' "$here/patches/4.17/no-libxenctrl/series" |
	    sed 's/^/  /'
	cat "$out/work/times"
} >"$out/BUILD-INFO"
echo "$key" >"$out/BUILD-KEY"
echo "ocaml-bindings/build.sh: done, $out/oxenstored-{control,patched,stable}"
