# simxen's libxencall under a program linked against Debian's.
. "${abs_top_srcdir:?}/simxen/tests/lib.sh"
set -- $($SIMXEN create)
[ $# -eq 3 ] || fail "simxen create printed '$*'"
LD_LIBRARY_PATH=$SIMLIB "$B/simxen/tests/xencall_test" "$1"
$SIMXEN init --stock
LD_LIBRARY_PATH=$SIMLIB "$B/simxen/tests/xencall_test" --stock
echo "xencall.sh: passed"
