#!/bin/sh
# XSA-417 (CVE-2022-42320), its second attack: dom0 names in a perms entry
# a domid that no domain has; a domain later created with that domid,
# set up and introduced, must not get what the entry grants.  Xen's fix
# ("fix checking node permissions"): SET_PERMS asks the hypervisor which
# named domains exist and marks the entries of the others to be ignored.
# Must: the new domain 6 gets EACCES; SET_PERMS giving the node to a
# domid no domain has is ENOENT.
#
# Ours asks the hypervisor's XEN_DOMCTL_get_domain_state, which the
# simulated host has (docs/protocol.md, Permissions).
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
# An owner no domain has: ENOENT, as C xenstored 4.17 answers.
dom0 owner7 <<'S'
setperms /xsa/b n7
S
expect owner7 'setperms /xsa/b n7 -> ERR ENOENT'
xsa_finish
