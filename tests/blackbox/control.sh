#!/bin/sh
# XS_CONTROL through Xen's xenstore-control: help lists the commands we
# promise, check and print answer OK, log switches, quota reads and sets
# the global quotas, memreport and logfile write files, and an unknown
# command is refused.
. "$(dirname "$0")/lib.sh"

# Skip only when no xenstore-control can run here at all: Debian's
# /usr/bin/xenstore-control is a wrapper that needs a hypervisor, and the
# versioned binary comes with xen-utils-4.17, not with xenstore-utils.
xsc=$(find_xenstore_control) ||
    skip "no usable xenstore-control (install xen-utils-4.17 or set" \
	"XENSTORE_CONTROL); CONTROL is also covered by raw_protocol"

xs_start

ok "$xsc" help
for cmd in check log logfile memreport print quota quota-soft help; do
	printf '%s\n' "$out" | grep -q "^[[:space:]]*$cmd\\([[:space:]:]\\|$\\)" ||
	    fail "help does not list \"$cmd\"; it said:
$out"
done

ok "$xsc" check
assert_eq "reply to check" OK "$out"

marker="bb-print-marker-$$"
ok "$xsc" print "$marker"
assert_eq "reply to print" OK "$out"
# -N logs to stderr, which xs_start sends to $XS_LOG.
ticks=40
until grep -q "$marker" "$XS_LOG"; do
	ticks=$((ticks - 1))
	[ "$ticks" -gt 0 ] || fail "\"print $marker\" did not reach the log"
	sleep 0.05
done

ok "$xsc" log off
ok "$xsc" log on
ko "$xsc" log sideways

# quota_value NAME TEXT: the number on the line of TEXT naming NAME.
quota_value()
{
	_sp='[[:space:]]*'
	printf '%s\n' "$2" |
	    sed -n "s/^${_sp}${1}${_sp}[:=]\{0,1\}${_sp}\([0-9][0-9]*\).*/\1/p"
}

# Defaults at least as strict as Xen's C xenstored (DESIGN.md), never 0
# (which would mean "unlimited").
ok "$xsc" quota
quotas=$out
for q in nodes:1000 watches:128 transactions:10 permissions:5; do
	name=${q%:*} max=${q#*:}
	v=$(quota_value "$name" "$quotas")
	[ -n "$v" ] || fail "quota lists no \"$name\"; it said:
$quotas"
	[ "$v" -ge 1 ] && [ "$v" -le "$max" ] ||
	    fail "default $name quota $v is not in 1..$max"
done

ok "$xsc" quota set nodes 1234
ok "$xsc" quota
assert_eq "nodes quota after set" 1234 "$(quota_value nodes "$out")"
ko "$xsc" quota set no-such-quota 5
ko "$xsc" quota set nodes lots

ok "$xsc" quota-soft
v=$(quota_value memory "$out")
[ -n "$v" ] || fail "quota-soft lists no memory quota; it said:
$out"

ok "$xsc" memreport
# The daemon's RSS, as the kernel counts it, and the machine's memory.
rss=$(printf '%s\n' "$out" | sed -n 's/^rss kB: //p')
avail=$(printf '%s\n' "$out" | sed -n 's/^mem-available kB: //p')
pid=$(cat "$XS_PIDFILE" 2>/dev/null) || pid=
want=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
[ -n "$rss" ] && [ "$rss" -gt 0 ] && [ -n "$avail" ] && [ "$avail" -gt 0 ] ||
    fail "memreport: no rss or mem-available; it said:
$out"
[ -z "$want" ] || [ $((rss > want ? rss - want : want - rss)) -lt 4096 ] ||
    fail "memreport: rss $rss kB, /proc says VmRSS $want kB"
ok "$xsc" memreport "$XS_TMP/memreport"
[ -s "$XS_TMP/memreport" ] || fail "memreport wrote nothing to the file"

ok "$xsc" logfile "$XS_TMP/logfile"
[ -e "$XS_TMP/logfile" ] || fail "logfile did not create $XS_TMP/logfile"

ko "$xsc" no-such-command
ko "$xsc" check extra-argument

xs_alive "control commands"
xs_stop
pass
