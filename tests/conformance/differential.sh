#!/bin/sh
# Differential testing: seeded random sequences of requests from several
# clients (two dom0 sockets, two guests over rings) against our xenstored
# and a reference daemon on the simulated Xen; every reply and watch
# event must match.  A mismatch is shrunk to the shortest sequence that
# still shows it, which is printed with both transcripts.
#
# usage: differential.sh [-s SEED] [-r RUNS] [-n STEPS] [-d REFERENCE]
#   SEED (1), RUNS (5): sequences SEED .. SEED+RUNS-1
#   STEPS (150): requests per sequence
#   REFERENCE: cxenstored (default) or oxenstored
#
# What the sequences avoid, because the daemons differ there by design
# (tests/conformance/cases, "allow" lines): watch depth, @releaseDomain/
# <domid>, ring features, two watches of one client with one token; and
# while a transaction is open, other clients
# write only outside the subtree transactions use (/d), since C xenstored
# fails a commit when anybody added a child to a parent the transaction
# changed, and we do not.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/sim/env.sh"
seed=1 runs=5 steps=150 ref=cxenstored
while getopts s:r:n:d: o; do
	case $o in
	s) seed=$OPTARG ;;
	r) runs=$OPTARG ;;
	n) steps=$OPTARG ;;
	d) ref=$OPTARG ;;
	*) exit 2 ;;
	esac
done
. "$abs_top_srcdir/tests/sim/lib.sh"

# generate SEED STEPS: a script for simxen-guest on stdout.  The
# generator is its own Park-Miller generator, so a seed means the same
# sequence with any awk.
generate() {
	awk -v seed="$1" -v steps="$2" '
	function rnd(n) { x = (x * 16807) % 2147483647; return x % n }
	function pick(s,   a, k) { k = split(s, a, " "); return a[rnd(k) + 1] }
	BEGIN {
		x = seed % 2147483646 + 1
		print "conn a dom0"; print "conn b dom0"
		print "conn g guest 1"; print "conn h guest 2"
		print "a: mkdir /d/p"; print "a: mkdir /d/q"
		print "a: mkdir /o/p"; print "a: mkdir /o/q"
		print "a: setperms /d n0 b1 r2"; print "a: setperms /d/p n0 b1 r2"
		print "a: setperms /d/q n0 b1 r2"
		print "a: setperms /o n0 r1 b2"; print "a: setperms /o/p n0 r1 b2"
		print "a: setperms /o/q n0 r1 b2"
		split("a b g h", cl, " ")
		for (i = 1; i <= steps; i++) {
			c = cl[rnd(4) + 1]
			# Transactions: only on /d, one client at a time.
			if (tx == "" && rnd(12) == 0) {
				tx = c; print c ": txstart"; continue
			}
			if (tx != "" && (c == tx && rnd(4) == 0 || rnd(30) == 0)) {
				print tx ": txend " pick("commit commit abort"); tx = ""
				continue
			}
			intx = (c == tx)
			base = intx ? "/d" : (tx != "" ? "/o" : pick("/d /o"))
			p = base "/" pick("p q") (rnd(3) ? "/" pick("x y z") : "") \
			    (rnd(3) ? "" : "/" pick("k l"))
			if (c == "g" && rnd(4) == 0) p = "data/" pick("x y")
			if (c == "h" && rnd(4) == 0) p = "data/" pick("x y")
			if (!intx && rnd(5) == 0) {
				# Whatever the other clients have to say.
				print c ": events-drain 100"; continue
			}
			r = rnd(100)
			if (r < 25) print c ": write " p " v" rnd(10)
			else if (r < 45) print c ": read " p
			else if (r < 52) print c ": mkdir " p
			else if (r < 60 && !(tx != "" && !intx && base == "/d")) print c ": rm " p
			else if (r < 68) print c ": dir " p
			else if (r < 73) print c ": getperms " p
			else if (r < 78) print c ": setperms " p " " pick("n0 n1 n2") " " pick("r0 r1 r2 b1 b2 w1 w2 n2")
			else if (r < 95 && !intx) {
				# A token names its path: C xenstored sends one
				# event where two watches of one client with the
				# same token match (a documented difference).
				wp = pick("/d /o /d/p /o/q " p)
				tok = wp; gsub("/", "_", tok)
				print c ": " (r < 90 ? "watch " : "unwatch ") wp " " tok "-" rnd(2)
			}
			else print c ": read " p
		}
		if (tx != "") print tx ": txend commit"
		for (j = 1; j <= 4; j++) print cl[j] ": events-drain 200"
		print "a: dir /d/p"; print "a: dir /d/q"; print "a: dir /o/p"; print "a: dir /o/q"
	}'
}

