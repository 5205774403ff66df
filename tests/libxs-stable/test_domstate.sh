#!/bin/sh
# test_domstate on this host as it is, then on the simulated Xen (the
# patched hypervisor), then on a host made by `simxen init --stock`.
set -e
: "${abs_top_builddir:?run through make check}"
B=$abs_top_builddir
env -u SIMXEN_DIR "$B/tests/libxs-stable/test_domstate"
T=$(mktemp -d /tmp/xss-domstate.XXXXXX)
trap 'rm -rf "$T"' EXIT
SIMXEN_DIR=$T/sx
export SIMXEN_DIR
"$B/simxen/simxen" init >/dev/null
LD_LIBRARY_PATH=$B/simxen/lib "$B/tests/libxs-stable/test_domstate"
"$B/simxen/simxen" init --stock >/dev/null
LD_LIBRARY_PATH=$B/simxen/lib "$B/tests/libxs-stable/test_domstate" stock
