#!/bin/sh
# XSA-323 (CVE-2020-29482): oxenstored checked the length of a path as
# the guest wrote it, before prefixing /local/domain/<domid>/ to a
# relative one, so a guest could create nodes whose absolute path was
# over the limit: nobody, dom0 included, could then read or list them.
# Attack: a guest writes relative paths around every limit (1024, 2048,
# 3072 characters) and the same paths in their absolute form.
# Xen's fix ("Fix path length validation"): the limit applies to the
# canonical path (below the domain's home: the relative length), the
# same whichever way the guest names the node.
# Must: for each length, the relative and the absolute form get the same
# answer; a node that was created can be read by the guest both ways and
# by dom0, and is listed in its parent.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
home=/local/domain/2

for len in 1000 1023 1024 1025 2000 2047 2048 2049 2100 3000 3056 3057 3100; do
	rel=$(relpath $len)
	abs=$home/$rel
	as_guest w$len 2 <<S
write $rel v
read $rel
read $abs
rm $rel
write $abs v
read $rel
read $abs
S
	r1=$(result w$len "write $rel v")
	r2=$(result w$len "write $abs v")
	[ "$r1" = "$r2" ] ||
	    fail "length $len: relative write '$r1', absolute write '$r2'"
	if [ "$r1" = OK ]; then
		[ "$(grep -c -- '-> "v"$' "$T/w$len.out")" -eq 4 ] ||
		    { cut -c1-60,$((len - 20))- "$T/w$len.out" >&2;
		      fail "length $len: created, but not read back both ways"; }
		dom0 d$len <<S
read $abs
dir ${abs%/*}
rm $abs
S
		expect d$len "read $abs -> \"v\"" "rm $abs -> OK"
		expect_re d$len "^dir .* -> \\[${abs##*/}\\]\$"
	else
		reject_re w$len '-> "v"$'
		case $r1 in ERR\ *) ;; *) fail "length $len: write answered '$r1'" ;; esac
	fi
	note "length $len: $r1"
done
xsa_finish
