#!/bin/sh
# XSA-417 (CVE-2022-42320): C xenstored took a perms entry for valid
# when it had no record of the domain named, on the assumption that it
# was a new domain being set up; an entry of a dead domain thus granted
# access to a new domain with the same domid, in the window between its
# creation and its introduction.  Attack: a guest that gets a dead
# domain's domid (a reboot loop makes it likely) reads what that domain
# was given; and one that gets the domid of an entry set while no such
# domain existed.
# Xen's fix ("fix checking node permissions"): without a record of the
# domain the entry is invalid; SET_PERMS makes the record for a domain
# the hypervisor knows and flags entries of unknown domains at once.
# Must: the new domain, created, set up by the toolstack and introduced
# after the node was written again, gets EACCES.  The second attack (an
# entry set while no such domain existed) is xsa-417-unknown.sh.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 5
dom0 grant <<'S'
write /xsa/a old
setperms /xsa/a n0 r5
S
as_guest old5 5 <<'S'
read /xsa/a
S
expect old5 'read /xsa/a -> "old"'
gone 5

# The domid again: the hypervisor has the new domain; dom0 writes the
# node again before the toolstack sets the domain up and introduces it.
"$SIMXEN" create --domid 5 >/dev/null || fail "create 5"
dom0 rewrite <<'S'
write /xsa/a new
S
"$GUEST" --domid 5 --setup --introduce </dev/null >"$T/intro5.out" 2>&1 ||
    { cat "$T/intro5.out" >&2; fail "setting up the new domain 5"; }
as_guest new5 5 <<'S'
read /xsa/a
S
expect new5 'read /xsa/a -> ERR EACCES'

xsa_finish
