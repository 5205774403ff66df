#!/bin/sh
# XSA-481 (CVE-2026-23555): C xenstored 4.18+ lost its error code when a
# guest named the invalid path "/local/domain/" (sscanf() set errno to
# 0): an assert() ended the daemon, or, built with NDEBUG, the guest was
# never answered again while the daemon spun.  Attack: a guest sends
# every path operation, in and out of a transaction, on
# "/local/domain/" and its kin (trailing and doubled slashes, an empty
# domid, relative paths ending in "/").
# Xen's fix ("fix canonicalize() error testing").
# Must: each request is answered EINVAL (UNWATCH: or ENOENT, no such
# watch), the guest is served after each,
# and the daemon stays alive.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
{
	echo "txstart"
	for p in /local/domain/ /local/domain// /local/domain/2/ // \
	    /local//domain /local/domain/2//data data/ data//x; do
		for op in "read $p" "write $p v" "mkdir $p" "rm $p" "dir $p" \
		    "getperms $p" "setperms $p n2" "watch $p t" "unwatch $p t" \
		    "notx read $p" "notx write $p v" "notx rm $p"; do
			echo "$op"
			echo "read name"
		done
	done
	echo "txend commit"
	echo "read name"
} >"$T/attack.txt"
as_guest attack 2 <"$T/attack.txt"
n=$(grep -c '^read name -> "guest2"$' "$T/attack.out")
[ "$n" -eq 97 ] || fail "the guest was served after $n of 97 requests"
# UNWATCH of such a path may also say there is no such watch.
awk '!/^read name -> |^txstart -> |^txend commit -> / && !/ -> ERR EINVAL$/ &&
    !/^unwatch .* -> ERR ENOENT$/' \
    "$T/attack.out" >"$T/other.out"
[ ! -s "$T/other.out" ] || { cat "$T/other.out" >&2; fail "answers other than EINVAL"; }
xsa_finish
