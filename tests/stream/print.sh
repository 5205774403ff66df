#!/bin/sh
# stream-print on the fuzz seeds of fuzz_stream (tests/fuzz/corpus/stream,
# written by mkseeds_stream.c): its output must equal print.expected;
# then streams it must refuse, with exit status 1 and the offset.
set -u
src=${abs_top_srcdir:?}/tests
print=${abs_top_builddir:?}/tests/stream/stream-print
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
status=0

for v in v1 v2; do
	echo "== $v"
	"$print" "$src/fuzz/corpus/stream/$v" || echo "exit $?"
done >"$T/out" 2>&1
if ! diff -u "$src/stream/print.expected" "$T/out"; then
	echo "FAIL: stream-print's output differs from print.expected"
	status=1
fi

# refused NAME WANT-ERROR: the v1 seed as the shell changes it (stdin).
refused() {
	"$print" - <"$T/in" >"$T/rout" 2>"$T/rerr"
	rc=$?
	if [ $rc -ne 1 ] || ! grep -q "$2" "$T/rerr"; then
		echo "FAIL: $1: exit $rc, $(cat "$T/rerr")"
		status=1
	else
		echo "ok: $1: $(cat "$T/rerr")"
	fi
}
v1=$src/fuzz/corpus/stream/v1
head -c 100 "$v1" >"$T/in"
refused "cut short" "offset .*record longer than the rest"
{ printf 'xenstorf'; tail -c +9 "$v1"; } >"$T/in"
refused "bad ident" 'no "xenstore" ident'
{ head -c 11 "$v1"; printf '\003'; tail -c +13 "$v1"; } >"$T/in"
refused "version 3" "a version other than 1 and 2"
n=$(wc -c <"$v1")
head -c $((n - 8)) "$v1" >"$T/in"
refused "no END" "ends without an END"
[ $status = 0 ] && echo "PASS: stream-print"
exit $status
