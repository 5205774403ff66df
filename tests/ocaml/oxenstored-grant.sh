#!/bin/sh
# oxenstored on a simulated Xen that refuses foreign mapping
# (simxen init --no-foreign-map): Debian's oxenstored and the unpatched
# control (ocaml-bindings/build.sh) must fail INTRODUCE, since they map
# a guest's ring with xc_map_foreign_range; the build with patch series
# 1 (grant mapping) must map the ring once, serve the guest over it and
# release it when the domain dies, through 40 domain lifecycles (the
# simulator keeps a destroyed domain while its ring is mapped, so a ring
# left mapped shows as a domain that never dies; there a munmap alone,
# Xb.close's, counts as an unmap, as on Linux), and unmap the ring
# through the grant handle on XS_RELEASE.
# usage: abs_top_builddir=BUILD abs_top_srcdir=SRC oxenstored-grant.sh
. "$(dirname "$0")/../sim/lib.sh"
. "$(dirname "$0")/lifecycle.sh"

command -v ocamlfind >/dev/null ||
    fail "ocamlfind missing: run scripts/setup-debian.sh (ocaml-nox, ocaml-findlib)"
out=${OXENSTORED_OUT:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/xenstore-stable/oxenstored-4.17}
sh "$abs_top_srcdir/ocaml-bindings/build.sh" "$out" >"$T/build.log" 2>&1 ||
    { cat "$T/build.log" >&2; fail "ocaml-bindings/build.sh failed"; }
# shellcheck disable=SC2034 # read by start_daemon (tests/sim/lib.sh)
SIMXEN_INIT=--no-foreign-map

printf 'write data/x hello\nread data/x\n' >"$T/script"

for kind in debian control; do
	OXENSTORED=$OXSD
	[ $kind = debian ] || OXSD=$out/oxenstored-control
	start_daemon oxenstored
	OXSD=$OXENSTORED
	if guest --create --setup --introduce -c "$T/script" >"$T/$kind.out" 2>&1; then
		cat "$T/$kind.out" >&2
		fail "$kind oxenstored introduced a domain without foreign mapping"
	fi
	! grep -q 'hello' "$T/$kind.out" ||
	    fail "$kind: the guest was served without foreign mapping"
	echo "ok - $kind oxenstored fails INTRODUCE without foreign mapping"
done

kind=patched label=patched
OXSD=$out/oxenstored-patched
start_daemon oxenstored
xenstore-write /probe alive || fail "patched: xenstore-write"
n=0
while [ $n -lt 40 ]; do
	n=$((n + 1))
	lc_start
	lc_end
done
kill -0 "$DAEMON_PID" || fail "patched oxenstored died"
echo "ok - patched oxenstored: $n domain lifecycles by grant mapping"

# XS_RELEASE unmaps the ring through the grant handle at once (patch
# 0002): the simulator drops the mapping's record then, where a munmap
# alone would leave it until the domain is destroyed.
guest --create --setup --introduce -c "$T/script" >"$T/g.out" 2>&1 ||
    { cat "$T/g.out" >&2; fail "patched: guest for RELEASE failed"; }
d=$("$SIMXEN" list | awk '$1 != 0 { print $1 }')
printf 'release %s\n' "$d" | guest --dom0 >"$T/rel.out" 2>&1
grep -qxF "release $d -> OK" "$T/rel.out" ||
    { cat "$T/rel.out" >&2; fail "patched: RELEASE $d failed"; }
"$SIMXEN" info "$d" | grep -q ' maps=0 ' ||
    fail "patched: ring of $d still mapped after RELEASE:" \
    "$("$SIMXEN" info "$d")"
"$SIMXEN" destroy "$d" >/dev/null || fail "destroy $d"
n=release
lc_gone "$d"
echo "ok - patched oxenstored: RELEASE unmaps the ring by grant"
