#!/bin/sh
# XSA-72 (CVE-2013-4416): oxenstored mishandled a reply longer than the
# 4096-byte payload limit: it wrote it to the guest's ring anyway, and the
# guest's connection was shut down for good.  Attack: a guest asks for
# replies it knows to be too long: DIRECTORY of a node whose children's
# names add up to more than 4096 bytes (the only request whose reply can
# outgrow what was written: a node's value, perms or a path cannot), out
# of and inside a transaction.
# Xen's fix ("if the reply is too big then send E2BIG error", C and
# oxenstored): such a reply becomes the error E2BIG.
# Must: E2BIG each time, never a frame over 4096 bytes on the ring (the
# guest's client would break: a transport failure here), and the same
# connection keeps working.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2

# dom0 builds what the guest may read: 20 children of 250 characters
# (dom0 is not held to the node-size quota).
{
	i=0
	while [ $i -lt 20 ]; do
		echo "write /local/domain/2/data/big/$(rep c 246)$((i + 1000)) v"
		i=$((i + 1))
	done
	echo "write /local/domain/2/data/small v"
} >"$T/setup.txt"
dom0 setup <"$T/setup.txt"
reject_re setup '-> ERR'

as_guest attack 2 <<S
dir data/big
read name
txstart
dir data/big
read name
txend commit
dir data
read data/small
S
[ "$(grep -c -- '^dir data/big -> ERR E2BIG$' "$T/attack.out")" -eq 2 ] ||
    { cut -c1-200 "$T/attack.out" >&2; fail "want E2BIG, in and out of a transaction"; }
expect attack 'read name -> "guest2"' 'txend commit -> OK' \
    'dir data -> [big small]' 'read data/small -> "v"'
[ "$(grep -c '^read name -> "guest2"$' "$T/attack.out")" -eq 2 ] ||
    fail "the connection did not keep working"
xsa_finish
