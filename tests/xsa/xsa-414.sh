#!/bin/sh
# XSA-414 (CVE-2022-42309): when C xenstored failed to create a node
# half way (a missing parent created, then a quota refusal), its undo
# path used a wrong pointer: a crash or a corrupted store, and node
# accounting left as it was half way.  Attack: a guest at its node quota
# frees a few nodes and writes, again and again, paths that need more
# new nodes than it has left.
# Xen's fix ("create_node: Don't defer work to undo any changes on
# failure"): the nodes written so far are removed and the accounting
# restored at once.
# Must: each such write is refused, leaves none of the missing parents
# behind, and leaves the accounting as it was: the guest may then create
# exactly as many nodes as it had freed; the daemon stays alive.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
{
	fill_lines data/f
	cat <<'S'
repeat 5 rm data/f/p0/n%d
repeat 50 write data/deep%d/a/b/c/d/e/f/g x
repeat 50 write data/f/p1/n1/deep%d/a/b/c/d/e/f x
repeat 50 read data/deep%d
repeat 50 read data/f/p1/n1/deep%d
repeat 7 write data/m%d x
S
} >"$T/attack.txt"
as_guest attack 2 <"$T/attack.txt"
note "$(filled attack) nodes created before the quota refused"
grep -Eq '^repeat 25 write .* -> .*ERR (ENOSPC|EQUOTA)' "$T/attack.out" ||
    fail "the node quota never refused"
expect_re attack '^repeat 50 write data/deep%d/a/b/c/d/e/f/g x -> ERR (ENOSPC|EQUOTA|ENOMEM)\*50$' \
    '^repeat 50 write data/f/p1/n1/deep%d/a/b/c/d/e/f x -> ERR (ENOSPC|EQUOTA|ENOMEM)\*50$'
expect attack 'repeat 50 read data/deep%d -> ERR ENOENT*50' \
    'repeat 50 read data/f/p1/n1/deep%d -> ERR ENOENT*50'
expect_re attack '^repeat 7 write data/m%d x -> OK\*5, ERR (ENOSPC|EQUOTA)\*2$'
xsa_finish
