#!/bin/sh
# XSA-483 (CVE-2026-23556): oxenstored removed a dead domain's nodes but
# not its node count: a new domain with the same domid started with the
# old count and could create fewer nodes, then none.  Attack: a guest
# fills its node quota and reboots (dies; a new domain gets its domid),
# again and again, starving the domains that will get that domid.
# Xen's fix ("Reset quota when resetting permissions").
# Must: each new domain with the domid can create as many nodes as the
# first one could.
. "$(dirname "$0")/lib.sh"
xsa_start
fill_lines data/f >"$T/fill.txt"
first=
for round in 1 2 3; do
	mkguest 5
	as_guest fill$round 5 <"$T/fill.txt"
	n=$(fill_count /local/domain/5/data/f)
	note "round $round: domain 5 created $n nodes"
	[ -n "$first" ] || first=$n
	[ "$n" -eq "$first" ] ||
	    fail "round $round: domain 5 could create $n nodes, the first one $first"
	gone 5
done
xsa_finish
