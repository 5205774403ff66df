#!/bin/sh
# XSA-326 (CVE-2022-42312, -42316, -42317), attack 1 of 4: requests whose
# replies are never read.  A guest keeps sending requests with big
# replies (READ of a 2000-byte node) and never consumes its response
# ring, so every reply queues in the daemon; four guests do it at once.
# Xen's fix: C xenstored limits a domain's outstanding requests (20) and
# accounts queued replies against its memory quota; oxenstored bounds
# the outstanding replies (quota-maxoutstanding) and stops reading such
# a ring.
# Must: the daemon grows by at most four memory quotas (plus the slack);
# dom0 and the neighbour are served meanwhile; the daemon stays alive.
. "$(dirname "$0")/lib.sh"
xsa_start
big=$(rep b 2000)
for d in 2 3 4 5; do
	mkguest $d
	as_guest setup$d $d <<S
write data/big $big
S
	expect setup$d "write data/big $big -> OK"
done
rss_base
rss_guard
for d in 2 3 4 5; do
	as_guest flood$d $d <<'S'
flood 300 read data/big
S
	note "domain $d: $(result flood$d 'flood 300 read data/big') requests, none read"
	neighbour_ok "the flood of domain $d"
done
rss_check "4 guests not reading replies" 4
xsa_finish
