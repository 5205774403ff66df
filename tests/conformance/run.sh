#!/bin/sh
# The conformance suite: black-box cases over the raw wire protocol, from
# dom0's socket and from simulated guests over their rings, run against
# any xenstored on the simulated Xen.  docs/testing.md describes the
# case format.
#
# usage: run.sh [-v] [-d ours|cxenstored|oxenstored]... [-x XENSTORED] [CASEFILE...]
#   -v      also print every request and its result (long ones cut)
#   -d      the daemons to run (default: all three); ours is
#           $abs_top_builddir/xenstored/xenstored unless -x names another
#           binary (ours or a patched one); the reference daemons are
#           Debian's xen-utils-4.17 binaries
#   CASEFILE  default: every tests/conformance/cases/*.t
# Prints per daemon each case that does not pass, with the step, what the
# spec (or C xenstored, where the spec is silent) expects and what came;
# then a table.  Exit status 1 if any case fails without an allowed
# difference, or if ours has any difference at all.
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
. "$TOP/tests/sim/env.sh"
daemons=
verbose=no
while getopts d:vx: o; do
	case $o in
	v) verbose=yes ;;
	d) daemons="$daemons $OPTARG" ;;
	x) XENSTORED=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG")
	   export XENSTORED ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$daemons" ] || daemons="ours cxenstored oxenstored"
. "$abs_top_srcdir/tests/sim/lib.sh"
[ $# -gt 0 ] || set -- "$here"/cases/*.t

# split CASEFILE: $T/script (the requests), $T/meta (per request: case,
# expected result or "-"), $T/allow (case|daemon|reason), $T/cases.
split() {
	awk -v dir="$T" '
	function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
	# {STR*N} stands for N copies of STR (long paths and values).
	function expand(s,   m, body, str, n, rep) {
		while (match(s, /\{[^{}*]+\*[0-9]+\}/)) {
			body = substr(s, RSTART + 1, RLENGTH - 2)
			str = body; sub(/\*[0-9]+$/, "", str)
			n = body; sub(/^.*\*/, "", n)
			rep = ""
			while (n-- > 0) rep = rep str
			s = substr(s, 1, RSTART - 1) rep substr(s, RSTART + RLENGTH)
		}
		return s
	}
	{ line = expand(trim($0)) }
	line == "" || line ~ /^#/ { next }
	line ~ /^case / {
		c = line; sub(/^case /, "", c); sub(/:.*/, "", c)
		print c >(dir "/cases"); next
	}
	line ~ /^allow / {
		a = line; sub(/^allow /, "", a)
		d = a; sub(/:.*/, "", d); r = a; sub(/^[^:]*: */, "", r)
		if (d == "ours") { print "run.sh: " FILENAME ": ours may not differ" >"/dev/stderr"; exit 2 }
		print c "|" d "|" r >(dir "/allow"); next
	}
	{
		want = "-"
		i = index(line, " -> ")
		if (i) {
			# The last " -> " separates the request from its result.
			cmd = line; rest = ""
			while ((i = index(cmd, " -> ")) > 0) {
				rest = rest (rest == "" ? "" : " -> ") substr(cmd, 1, i - 1)
				cmd = substr(cmd, i + 4)
			}
			want = cmd; line = rest
		}
		print line >(dir "/script")
		print (c == "" ? "(setup)" : c) "\t" want >(dir "/meta")
	}' "$1"
}

# judge DAEMON CASEFILE: compare $T/out with $T/meta; one line per case:
# "DAEMON|file|case|pass" or "...|fail|step|expected|got".
judge() {
	awk -F'\t' -v d="$1" -v f="$(basename "$2" .t)" -v meta="$T/meta" \
	    -v script="$T/script" '
	BEGIN {
		while ((getline l <meta) > 0) {
			n++; split(l, p, "\t"); cs[n] = p[1]; ex[n] = p[2]
			if (!(p[1] in seen)) { seen[p[1]] = 1; order[++nc] = p[1] }
		}
		n = 0
		while ((getline l <script) > 0) cmd[++n] = l
	}
	{ out[NR] = $0 }
	END {
		for (k = 1; k <= n; k++) {
			c = cs[k]
			if (c in bad) continue
			if (k > NR) { bad[c] = cmd[k] "|" ex[k] "|(no reply: the client ended)"; continue }
			pre = cmd[k] " -> "
			if (substr(out[k], 1, length(pre)) != pre) {
				bad[c] = cmd[k] "|" ex[k] "|(out of step: " out[k] ")"; continue
			}
			got = substr(out[k], length(pre) + 1)
			if (ex[k] != "-" && got != ex[k]) bad[c] = cmd[k] "|" ex[k] "|" got
			else if (ex[k] == "-" && got ~ /^(BAD|TRANSPORT)/) bad[c] = cmd[k] "|(setup)|" got
		}
		for (i = 1; i <= nc; i++) {
			c = order[i]
			print d "|" f "|" c "|" (c in bad ? "fail|" bad[c] : "pass")
		}
	}' "$T/out"
}

: >"$T/results"
for d in $daemons; do
	for f; do
		rm -f "$T/script" "$T/meta" "$T/allow" "$T/cases"
		: >"$T/allow"
		split "$f" || exit 2
		start_daemon "$d"
		"$GUEST" --timeout 3000 <"$T/script" >"$T/out" 2>"$T/err"
		stop_daemon
		[ $verbose = no ] || awk -v d="$d" '{
			if (length($0) > 150) $0 = substr($0, 1, 100) "..." substr($0, length($0) - 40)
			print d ": " $0 }' "$T/out"
		judge "$d" "$f" >>"$T/results.$d.raw"
		# An allowed difference turns a failure into "differs".
		awk -F'|' -v allow="$T/allow" '
		BEGIN { while ((getline l <allow) > 0) { split(l, a, "|"); r[a[1] "|" a[2]] = a[3] } }
		$4 == "fail" && (($3 "|" $1) in r) { $4 = "differs"; $5 = r[$3 "|" $1]; NF = 5 }
		$4 == "pass" && (($3 "|" $1) in r) { $4 = "pass"; $5 = "(an allowed difference did not occur)"; NF = 5 }
		{ print }' OFS='|' "$T/results.$d.raw" >>"$T/results"
		rm -f "$T/results.$d.raw"
	done
done

status=0
awk -F'|' '
function short(s) { return length(s) > 150 ? substr(s, 1, 100) "...(" length(s) " bytes)..." substr(s, length(s) - 30) : s }
{ $5 = short($5); $6 = short($6); $7 = short($7) }
$4 == "fail" { printf "%s: FAIL %s/%s\n    step:     %s\n    expected: %s\n    got:      %s\n", $1, $2, $3, $5, $6, $7 }
$4 == "differs" { printf "%s: differs, allowed: %s/%s: %s\n", $1, $2, $3, $5 }
$4 == "pass" && $5 != "" { printf "%s: pass %s/%s %s\n", $1, $2, $3, $5 }
' "$T/results"
echo
printf '%-12s %6s %6s %16s\n' daemon pass fail "differs, allowed"
for d in $daemons; do
	p=$(grep -c "^$d|[^|]*|[^|]*|pass" "$T/results")
	x=$(grep -c "^$d|[^|]*|[^|]*|fail" "$T/results")
	a=$(grep -c "^$d|[^|]*|[^|]*|differs" "$T/results")
	printf '%-12s %6d %6d %16d\n' "$d" "$p" "$x" "$a"
	[ "$x" -eq 0 ] || status=1
	[ "$d" != ours ] || [ "$a" -eq 0 ] || status=1
done
exit $status
