#!/bin/sh
# make bench: each benchmark against our xenstored, Debian's C xenstored
# and oxenstored on the simulated Xen, a fresh daemon for every run,
# REPEATS runs each; a table of medians [min..max] and the ratios
# ours/C and ours/oxenstored measured in this same run, plus a Unix
# socket echo server as the physical floor of a round trip.
#
# usage: run.sh [-r REPEATS] [-d DAEMONS] [-b BENCHMARKS] [-q]
#   REPEATS (3); DAEMONS ("ours cxenstored oxenstored");
#   BENCHMARKS (all): rtt ring throughput txn fanout populate domains
#     massdeath liveupdate journal
#   -q: smaller sizes, for a quick look (not the documented figures)
# Run from the build directory.  docs/performance.md explains each one.
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/sim/env.sh"
repeats=3 daemons="ours cxenstored oxenstored" quick=no
benches="rtt ring throughput txn fanout populate domains massdeath liveupdate journal"
SERVICE=$abs_top_builddir/toolstack-hooks/xenstore-domain-state
while getopts r:d:b:q o; do
	case $o in
	r) repeats=$OPTARG ;;
	d) daemons=$OPTARG ;;
	b) benches=$OPTARG ;;
	q) quick=yes ;;
	*) exit 2 ;;
	esac
done
. "$abs_top_srcdir/tests/sim/lib.sh"
BENCH=$abs_top_builddir/bench/xs-bench
[ -x "$BENCH" ] || fail "$BENCH missing: make first"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
n_rtt=20000 n_ring=5000 tp_s=2 n_txn=300 fan_w="10 100 1000" doms="100 1000"
lu_sizes="10000:50 50000:100"	# nodes:domains (issue 14's figures)
if [ $quick = yes ]; then
	n_rtt=2000 n_ring=1000 tp_s=1 n_txn=50 fan_w="10 100" doms="20 100"
	lu_sizes="2000:10"
fi
LU=/usr/lib/xen-4.17/bin/xenstore-control
# The state file of a live update, and the crash-restart snapshot and
# journal, go here (ours and C alike): in /dev/shm where there is one,
# as a host's /var/run/xenstored is tmpfs.
XENSTORED_RUNDIR=$T/run
if rd=$(mktemp -d /dev/shm/xs-bench.XXXXXX 2>/dev/null); then
	ln -s "$rd" "$T/run"
	trap 'rm -rf "$rd"; cleanup' EXIT
fi
export XENSTORED_RUNDIR
mkdir -p "$T/run"
: >"$T/results"

# record BENCH DAEMON: "bench|key|daemon|value" lines from xs-bench.
record() {
	awk -v b="$1" -v d="$2" 'NF == 2 { print b "|" $1 "|" d "|" $2 }' \
	    >>"$T/results"
}
# xsb BENCH DAEMON ARGS...: one xs-bench run against the running daemon.
xsb() {
	xb=$1 xd=$2
	shift 2
	"$BENCH" --socket "$XENSTORED_PATH" \
	    --pid "${CPU_PID:-$DAEMON_PID}${SVC_PID:+,$SVC_PID}" "$@" \
	    >"$T/out" 2>"$T/err" || {
		echo "run.sh: $xd: $xb failed: $(cat "$T/err")" >&2
		return 0
	}
	record "$xb" "$xd" <"$T/out"
}
ms() { echo $(($(date +%s%N) / 1000000)); }

echo "make bench: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)," \
    "$repeats runs each"
