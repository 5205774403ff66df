#!/bin/sh
# Xen's own xenstore test, tools/tests/xenstore/test-xenstore.c of Xen 4.17,
# built against the installed libxenstore and run against our daemon: each
# of its 12 tests 200 times (-i 200), then 5 seconds of tests in random
# order (-r 5).
#
# The test's source is not ours to ship.  It is taken from, in order:
# $XEN_SOURCE_DIR (a Xen source tree, fetched or unpacked by you),
# $abs_top_builddir/tests/xen/xen-src, or the cache that
# tests/xen/fetch-xen-source.sh fills.  Without it this test fails rather
# than skips: a CI run that silently dropped Xen's test would look green.
# Only XEN_TEST_XENSTORE=skip, set by a build that cannot fetch (the
# Debian package's, debian/rules), makes it skip, and says so.
. "$(dirname "$0")/../blackbox/lib.sh"

version=4.17.5+72-g01140da4e8
rel=tools/tests/xenstore/test-xenstore.c
here=$(cd "$(dirname "$0")" && pwd)
# The default of fetch-xen-source.sh.
cachedir=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/xenstore-stable
cache=${XEN_SOURCE_CACHE:-$cachedir/xen-$version}

if [ "${XEN_TEST_XENSTORE:-}" = skip ]; then
	echo "SKIP: XEN_TEST_XENSTORE=skip: Xen's $rel not looked for"
	exit 77
fi
src=
if [ -n "${XEN_SOURCE_DIR:-}" ]; then
	# Asked for explicitly: no quiet fallback to another copy.
	[ -f "$XEN_SOURCE_DIR/$rel" ] ||
	    fail "XEN_SOURCE_DIR=$XEN_SOURCE_DIR has no $rel"
	src=$XEN_SOURCE_DIR/$rel
else
	for d in ${abs_top_builddir:+"$abs_top_builddir/tests/xen/xen-src"} \
	    "$cache"; do
		if [ -f "$d/$rel" ]; then
			src=$d/$rel
			break
		fi
	done
fi
[ -n "$src" ] || fail "Xen's $rel not found (looked in" \
    "\$XEN_SOURCE_DIR, ${abs_top_builddir:-.}/tests/xen/xen-src and" \
    "$cache); run $here/fetch-xen-source.sh first"
note "using $src"

# Build it: our xen-tools/libs.h, the installed xenstore.h and library.
# Warnings are Xen's business, so no -Werror here.
xs_tmpdir
bin=$XS_TMP/test-xenstore
cflags=${XENSTORE_CFLAGS-$(pkg-config --cflags xenstore 2>/dev/null)}
libs=${XENSTORE_LIBS-$(pkg-config --libs xenstore 2>/dev/null ||
    echo -lxenstore)}
# shellcheck disable=SC2086 # flag lists are lists of words.
${CC:-cc} -O2 -I"$here/include" $cflags -o "$bin" "$src" $libs \
    >"$XS_TMP/cc.log" 2>&1 ||
    fail "could not build $src: $(cat "$XS_TMP/cc.log")"

ok "$bin" -l
ntests=$(printf '%s\n' "$out" | grep -c ':')
assert_eq "number of tests in test-xenstore -l" 12 "$ntests"
names=$(printf '%s\n' "$out" | sed 's/ *:.*//')

xs_start

# One result line per test; any "failed" line ends the run with status 3.
ok "$bin" -i 200
printf '%s\n' "$out"
printf '%s\n' "$names" | while IFS= read -r t; do
	printf '%s\n' "$out" | grep -q "^$t *: avg: " || {
		echo "FAIL: $test_name: no result for \"$t\"" >&2
		exit 1
	}
done || exit 1
case $out in
*failed*)	fail "test-xenstore -i 200 reported a failure" ;;
esac

ok "$bin" -r 5
printf '%s\n' "$out"
case $out in
*failed*)	fail "test-xenstore -r 5 reported a failure" ;;
esac

# The test cleans up after itself when everything passed.
ko xenstore-exists /local/domain/0/xenstore-test
xs_alive "test-xenstore"
xs_stop
pass
