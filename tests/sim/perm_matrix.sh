#!/bin/sh
# The permission matrix: nodes with each kind of perms, read and written
# by three guests over their rings, then again after SET_TARGET makes
# domain 3 act for domain 1 (xenstore.txt, SET_PERMS and SET_TARGET).
. "$(dirname "$0")/lib.sh"

start_daemon ours
for i in 1 2 3; do
	guest --create --setup --introduce </dev/null >/dev/null ||
	    fail "guest $i"
done
# node perms: who may read (r) and write (w) among domains 1 2 3.
cat >"$T/nodes" <<'N'
a n0
b r0
c n0 r1
d n0 w2
e n0 b3
f n1
g b0 n2
N
{
	echo "write /matrix x"
	echo "setperms /matrix r0"
	while read -r n perms; do
		echo "write /matrix/$n $n"
		echo "setperms /matrix/$n $perms"
	done <"$T/nodes"
} | guest --dom0 >"$T/dom0.out" || fail "dom0 set-up"
grep -q "ERR" "$T/dom0.out" && { cat "$T/dom0.out"; fail "dom0 set-up"; }

# expected DOMID: "node rw" lines ('-' for no access).
expected() {
	case $1 in
	1) echo "a -- b r- c r- d -- e -- f rw g rw" ;;
	2) echo "a -- b r- c -- d -w e -- f -- g --" ;;
	3) echo "a -- b r- c -- d -- e rw f -- g rw" ;;
	3t) echo "a -- b r- c r- d -- e rw f rw g rw" ;;
	esac
}

# probe DOMID CASE: run the matrix as DOMID and compare with CASE.
probe() {
	dom=$1 case=$2
	while read -r n perms; do
		echo "read /matrix/$n"
		echo "write /matrix/$n $n"
	done <"$T/nodes" | guest --domid "$dom" >"$T/out" 2>&1 ||
	    fail "guest $dom"
	set -- $(expected "$case")
	while [ $# -gt 0 ]; do
		n=$1 rw=$2
		shift 2
		case $rw in
		r?) want="read /matrix/$n -> \"$n\"" ;;
		*) want="read /matrix/$n -> ERR EACCES" ;;
		esac
		grep -qxF "$want" "$T/out" ||
		    { cat "$T/out"; fail "case $case: want '$want'"; }
		case $rw in
		?w) want="write /matrix/$n $n -> OK" ;;
		*) want="write /matrix/$n $n -> ERR EACCES" ;;
		esac
		grep -qxF "$want" "$T/out" ||
		    { cat "$T/out"; fail "case $case: want '$want'"; }
	done
	echo "domain $dom ($case): $(grep -c ' -> ' "$T/out") checks as expected"
}

probe 1 1
probe 2 2
probe 3 3
printf 'settarget 3 1\n' | guest --dom0 >"$T/dom0.out"
grep -qxF "settarget 3 1 -> OK" "$T/dom0.out" ||
    { cat "$T/dom0.out"; fail "settarget"; }
probe 3 3t
# Only the privileged may give a node away; the owner may change perms.
printf 'setperms /matrix/f n2\nsetperms /matrix/f n1 r2\ngetperms /matrix/f\n' |
    guest --domid 1 >"$T/out"
grep -qxF "setperms /matrix/f n2 -> ERR EPERM" "$T/out" &&
    grep -qxF "getperms /matrix/f -> [n1 r2]" "$T/out" ||
    { cat "$T/out"; fail "owner's setperms"; }
# Dom0-only operations are refused to a guest.
printf 'getquota nodes\nrelease 2\nintroduce 2 1 1\ncontrol check\n' |
    guest --domid 2 >"$T/out"
[ "$(grep -c 'ERR EACCES' "$T/out")" -eq 4 ] ||
    { cat "$T/out"; fail "dom0-only operations"; }
echo "perm_matrix.sh: passed"
