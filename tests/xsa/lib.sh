# Shared by the XSA regression tests (tests/xsa/xsa-*.sh): the daemon
# under test on a private simulated host, a well-behaved neighbour
# guest, and the checks every test ends with.  Sourced, never run.
#
# The daemon is $XSA_DAEMON, else the test's first argument, else ours:
# ours | cxenstored | oxenstored (tests/sim/lib.sh's recipes).  Run by
# hand from a build directory:  sh ../tests/xsa/xsa-072.sh cxenstored
#
# What a trusted daemon must show after an attack, whatever the
# advisory: it is alive; dom0 and the neighbour (domain 1) are served and
# their data unchanged; the attacker got the documented error or lost its
# connection, and nothing else; its memory stayed within its quotas
# (daemon RSS growth at most XSA_QUOTA_KB per attacker plus
# XSA_SLACK_KB); no sanitizer report in the daemon's log.
XSA_DAEMON=${XSA_DAEMON:-${1:-ours}}
if [ -z "${abs_top_srcdir:-}" ]; then
	TOP=$(cd "$(dirname "$0")/../.." && pwd)
	. "$TOP/tests/sim/env.sh"
fi
. "$abs_top_srcdir/tests/sim/lib.sh"
XSA_NAME=$(basename "$0" .sh)
# Under AddressSanitizer freed memory waits in a quarantine (256 MiB by
# default) before reuse: keep it small, so that RSS says what is held.
ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=8
export ASAN_OPTIONS
# The memory quota of one attacking domain: C xenstored's and ours'
# default hard quota, 2.5 MiB (oxenstored has none; its other quotas
# must keep it as low).
XSA_QUOTA_KB=${XSA_QUOTA_KB:-2560}
# What the daemon may grow besides: heap fragmentation, a runtime's
# collector, the neighbour's and dom0's requests.
XSA_SLACK_KB=${XSA_SLACK_KB:-16384}

# Background guests (bg_track PID): ended with the test.
XSA_BG=
bg_track() { XSA_BG="$XSA_BG $1"; }
xsa_cleanup() {
	for p in $XSA_BG; do
		for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
			kill "$c" 2>/dev/null
		done
		kill "$p" 2>/dev/null
	done
	cleanup
	[ -z "${KEEP:-}" ] || echo "xsa: kept $T" >&2
}
trap xsa_cleanup EXIT

fail() {
	echo "FAIL: $XSA_NAME [$XSA_DAEMON]: $*" >&2
	[ -z "${DAEMON_PID:-}" ] || tail -n 20 "$T/daemon.log" >&2 2>/dev/null
	exit 1
}
note() { echo "# $XSA_NAME [$XSA_DAEMON]: $*"; }

# rep STR N: N copies of STR.
rep() { awk -v s="$1" -v n="$2" 'BEGIN { r = ""; while (n-- > 0) r = r s; printf "%s", r }'; }

# relpath LEN: data/ then 99-character components, LEN characters.
relpath() {
	awk -v n="$1" 'BEGIN {
		p = "data/"; c = 0
		while (length(p) < n) {
			if (c == 99) { p = p "/"; c = 0 } else { p = p "y"; c++ }
		}
		sub(/\/$/, "z", p); printf "%s", p
	}'
}

# The daemon's log must hold no sanitizer report.
log_clean() {
	if grep -E -q 'Sanitizer|runtime error:' "$T/daemon.log" 2>/dev/null; then
		grep -E -A 30 'Sanitizer|runtime error:' "$T/daemon.log" | head -n 60 >&2
		fail "sanitizer report ($1)"
	fi
}

# alive LABEL: the daemon still runs, its log is clean.
alive() {
	kill -0 "$DAEMON_PID" 2>/dev/null || {
		wait "$DAEMON_PID" 2>/dev/null
		st=$?
		DAEMON_PID=
		if grep -E -q 'Sanitizer|runtime error:' "$T/daemon.log"; then
			grep -E -A 20 'Sanitizer|runtime error:' "$T/daemon.log" |
			    head -n 40 >&2
			fail "the daemon died (status $st, a sanitizer report) after $1"
		fi
		tail -n 30 "$T/daemon.log" >&2
		fail "the daemon died (status $st) after $1"
	}
	log_clean "$1"
}

# run NAME [simxen-guest options]: the script on stdin (a here-document:
# a pipeline would run this in a subshell, where fail cannot end the
# test), its transcript in $T/NAME.out (printed on failure).  A transport
# error fails, unless TRANSPORT_OK is set; a bad script line always.
run() {
	name=$1
	shift
	"$GUEST" --timeout "${XSA_TIMEOUT:-5000}" "$@" >"$T/$name.out" 2>&1
	st=$?
	if grep -q ' -> BAD' "$T/$name.out" || { [ -z "${TRANSPORT_OK:-}" ] &&
	    { [ $st -ne 0 ] || grep -q ' -> TRANSPORT' "$T/$name.out"; }; }; then
		cut -c1-300 "$T/$name.out" >&2
		fail "$name: a transport failure or a bad script line"
	fi
}
dom0() { run "$1" --dom0; }
as_guest() { name=$1 id=$2; shift 2; run "$name" --domid "$id" "$@"; }

