#!/bin/sh
# Build xenstored, start it on a private socket and drive it with Debian's
# xenstore-* tools: what an administrator would try first.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh scripts/setup-debian.sh
[ -x configure ] || autoreconf -fi
[ ! -f config.status ] || make distclean >/dev/null
mkdir -p build-demo
(cd build-demo && { [ -f Makefile ] || ../configure -q; } && make -j"$(nproc)")

run=$(mktemp -d /tmp/xenstored-demo.XXXXXX)
XENSTORED_PATH=$run/socket
export XENSTORED_PATH
trap 'kill "$(cat "$run/pid" 2>/dev/null)" 2>/dev/null; sleep 0.2; rm -rf "$run"' EXIT

# Daemonizes, and returns once the socket accepts (pid file written).
build-demo/xenstored/xenstored --pid-file "$run/pid" --trace-file "$run/trace"
echo "xenstored (pid $(cat "$run/pid")) serves $XENSTORED_PATH"

show() { echo "\$ $*"; "$@"; }
show xenstore-ls -p
show xenstore-write /local/domain/1/name guest1 /vm/1/uuid 00000000-0000-0000-0000-000000000001
show xenstore-chmod /local/domain/1 n1 r0
show xenstore-read /local/domain/1/name
show xenstore-list /local/domain
show xenstore-exists /vm/1 && echo "/vm/1 exists"
show xenstore-watch -n 2 /local/domain/1 &
sleep 0.3
show xenstore-write /local/domain/1/memory/target 524288
wait
show xenstore-rm /vm
show xenstore-ls -p /local
show /usr/lib/xen-4.17/bin/xenstore-control quota
echo "(trace of every request: $run/trace, $(wc -l < "$run/trace") lines)"
