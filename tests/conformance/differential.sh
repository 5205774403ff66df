#!/bin/sh
# Differential testing: seeded random sequences of requests from several
# clients (two dom0 sockets, two guests over rings) against our xenstored
# and a reference daemon on the simulated Xen; every reply and watch
# event must match.  A mismatch is shrunk to the shortest sequence that
# still shows it, which is printed with both transcripts.
#
# usage: differential.sh [-s SEED] [-r RUNS] [-n STEPS] [-d REFERENCE]
#            [-m MODE] [-S]
#   SEED (1), RUNS (5): sequences SEED .. SEED+RUNS-1
#   STEPS (150): requests per sequence
#   REFERENCE: cxenstored (default) or oxenstored
#   -S: print the first difference without shrinking the sequence
#   MODE: basic (default), or perms: longer-lived state rich in
#         SET_PERMS (naming live, dead and never-born domains), RM,
#         transactions and the end and rebirth of guest domains
#
# Our daemon's log must hold no sanitizer report (with an ASan+UBSan
# build, memory errors that change no reply fail the run too).
# What the sequences avoid, because the daemons differ there by design
# (tests/conformance/cases, "allow" lines): watch depth, @releaseDomain/
# <domid>, ring features, two watches of one client with one token; and
# while a transaction is open, other clients
# write only outside the subtree transactions use (/d), since C xenstored
# fails a commit when anybody added a child to a parent the transaction
# changed, and we do not.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/sim/env.sh"
seed=1 runs=5 steps=150 ref=cxenstored mode=basic noshrink=no
while getopts s:r:n:d:m:S o; do
	case $o in
	S) noshrink=yes ;;
	s) seed=$OPTARG ;;
	r) runs=$OPTARG ;;
	n) steps=$OPTARG ;;
	d) ref=$OPTARG ;;
	m) mode=$OPTARG ;;
	*) exit 2 ;;
	esac
done
case $mode in basic|perms) ;; *) echo "differential: no mode $mode" >&2; exit 2 ;; esac
# Lines of set-up at the top of a sequence, which shrinking keeps.
setup_lines=
[ $mode = basic ] || setup_lines=14
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

# generate_perms SEED STEPS: the perms mode.  Nodes under /d and /o get
# perms naming domains 0-4 (3 and 4 die and are born again: each life is
# a new connection k<domid>_<life>; named only while alive, as C
# xenstored 4.17 refuses perms naming a domain that does not exist) and
# 5 and 7 (domains that exist but are never introduced, so that nothing
# else names them), so that a domid's entries come and go on one node
# while other nodes keep or drop theirs.  Transactions as in the basic mode (on /d, one at a time,
# others outside it meanwhile).  GET_PERMS is not sent for a node whose
# perms (or an ancestor's, inherited) ever named a domain that can die:
# after its end we drop the entry and C xenstored 4.17 keeps it
# (tests/conformance/cases/05-domains.t, end-revokes-perms).
generate_perms() {
	awk -v seed="$1" -v steps="$2" '
	function rnd(n) { x = (x * 16807) % 2147483647; return x % n }
	function pick(s,   a, k) { k = split(s, a, " "); return a[rnd(k) + 1] }
	function dom(s,   d) {
		d = pick(s)
		return (d == 3 || d == 4) && !alive[d] ? 5 : d
	}
	function entry() { return pick("n r w b") dom("0 1 2 3 4 5 7") }
	function tainted(p,   q) {
		for (q in taint) if (p == q || index(p, q "/") == 1) return 1
		return 0
	}
	BEGIN {
		x = seed % 2147483646 + 1
		print "conn a dom0"; print "conn b dom0"
		print "conn g guest 1"; print "conn h guest 2"
		print "conn k3_1 guest 3"; print "conn k4_1 guest 4"
		print "conn z5 guest 5 bare"; print "conn z7 guest 7 bare"
		cur[3] = "k3_1"; cur[4] = "k4_1"; life[3] = life[4] = 1
		alive[3] = alive[4] = 1
		print "a: mkdir /d/p"; print "a: mkdir /o/p"
		print "a: setperms /d n0 b1 b2 b3 r4"
		print "a: setperms /d/p n0 b1 b2 b3 r4"
		print "a: setperms /o n0 b1 b2 b4 r3"
		print "a: setperms /o/p n0 b1 b2 b4 r3"
		taint["/d"] = taint["/o"] = 1
		for (i = 1; i <= steps; i++) {
			r = rnd(100)
			# The end and the rebirth of guests 3 and 4: never while
			# a transaction is open (when the end drops entries a
			# transaction read, its commit is EAGAIN with us, and
			# not with C xenstored, which keeps them); a pause after
			# each, so that no request races the daemon learning
			# of it; a rebirth only once the old life is gone.
			if (r < 3) {
				n = 3 + rnd(2)
				if (alive[n] && tx == "") {
					# Both daemons learn of it asynchronously.
					print "xen-destroy " n; print "a: sleep 300"
					alive[n] = 0; died[n] = i
				} else if (!alive[n] && i - died[n] > 5) {
					cur[n] = "k" n "_" ++life[n]
					print "a: sleep 300"
					print "conn " cur[n] " guest " n; alive[n] = 1
				}
				continue
			}
			c = pick("a a b g h k3 k4")
			if (c ~ /^k/) {
				n = substr(c, 2, 1)
				if (!alive[n]) c = "a"; else c = cur[n]
			}
			if (tx == "" && rnd(10) == 0) {
				tx = c; print c ": txstart"; continue
			}
			if (tx != "" && (c == tx && rnd(4) == 0 || rnd(25) == 0)) {
				print tx ": txend " pick("commit commit abort"); tx = ""
				continue
			}
			intx = (c == tx)
			base = intx ? "/d" : (tx != "" ? "/o" : pick("/d /o"))
			p = base "/" pick("p q") (rnd(3) ? "/" pick("x y z") : "") \
			    (rnd(3) ? "" : "/" pick("k l"))
			if (!intx && rnd(7) == 0) { print c ": events-drain 100"; continue }
			r = rnd(100)
			if (r < 35) {
				# Owner first; only dom0 may give a node away.
				e = pick("n r w b") dom("0 0 1 2 3 4 5 7")
				for (j = rnd(4); j > 0; j--) e = e " " entry()
				print c ": setperms " p " " e
				if (e ~ /[nrwb][34]( |$)/) taint[p] = 1
			}
			else if (r < 48 && !(tx != "" && !intx && base == "/d")) print c ": rm " p
			else if (r < 63) print c ": write " p " v" rnd(10)
			else if (r < 68) print c ": mkdir " p
			else if (r < 80) print c ": read " p
			else if (r < 85) print c ": dir " p
			else if (r < 90 && !tainted(p)) print c ": getperms " p
			else if (r < 97 && !intx) {
				wp = pick("/d /o /d/p /o/p " p)
				tok = wp; gsub("/", "_", tok)
				print c ": " (r < 95 ? "watch " : "unwatch ") wp " " tok "-" rnd(2)
			}
			else print c ": read " p
		}
		if (tx != "") print tx ": txend commit"
		print "a: events-drain 200"; print "b: events-drain 200"
		print "g: events-drain 200"; print "h: events-drain 200"
		for (n = 3; n <= 4; n++) if (alive[n]) print cur[n] ": events-drain 200"
		print "a: dir /d/p"; print "a: dir /d/q"; print "a: dir /o/p"; print "a: dir /o/q"
		print "g: read /d/p"; print "h: read /o/p"
	}'
}

