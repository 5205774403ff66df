#!/bin/sh
# XSA-415 (CVE-2022-42310): when C xenstored failed to create a node
# half way inside a transaction, its undo used the wrong key: the
# parents written so far stayed in the transaction, and a commit then
# added nodes no parent listed (orphans), outside any quota.  Attack: a
# guest at its node quota frees a few nodes, then in transactions writes
# paths needing more new nodes than it has left, writes one more node,
# and commits anyway; five times.
# Xen's fix ("Fail a transaction if it is not possible to create a
# node"): the undo uses the transaction's key and such a transaction can
# only fail.
# Must: none of the missing parents exists afterwards; a transaction is
# all or nothing (the extra node exists only if its write and the
# commit said OK); the
# accounting is intact: the guest may create exactly what it freed (less
# what committed).
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
deep=data/o%d
for c in a b c d e f g h i j k l m n o p q r s t u v w x y z A B C D; do
	deep=$deep/$c
done
{
	fill_lines data/f
	echo "rm data/f/p0"
	i=0
	while [ $i -lt 5 ]; do
		echo "txstart"
		echo "$deep x" | sed "s/^/write /; s/%d/$i/"
		echo "write data/f/p1/extra$i x"
		echo "txend commit"
		i=$((i + 1))
	done
	echo "repeat 5 read data/o%d"
	echo "repeat 5 read data/o%d/a"
	echo "repeat 5 read $deep"
	echo "repeat 5 read data/f/p1/extra%d"
	echo "repeat 40 write data/m%d x"
} >"$T/attack.txt"
as_guest attack 2 <"$T/attack.txt"
grep -Eq '^repeat 25 write .* -> .*ERR (ENOSPC|EQUOTA)' "$T/attack.out" ||
    fail "the node quota never refused"
expect attack 'rm data/f/p0 -> OK' 'repeat 5 read data/o%d -> ERR ENOENT*5' \
    'repeat 5 read data/o%d/a -> ERR ENOENT*5' \
    "repeat 5 read $deep -> ERR ENOENT*5"
# A transaction whose extra write said OK and whose commit said OK.
ok=$(awk '/^write data\/f\/p1\/extra/ { w = ($NF == "OK") }
    /^txend commit/ { if (w && $NF == "OK") n++; w = 0 } END { print n + 0 }' \
    "$T/attack.out")
extra=$(tally_ok attack 'repeat 5 read data/f/p1/extra%d')
note "commits: $(answers attack "txend commit")"
[ "$ok" -eq "$extra" ] ||
    fail "$ok transactions committed their extra node but $extra such nodes exist"
# p0 and its 25 children were freed.
m=$(tally_ok attack 'repeat 40 write data/m%d x')
[ "$m" -eq $((26 - extra)) ] ||
    fail "the guest freed 26 nodes, committed $extra, then could create $m"
xsa_finish
