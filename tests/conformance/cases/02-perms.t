# Permissions: owner, n/r/w/b, inheritance, targets, privileged-only
# operations.  docs/misc/xenstore.txt: permissions, GET_PERMS, SET_PERMS,
# SET_TARGET; the Xen wiki's XenBus "Permissions" section.
conn a dom0
conn g guest 1
conn h guest 2
conn s guest 3

case getperms: GET_PERMS lists owner first
a: write /pm/a 1 -> OK
a: getperms /pm/a -> [n0]
a: setperms /pm/a n0 r1 w2 -> OK
a: getperms /pm/a -> [n0 r1 w2]

case read-perm: r lets a domain read, n does not
g: read /pm/a -> "1"
h: read /pm/a -> ERR EACCES
s: read /pm/a -> ERR EACCES

case write-perm: w lets a domain write, r does not
h: write /pm/a 2 -> OK
g: write /pm/a 3 -> ERR EACCES
a: read /pm/a -> "2"

case both: b grants read and write
a: write /pm/b 1 -> OK
a: setperms /pm/b n0 b1 -> OK
g: write /pm/b 5 -> OK
g: read /pm/b -> "5"

case owner-rights: the owner always reads and writes, whatever the entries
a: write /pm/own x -> OK
a: setperms /pm/own n1 -> OK
g: read /pm/own -> "x"
g: write /pm/own y -> OK
h: read /pm/own -> ERR EACCES

case inherit: a new node takes its parent's perms, the creating domain as owner
a: mkdir /local/domain/1/pm -> OK
a: setperms /local/domain/1/pm n1 r2 -> OK
g: write /local/domain/1/pm/child 1 -> OK
g: getperms /local/domain/1/pm/child -> [n1 r2]
a: write /local/domain/1/pm/bydom0 1 -> OK
a: getperms /local/domain/1/pm/bydom0 -> [n1 r2]

case create-needs-write: creating a child needs write access to the parent
h: write /local/domain/1/pm/x 1 -> ERR EACCES
h: mkdir /local/domain/1/pm/y -> ERR EACCES

case hidden-existence: a missing node below an unreadable one is EACCES, not ENOENT
# The spec is silent; C xenstored 4.17 does not reveal existence.
allow oxenstored: oxenstored 4.17 answers ENOENT, revealing that the node is missing
a: write /pm/secret/x 1 -> OK
g: read /pm/secret/nothere -> ERR EACCES
g: read /pm/secret/x -> ERR EACCES
a: read /pm/secret/nothere -> ERR ENOENT

case setperms-owner-only: only the owner (or dom0) sets perms
h: setperms /local/domain/1/pm n2 -> ERR EACCES
g: setperms /local/domain/1/pm n1 b2 -> OK
g: getperms /local/domain/1/pm -> [n1 b2]

case give-away: only the privileged may change a node's owner
allow oxenstored: oxenstored 4.17 answers EACCES where C xenstored says EPERM
g: setperms /local/domain/1/pm n2 -> ERR EPERM
a: setperms /local/domain/1/pm n2 -> OK
a: getperms /local/domain/1/pm -> [n2]

case setperms-bad: malformed permission strings are EINVAL
a: setperms /pm/a x0 -> ERR EINVAL
a: setperms /pm/a r -> ERR EINVAL
a: setperms /pm/a -> ERR EINVAL
a: getperms /pm/a -> [n0 r1 w2]

case rm-perm: RM needs write access
a: write /pm/r/x 1 -> OK
a: setperms /pm/r/x n0 r1 -> OK
g: rm /pm/r/x -> ERR EACCES
a: setperms /pm/r/x n0 w1 -> OK
g: rm /pm/r/x -> OK

case target: after SET_TARGET a domain has its target's rights
a: write /pm/t 1 -> OK
a: setperms /pm/t n0 r1 -> OK
s: read /pm/t -> ERR EACCES
a: settarget 3 1 -> OK
s: read /pm/t -> "1"
s: write /local/domain/1/data/bytarget v -> OK

case privileged-only: domain operations are dom0's
allow oxenstored: oxenstored 4.17 lets any domain run CONTROL check
g: introduce 5 1 1 -> ERR EACCES
g: release 2 -> ERR EACCES
g: settarget 2 1 -> ERR EACCES
g: resume 2 -> ERR EACCES
g: control check -> ERR EACCES

case special-perms: SET_PERMS works on the special watch paths, only for dom0
# Their effect on events: 03-watches.t, special-unprivileged.  The
# spec is silent on other @paths and on unprivileged callers: C
# xenstored 4.17 says ENOENT to both.
allow oxenstored: oxenstored 4.17 answers EACCES to an unprivileged domain
a: setperms @releaseDomain n0 r1 -> OK
a: setperms @introduceDomain n0 r2 -> OK
a: setperms @bogus n0 -> ERR ENOENT
g: setperms @releaseDomain n1 -> ERR ENOENT
