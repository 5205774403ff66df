#!/bin/sh
# XSA-330 (CVE-2020-29485): oxenstored's RESET_WATCHES removed a guest's
# watches from one of its tables only: they lingered in its trie, using
# memory and outside the watch quota.  Attack: a guest sets as many
# watches as it may, with long paths, resets them, and again, thirty
# times (a guest kernel that kexecs does the same); then dom0 writes
# below the watched paths.
# Xen's fix ("delete watch from trie too when resetting watches").
# Must: the daemon grows by at most one memory quota (plus the slack);
# after the last reset the guest may set a full quota of watches again,
# and none of the reset watches fires.
. "$(dirname "$0")/lib.sh"
xsa_start
mkguest 2
w=$(relpath 1900)
rss_base
rss_guard
{
	i=0
	while [ $i -lt 30 ]; do
		echo "repeat 200 -u ERR watch $w%d t%d"
		echo "reset-watches"
		# The initial events of those watches.
		echo "repeat 300 -u TIMEOUT event 0"
		i=$((i + 1))
	done
	echo "repeat 200 -u ERR watch $w%d t%d"
	echo "reset-watches"
	echo "repeat 300 -u TIMEOUT event 0"
	echo "watch data/mark m"
	echo "event"
	echo "write data/ready 1"
	echo "repeat 100 -u data/mark -u TIMEOUT event"
} >"$T/attack.txt"
as_guest attack 2 <"$T/attack.txt" &
a=$!
bg_track $a
wait_flag /local/domain/2/data/ready $a attack
dom0 fire <<S
write /local/domain/2/${w}0/x v
write /local/domain/2/${w}1 v
write /local/domain/2/data/mark v
S
wait $a || fail "the attacker failed"
reject_re fire "-> ERR"
rounds=$(sed -n 's/^repeat 200 -u ERR watch [^>]*-> //p' "$T/attack.out" | sort | uniq -c | tr -s ' \n' ' ')
note "rounds of watches: $rounds"
last=$(sed -n 's/^repeat 200 -u ERR watch [^>]*-> OK\*\([0-9]*\).*/\1/p' "$T/attack.out" | tail -n 1)
[ "${last:-0}" -ge 100 ] || fail "after 30 resets only ${last:-0} watches may be set"
[ "$(grep -c '^reset-watches -> OK$' "$T/attack.out")" -eq 31 ] ||
    fail "a RESET_WATCHES failed"
sed -n 's/^repeat 100 -u data\/mark .* -> //p' "$T/attack.out" >"$T/events.out"
expect_re events 'data/mark m'
reject_re events ' t[0-9]|TIMEOUT'
rss_check "30 rounds of watches and RESET_WATCHES" 1
xsa_finish
