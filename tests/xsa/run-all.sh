#!/bin/sh
# The XSA regression suite against our daemon, Debian's C xenstored and
# oxenstored on the simulated Xen, with a table of the results
# (docs/testing.md, "XSA regression suite").
#
# usage: run-all.sh [-d ours|cxenstored|oxenstored]... [-x XENSTORED] [-v] [TEST...]
#   run from a build directory (or with abs_top_builddir set); TEST is a
#   name such as xsa-233 (default: every tests/xsa/xsa-*.sh);
#   -x another build of ours; -v prints each failing test's output.
# Exit status 1 if a test fails against ours; the reference daemons'
# failures are results to document, not errors of this script.
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
. "$TOP/tests/sim/env.sh"
daemons=
verbose=no
while getopts d:vx: o; do
	case $o in
	d) daemons="$daemons $OPTARG" ;;
	v) verbose=yes ;;
	x) XENSTORED=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG")
	   export XENSTORED ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$daemons" ] || daemons="ours cxenstored oxenstored"
if [ $# -eq 0 ]; then
	set -- "$here"/xsa-*.sh
else
	for t; do shift; set -- "$@" "$here/${t%.sh}.sh"; done
fi
out=$(mktemp -d /tmp/xsa-all.XXXXXX)
trap 'rm -rf "$out"' EXIT
status=0
printf '%-20s' test
for d in $daemons; do printf ' %-11s' "$d"; done
echo
for t; do
	name=$(basename "$t" .sh)
	printf '%-20s' "$name"
	for d in $daemons; do
		start=$(date +%s)
		XSA_DAEMON=$d sh "$t" >"$out/$name.$d" 2>&1
		rc=$?
		secs=$(($(date +%s) - start))
		if [ $rc -eq 0 ]; then r=pass; else r=FAIL; fi
		printf ' %-11s' "$r (${secs}s)"
		[ $rc -eq 0 ] || [ "$d" != ours ] || status=1
		[ $rc -eq 0 ] || echo "$name $d" >>"$out/failed"
	done
	echo
done
if [ -s "$out/failed" ]; then
	echo
	while read -r name d; do
		echo "== $name [$d]: $(grep -m 1 '^FAIL' "$out/$name.$d")"
		[ $verbose = no ] || cut -c1-300 "$out/$name.$d" | sed 's/^/    /'
	done <"$out/failed"
fi
exit $status
