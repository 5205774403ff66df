# Sourced by the Debian-daemon tests once the daemon listens on
# $XENSTORED_PATH: read, list, INTRODUCE a simulated domain, destroy it
# and expect @releaseDomain; then the domain must end up dead.
xenstore-read / >/dev/null || fail "xenstore-read / failed"
xenstore-ls >$T/ls || fail "xenstore-ls failed"
grep -q '^tool' $T/ls || fail "no /tool in xenstore-ls output"
set -- $($SIMXEN create)
[ $# -eq 3 ] || fail "simxen create printed '$*'"
DOMID=$1
$B/simxen/tests/xs_introduce intro "$1" "$2" "$3" ||
    fail "INTRODUCE of domain $1"
$SIMXEN info $DOMID | grep -q 'maps=1' || fail "daemon did not map the ring"
$B/simxen/tests/xs_introduce release-after 10 "$SIMXEN destroy $DOMID" ||
    fail "no @releaseDomain after destroy"
# The daemon unmaps after firing: bounded wait for the domain to be dead.
i=0
while $SIMXEN info $DOMID >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -le 500 ] || fail "domain $DOMID never became dead"
	sleep 0.01
done
xenstore-read / >/dev/null || fail "daemon gone after the release"
