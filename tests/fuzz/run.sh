#!/bin/sh
# Run the libFuzzer harnesses built by tests/fuzz/build.sh, under ASan
# and UBSan: for each, replay its regression inputs
# (tests/fuzz/regressions/HARNESS/), then fuzz it for a bounded time from
# its seeds (tests/fuzz/corpus/HARNESS/) and the corpus earlier runs
# grew (BUILDDIR/tests/fuzz/corpus-HARNESS/).  Any crash, leak,
# timeout or out-of-memory fails the harness; its input is copied into
# tests/fuzz/regressions/HARNESS/ (replayed from then on; commit it) and
# printed in base64.  Prints per harness the executions per second and
# the coverage (libFuzzer's cov: and ft:) at the end, then
# "fuzz: N passed, N failed".
#
# usage: run.sh [-b BUILDDIR] [-t SECONDS] [-r] [HARNESS...]
#   -b  the build directory of build.sh (default build-fuzz)
#   -t  seconds of fuzzing per harness (default $FUZZ_SECONDS, else 60;
#       the whole-daemon harness gets half as much again)
#   -r  replay the regressions and seeds only, do not fuzz
#   HARNESS  default: framing path perms ring stream daemon restart
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/fuzz
b=build-fuzz
secs=${FUZZ_SECONDS:-60}
replay_only=no
while getopts b:t:r o; do
	case $o in
	b) b=$OPTARG ;;
	t) secs=$OPTARG ;;
	r) replay_only=yes ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $b in /*) ;; *) b=$top/$b ;; esac
out=$b/tests/fuzz
[ $# -gt 0 ] || set -- framing path perms ring stream daemon restart
pass=0
fail=0
: >"$out/results"

# Sanitizer reports go to the log; a leak fails as a crash does.
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=0}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS

# keep H FILE KIND: keep a failing input as a regression case.
keep() {
	mkdir -p "$here/regressions/$1"
	cp "$2" "$here/regressions/$1/$(basename "$2")"
	echo "fuzz $1: $3 input kept as tests/fuzz/regressions/$1/$(basename "$2")" \
	    "($(wc -c <"$2") bytes; base64 below, commit it):"
	base64 -w 76 "$2" | head -200
}

for h in "$@"; do
	bin=$out/fuzz_$h
	log=$out/fuzz_$h.log
	art=$out/artifacts/$h/
	if [ ! -x "$bin" ]; then
		echo "fuzz $h: FAIL: $bin not built (tests/fuzz/build.sh)"
		fail=$((fail + 1))
		echo "$h fail not-built" >>"$out/results"
		continue
	fi
	rm -rf "$art"
	mkdir -p "$art" "$out/corpus-$h"
	opts="-rss_limit_mb=2048 -timeout=25 -print_final_stats=1"
	case $h in
	daemon|restart) opts="$opts -max_len=8192" ;;
	ring) opts="$opts -max_len=16384" ;;
	path) opts="$opts -max_len=7000" ;;
	*) opts="$opts -max_len=4200" ;;
	esac
	[ ! -f "$here/$h.dict" ] || opts="$opts -dict=$here/$h.dict"
	t=$secs
	[ "$h" != daemon ] || t=$((secs * 3 / 2))

	# 1. Every regression input, one by one, and every seed.
	status=ok
	: >"$log"
	regs=$(find "$here/regressions/$h" -type f 2>/dev/null | sort)
	if [ -n "$regs" ]; then
		# shellcheck disable=SC2086
		if ! "$bin" $regs >>"$log" 2>&1; then
			status="regression"
		fi
	fi
	if [ $status = ok ] && [ -d "$here/corpus/$h" ]; then
		# shellcheck disable=SC2086
		"$bin" $opts -runs=0 "$here/corpus/$h" >>"$log" 2>&1 ||
		    status="seed"
	fi
	# 2. Fuzzing: new inputs go to the build's own corpus.
	if [ $status = ok ] && [ $replay_only = no ]; then
		# shellcheck disable=SC2086
		timeout $((t + 300)) "$bin" $opts -max_total_time="$t" \
		    -artifact_prefix="$art" "$out/corpus-$h" \
		    $( [ -d "$here/corpus/$h" ] && echo "$here/corpus/$h") \
		    >>"$log" 2>&1 || status="fuzzing"
	fi
	for f in "$art"crash-* "$art"leak-* "$art"oom-* "$art"timeout-*; do
		[ -f "$f" ] || continue
		status="fuzzing"
		keep "$h" "$f" "$(basename "$f" | sed 's/-.*//')"
	done

	# libFuzzer's last status line and final stats.
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
	summary="${runs:-?} runs, ${eps:-?} exec/s, cov: ${cov:-?} ft: ${ft:-?}, corpus ${corp:-?}, peak rss ${rss:-?} MB"
	[ $replay_only = no ] || summary="replayed regressions and seeds"
	[ $replay_only = no ] || t=0
	if [ $status = ok ]; then
		echo "fuzz $h: PASS ${t} s: $summary"
		pass=$((pass + 1))
		echo "$h pass $t ${runs:-?} ${eps:-?} ${cov:-?} ${ft:-?}" \
		    >>"$out/results"
	else
		echo "fuzz $h: FAIL ($status): $summary"
		grep -E -A12 'ERROR: (Address|Leak|Undefined|libFuzzer)|runtime error|invariant failed' \
		    "$log" | head -60
		echo "fuzz $h: whole log: $log"
		fail=$((fail + 1))
		echo "$h fail $status" >>"$out/results"
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
