#!/bin/sh
# XSA-38 (CVE-2013-0215): oxenstored trusted the indexes of a guest's
# ring.  Attack: a guest sets its request producer more than a ring ahead
# of the consumer, behind it, or far beyond; scribbles on the server's
# own indexes; declares a payload longer than 4096 bytes; and, the
# regression of the first fix (a completely full ring read as an empty
# one), fills its request ring exactly.
# Xen's fix: xs_ring_stubs.c reads each index once, masks them and
# refuses prod - cons > ring size; partial.ml caps a message at 4096
# bytes; a connection that broke the protocol is no longer served; then
# "correctly handle a full ring".
# Must: every request of an exactly full ring is answered; a bad ring
# breaks only its own connection (error indicator or silence, never a
# reply read from outside the ring); dom0 and the neighbour are served;
# the daemon stays alive.
. "$(dirname "$0")/lib.sh"
xsa_start

# An exactly full request ring: 16 READs of 64 bytes each, one write.
mkguest 2
p=data/$(rep x 42)
as_guest full 2 <<S
burst 16 read $p
read name
S
expect full "burst 16 read $p -> 1024 bytes: ERR ENOENT*16" \
    'read name -> "guest2"'

# Bad request indexes, each on a fresh domain (whose cons is still 0).
d=3
for prod in 0x7fffffff 0xffffffff 1025 0x80000400; do
	mkguest $d
	as_guest prod$d $d <<S
set-req-prod $prod
S
	neighbour_ok "req_prod $prod"
	d=$((d + 1))
done
# The server's own indexes: its request consumer, its response producer
# (the guest's client then refuses its own ring: no transport to check).
for move in "set-req-cons 0x40000000" "set-rsp-prod 5000"; do
	mkguest $d
	as_guest own$d $d <<S
$move
S
	neighbour_ok "$move"
	d=$((d + 1))
done
# Payload lengths over the limit, then a request: no reply may come.
for len in 4097 5000 0x7fffffff 0xffffffff; do
	mkguest $d
	TRANSPORT_OK=1 XSA_TIMEOUT=300 as_guest big$d $d <<S
oversize $len
read name
S
	reject_re big$d '-> "guest'
	neighbour_ok "a header of $len bytes"
	d=$((d + 1))
done
xsa_finish
