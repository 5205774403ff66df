#!/bin/sh
# XSA-421 (CVE-2022-42325, -42326): a node created and then removed in
# the same transaction made C xenstored's commit fail half way: the
# transaction was partly applied, and its node accounting not at all, so
# a guest could create nodes without end.  Attack: thirty transactions,
# each creating 20 nodes below a new parent plus one more that it then
# removes, committed.
# Xen's fix ("fix deleting node in transaction", "harden transaction
# finalization against errors").
# Must: each transaction is all or nothing (its 21 nodes exist after an
# OK, none after an error, the removed one never); the accounting
# matches what exists: the guest can then create exactly up to its
# quota of 1000 nodes, no more, no less.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
{
	i=0
	while [ $i -lt 30 ]; do
		echo "txstart"
		echo "repeat 20 write data/r$i/n%d x"
		echo "write data/r$i/tmp x"
		echo "rm data/r$i/tmp"
		echo "txend commit"
		i=$((i + 1))
	done
} >"$T/attack.txt"
as_guest attack 2 <"$T/attack.txt"
note "commits: $(answers attack "txend commit")"
set --
i=0
while [ $i -lt 30 ]; do
	set -- "$@" /local/domain/2/data/r$i "/local/domain/2/data/r$i/n%d:20"
	i=$((i + 1))
done
# Per transaction: the committed ones have their 21 nodes, others none.
awk '/^txend commit -> / { print ($NF == "OK") ? 21 : 0 }' "$T/attack.out" >"$T/want"
i=0
while read -r want; do
	got=$(nodes /local/domain/2/data/r$i "/local/domain/2/data/r$i/n%d:20" /local/domain/2/data/r$i/tmp)
	[ "$got" -eq "$want" ] ||
	    fail "transaction $i: $(sed -n "$((5 * i + 5))s/^.* -> //p" "$T/attack.out"), yet $got of its 21 nodes exist"
	i=$((i + 1))
done <"$T/want"
have=$(nodes "$@")
fill_lines data/f >"$T/fill.txt"
as_guest fill 2 <"$T/fill.txt"
more=$(fill_count /local/domain/2/data/f)
note "after the transactions domain 2 owns $((7 + have)) nodes and could create $more more"
[ $((7 + have + more)) -eq 1000 ] ||
    fail "domain 2 owns $((7 + have)) nodes and could create $more more: $((7 + have + more)), not its quota of 1000"
xsa_finish
