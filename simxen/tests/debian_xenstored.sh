# Debian's C xenstored 4.17 on the simulated Xen: starts, serves, takes an
# INTRODUCE, fires @releaseDomain when the domain is destroyed.
. "${abs_top_srcdir:?}/tests/sim/lib.sh"
B=$abs_top_builddir
start_daemon cxenstored
. "${abs_top_srcdir}/simxen/tests/daemon_checks.sh"
echo "debian_xenstored.sh: passed"
