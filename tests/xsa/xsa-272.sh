#!/bin/sh
# XSA-272 (CVE-2018-15470): oxenstored did not apply its node quota
# (quota-maxentity): the evaluation order of a tuple hid the node just
# created from the accounting.  Attack: a guest creates nodes without
# end: one by one, several at a time through missing parents, and inside
# a transaction.
# Xen's fix ("Make evaluation order explicit"): every created node is
# counted against the domain.
# Must: the guest is refused (ENOSPC, oxenstored's EQUOTA) once it owns
# the default quota of 1000 nodes, and never owns more; it may create
# again after removing some; the daemon grows by no more than a quota.
. "$(dirname "$0")/lib.sh"
QUOTA=1000
xsa_start
mkguest 2
rss_base

# The nodes the guest can own: xl's 7 directories and what it created.
owned() {
	d=/local/domain/2
	n=$(nodes $d/device $d/control $d/data $d/memory $d/error $d/drivers \
	    $d/attr $d/data/m%d:300 $d/data/m%d/a:300 $d/data/m%d/a/b:300)
	n=$((n + $(fill_count $d/data/f) + $(fill_count $d/data/t)))
	note "$1: domain 2 owns $n nodes"
	[ "$n" -le $QUOTA ] || fail "$1: domain 2 owns $n nodes, over its quota of $QUOTA"
}
refused='ERR (ENOSPC|EQUOTA)'

fill_lines data/f >"$T/one.txt"
as_guest one 2 <"$T/one.txt"
expect_re one "^repeat 25 .* -> .*$refused"
owned "one by one"
as_guest three 2 <<'S'
rm data/f/p0
rm data/f/p1
rm data/f/p2
rm data/f/p3
repeat 300 write data/m%d/a/b x
S
expect_re three "^repeat 300 .* -> OK\*[0-9]+, $refused\*[0-9]+\$"
owned "three at a time"
{
	echo "repeat 300 rm data/m%d"
	echo "txstart"
	fill_lines data/t
	echo "txend commit"
} >"$T/tx.txt"
as_guest tx 2 <"$T/tx.txt"
owned "in a transaction ($(result tx "txend commit"))"
rss_check "the node quota" 1
xsa_finish
