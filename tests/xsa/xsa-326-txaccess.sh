#!/bin/sh
# XSA-326 (CVE-2022-42314), attack 4 of 4: many nodes accessed in one
# transaction.  A transaction keeps track of every node it reads or
# writes; a guest reads thousands of distinct nodes (existing or not,
# some 1000 components deep) and writes big ones, all in one
# transaction, and keeps it open.  (Ours once kept, for every READ the
# quota refused, a copy of each missing ancestor's full path: 100 such
# READs held 143 MiB.)
# Xen's fix ("limit max number of nodes accessed in a transaction"): C
# xenstored refuses accesses past a quota (transaction-nodes, 1024) with
# ENOSPC and charges what it keeps; oxenstored bounds the requests of a
# transaction (quota-maxrequests, 1024).
# Must: accesses past the quota are refused, the open transaction holds
# the daemon to one memory quota of growth (plus the slack), a refused
# request keeps nothing; after the commit the guest owns no more nodes
# than its quota; dom0 and the neighbour are served.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
as_guest busy 2 <<'S'
write data/busy 1
S
# 1000 components deep, no two alike from the top (%d).
deep=data/%d
while [ ${#deep} -lt 2030 ]; do deep=$deep/a; done
v=$(rep v 2000)
rss_base
rss_guard
XSA_TIMEOUT=2000 as_guest attack 2 <<S &
txstart
repeat 100 read $deep
repeat 1100 read data/s%d
repeat 100 read $deep/q
repeat 1100 write data/w%d $v
notx rm data/busy
repeat 1000000 -u "1" notx read data/go
txend commit
S
a=$!
bg_track $a
# It holds them until dom0 says go (it polls: a watch event could be
# dropped, its memory quota being full).
wait_gone /local/domain/2/data/busy $a attack
rss_check "one transaction touching thousands of nodes" 1
neighbour_ok "the transaction"
dom0 go <<'S'
write /local/domain/2/data/go 1
S
wait $a || fail "the attacker failed"
note "$(sed -n 's/^\(repeat [0-9]* [a-z]*\) [^>]*-> /\1: /p; s/^\(txend commit\) -> /\1: /p' "$T/attack.out" | tr '\n' ';')"
expect_re attack "^repeat 1100 read data/s%d -> .*ERR (ENOSPC|EQUOTA)" \
    "^repeat 1100 write data/w%d .*ERR (ENOSPC|EQUOTA|ENOMEM)"
n=$(nodes /local/domain/2/data/w%d:1100)
note "$n of the written nodes exist"
[ "$n" -le 1000 ] || fail "domain 2 owns $n nodes after the commit, over its quota of 1000"
xsa_finish
