#!/bin/sh
# XSA-326 (CVE-2022-42311, -42315, -42318), attack 2 of 4: watch-event
# floods.  A guest sets as many watches as it may, with long tokens, on
# a path another guest (cooperating) writes to, and never reads its ring:
# each write of the other guest queues one event per watch for it.  And
# the watches themselves: the maximum number of watches on the longest,
# deepest paths a guest may name, and a watched path over the path
# limit.
# Xen's fix: C xenstored accounts queued events and watches against the
# watcher's memory quota and drops events past it (and times unread ones
# out); oxenstored bounds the events queued per watch
# (quota-maxwatchevents) and holds back the source.
# Must: the daemon grows by at most the quotas of the two guests
# involved (plus the slack) through the flood, and by at most one quota
# for the deep watches; a watched path over the limit is refused like a
# node path; dom0 and the neighbour are served; the daemon stays alive.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
mkguest 3
as_guest pub 3 <<'S'
write data/pub x
setperms data/pub n3 r2
S
tok=$(rep t 1000)
rss_base
rss_guard
# Domain 2: every watch it may have, then it stops reading for ever.
as_guest watcher 2 <<S
repeat 200 watch /local/domain/3/data/pub w%d$tok
S
note "domain 2: watches $(result watcher "repeat 200 watch /local/domain/3/data/pub w%d$tok" | cut -c1-30)..."
[ "$(tally_ok watcher "repeat 200 watch /local/domain/3/data/pub w%d$tok")" -ge 100 ] ||
    fail "domain 2 could not set 100 watches: $(result watcher "repeat 200 watch /local/domain/3/data/pub w%d$tok" | cut -c1-100)"
# Domain 3 writes and removes nodes below the watched path.
XSA_TIMEOUT=1000 as_guest writer 3 <<'S'
repeat 1000 -u TIMEOUT write data/pub/n%d x
repeat 1000 -u TIMEOUT rm data/pub/n%d
S
note "domain 3: $(sed 's/^repeat 1000 -u TIMEOUT \([a-z]*\) [^>]*-> /\1: /' "$T/writer.out" | tr '\n' ' ')"
neighbour_ok "the event flood"
rss_check "an event flood for one guest" 2

# Domain 4: a watched path over the limit, refused as for a node; then
# every watch it may have on paths 2040 characters long, 1000 components
# deep, no two alike from the top, and on paths of 3900 characters, 1950
# deep, if it may.
mkguest 4
deep=data/%d
while [ ${#deep} -lt 2030 ]; do deep=$deep/a; done
deeper=$deep
while [ ${#deeper} -lt 3890 ]; do deeper=$deeper/a; done
deeper1=$(echo "$deeper" | sed 's/%d/1/')
rss_base
as_guest deep 4 <<S
write $deeper1 v
watch $deeper1 long
repeat 200 watch $deep t%d
repeat 200 watch $deeper u%d
S
note "domain 4: over the limit: $(result deep "watch $deeper1 long");" \
    "watches: $(result deep "repeat 200 watch $deep t%d"), then $(result deep "repeat 200 watch $deeper u%d")"
expect_re deep '^write .* v -> ERR E[A-Z0-9]+$'
w=$(result deep "write $deeper1 v")
expect deep "watch $deeper1 long -> $w"
neighbour_ok "deep watches"
rss_check "deep watches" 1
xsa_finish