# expect NAME LINE...: each LINE is a whole line of $T/NAME.out.
expect() {
	f=$T/$1.out
	shift
	for want; do
		grep -qxF -- "$want" "$f" ||
		    { cut -c1-300 "$f" >&2; fail "$(basename "$f" .out): no line '$want'"; }
	done
}
# expect_re NAME ERE...: a line of $T/NAME.out matches each ERE.
expect_re() {
	f=$T/$1.out
	shift
	for want; do
		grep -qE -- "$want" "$f" ||
		    { cut -c1-300 "$f" >&2; fail "$(basename "$f" .out): no line like '$want'"; }
	done
}
# reject_re NAME ERE...: no line of $T/NAME.out matches an ERE.
reject_re() {
	f=$T/$1.out
	shift
	for bad; do
		if grep -qE -- "$bad" "$f"; then
			grep -E -- "$bad" "$f" | head -n 5 >&2
			fail "$(basename "$f" .out): a line like '$bad'"
		fi
	done
}
# result NAME CMD: what CMD answered in $T/NAME.out (first occurrence).
result() {
	awk -v p="$2 -> " 'index($0, p) == 1 { print substr($0, length(p) + 1); exit }' \
	    "$T/$1.out"
}

# answers NAME CMD: the answers to CMD (a sed pattern matching the
# command) in $T/NAME.out, each with its count ("3 OK 1 ERR EAGAIN").
answers() {
	sed -n "s/^$2 -> //p" "$T/$1.out" | sort | uniq -c | tr -s ' \n' ' '
}
# tally_ok NAME CMD: in the tally CMD printed in $T/NAME.out (a repeat
# or burst), how many results were not errors or timeouts.
tally_ok() {
	result "$1" "$2" | awk -F', ' '{
		n = 0
		for (i = 1; i <= NF; i++) {
			k = $i; sub(/.*\*/, "", k); r = $i; sub(/\*[0-9]+$/, "", r)
			if (r !~ /^(ERR |TIMEOUT|BAD|TRANSPORT)/) n += k
		}
		print n
	}'
}
# nodes PATH...: how many of the paths exist (dom0 reads them; "%d" in a
# path "%d:N" stands for 0..N-1).
nodes() {
	: >"$T/nodes.txt"
	for p; do
		case $p in
		*:*) echo "repeat ${p##*:} read ${p%:*}" ;;
		*) echo "repeat 1 read $p" ;;
		esac
	done >"$T/nodes.txt"
	dom0 nodes <"$T/nodes.txt"
	total=0
	while IFS= read -r l; do
		n=$(tally_ok nodes "$l")
		total=$((total + ${n:-0}))
	done <"$T/nodes.txt"
	echo $total
}

# fill_lines PREFIX: script lines creating 1250 nodes below PREFIX, 25
# per parent, so that what stops them is a domain's node quota, not the
# size of one parent (C xenstored counts the children's names in it).
fill_lines() {
	k=0
	while [ $k -lt 50 ]; do
		echo "repeat 25 write $1/p$k/n%d x"
		k=$((k + 1))
	done
}
# filled NAME: how many of the fill_lines writes in $T/NAME.out succeeded.
filled() {
	sed -n 's/^repeat 25 write [^ ]*\/p[0-9]*\/n%d x -> //p' "$T/$1.out" |
	    awk -F', ' '{ for (i = 1; i <= NF; i++) if ($i ~ /^OK\*/) {
		sub(/^OK\*/, "", $i); n += $i } } END { print n + 0 }'
}

# fill_count ABSPREFIX: how many nodes of the fill_lines layout exist
# below ABSPREFIX (itself included).
fill_count() {
	set -- "$1" "$1/p%d:50"
	k=0
	while [ $k -lt 50 ]; do
		set -- "$@" "$1/p$k/n%d:25"
		k=$((k + 1))
	done
	nodes "$@"
}

# mkguest DOMID: create the domain, write xl's nodes, INTRODUCE it.
mkguest() {
	"$GUEST" --create --domid "$1" --setup --introduce </dev/null \
	    >"$T/mk$1.out" 2>&1 || { cat "$T/mk$1.out" >&2; fail "creating domain $1"; }
}

# gone DOMID: destroy the domain and wait until reaped (10 s).
gone() {
	"$SIMXEN" destroy "$1" >/dev/null || fail "destroy $1"
	wait_reaped "$1" 10
}

