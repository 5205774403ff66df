#!/bin/sh
# XSA-352 (CVE-2020-29486): in oxenstored the owner of a node could give
# it away (SET_PERMS naming another owner).  Attack: a guest creates
# nodes up to its quota and gives them to dom0, which has no quota, so it
# can create without end; or gives them to another guest to exhaust that
# guest's quota.
# Xen's fix ("only Dom0 can change node owner"), as C xenstored since
# 2006.
# Must: an unprivileged SET_PERMS naming another owner is refused (EPERM;
# oxenstored EACCES) and the owner stays; the guest stays held to its
# quota; the other guest's quota is untouched; changing the other
# entries of its own node is allowed.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
mkguest 3
as_guest attack 2 <<'S'
write data/x v
setperms data/x n0
setperms data/x n3
setperms data/x n2 r3
repeat 1100 write data/g%d x
repeat 1100 setperms data/g%d n0
repeat 1100 setperms data/g%d n3 r2
S
expect_re attack '^setperms data/x n0 -> ERR (EPERM|EACCES)$' \
    '^setperms data/x n3 -> ERR (EPERM|EACCES)$' \
    '^repeat 1100 write data/g%d x -> OK\*[0-9]+, ERR (ENOSPC|EQUOTA)\*[0-9]+$' \
    '^repeat 1100 setperms data/g%d n0 -> (ERR [A-Z]+\*[0-9]+(, )?)+$' \
    '^repeat 1100 setperms data/g%d n3 r2 -> (ERR [A-Z]+\*[0-9]+(, )?)+$'
expect attack 'setperms data/x n2 r3 -> OK'
dom0 perms <<'S'
getperms /local/domain/2/data/x
repeat 1100 getperms /local/domain/2/data/g%d
S
expect perms 'getperms /local/domain/2/data/x -> [n2 r3]'
expect_re perms '^repeat 1100 getperms [^ ]* -> \[n2\]\*[0-9]+(, ERR ENOENT\*[0-9]+)?$'
# Domain 3 may create as many nodes as domain 2 could.
as_guest other 3 <<'S'
repeat 1100 write data/o%d x
S
k2=$(tally_ok attack 'repeat 1100 write data/g%d x')
k3=$(tally_ok other 'repeat 1100 write data/o%d x')
note "domain 2 created $k2 nodes, domain 3 then $k3"
[ "$k3" -ge "$k2" ] || fail "domain 3 could create only $k3 nodes, domain 2 $k2"
xsa_finish
