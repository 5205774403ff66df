#!/bin/sh
# XSA-418 (CVE-2022-42321): C xenstored walked the node tree by
# recursion (deleting a subtree, checking the store, constructing
# nodes): a tree deep enough exhausted its stack.  Attack: a guest
# builds a chain as deep as its quota allows (900 levels, with room left
# for the next step whichever domain it is charged to), a cooperating
# guest extends it through a node it may write (60 more levels, 1924
# characters below the domain's home), then the chain is listed,
# written in a transaction, removed with one RM, built again and removed
# by its owner's death.
# Xen's fix ("use treewalk for deleting nodes" and the rest of the
# series): loops instead of recursion.
# Must: every step succeeds, the RM removes the whole chain and gives
# both guests their quota back; the daemon stays alive.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
mkguest 3
chain=data
i=0
while [ $i -lt 900 ]; do chain=$chain/a; i=$((i + 1)); done
ext=/local/domain/2/$chain
i=0
while [ $i -lt 60 ]; do ext=$ext/b; i=$((i + 1)); done
build() {
	as_guest build$1 2 <<S
write $chain v
setperms $chain n2 b3
S
	expect build$1 "write $chain v -> OK" "setperms $chain n2 b3 -> OK"
	as_guest ext$1 3 <<S
write $ext w
read $ext
S
	expect ext$1 "write $ext w -> OK" "read $ext -> \"w\""
}
build 1
as_guest use 2 <<S
dir $chain
dir $chain/b
getperms $chain
txstart
write $chain/t x
read $ext
txend commit
read $chain/t
rm data/a
read data/a
S
expect use "dir $chain -> [b]" "getperms $chain -> [n2 b3]" \
    "txend commit -> OK" "read $chain/t -> \"x\"" "rm data/a -> OK" \
    "read data/a -> ERR ENOENT"
# Both have their whole quota back: 993 nodes besides xl's 7.
for d in 2 3; do
	fill_lines data/f >"$T/fill$d.txt"
	as_guest fill$d $d <"$T/fill$d.txt"
	n=$(fill_count /local/domain/$d/data/f)
	[ "$n" -eq 993 ] || fail "after the RM domain $d could create $n nodes, not 993"
	as_guest clean$d $d <<'S'
rm data/f
S
done
neighbour_ok "removing a chain 960 deep"
# Again, removed this time by the end of its owner.
build 2
gone 2
dom0 after <<S
read /local/domain/2/data/a
S
expect_re after '^read /local/domain/2/data/a -> ERR ENOENT$'
xsa_finish
