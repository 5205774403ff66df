#!/bin/sh
# oxenstored with patch series 2 (no libxenctrl, docs/oxenstored.md) on a
# simulated Xen whose toolstack cannot use libxenctrl and that refuses
# foreign mapping (simxen init --no-xenctrl --no-foreign-map):
#  - Debian's oxenstored, the unpatched control and the series-1 build
#    all need libxenctrl and so fail INTRODUCE (they exit at start);
#  - the stable build does not link libxenctrl (ldd) and refuses
#    domain-state-from-toolstack = false;
#  - with the toolstack's domain-state service (hypervisor mode, no
#    libxenctrl either) it passes the faithfulness test and the
#    conformance suite with the results of the control on a default
#    host, the differences listed below with their reasons;
#  - CONTROL domain-state and domains are refused to a guest, check
#    their arguments and are idempotent;
#  - 40 domain lifecycles, deaths told by the service and by XS_RELEASE
#    in turn, each leaving no mapping (the simulator keeps a destroyed
#    domain while its ring is mapped) and none of the domain's nodes;
#  - a live update to itself keeps the store, an introduced guest and
#    the service's connection, and the guest's death is still seen;
#  - on a default host, a live update from Debian's oxenstored to it
#    unbinds the inherited VIRQ_DOM_EXC and takes deaths from the service.
# usage: abs_top_builddir=BUILD abs_top_srcdir=SRC oxenstored-stable.sh
. "$(dirname "$0")/../sim/lib.sh"
. "$(dirname "$0")/lifecycle.sh"

command -v ocamlfind >/dev/null ||
    fail "ocamlfind missing: run scripts/setup-debian.sh (ocaml-nox, ocaml-findlib)"
out=${OXENSTORED_OUT:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/xenstore-stable/oxenstored-4.17}
sh "$abs_top_srcdir/ocaml-bindings/build.sh" "$out" >"$T/build.log" 2>&1 ||
    { cat "$T/build.log" >&2; fail "ocaml-bindings/build.sh failed"; }
stable=$out/oxenstored-stable
OXENSTORED_DEBIAN=$OXSD
host="--no-xenctrl --no-foreign-map"
SIMXEN_INIT=$host
export SIMXEN_INIT

# 1. No libxenctrl in the stable build; the control has it, so the check
# can tell.
ldd "$out/oxenstored-control" | grep -q 'libxenctrl\.so' ||
    fail "ldd of the control shows no libxenctrl: the check below means nothing"
! ldd "$stable" | grep libxenctrl ||
    fail "the stable oxenstored links libxenctrl"
echo "ok - ldd: oxenstored-stable does not link libxenctrl"

# 2. The builds that use libxenctrl cannot serve a guest on this host.
printf 'write data/x hello\nread data/x\n' >"$T/script"
for kind in debian control patched; do
	bin=$OXSD
	[ $kind = debian ] || bin=$out/oxenstored-$kind
	# shellcheck disable=SC2086 # two flags
	"$SIMXEN" init $host >/dev/null || fail "simxen init"
	mkdir -p "$T/ox"
	printf 'pid-file = %s\npersistent = false\nxenstored-log-file = %s\nxenstored-kva = %s\nxenstored-port = %s\n' \
	    "$T/ox/pid" "$T/ox/xenstored.log" "$SIMXEN_DIR/xsd_kva" \
	    "$SIMXEN_DIR/xsd_port" >"$T/ox/$kind.conf"
	rm -f "$XENSTORED_PATH"
	SIMXEN_XENSTORED_SOCKET=$XENSTORED_PATH \
	    LD_LIBRARY_PATH=$SIMLIB LD_PRELOAD=$SIMLIB/libsimxen-procxen.so \
	    "$bin" --no-fork --config-file "$T/ox/$kind.conf" \
	    >"$T/$kind.log" 2>&1 &
	pid=$!
	# It exits at start (Xenctrl.interface_open raises), or else it
	# must refuse the INTRODUCE.
	i=0
	while kill -0 $pid 2>/dev/null && [ ! -e "$XENSTORED_PATH" ]; do
		i=$((i + 1))
		[ $i -le 1000 ] || fail "$kind: neither exits nor serves"
		sleep 0.01
	done
	if kill -0 $pid 2>/dev/null; then
		if guest --create --setup --introduce -c "$T/script" \
		    >"$T/$kind.out" 2>&1; then
			kill -KILL $pid
			fail "$kind oxenstored introduced a domain without libxenctrl"
		fi
		! grep -q hello "$T/$kind.out" ||
		    fail "$kind: the guest was served without libxenctrl"
		kill -KILL $pid
		wait $pid 2>/dev/null || true
		echo "ok - $kind oxenstored fails INTRODUCE without libxenctrl"
	else
		wait $pid 2>/dev/null || true
		grep -q 'Xenctrl\|xenctrl\|xc_interface' "$T/$kind.log" ||
		    { cat "$T/$kind.log" >&2; fail "$kind: exited, but not for libxenctrl"; }
		echo "ok - $kind oxenstored exits at start without libxenctrl, so fails INTRODUCE"
	fi
