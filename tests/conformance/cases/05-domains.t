# Domain operations and the end of a domain.  docs/misc/xenstore.txt:
# INTRODUCE, RELEASE, GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED, RESUME,
# SET_TARGET; permissions ("When a domain is being removed ...").
conn a dom0
conn g guest 1
conn h guest 2

case domain-path: GET_DOMAIN_PATH is /local/domain/<domid>
a: getdomainpath 1 -> "/local/domain/1"
a: getdomainpath 0 -> "/local/domain/0"
g: getdomainpath 2 -> "/local/domain/2"

case is-introduced: T while xenstored talks to the domain, else F
a: isintroduced 1 -> "T"
a: isintroduced 0 -> "T"
a: isintroduced 99 -> "F"

case introduce-bad: domid 0 is not a domain INTRODUCE takes
allow cxenstored: C xenstored 4.17 accepts INTRODUCE of domain 0 (the spec calls it undefined behaviour)
a: introduce 0 1 1 -> ERR EINVAL

case unknown-domain: RELEASE and RESUME of an unknown domain are ENOENT
allow oxenstored: oxenstored 4.17 answers EINVAL
a: release 99 -> ERR ENOENT
a: resume 99 -> ERR ENOENT

case release: after RELEASE the domain is no longer introduced, and @releaseDomain fires
a: watch @releaseDomain rel -> OK
a: event 1000 -> @releaseDomain rel
a: release 2 -> OK
a: isintroduced 2 -> "F"
a: event 2000 -> @releaseDomain rel

case end-removes-owned: a dead domain's nodes go, even outside its home
conn k guest 3
k: write data/mine 1 -> OK
a: write /dm/owned3 1 -> OK
a: setperms /dm/owned3 n3 -> OK
a: write /dm/shared 1 -> OK
a: setperms /dm/shared n0 r3 -> OK
xen-destroy 3 -> OK
a: event 2000 -> @releaseDomain rel
a: isintroduced 3 -> "F"
a: read /local/domain/3/data/mine -> ERR ENOENT
a: read /dm/owned3 -> ERR ENOENT

case end-revokes-perms: a new domain with a dead one's domid does not inherit its rights
# XSA-322.  Whether GET_PERMS still lists the old entry is open: C
# xenstored 4.17 keeps it and ignores it, we drop it.
conn k2 guest 3
k2: read /dm/shared -> ERR EACCES
k2: read /local/domain/3/data/mine -> ERR ENOENT

case shutdown-once: @releaseDomain fires once on shutdown, again only after RESUME
conn m guest 4
xen-shutdown 4 2 -> OK
a: event 2000 -> @releaseDomain rel
xen-resume 4 -> OK
a: resume 4 -> OK
xen-shutdown 4 2 -> OK
a: event 2000 -> @releaseDomain rel
a: isintroduced 4 -> "T"
