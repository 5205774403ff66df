#!/bin/sh
# XSA-425 (CVE-2022-42330): C xenstored 4.17.0 walked its connections
# with a loop that was safe against removing the current one only; a
# RELEASE removes another (the released domain's): a double free.  The
# toolstack sends RELEASE whenever a guest does a soft reset (kexec), so
# the guest can make it happen at will.  Attack: twenty soft resets in a
# row (RELEASE, then INTRODUCE of the same domain, ring and port), the
# guest using its ring between them, its connection listed right after
# the one that sends RELEASE.
# Xen's fix: the revert of "simplify loop handling connection I/O".
# Must: each RELEASE and INTRODUCE is OK, the guest is served after
# each, and the daemon stays alive.  (The simulated Xen has no
# EVTCHNOP_reset: the daemon must unbind its port at RELEASE for the
# INTRODUCE to bind it again.)
. "$(dirname "$0")/lib.sh"
xsa_start
# The domain, introduced; the script opens dom0's connection, then the
# guest's ring (listed after it).
mkguest 2
set -- $("$SIMXEN" info 2)
gfn=${3#gfn=}
port=${4#port=}
# Ten rounds of two soft resets, each round one script: dom0's
# connection, then the guest's ring, so that after the first INTRODUCE
# the domain's connection is listed after the one sending RELEASE.
r=1
while [ $r -le 10 ]; do
	{
		echo "conn a dom0"
		echo "conn g ring 2"
		echo "g: getdomainpath 2"
		for k in 1 2; do
			echo "a: release 2"
			echo "a: introduce 2 $gfn $port"
			echo "a: isintroduced 2"
			# The end of the domain took its nodes and perms (as a
			# real soft reset does; the toolstack writes them
			# again): any answer will do.
			echo "g: read name"
			echo "g: getdomainpath 2"
		done
	} >"$T/script.txt"
	XSA_TIMEOUT=1000 run soft$r <"$T/script.txt"
	[ "$(grep -c '^a: release 2 -> OK$' "$T/soft$r.out")" -eq 2 ] &&
	    [ "$(grep -c '^a: introduce 2 .* -> OK$' "$T/soft$r.out")" -eq 2 ] &&
	    [ "$(grep -c '^a: isintroduced 2 -> "T"$' "$T/soft$r.out")" -eq 2 ] ||
	    { cat "$T/soft$r.out" >&2; fail "round $r: a soft reset failed"; }
	[ "$(grep -c '^g: getdomainpath 2 -> "/local/domain/2"$' "$T/soft$r.out")" -eq 3 ] &&
	    ! grep -q '^g: .* -> TIMEOUT' "$T/soft$r.out" ||
	    { cat "$T/soft$r.out" >&2; fail "round $r: the guest was not served after a soft reset"; }
	r=$((r + 1))
done
xsa_finish
