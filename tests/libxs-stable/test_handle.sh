#!/bin/sh
# test_handle twice: on this host as it is, then on the simulated Xen.
set -e
: "${abs_top_builddir:?run through make check}"
B=$abs_top_builddir
env -u SIMXEN_DIR "$B/tests/libxs-stable/test_handle"
T=$(mktemp -d /tmp/xss-handle.XXXXXX)
trap 'rm -rf "$T"' EXIT
SIMXEN_DIR=$T/sx
export SIMXEN_DIR
"$B/simxen/simxen" init >/dev/null
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
    LD_LIBRARY_PATH=$B/simxen/lib \
    LD_PRELOAD=$B/simxen/lib/libsimxen-procxen.so \
    "$B/tests/libxs-stable/test_handle"