done

# 3. The stable build refuses to run without its only source of deaths.
# shellcheck disable=SC2086 # two flags
"$SIMXEN" init $host >/dev/null || fail "simxen init"
printf 'domain-state-from-toolstack = false\nxenstored-kva = %s\nxenstored-port = %s\npid-file = %s\n' \
    "$SIMXEN_DIR/xsd_kva" "$SIMXEN_DIR/xsd_port" "$T/ox/pid" >"$T/ox/false.conf"
if SIMXEN_XENSTORED_SOCKET=$XENSTORED_PATH LD_LIBRARY_PATH=$SIMLIB \
    LD_PRELOAD=$SIMLIB/libsimxen-procxen.so \
    "$stable" --no-fork --config-file "$T/ox/false.conf" >"$T/false.log" 2>&1; then
	fail "oxenstored-stable ran with domain-state-from-toolstack = false"
fi
grep -q 'domain-state-from-toolstack = false needs libxenctrl' "$T/false.log" ||
    { cat "$T/false.log" >&2; fail "no reason given for refusing the key"; }
echo "ok - oxenstored-stable refuses domain-state-from-toolstack = false"

# 4. Faithfulness, with the service telling deaths.
OXENSTORED=$stable DOMAIN_STATE_SERVICE=1 FAITHFUL_DAEMONS=oxenstored \
    sh "$abs_top_srcdir/tests/sim/faithful.sh" >"$T/faithful.out" 2>&1 ||
    { cat "$T/faithful.out" >&2; fail "faithful.sh against oxenstored-stable"; }
echo "ok - faithful.sh: oxenstored-stable matches ours but for oxenstored's allowed differences"

# 5. Conformance: the stable build here, with the service, against the
# control on a default host: the same output, line for line; a difference
# would be listed here with its reason, and there is
#  none: every case, passed, failed or allowed, comes out the same.
conf=$abs_top_srcdir/tests/conformance/run.sh
SIMXEN_INIT='' OXENSTORED=$out/oxenstored-control sh "$conf" -d oxenstored \
    >"$T/conf-control.out" 2>&1
SIMXEN_INIT=$host OXENSTORED=$stable DOMAIN_STATE_SERVICE=1 \
    sh "$conf" -d oxenstored >"$T/conf-stable.out" 2>&1
grep -q '^oxenstored  *[0-9]' "$T/conf-control.out" ||
    { cat "$T/conf-control.out" >&2; fail "conformance: the control gave no table"; }
if ! diff "$T/conf-control.out" "$T/conf-stable.out" >"$T/conf.diff"; then
	cat "$T/conf.diff" >&2
	fail "conformance: oxenstored-stable's results differ from the control's"
fi
echo "ok - conformance: oxenstored-stable's results equal the control's ($(grep '^oxenstored  *[0-9]' "$T/conf-stable.out"))"