# transcript DAEMON SCRIPT OUT: run SCRIPT against a fresh DAEMON; a
# client that ends early is a failure of the run, not a difference.
transcript() {
	start_daemon "$1"
	"$GUEST" --timeout 3000 <"$2" >"$3" 2>"$T/guest.err"
	rc=$?
	if [ $rc -ne 0 ] || [ "$(wc -l <"$3")" -ne "$(wc -l <"$2")" ]; then
		echo "differential: $1: the client ended early (status $rc):" \
		    "$(cat "$T/guest.err")"
		tail -3 "$3"
		tail -5 "$T/daemon.log"
		exit 1
	fi
	stop_daemon
}

# differs SCRIPT: 0 if ours and the reference answer SCRIPT differently.
differs() {
	transcript ours "$1" "$T/ours.out"
	transcript "$ref" "$1" "$T/ref.out"
	! cmp -s "$T/ours.out" "$T/ref.out"
}

# shrink SCRIPT: cut everything after the first differing reply, then
# remove steps (never the set-up lines) while the difference stays;
# chunks first, then single lines.
shrink() {
	first=$(diff "$T/ours.out" "$T/ref.out" | sed -n '1s/^\([0-9]*\).*/\1/p')
	head -n "${first:-999999}" "$1" >"$T/best"
	differs "$T/best" || cp "$1" "$T/best"
	head=$(grep -c -e '^conn ' -e '^a: mkdir /[do]/' -e '^a: setperms /[do]' "$T/best")
	chunk=$(( ($(wc -l <"$T/best") - head) / 2 ))
	while [ "$chunk" -ge 1 ]; do
		i=$((head + 1))
		while [ "$i" -le "$(wc -l <"$T/best")" ]; do
			sed "${i},$((i + chunk - 1))d" "$T/best" >"$T/try"
			if differs "$T/try"; then
				cp "$T/try" "$T/best"
			else
				i=$((i + chunk))
			fi
		done
		chunk=$((chunk / 2))
	done
	differs "$T/best" || true	# leave the shortest one's transcripts
}

status=0
s=$seed
while [ "$s" -lt $((seed + runs)) ]; do
	generate "$s" "$steps" >"$T/seq"
	if differs "$T/seq"; then
		# Once more, to tell a real difference from a timing one.
		cp "$T/ours.out" "$T/ours.first"
		if ! differs "$T/seq"; then
			# An event later than the client waited for, on a
			# loaded machine: not a difference in behaviour.
			echo "seed $s: differed once, then not (timing, not counted):"
			diff "$T/ours.first" "$T/ref.out" | head -20
		else
			echo "seed $s: ours and $ref differ; shrinking ($(wc -l <"$T/seq") lines)"
			shrink "$T/seq"
			echo "seed $s: shortest sequence, $(wc -l <"$T/best") lines:"
			sed 's/^/    /' "$T/best"
			echo "seed $s: ours vs $ref:"
			diff "$T/ours.out" "$T/ref.out" | sed 's/^/    /'
			status=1
		fi
	else
		echo "seed $s: $(grep -c ' -> ' "$T/ours.out") replies identical"
	fi
	s=$((s + 1))
done
exit $status
