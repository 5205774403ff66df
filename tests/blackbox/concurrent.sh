#!/bin/sh
# Many clients at once: 32 shell clients each write, read back and list
# their own subtree while sharing a parent with all the others, half of
# them through multi-pair transactions (which xenstore-write retries on
# EAGAIN).  Afterwards every value must be there, exactly once.
. "$(dirname "$0")/lib.sh"

xs_start

clients=32
rounds=8

# client N: exit status says whether everything it did came back right.
client()
{
	_c=$1 _r=0
	while [ "$_r" -lt "$rounds" ]; do
		if [ $((_c % 2)) -eq 0 ]; then
			xenstore-write "/conc/c$_c/r$_r" "v$_c.$_r" || return 1
		else
			xenstore-write "/conc/c$_c/r$_r" "v$_c.$_r" \
			    "/conc/c$_c/s$_r" "s$_c.$_r" || return 1
		fi
		_v=$(xenstore-read "/conc/c$_c/r$_r") || return 1
		[ "$_v" = "v$_c.$_r" ] || {
			echo "client $_c read [$_v] for r$_r" >&2
			return 1
		}
		_r=$((_r + 1))
	done
	_n=$(xenstore-list "/conc/c$_c" | wc -l) || return 1
	_want=$rounds
	[ $((_c % 2)) -eq 0 ] || _want=$((rounds * 2))
	[ "$_n" -eq "$_want" ] || {
		echo "client $_c sees $_n children, not $_want" >&2
		return 1
	}
}

ok xenstore-write /conc ""
pids=
c=0
while [ "$c" -lt "$clients" ]; do
	client "$c" 2>"$XS_TMP/client.$c.err" &
	pids="$pids $!"
	c=$((c + 1))
done
XS_BG_PIDS="$XS_BG_PIDS $pids"

c=0
for p in $pids; do
	wait_pid "$p" 60 || fail "client $c still running after 60s"
	[ "$wait_status" -eq 0 ] ||
	    fail "client $c failed: $(cat "$XS_TMP/client.$c.err")"
	c=$((c + 1))
done

# Count and check everything from one fresh client.
ok xenstore-ls -f /conc
printf '%s\n' "$out" >"$XS_TMP/ls"
want=$((clients + clients / 2 * rounds + (clients / 2) * rounds * 2))
got=$(wc -l <"$XS_TMP/ls")
assert_eq "nodes under /conc" "$want" "$got"
c=0
while [ "$c" -lt "$clients" ]; do
	grep -qx "/conc/c$c/r$((rounds - 1)) = \"v$c.$((rounds - 1))\"" \
	    "$XS_TMP/ls" || fail "last value of client $c missing"
	c=$((c + 1))
done

xs_alive "$clients concurrent clients"
xs_stop
pass
