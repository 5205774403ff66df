#!/bin/sh
# Faithfulness: Debian's C xenstored and oxenstored run unchanged on the
# simulated Xen, take the INTRODUCE of a simulated guest and serve it over
# its ring; the guest's transcript of faithful.txt from each of them is
# compared with ours.  Lines that may differ are listed below with the
# reason; any other difference fails.
. "$(dirname "$0")/lib.sh"

script=$abs_top_srcdir/tests/sim/faithful.txt
# FAITHFUL_DAEMONS: the reference daemons compared with ours.
others=${FAITHFUL_DAEMONS:-cxenstored oxenstored}
# shellcheck disable=SC2086 # a list of names
for d in ours $others; do
	start_daemon $d
	guest --create --setup --introduce <"$script" >"$T/$d.out" 2>&1 ||
	    { cat "$T/$d.out" "$T/daemon.log"; fail "$d: guest failed"; }
	stop_daemon
	n=$(grep -c ' -> ' "$T/$d.out")
	[ "$n" -ge 70 ] || { cat "$T/$d.out"; fail "$d: only $n results"; }
done

# allowed DAEMON COMMAND REASON: that command's line may differ.
allowed() {
	echo "$1|$2|$3" >>"$T/allowed"
}
: >"$T/allowed"
allowed cxenstored features "C xenstored 4.17 offers no ring features; we offer reconnection, error indicator and watch depth"
allowed oxenstored features "oxenstored 4.17 offers reconnection only"
allowed oxenstored "dir data" "oxenstored lists children sorted, we and C xenstored in creation order; the spec gives no order"
allowed oxenstored "dir /local/domain/1" "the same: children sorted"
allowed oxenstored "read /local/domain/0" "oxenstored says ENOENT where the guest may not read the parent; we and C xenstored say EACCES, not revealing existence"
allowed oxenstored "setperms data/x n0" "giving a node away: EACCES in oxenstored, EPERM in C xenstored and here"
allowed oxenstored "control check" "oxenstored lets any domain run CONTROL check; xenstore.txt does not say, we keep CONTROL to dom0 as C xenstored does"

# Events of one change reach several watches in no specified order:
# sort each run of consecutive event lines before comparing.
normalize() {
	awk '/^event -> / { run[n++] = $0; next }
	    { if (n) { flush() } print }
	    function flush(  i, j, t) {
		for (i = 0; i < n; i++) for (j = i + 1; j < n; j++)
			if (run[j] < run[i]) { t = run[i]; run[i] = run[j]; run[j] = t }
		for (i = 0; i < n; i++) print run[i]
		n = 0
	    }
	    END { if (n) flush() }' "$1"
}

status=0
for d in $others; do
	normalize "$T/ours.out" >"$T/ours.norm"
	normalize "$T/$d.out" >"$T/$d.norm"
	diff "$T/ours.norm" "$T/$d.norm" | sed -n 's/^> //p' >"$T/$d.diff" ||
	    true
	while IFS= read -r line; do
		cmd=${line%% -> *}
		reason=$(awk -F'|' -v d="$d" -v c="$cmd" \
		    '$1 == d && $2 == c { print $3 }' "$T/allowed")
		if [ -n "$reason" ]; then
			echo "$d: differs, allowed: $cmd ($reason)"
		else
			echo "$d: DIFFERS: $line"
			echo "    ours: $(grep -F "$cmd -> " "$T/ours.out" | head -1)"
			status=1
		fi
	done <"$T/$d.diff"
	echo "$d: $(grep -c ' -> ' "$T/$d.out") results compared"
done
[ $status -eq 0 ] || { cat "$T/ours.out"; fail "transcripts differ"; }
echo "faithful.sh: passed"