# transcript DAEMON SCRIPT OUT: run SCRIPT against a fresh DAEMON; a
# client that ends early is a failure of the run, not a difference, and
# so is a sanitizer report in our daemon's log.
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
	if [ "$1" = ours ] && grep -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$T/daemon.log"; then
		echo "differential: ours: sanitizer report running $2:"
		grep -E -A25 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		    "$T/daemon.log" | head -40
		cp "$2" "$T/sanitizer.seq"
		echo "differential: the sequence:"
		sed 's/^/    /' "$T/sanitizer.seq"
		exit 1
	fi
}

# differs SCRIPT: 0 if ours and the reference answer SCRIPT differently.
differs() {
	transcript ours "$1" "$T/ours.out"
	transcript "$ref" "$1" "$T/ref.out"
	if [ $mode = perms ]; then
		events_as_sets "$T/ours.out"
		events_as_sets "$T/ref.out"
	fi
	! cmp -s "$T/ours.out" "$T/ref.out"
}

# events_as_sets FILE: each events-drain list without repeats.  In the
# perms mode C xenstored 4.17 sometimes sends one event where a change
# was made twice to a path a client watches and has not yet read (seed
# 8: RM then MKDIR of one node, other guests watching with the same
# tokens); we send one per change.
events_as_sets() {
	awk '/: events-drain [0-9]* -> / {
		i = index($0, " -> "); head = substr($0, 1, i + 3)
		n = split(substr($0, i + 4), ev, "; "); out = ""; delete seen
		for (k = 1; k <= n; k++)
			if (!(ev[k] in seen)) { seen[ev[k]] = 1; out = out (out == "" ? "" : "; ") ev[k] }
		$0 = head out
	} { print }' "$1" >"$1.sets" && mv "$1.sets" "$1"
}

# shrink SCRIPT: cut everything after the first differing reply, then
# remove steps (never the set-up lines) while the difference stays;
# chunks first, then single lines.
shrink() {
	first=$(diff "$T/ours.out" "$T/ref.out" | sed -n '1s/^\([0-9]*\).*/\1/p')
	head -n "${first:-999999}" "$1" >"$T/best"
	differs "$T/best" || cp "$1" "$T/best"
	head=$setup_lines
	[ -n "$head" ] ||
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
	if [ $mode = perms ]; then
		generate_perms "$s" "$steps" >"$T/seq"
	else
		generate "$s" "$steps" >"$T/seq"
	fi
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
			if [ $noshrink = yes ]; then
				cp "$T/seq" "$T/best"
			else
				shrink "$T/seq"
			fi
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
