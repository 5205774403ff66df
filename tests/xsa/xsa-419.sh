#!/bin/sh
# XSA-419 (CVE-2022-42322, -42323): since the fix of XSA-322, the nodes a
# dead domain owned outside its home were given to dom0, which has no
# quota.  Attack: guest A lets guest B write below one of its nodes; B
# creates nodes there up to its quota and reboots (dies, and a new
# domain takes its place), again and again: the store grows by B's
# quota at each round.
# Xen's fix ("remove nodes owned by destroyed domain"; oxenstored "Fix
# quota bypass on domain shutdown"): such nodes are removed.
# And the simplest form: B creates nodes below a node of dom0 it may
# write.
# Must: after each round what B left below A's node is within A's
# quota, and owned by A if anything remains (never by dom0); four
# rounds of 300 nodes each do not add up; below dom0's node B is held to
# its own quota and what it made goes with it.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
as_guest share 2 <<'S'
write data/share x
S
left() {	# left ROUND: nodes of rounds 1..ROUND below A's node
	set --
	r=1
	while [ $r -le 4 ]; do
		set -- "$@" /local/domain/2/data/share/r$r "/local/domain/2/data/share/r$r/n%d:300"
		r=$((r + 1))
	done
	nodes "$@"
}
r=1
for b in 3 4 5 6; do
	mkguest $b
	as_guest grant$b 2 <<S
setperms data/share n2 b$b
S
	expect grant$b "setperms data/share n2 b$b -> OK"
	as_guest fill$b $b <<S
repeat 300 write /local/domain/2/data/share/r$r/n%d x
S
	note "round $r: domain $b: $(result fill$b "repeat 300 write /local/domain/2/data/share/r$r/n%d x")"
	gone $b
	n=$(left 4)
	note "round $r: $n nodes left below domain 2's node"
	[ "$n" -le 1000 ] ||
	    fail "round $r: $n nodes left by dead domains, over domain 2's quota"
	if [ "$n" -gt 0 ]; then
		dom0 owner$r <<S
getperms /local/domain/2/data/share/r$r
S
		expect_re owner$r '-> \[n2( [a-z][0-9]+)*\]$'
	fi
	r=$((r + 1))
done

mkguest 7
dom0 pub <<'S'
write /xsa/pub x
setperms /xsa/pub n0 b7
S
fill_lines /xsa/pub >"$T/pub.txt"
as_guest pub7 7 <"$T/pub.txt"
n=$(($(fill_count /xsa/pub) - 1))
note "below dom0's node: domain 7 created $n nodes"
[ "$n" -le 993 ] || fail "domain 7 created $n nodes below a node of dom0, over its quota"
gone 7
n=$(($(fill_count /xsa/pub) - 1))
[ "$n" -eq 0 ] || fail "$n nodes domain 7 created below a node of dom0 outlive it"
xsa_finish
