#!/bin/sh
# Mutation test of the limits that keep one guest from costing the daemon
# or the other guests more than its share: the watch-event drop limit, the
# re-arm that comes back to a ring with input left over, and the bound on
# reads per event.  Each mutation is applied with sed to a fresh copy of
# the tree, built in a temporary directory, and the tests that guard it
# are run: "killed" when they fail (or time out), "survived" when they
# still pass.  Not run by make check (docs/testing.md).
#
# usage: tests/mutation/run.sh [-a] [-k] [-r REV | -w] [-t TESTS] [NAME...]
#   -a        run the whole of make check per mutation
#   -r REV    mutate the tree of commit REV (default HEAD)
#   -w        mutate the working tree as it is, uncommitted changes too
#   -t TESTS  the tests to run (a list for make check TESTS=...)
#   -k        keep the temporary directory
#   NAME...   only these mutations (-l lists them)
# Exit status: 0 every mutation killed, 1 one survived, 2 no result (the
# unmutated tree fails the tests, or a mutation no longer applies).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TESTS_DEFAULT="tests/unit/test_ring tests/unit/test_domain
tests/sim/event_limit.sh"
ALL="event-max-check event-max-conn-x100 event-max-domain-x100
rearm-kick rearm-more rearm-serve bound-removed bound-x1000"

# mutation NAME: sets file (relative to the tree), script (for sed) and
# what (one line); false for an unknown name.
mutation() {
	case $1 in
	event-max-check)
		file=xenstored/conn.c
		script='s/(c->event_max != 0 \&\&/(0 \&\& c->event_max != 0 \&\&/'
		what="conn_send_event: the event_max check removed" ;;
	event-max-conn-x100)
		file=xenstored/conn.c
		script='s/tlen > c->event_max)/tlen > c->event_max * 100)/'
		what="conn_send_event: events dropped past 100 x event_max" ;;
	event-max-domain-x100)
		file=xenstored/domain.c
		script='s/quota_limit(d->domid, QUOTA_MEMORY));/quota_limit(d->domid, QUOTA_MEMORY) * 100);/'
		what="start_conn: a guest's event_max is 100 x its memory quota" ;;
	rearm-kick)
		file=xenstored/domain.c
		script='s/if (ring_conn_event(d->rc))$/if (ring_conn_event(d->rc) \&\& 0)/'
		what="service: work left over never goes on the kick list" ;;
	rearm-more)
		file=xenstored/conn_ring.c
		script='s/more = !conn_closing(conn)/more = false \&\& !conn_closing(conn)/'
		what="ring_conn_event: never reports input left over" ;;
	rearm-serve)
		file=xenstored/domain.c
		script='/^kick_event(/,/^}/s/service(d);/(void)d;/'
		what="kick_event: the kick list is emptied without serving it" ;;
	bound-removed)
		file=xenstored/conn_ring.c
		script='s/for (i = 0; i < RING_READS_PER_EVENT; i++)/for (i = 0; ; i++)/'
		what="ring_conn_event: reads until the ring is empty" ;;
	bound-x1000)
		file=xenstored/conn_ring.c
		script='s/^#define RING_READS_PER_EVENT\t16$/#define RING_READS_PER_EVENT\t16000/'
		what="RING_READS_PER_EVENT 16000 instead of 16" ;;
	*)
		return 1 ;;
	esac
}

all=false keep=false rev=HEAD worktree=false tests=$TESTS_DEFAULT
while getopts akr:wt:l o; do
	case $o in
	a) all=true ;;
	k) keep=true ;;
	r) rev=$OPTARG ;;
	w) worktree=true ;;
	t) tests=$OPTARG ;;
	l)
		for m in $ALL; do
			mutation "$m"
			printf '%-22s %s (%s)\n' "$m" "$what" "$file"
		done
		exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
names=${*:-$ALL}
for m in $names; do
	mutation "$m" || { echo "unknown mutation $m (-l lists them)" >&2; exit 2; }
done

W=$(mktemp -d "${TMPDIR:-/tmp}/xs-mutation.XXXXXX")
cleanup() { $keep && echo "kept $W" >&2 || rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 2' HUP INT TERM
S=$W/src B=$W/build
mkdir -p "$S" "$B" "$W/orig" "$W/logs"

# The tree to mutate: a commit's, or the working tree without builds.
if $worktree; then
	(cd "$TOP" && git ls-files -co --exclude-standard -z |
	    xargs -0 tar -cf - --no-recursion --ignore-failed-read) | tar -xf - -C "$S" || exit 2
	src_desc="working tree of $TOP"
else
	git -C "$TOP" archive "$rev" | tar -xf - -C "$S" || exit 2
	src_desc="$(git -C "$TOP" rev-parse --short "$rev") of $TOP"
fi
echo "mutating $src_desc in $W"
jobs=$(nproc 2>/dev/null || echo 2)
(cd "$S" && autoreconf -fi) >"$W/logs/autoreconf" 2>&1 &&
    (cd "$B" && "$S/configure" -q) >"$W/logs/configure" 2>&1 ||
    { tail -20 "$W/logs/autoreconf" "$W/logs/configure"; exit 2; }

# run LOG: build, then the tests; 0 when they pass.  Hangs count as
# failures (timeout).
run() {
	make -C "$B" -j"$jobs" >"$1" 2>&1 || { echo "build failed" >>"$1"; return 1; }
	if $all; then
		timeout 1800 make -C "$B" -j"$jobs" check >>"$1" 2>&1
	else
		timeout 900 make -C "$B" -j"$jobs" check TESTS="$(echo $tests)" \
		    >>"$1" 2>&1
	fi
}
# failed LOG: the tests that failed, on one line.
failed() {
	f=$(sed -n 's/^\(FAIL\|ERROR\): \([^ ]*\).*/\2/p' "$1" | tr '\n' ' ')
	grep -q "^build failed" "$1" && f="(build failed) $f"
	echo "${f:-(timeout or make error, see the log)}"
}

$all && scope="all of make check" || scope=$(echo $tests)
echo "tests: $scope"
if ! run "$W/logs/unmutated"; then
	echo "the unmutated tree fails: $(failed "$W/logs/unmutated")"
	keep=true
	exit 2
fi
echo "unmutated: pass"

status=0
printf '%-22s %-9s %s\n' mutation result "failing tests"
for m in $names; do
	mutation "$m"
	cp -p "$S/$file" "$W/orig/x"
	sed -i "$script" "$S/$file"
	if cmp -s "$S/$file" "$W/orig/x"; then
		printf '%-22s %-9s %s\n' "$m" "no-apply" "$file has changed: update $0"
		status=2
		continue
	fi
	if run "$W/logs/$m"; then
		printf '%-22s %-9s %s\n' "$m" survived "-"
		[ $status -eq 2 ] || status=1
	else
		printf '%-22s %-9s %s\n' "$m" killed "$(failed "$W/logs/$m")"
	fi
	# Back to the original, newer than the objects built from the mutant.
	cp "$W/orig/x" "$S/$file"
	touch "$S/$file"
done
[ $status -eq 0 ] || keep=true
exit $status
