#!/bin/sh
# XSA-440 (CVE-2023-34323): C xenstored checked a committing
# transaction's node accounting with assert(count >= 0), which a
# conflicting transaction makes false: two transactions both remove the
# same 50 nodes; once the first is committed, the second's check sees a
# negative count and the daemon aborts.  Attack: that, with the second
# committed first and then the other; and with the nodes removed outside
# the transaction meanwhile.
# Xen's fix ("domain_entry_fix(): Handle conflicting transaction").
# Must: the first commit is OK, the other fails with EAGAIN (or commits
# nothing more); the accounting stays exact (the guest can then create
# exactly up to its quota); the daemon stays alive.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
as_guest attack 2 <<'S'
repeat 50 write data/d/n%d x
txstart
repeat 50 rm data/d/n%d
txstart
repeat 50 rm data/d/n%d
txend commit
txsel 1
txend commit
repeat 50 write data/e/n%d x
txstart
rm data/e
notx rm data/e
txend commit
repeat 50 write data/g/n%d x
txstart
repeat 50 rm data/g/n%d
repeat 50 notx rm data/g/n%d
txend commit
S
expect attack 'repeat 50 write data/d/n%d x -> OK*50' \
    'repeat 50 write data/e/n%d x -> OK*50' 'repeat 50 write data/g/n%d x -> OK*50'
[ "$(sed -n '/^txend commit -> /p' "$T/attack.out" | head -n 1)" = "txend commit -> OK" ] ||
    fail "the first of the two transactions did not commit"
expect_re attack '^txend commit -> (OK|ERR EAGAIN)$'
reject_re attack '^txend commit -> ERR E[^A]'
left=$(nodes /local/domain/2/data/d /local/domain/2/data/e /local/domain/2/data/g \
    /local/domain/2/data/d/n%d:50 /local/domain/2/data/e/n%d:50 /local/domain/2/data/g/n%d:50)
fill_lines data/f >"$T/fill.txt"
as_guest fill 2 <"$T/fill.txt"
more=$(fill_count /local/domain/2/data/f)
note "commits: $(sed -n 's/^txend commit -> //p' "$T/attack.out" | tr '\n' ' '); $left nodes left, $more more created"
[ $((7 + left + more)) -eq 1000 ] ||
    fail "domain 2 owns $((7 + left)) nodes and could create $more more: $((7 + left + more)), not its quota of 1000"
xsa_finish
