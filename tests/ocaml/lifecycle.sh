# Shared by oxenstored-grant.sh and oxenstored-stable.sh, sourced after
# tests/sim/lib.sh: the steps of one domain's lifecycle on a patched
# oxenstored, each failing with the caller's label ($label) and round
# ($n).  Needs $T/script (a write and a read of data/x).

# lc_gone DOMID: until the simulator has destroyed it (5 s bound); it
# keeps a destroyed domain while its ring is mapped.
lc_gone() {
	i=0
	while "$SIMXEN" info "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 500 ]; then
			[ ! -f "$T/service.log" ] || cat "$T/service.log" >&2
			fail "$label: lifecycle $n: domain $1 never died" \
			    "($("$SIMXEN" info "$1")): its ring is still mapped"
		fi
		sleep 0.01
	done
}

# lc_start: a new guest, served over its ring ($T/script), the only
# domain besides dom0, its ring mapped once; sets $d.
lc_start() {
	guest --create --setup --introduce -c "$T/script" >"$T/g.out" 2>&1 ||
	    { cat "$T/g.out" >&2; fail "$label: lifecycle $n: guest failed"; }
	grep -qxF 'read data/x -> "hello"' "$T/g.out" ||
	    { cat "$T/g.out" >&2; fail "$label: lifecycle $n: not served"; }
	d=$("$SIMXEN" list | awk '$1 != 0 { print $1 }')
	[ "$(echo "$d" | wc -w)" -eq 1 ] ||
	    fail "$label: lifecycle $n: domains other than dom0: $d"
	"$SIMXEN" info "$d" | grep -q ' maps=1 ' ||
	    fail "$label: lifecycle $n: ring of $d not mapped once:" \
	    "$("$SIMXEN" info "$d")"
}

# lc_end: $d powers off and is destroyed; then it is gone, the daemon
# answers (/probe) and $d's nodes went with it.
lc_end() {
	"$SIMXEN" shutdown "$d" poweroff >/dev/null || fail "shutdown $d"
	"$SIMXEN" destroy "$d" >/dev/null || fail "destroy $d"
	lc_gone "$d"
	[ "$(xenstore-read /probe)" = alive ] || fail "$label: no answer"
	! xenstore-read /local/domain/"$d"/data/x >/dev/null 2>&1 ||
	    fail "$label: lifecycle $n: domain $d's nodes outlived it"
}