# 6. 40 lifecycles: odd ones die in Xen and the service tells oxenstored,
# even ones are released by XS_RELEASE first.
OXSD=$stable
DOMAIN_STATE_SERVICE=1 start_daemon oxenstored
xenstore-write /probe alive || fail "stable: xenstore-write"
label=stable
# CONTROL domain-state and domains: dom0 only, arguments checked, a
# domid not introduced or a repeated state changes nothing, "dead" ends
# the domain and unmaps its ring.
n=control
guest --create --setup --introduce </dev/null >/dev/null 2>&1 ||
    fail "control: guest failed"
d=$("$SIMXEN" list | awk '$1 != 0 { print $1 }')
printf 'control domain-state %s dead\ncontrol domains\n' "$d" |
    guest --domid "$d" >"$T/ctl.out" 2>&1
for want in "control domain-state $d dead -> ERR EACCES" \
    "control domains -> ERR EACCES"; do
	grep -qxF -- "$want" "$T/ctl.out" ||
	    { cat "$T/ctl.out" >&2; fail "control: a guest was not refused: no '$want'"; }
done
printf '%s\n' "control domains" "control domain-state x dead" \
    "control domain-state $d bogus" "control domain-state $d running 3" \
    "control domain-state $d shutdown 0" "control domain-state $d shutdown 0" \
    "control domain-state 77 dead" "isintroduced $d" \
    "control domain-state $d dead" "control domain-state $d dead" \
    "isintroduced $d" | guest --dom0 >"$T/ctl.out" 2>&1
for want in "control domains -> \"domid 0 port 1\\x0adomid $d port 1\\x0a\"" \
    "control domain-state x dead -> ERR EINVAL" \
    "control domain-state $d bogus -> ERR EINVAL" \
    "control domain-state $d running 3 -> ERR EINVAL" \
    "control domain-state $d shutdown 0 -> OK" \
    "control domain-state 77 dead -> OK" "isintroduced $d -> \"T\"" \
    "control domain-state $d dead -> OK" "isintroduced $d -> \"F\""; do
	grep -qxF -- "$want" "$T/ctl.out" ||
	    { cat "$T/ctl.out" >&2; fail "control: no line '$want'"; }
done
"$SIMXEN" info "$d" | grep -q ' maps=0 ' ||
    fail "control: ring of $d still mapped after domain-state dead"
"$SIMXEN" destroy "$d" >/dev/null || fail "destroy $d"
lc_gone "$d"
echo "ok - CONTROL domain-state and domains: dom0 only, checked, idempotent"

n=0
while [ $n -lt 40 ]; do
	n=$((n + 1))
	lc_start
	if [ $((n % 2)) -eq 0 ]; then
		printf 'release %s\n' "$d" | guest --dom0 >"$T/rel.out" 2>&1
		grep -qxF "release $d -> OK" "$T/rel.out" ||
		    { cat "$T/rel.out" >&2; fail "stable: RELEASE $d failed"; }
		"$SIMXEN" info "$d" | grep -q ' maps=0 ' ||
		    fail "stable: ring of $d still mapped after RELEASE"
	fi
	lc_end
	printf 'isintroduced %s\n' "$d" | guest --dom0 | grep -q '"F"' ||
	    fail "stable: lifecycle $n: domain $d still introduced"
done
[ "$("$SIMXEN" list | awk '$1 != 0' | wc -l)" -eq 0 ] ||
    fail "stable: domains left: $("$SIMXEN" list)"
kill -0 "$DAEMON_PID" || fail "oxenstored-stable died"
grep -q 'mode hypervisor' "$T/service.log" ||
    fail "the service did not run in hypervisor mode"
echo "ok - oxenstored-stable: $n domain lifecycles, deaths from the service and RELEASE, no mapping left"

# 7. A live update to the same binary (XS_CONTROL live-update, its dump
# going to $SIMXEN_DIR/xenstored-db through the preload library): the
# store, an introduced guest (mapped again by grant) and the service's
# connection survive, and the guest's death after it is still seen.
guest --create --setup --introduce -c "$T/script" >"$T/g.out" 2>&1 ||
    { cat "$T/g.out" >&2; fail "live update: guest failed"; }
d=$("$SIMXEN" list | awk '$1 != 0 { print $1 }')
printf 'control live-update -f %s\ncontrol live-update -s\n' "$stable" |
    guest --dom0 >"$T/lu.out" 2>&1
