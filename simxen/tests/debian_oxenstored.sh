# Debian's oxenstored 4.17 on the simulated Xen.  Its socket path is
# compiled in (define.ml): the preload moves it to $SIMXEN_XENSTORED_SOCKET.
. "${abs_top_srcdir:?}/simxen/tests/lib.sh"
OXSD=/usr/lib/xen-4.17/bin/oxenstored
[ -x $OXSD ] || fail "$OXSD not installed (apt-get install xen-utils-4.17)"
mkdir -p $T/xs
cat >$T/xs/oxenstored.conf <<CONF
pid-file = $T/xs/pid
persistent = false
xenstored-log-file = $T/xs/xenstored.log
access-log-file = $T/xs/access.log
xenstored-kva = $SIMXEN_DIR/xsd_kva
xenstored-port = $SIMXEN_DIR/xsd_port
CONF
XENSTORED_PATH=$T/xs/socket
export XENSTORED_PATH
SIMXEN_XENSTORED_SOCKET=$XENSTORED_PATH \
    LD_LIBRARY_PATH=$SIMLIB LD_PRELOAD=$SIMLIB/libsimxen-procxen.so \
    $OXSD --no-fork --config-file $T/xs/oxenstored.conf >$T/xs/out 2>&1 &
DAEMON_PID=$!
wait_for $XENSTORED_PATH
. "${abs_top_srcdir}/simxen/tests/daemon_checks.sh"
echo "debian_oxenstored.sh: passed"
