#!/bin/sh
# XSA-115 (CVE-2020-29480): watch events were sent without permission
# checks.  Attack: a guest watches "/", /local/domain, another guest's
# home and the special paths @introduceDomain and @releaseDomain, and so
# learns of every node written or removed anywhere and of every domain
# created or destroyed; it also asks IS_DOMAIN_INTRODUCED about others.
# Xen's fix: an event goes only to a watcher that may read the node (or
# its parent); the special watches fire for privileged watchers only,
# unless dom0 gives them perms; IS_DOMAIN_INTRODUCED is privileged.
# Must: after the initial event of each watch, the guest sees no event
# for a node or a domain it may not see, and does see the one for its own
# node written last (events reach a connection in order, so it comes
# after any forbidden one); IS_DOMAIN_INTRODUCED is refused (EACCES).
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2

as_guest watcher 2 >/dev/null <<'S' &
watch / root
watch /local/domain ld
watch /local/domain/1 n1
watch @introduceDomain intro
watch @releaseDomain rel
watch data own
repeat 6 event
isintroduced 1
write data/ready 1
repeat 500 -u marker -u TIMEOUT event
S
watcher=$!
bg_track $watcher
i=0
until [ "$(xenstore-read /local/domain/2/data/ready 2>/dev/null)" = 1 ]; do
	i=$((i + 1))
	[ $i -le 1000 ] || fail "the watcher never got ready"
	kill -0 $watcher 2>/dev/null || { cat "$T/watcher.out" >&2; fail "the watcher ended"; }
	sleep 0.01
done

# What it may not see: dom0's nodes, the neighbour's, a domain's life.
dom0 others <<'S'
write /tool/xsa115/hidden v
write /local/domain/1/data/hidden v
rm /tool/xsa115
S
as_guest neighbour 1 <<'S'
write data/secret2 v
rm data/secret2
S
mkguest 3
gone 3
# What it may see, written last.
dom0 marker <<'S'
write /local/domain/2/data/marker v
S
wait $watcher || { cat "$T/watcher.out" >&2; fail "the watcher failed"; }
expect watcher 'isintroduced 1 -> ERR EACCES'
sed -n '/^write data\/ready/,$s/^.* -> //p' "$T/watcher.out" >"$T/after.out"
expect_re after 'marker'
reject_re after 'hidden|secret2|xsa115|@introduceDomain|@releaseDomain|/local/domain/[13]|TIMEOUT'
xsa_finish