r=1
while [ $r -le "$repeats" ]; do
	echo "run $r of $repeats"
	for b in $benches; do
		case $b in rtt)
			# The floor: the same frames echoed by a bare server.
			"$BENCH" echo-server "$T/echo" & epid=$!
			while [ ! -S "$T/echo" ]; do sleep 0.01; done
			for op in read write; do
				"$BENCH" --socket "$T/echo" --pid $epid \
				    rtt $op $n_rtt | record "rtt-$op" echo
			done
			kill $epid; wait $epid 2>/dev/null
			rm -f "$T/echo" ;;
		esac
		for d in $daemons; do
			case $b in
			rtt)
				start_daemon "$d"
				xsb rtt-read "$d" rtt read $n_rtt
				xsb rtt-write "$d" rtt write $n_rtt ;;
			ring)
				start_daemon "$d"
				xsb ring-read "$d" rtt read $n_ring --ring
				xsb ring-write "$d" rtt write $n_ring --ring ;;
			throughput)
				for k in 1 4 16; do
					start_daemon "$d"
					xsb "throughput-$k" "$d" throughput $k $tp_s
				done ;;
			txn)
				start_daemon "$d"
				xsb txn-counter-4 "$d" txn-counter 4 $n_txn
				start_daemon "$d"
				xsb txn-children-4 "$d" txn-children 4 $n_txn ;;
			fanout)
				for w in $fan_w; do
					start_daemon "$d"
					xsb "fanout-$w" "$d" fanout $w 100
				done ;;
			populate)
				start_daemon "$d"
				xsb populate "$d" populate
				t0=$(ms)
				xenstore-ls /bench/s >/dev/null 2>&1
				echo "ls_seconds $(( $(ms) - t0 ))e-3" | record populate "$d"
				# C xenstored 4.17 takes minutes here: bounded.
				t0=$(ms)
				timeout 120 xenstore-rm /bench/s ||
				    echo "run.sh: $d: xenstore-rm stopped at 120 s" >&2
				echo "rm_seconds $(( $(ms) - t0 ))e-3" | record populate "$d" ;;
			domains)
				for n in $doms; do
					start_daemon "$d"
					xsb "domains-$n" "$d" domains $n
				done ;;
			massdeath)
				# Ours learns deaths from the toolstack's
				# service only: hypervisor mode (the call of
				# xen-patches/), then snapshot mode (stock
				# host).  CPU is the daemon's plus the
				# service's; the others bind VIRQ_DOM_EXC.
				for n in $doms; do
					if [ "$d" != ours ]; then
						start_daemon "$d"
						xsb "massdeath-$n" "$d" domains $n
						continue
					fi
					for m in hypervisor snapshot; do
						init=
						[ $m = snapshot ] && init=--stock
						SIMXEN_INIT=$init NO_FEED=1 start_daemon ours
						LD_LIBRARY_PATH=$SIMLIB "$SERVICE" -m $m \
						    2>"$T/service.log" &
						SVC_PID=$!
						name=massdeath-$n
						[ $m = snapshot ] && name=massdeath-snap-$n
						xsb "$name" ours domains $n
						kill $SVC_PID
						wait $SVC_PID 2>/dev/null
						SVC_PID=
						stop_daemon
					done
				done
				# A tenth of the largest N dies, the rest
				# living on: a death's cost at that many
				# domains, apart from how many die.
				[ "$d" = ours ] || continue
				n=${doms##* } k=$((n / 10))
				NO_FEED=1 start_daemon ours
				LD_LIBRARY_PATH=$SIMLIB "$SERVICE" -m hypervisor \
				    2>"$T/service.log" &
				SVC_PID=$!
				xsb "massdeath-$n-$k" ours domains $n $k
				kill $SVC_PID
				wait $SVC_PID 2>/dev/null
				SVC_PID= ;;
			liveupdate)
				# The daemon replaced by a new copy of
				# itself (oxenstored has no live update
				# outside a xenstore domain).
				case $d in
				ours)
					# Not libtool's wrapper script, which
					# costs a shell per --help and exec.
					bin=$abs_top_builddir/xenstored/.libs/xenstored
					[ -x "$bin" ] || bin=$OURS ;;
				cxenstored) bin=$CXSD ;;
				*) continue ;;
				esac
				[ -x "$LU" ] || continue
				for sz in $lu_sizes; do
					start_daemon "$d"
					xsb "liveupdate-${sz%%:*}" "$d" liveupdate \
					    "${sz%%:*}" "${sz##*:}" "$LU" "$bin" \
					    "-N -F $T/run/pid"
					# Ours logs its state's size.
					sed -n 's/.*state written to .* (\([0-9]*\) bytes.*/state_bytes_per_node \1/p' \
					    "$T/daemon.log" | awk -v n="${sz%%:*}" \
					    '{ printf "%s %.1f\n", $1, $2 / n }' |
					    record "liveupdate-${sz%%:*}" "$d"
					stop_daemon
				done ;;
			journal)
				# Ours with --crash-restart (a journal
				# write before every reply) and without,
				# both in this run; the ratio is printed
				# below the table.
				[ "$d" = ours ] || continue
				for j in off on; do
					a=
					[ $j = on ] && a=--crash-restart
					OURS_ARGS=$a start_daemon ours
					# The keeper's child serves (its CPU).
					CPU_PID=
					[ $j = off ] || CPU_PID=$(keeper_child "$DAEMON_PID") ||
					    exit 1
					xsb "journal-$j" ours rtt write $n_rtt
					xsb "journal-ring-$j" ours rtt write $n_ring --ring
					xsb "journal-tp-$j" ours throughput 4 $tp_s
					[ $j = off ] || [ -s "$T/run/state_journal" ] ||
					    echo "run.sh: journal: no state_journal written" >&2
					stop_daemon
					CPU_PID=
				done ;;
			esac
			stop_daemon
		done
	done
	r=$((r + 1))
