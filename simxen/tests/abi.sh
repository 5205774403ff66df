# The ABI libraries under a program linked against Debian's libxen*.
. "${abs_top_srcdir:?}/simxen/tests/lib.sh"
set -- $($SIMXEN create)
[ $# -eq 3 ] || fail "simxen create printed '$*'"
LD_LIBRARY_PATH=$SIMLIB "$B/simxen/tests/abi_test" "$1" "$2"
$SIMXEN info "$1" && fail "domain $1 still exists"
# A host whose toolstack has no libxenctrl (simxen init --no-xenctrl).
$SIMXEN init --no-xenctrl
set -- $($SIMXEN create)
LD_LIBRARY_PATH=$SIMLIB "$B/simxen/tests/abi_test" --no-xenctrl "$1"
echo "abi.sh: passed"