grep -qxF "control live-update -f $stable -> OK" "$T/lu.out" ||
    { cat "$T/lu.out" >&2; fail "live update: -f refused"; }
i=0
until printf 'control live-update -s\n' | guest --dom0 2>&1 |
    grep -qxF 'control live-update -s -> "OK"'; do
	i=$((i + 1))
	[ $i -le 100 ] || { tail "$T/ox/xenstored.log" >&2; fail "live update never completed"; }
	sleep 0.1
done
kill -0 "$DAEMON_PID" || fail "live update: oxenstored is gone"
# "OK" comes only from a process that loaded a dump (--restart).
[ -s "$SIMXEN_DIR/xenstored-db" ] || fail "live update: no dump written"
[ "$(xenstore-read /probe)" = alive ] || fail "live update: the store was lost"
[ "$(xenstore-read /local/domain/"$d"/data/x)" = hello ] ||
    fail "live update: domain $d's nodes were lost"
printf 'isintroduced %s\n' "$d" | guest --dom0 | grep -q '"T"' ||
    fail "live update: domain $d is no longer introduced"
"$SIMXEN" shutdown "$d" poweroff >/dev/null || fail "shutdown $d"
"$SIMXEN" destroy "$d" >/dev/null || fail "destroy $d"
n=live-update
lc_gone "$d"
kill -0 "$SERVICE_PID" || fail "live update: the service died"
guest --create --setup --introduce -c "$T/script" >"$T/g.out" 2>&1 ||
    { cat "$T/g.out" >&2; fail "live update: a new guest failed"; }
grep -qxF 'read data/x -> "hello"' "$T/g.out" ||
    fail "live update: a new guest was not served"
echo "ok - oxenstored-stable: a live update keeps the store, a guest and the service"

# 8. A live update from Debian's oxenstored, which binds VIRQ_DOM_EXC (so
# a host with libxenctrl), to the stable build: the new process unbinds
# the VIRQ it inherits, and deaths then come from the service.
SIMXEN_INIT=''
OXSD=$OXENSTORED_DEBIAN
start_daemon oxenstored
xenstore-write /probe alive || fail "debian: xenstore-write"
guest --create --setup --introduce -c "$T/script" >"$T/g.out" 2>&1 ||
    { cat "$T/g.out" >&2; fail "debian: guest failed"; }
d=$("$SIMXEN" list | awk '$1 != 0 { print $1 }')
printf 'control live-update -f %s\ncontrol live-update -s\n' "$stable" |
    guest --dom0 >"$T/lu.out" 2>&1
i=0
until printf 'control live-update -s\n' | guest --dom0 2>&1 |
    grep -qxF 'control live-update -s -> "OK"'; do
	i=$((i + 1))
	[ $i -le 100 ] || { cat "$T/lu.out" >&2; fail "live update from Debian's oxenstored never completed"; }
	sleep 0.1
done
grep -q '^evtchn-dev,[0-9]*,[0-9][0-9]*$' "$SIMXEN_DIR/xenstored-db" ||
    fail "live update from Debian's: no bound VIRQ in the dump"
[ "$(readlink "/proc/$DAEMON_PID/exe")" = "$(readlink -f "$stable")" ] ||
    fail "live update from Debian's: the stable build is not running"
[ "$(xenstore-read /probe)" = alive ] || fail "live update from Debian's: store lost"
LD_LIBRARY_PATH=$SIMLIB "$abs_top_builddir/toolstack-hooks/xenstore-domain-state" \
    -V -m hypervisor >"$T/service.log" 2>&1 &
SERVICE_PID=$!
"$SIMXEN" shutdown "$d" poweroff >/dev/null || fail "shutdown $d"
"$SIMXEN" destroy "$d" >/dev/null || fail "destroy $d"
n=live-update-from-debian
lc_gone "$d"
kill -0 "$DAEMON_PID" || fail "live update from Debian's: oxenstored died"
[ "$(xenstore-read /probe)" = alive ] || fail "live update from Debian's: no answer"
echo "ok - a live update from Debian's oxenstored to oxenstored-stable; deaths then come from the service"