done

# The table: per benchmark and key, median [min..max] per daemon, then
# ours/C, ours/ox and, for round trips, ours/echo.
awk -F'|' -v daemons="echo $daemons" '
function med(k,   n, a, i, j, t) {
	n = split(vals[k], a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	lo[k] = a[1]; hi[k] = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	k = $1 "|" $2 "|" $3
	vals[k] = vals[k] " " $4
	if (!(($1 "|" $2) in seen)) { seen[$1 "|" $2] = 1; order[++n] = $1 "|" $2 }
}
END {
	nd = split(daemons, d, " ")
	printf "%-16s %-20s", "benchmark", "measure"
	for (i = 1; i <= nd; i++) printf " %26s", d[i]
	printf " %9s %9s %9s\n", "ours/C", "ours/ox", "ours/echo"
	for (o = 1; o <= n; o++) {
		split(order[o], bk, "|")
		printf "%-16s %-20s", bk[1], bk[2]
		delete m
		for (i = 1; i <= nd; i++) {
			k = order[o] "|" d[i]
			if (k in vals) {
				m[d[i]] = med(k)
				printf " %10.5g [%6.4g..%6.4g]", m[d[i]], lo[k], hi[k]
			} else printf " %26s", "-"
		}
		for (i = 1; i <= 3; i++) {
			ref = i == 1 ? "cxenstored" : i == 2 ? "oxenstored" : "echo"
			if (("ours" in m) && (ref in m) && m[ref] + 0 != 0)
				printf " %9.3f", m["ours"] / m[ref]
			else printf " %9s", "-"
		}
		printf "\n"
	}
}' "$T/results"
# The journal's cost: ours with it over ours without, per measure.
awk -F'|' '
function med(s,   n, a, i, j, t) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$1 ~ /^journal-.*-?(on|off)$/ && $3 == "ours" {
	b = $1; j = b; sub(/-(on|off)$/, "", b); sub(/.*-/, "", j)
	v[b "|" $2 "|" j] = v[b "|" $2 "|" j] " " $4
	if (!((b "|" $2) in seen)) { seen[b "|" $2] = 1; order[++n] = b "|" $2 }
}
END {
	if (!n) exit
	printf "\n%-16s %-20s %12s %12s %9s\n", "journal cost", "measure",
	    "off", "on", "on/off"
	for (o = 1; o <= n; o++) {
		split(order[o], k, "|")
		off = med(v[order[o] "|off"]); on = med(v[order[o] "|on"])
		printf "%-16s %-20s %12.5g %12.5g", k[1], k[2], off, on
		if (off + 0 != 0) printf " %9.3f\n", on / off
		else printf " %9s\n", "-"
	}
}' "$T/results"
[ -z "${BENCH_RESULTS:-}" ] || cp "$T/results" "$BENCH_RESULTS"
