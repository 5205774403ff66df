#!/bin/sh
# XSA-353 (CVE-2020-29479): oxenstored special-cased the root node and
# forgot its permission checks: a guest could change the perms of "/",
# then write anywhere, remove the whole tree with RM of "/", and list or
# read the perms of "/".  Attack: a guest does each of those.
# Xen's fix ("do permission checks on xenstore root").
# Must: every one of them is refused (EACCES; EINVAL for what is no
# valid request on "/"), the root keeps its perms and children, and dom0
# and the neighbour are served.
. "$(dirname "$0")/lib.sh"
xsa_start
dom0 before <<'S'
getperms /
dir /
S
mkguest 2
as_guest attack 2 <<'S'
getperms /
dir /
read /
setperms / n2
setperms / b2
write /xsa353 v
mkdir /xsa353
rm /
rm /local
rm /tool
write / v
S
reject_re attack '-> OK$' '-> \[' '-> "'
expect_re attack '^setperms / n2 -> ERR (EACCES|EPERM)$' \
    '^rm / -> ERR (EACCES|EINVAL)$' '^rm /local -> ERR EACCES$' \
    '^write /xsa353 v -> ERR EACCES$'
dom0 after <<'S'
getperms /
dir /
read /local/domain/1/data/secret
S
for cmd in "getperms /" "dir /"; do
	[ "$(result before "$cmd")" = "$(result after "$cmd")" ] ||
	    fail "$cmd was '$(result before "$cmd")', is '$(result after "$cmd")'"
done
xsa_finish
