# Debian's oxenstored 4.17 on the simulated Xen: starts, serves, takes an
# INTRODUCE, fires @releaseDomain when the domain is destroyed.  (Its
# socket path is compiled in; tests/sim/lib.sh says how it is moved.)
. "${abs_top_srcdir:?}/tests/sim/lib.sh"
B=$abs_top_builddir
start_daemon oxenstored
. "${abs_top_srcdir}/simxen/tests/daemon_checks.sh"
echo "debian_oxenstored.sh: passed"
