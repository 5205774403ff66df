#!/bin/sh
# XSA-417 (CVE-2022-42320), its second attack: dom0 names in a perms entry
# a domid that no domain has; a domain later created with that domid,
# set up and introduced, must not get what the entry grants.  Xen's fix
# ("fix checking node permissions"): SET_PERMS asks the hypervisor which
# named domains exist and marks the entries of the others to be ignored.
# Must: the new domain 6 gets EACCES.
#
# Known to fail on our daemon (XFAIL_TESTS in local.mk, docs/testing.md):
# it keeps no record of domains that exist but are not introduced, so it
# cannot tell such an entry from one the toolstack set for a domain it
# is building.  The domain-state feed reports every domain's creation;
# using it for this is open work.
. "$(dirname "$0")/lib.sh"
xsa_start
# Domain 6 did not exist when it was named.
dom0 perms6 <<'S'
write /xsa/b b
setperms /xsa/b n0 r6
S
mkguest 6
as_guest new6 6 <<'S'
read /xsa/b
S
expect new6 'read /xsa/b -> ERR EACCES'
xsa_finish
