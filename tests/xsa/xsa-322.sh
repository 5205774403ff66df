#!/bin/sh
# XSA-322 (CVE-2020-29481): a new domain inherited the access of a dead
# domain that had the same domid.  Attack: a guest waits (or reboots)
# until it gets the domid of a domain that had been given access to a
# node, a node of its own outside its home, or the special watch
# @releaseDomain, and uses that access.
# Xen's fix: C xenstored ignores perms entries of domains younger than
# the node (generation counts) and, with XSA-419, removes nodes owned by
# the dead domain; oxenstored drops the dead domain's perms entries and
# its nodes when it dies; both clean the perms of the special nodes too.
# Must: the old domain has the access; the new one with its domid has
# none of it (EACCES, or ENOENT for a removed node), and no
# @releaseDomain event.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
dom0 grant <<'S'
write /xsa/shared s
setperms /xsa/shared n0 r2
write /xsa/owned o
setperms /xsa/owned n2
write /xsa/rw w
setperms /xsa/rw n0 b2
setperms @releaseDomain n0 r2
S
reject_re grant '-> ERR'
as_guest old 2 <<'S'
read /xsa/shared
read /xsa/owned
write /xsa/rw old
S
expect old 'read /xsa/shared -> "s"' 'read /xsa/owned -> "o"' \
    'write /xsa/rw old -> OK'
# What a daemon that indexes perms by domid must keep straight (ours
# once freed an index entry still in use here): the old domain names
# domains in the perms of its own nodes, changes and removes them.
as_guest perms 2 <<'S'
write data/p v
setperms data/p n2 b1 r7
setperms data/p n2 b1 r7 r8
rm data/p
write data/q v
setperms data/q n2 r1 r7
setperms data/q n2 r8
setperms data/q n2 b1 r8 r9
S
alive "perms changed and removed"
expect perms 'rm data/p -> OK' 'setperms data/q n2 b1 r8 r9 -> OK'
gone 2

mkguest 2
as_guest new 2 <<'S' &
read /xsa/shared
read /xsa/owned
write /xsa/owned new
read /xsa/rw
write /xsa/rw new
setperms /xsa/rw n2
watch @releaseDomain rel
event
watch data mark
event
write data/ready 1
repeat 100 -u data/marker -u TIMEOUT event
S
watcher=$!
bg_track $watcher
i=0
until [ "$(xenstore-read /local/domain/2/data/ready 2>/dev/null)" = 1 ]; do
	i=$((i + 1))
	[ $i -le 1000 ] || fail "the new domain 2 never got ready"
	kill -0 $watcher 2>/dev/null || { cat "$T/new.out" >&2; fail "the new domain 2 ended"; }
	sleep 0.01
done
mkguest 3
gone 3
dom0 marker <<'S'
write /local/domain/2/data/marker v
read /xsa/rw
S
wait $watcher || { cat "$T/new.out" >&2; fail "the new domain 2 failed"; }
expect_re new '^read /xsa/shared -> ERR EACCES$' \
    '^read /xsa/owned -> ERR (EACCES|ENOENT)$' \
    '^write /xsa/owned new -> ERR EACCES$' \
    '^read /xsa/rw -> ERR EACCES$' '^write /xsa/rw new -> ERR EACCES$' \
    '^setperms /xsa/rw n2 -> ERR (EACCES|EPERM)$'
expect marker 'read /xsa/rw -> "old"'
sed -n '/^write data\/ready/,$s/^.* -> //p' "$T/new.out" >"$T/after.out"
expect_re after 'data/marker'
reject_re after '@releaseDomain|TIMEOUT'
xsa_finish
