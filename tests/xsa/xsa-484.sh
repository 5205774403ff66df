#!/bin/sh
# XSA-484 (CVE-2026-23557): C xenstored's conn_delete_all_transactions()
# left the connection's current transaction set, and an assert()
# checking it ended the daemon when that function ran while a request
# inside a transaction was handled: RESET_WATCHES sent within a
# transaction, or a connection ignored (broken ring) during one.
# Attack: twenty RESET_WATCHES each inside a transaction that wrote a
# node; and a guest that breaks its ring right after a write inside a
# transaction.
# Xen's fix ("make conn_delete_all_transactions() idempotent").
# Must: the daemon stays alive; the guest is served after each
# RESET_WATCHES, its transactions gone or ended (never leaked: it can
# still open as many as its quota allows), and a new transaction
# commits.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
{
	i=0
	while [ $i -lt 20 ]; do
		echo "watch data/w$i t"
		echo "txstart"
		echo "write data/x $i"
		echo "reset-watches"
		echo "txend commit"
		echo "read name"
		i=$((i + 1))
	done
	echo "repeat 10 txstart"
	i=21
	while [ $i -le 30 ]; do
		echo "txsel $i"
		echo "txend abort"
		i=$((i + 1))
	done
} >"$T/attack.txt"
as_guest attack 2 <"$T/attack.txt"
[ "$(grep -c '^read name -> "guest2"$' "$T/attack.out")" -eq 20 ] ||
    { cat "$T/attack.out" >&2; fail "the guest was not served after RESET_WATCHES in a transaction"; }
expect attack 'repeat 10 txstart -> OK*10'
[ "$(grep -c '^txend abort -> OK$' "$T/attack.out")" -eq 10 ] ||
    { cat "$T/attack.out" >&2; fail "the ten transactions did not end"; }
as_guest commit 2 <<'S'
txstart
write data/y 1
txend commit
read data/y
S
expect commit 'txend commit -> OK' 'read data/y -> "1"'
note "RESET_WATCHES in a transaction: $(answers attack reset-watches); commits after it: $(answers attack "txend commit")"
neighbour_ok "RESET_WATCHES in transactions"

# A broken ring while a transaction has written.
mkguest 3
TRANSPORT_OK=1 XSA_TIMEOUT=500 as_guest broken 3 <<'S'
txstart
write data/x 1
oversize
read name
S
neighbour_ok "a ring broken inside a transaction"
xsa_finish