# wait_flag PATH PID NAME: until dom0 reads 1 at PATH, while the
# simxen-guest PID (transcript NAME) runs.
wait_flag() {
	i=0
	until [ "$(xenstore-read "$1" 2>/dev/null)" = 1 ]; do
		i=$((i + 1))
		[ $i -le 2000 ] || fail "$3 never wrote $1"
		kill -0 "$2" 2>/dev/null ||
		    { cut -c1-300 "$T/$3.out" >&2; fail "$3 ended before writing $1"; }
		sleep 0.01
	done
}

# wait_gone PATH PID NAME: until PATH no longer exists (a signal that
# costs the guest no memory: at its quota it could not write one).
wait_gone() {
	i=0
	while xenstore-read "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 2000 ] || fail "$3 never removed $1"
		kill -0 "$2" 2>/dev/null ||
		    { cut -c1-300 "$T/$3.out" >&2; fail "$3 ended before removing $1"; }
		sleep 0.01
	done
}

vmrss() { awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status"; }
vmhwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$DAEMON_PID/status"; }

# rss_base: remember the daemon's RSS before an attack.
rss_base() { RSS0=$(vmrss); }
# rss_check LABEL NATTACKERS: the daemon's peak RSS since rss_base grew
# by at most NATTACKERS memory quotas plus the slack.
rss_check() {
	hwm=$(vmhwm)
	grown=$((hwm - RSS0))
	bound=$(($2 * XSA_QUOTA_KB + XSA_SLACK_KB))
	note "$1: daemon RSS $RSS0 kB, peak $hwm kB (+$grown kB, bound $bound kB)"
	[ "$grown" -le "$bound" ] ||
	    fail "$1: the daemon grew by $grown kB, over $bound kB" \
	    "($2 attackers x $XSA_QUOTA_KB kB + $XSA_SLACK_KB kB)"
}

# rss_guard: in the background, kill the daemon if it grows past
# XSA_RSS_KILL_KB (256 MiB): a daemon without the fix must fail the test,
# not take the machine's memory.  The test then fails as "died".
rss_guard() {
	(
		while kill -0 "$DAEMON_PID" 2>/dev/null; do
			r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status" 2>/dev/null)
			if [ "${r:-0}" -gt "${XSA_RSS_KILL_KB:-262144}" ]; then
				echo "xsa: RSS $r kB, killing the daemon" >>"$T/daemon.log"
				kill -KILL "$DAEMON_PID"
				exit 0
			fi
			sleep 0.05
		done
	) &
	bg_track $!
}

# The neighbour: domain 1, with a value only it and dom0 may read.
NEIGH_VAL=neighbour-$$
neighbour_setup() {
	mkguest 1
	as_guest neigh 1 <<S
write data/secret $NEIGH_VAL
setperms data/secret n1
S
	dom0 dom0setup <<S
write /xsa/dom0 dom0-$NEIGH_VAL
S
}
# neighbour_ok LABEL: domain 1 and dom0 are served, their data unchanged.
neighbour_ok() {
	alive "$1"
	as_guest neigh 1 <<S
read data/secret
getperms data/secret
write data/n $$
read data/n
S
	expect neigh "read data/secret -> \"$NEIGH_VAL\"" \
	    "getperms data/secret -> [n1]" "read data/n -> \"$$\""
	dom0 dom0check <<S
read /local/domain/1/data/secret
read /xsa/dom0
write /xsa/w $$
read /xsa/w
S
	expect dom0check "read /local/domain/1/data/secret -> \"$NEIGH_VAL\"" \
	    "read /xsa/dom0 -> \"dom0-$NEIGH_VAL\"" "read /xsa/w -> \"$$\""
	alive "$1"
}

# xsa_start: the daemon, dom0's node and the neighbour.  A daemon built
# with AddressSanitizer has redzones around each allocation and the
# quarantine: twice the quota per attacker, the quarantine on the slack.
xsa_start() {
	start_daemon "$XSA_DAEMON"
	if grep -q libasan "/proc/$DAEMON_PID/maps" 2>/dev/null; then
		XSA_QUOTA_KB=$((XSA_QUOTA_KB * 2))
		XSA_SLACK_KB=$((XSA_SLACK_KB + 8192))
	fi
	neighbour_setup
}

# xsa_finish: the last checks; our daemon must also end cleanly on
# SIGTERM (in a sanitizer build, LeakSanitizer reports at exit).
xsa_finish() {
	neighbour_ok "the attack"
	if [ "$XSA_DAEMON" = ours ]; then
		kill -TERM "$DAEMON_PID"
		wait "$DAEMON_PID"
		st=$?
		DAEMON_PID=
		log_clean "exit"
		[ "$st" -eq 0 ] || { tail -n 20 "$T/daemon.log" >&2; fail "exit status $st on SIGTERM"; }
	else
		stop_daemon
	fi
	echo "PASS: $XSA_NAME [$XSA_DAEMON]"
}
