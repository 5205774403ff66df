#!/bin/sh
# XSA-233 (CVE-2017-14317): C xenstored freed a connection twice when a
# domain and its stub domain (its device model, SET_TARGET) went away at
# the same time.  Attack: a guest with a stub domain gets both ended
# together (a guest can make its stub domain crash with it); here in
# every order: RELEASE of the stub domain then of its target, of the
# target then of its stub domain, and both destroyed by the hypervisor at
# once.
# Xen's fix ("dont unlink connection object twice"): the target's
# connection is unlinked from each of its two parents once.
# Must: the stub domain reads its target's nodes while both live; after
# each end both are forgotten (IS_DOMAIN_INTRODUCED "F"), the daemon is
# alive, and new domains with the same domids inherit nothing of the
# target relation.
. "$(dirname "$0")/lib.sh"
xsa_start

# pair TARGET STUB: both introduced, the stub domain targeting the other.
pair() {
	mkguest "$1"
	mkguest "$2"
	as_guest t$1 "$1" <<S
write data/t $1
S
	dom0 settarget <<S
settarget $2 $1
S
	expect settarget "settarget $2 $1 -> OK"
	as_guest s$2 "$2" <<S
read /local/domain/$1/data/t
write /local/domain/$1/data/bystub $2
S
	expect s$2 "read /local/domain/$1/data/t -> \"$1\"" \
	    "write /local/domain/$1/data/bystub $2 -> OK"
}
# forgotten DOMID...: the daemon no longer knows them.
forgotten() {
	for d; do echo "isintroduced $d"; done >"$T/isintro.txt"
	dom0 isintro <"$T/isintro.txt"
	for d; do expect isintro "isintroduced $d -> \"F\""; done
}

pair 2 3
dom0 rel <<'S'
release 3
release 2
S
expect rel "release 3 -> OK" "release 2 -> OK"
neighbour_ok "RELEASE of the stub domain, then of its target"
forgotten 2 3
gone 3
gone 2

pair 4 5
dom0 rel <<'S'
release 4
release 5
S
expect rel "release 4 -> OK" "release 5 -> OK"
neighbour_ok "RELEASE of the target, then of its stub domain"
forgotten 4 5
gone 4
gone 5

pair 6 7
"$SIMXEN" destroy 7 >/dev/null && "$SIMXEN" destroy 6 >/dev/null ||
    fail "destroying both"
wait_reaped 7 10
wait_reaped 6 10
neighbour_ok "both destroyed at once"
forgotten 6 7

# The domids again: the new 3 has no access to the new 2.
mkguest 2
mkguest 3
as_guest t2 2 <<'S'
write data/t new
S
as_guest s3 3 <<'S'
read /local/domain/2/data/t
write /local/domain/2/data/bystub x
S
expect s3 "read /local/domain/2/data/t -> ERR EACCES" \
    "write /local/domain/2/data/bystub x -> ERR EACCES"
xsa_finish
