# Debian's C xenstored 4.17 on the simulated Xen: starts, serves, takes an
# INTRODUCE, fires @releaseDomain when the domain is destroyed.
. "${abs_top_srcdir:?}/simxen/tests/lib.sh"
XSD=/usr/lib/xen-4.17/bin/xenstored
[ -x $XSD ] || fail "$XSD not installed (apt-get install xenstore-utils xen-utils-4.17)"
# 4.17 puts its socket and tdb under $XENSTORED_RUNDIR (xs_lib.c);
# clients follow $XENSTORED_PATH.
XENSTORED_RUNDIR=$T/xs
XENSTORED_PATH=$T/xs/socket
export XENSTORED_RUNDIR XENSTORED_PATH
mkdir -p $T/xs
LD_LIBRARY_PATH=$SIMLIB LD_PRELOAD=$SIMLIB/libsimxen-procxen.so \
    $XSD -N -F $T/xs/pid >$T/xs/out 2>&1 &
DAEMON_PID=$!
wait_for $XENSTORED_PATH
. "${abs_top_srcdir}/simxen/tests/daemon_checks.sh"
echo "debian_xenstored.sh: passed"
