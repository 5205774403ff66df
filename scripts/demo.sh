#!/bin/sh
# The main job, on the simulated Xen when this host has no hypervisor:
# build everything, start xenstored, boot three simulated guests whose
# vif frontends shake hands with a dom0 backend through watches, shut one
# guest down and destroy it, and show what xenstored did, with Debian's
# xenstore-* tools.  --stub: then also the same daemon as the xenstore
# stub domain (xenstored -e, docs/stubdom.md), serving a simulated dom0
# kernel's ring instead of a socket.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
stub=no
case ${1:-} in
--stub) stub=yes ;;
'') ;;
*) echo "usage: sh scripts/demo.sh [--stub]" >&2; exit 2 ;;
esac

sh scripts/setup-debian.sh
[ -x configure ] || autoreconf -fi
[ ! -f config.status ] || make distclean >/dev/null
mkdir -p build-demo
(cd build-demo && { [ -f Makefile ] || ../configure -q; } &&
    make -j"$(nproc)" >/dev/null)
B=$top/build-demo

run=$(mktemp -d /tmp/xenstored-demo.XXXXXX)
SIMXEN_DIR=$run/simxen
XENSTORED_PATH=$run/socket
export SIMXEN_DIR XENSTORED_PATH
daemon=
cleanup() {
	[ -z "$daemon" ] || kill "$daemon" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
show() { echo "\$ $*"; "$@"; }
# xs_wait PATH VALUE: until dom0 reads VALUE at PATH (10 s bound).
xs_wait() {
	i=0
	until [ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ]; do
		i=$((i + 1))
		[ $i -le 200 ] || { echo "timeout: $1 != $2" >&2; exit 1; }
		sleep 0.05
	done
}

step "a simulated Xen host in $SIMXEN_DIR (dom0 only)"
"$B/simxen/simxen" init
"$B/simxen/simxen" list

step "xenstored on it: rings through grants, deaths from the domain-state feed"
LD_LIBRARY_PATH=$B/simxen/lib LD_PRELOAD=$B/simxen/lib/libsimxen-procxen.so \
    "$B/xenstored/xenstored" -N --pid-file "$run/pid" \
    --domain-state-socket "$SIMXEN_DIR/domain-state.d/xenstored" \
    2>"$run/xenstored.log" &
daemon=$!
i=0
until [ -s "$run/pid" ]; do
	i=$((i + 1))
	[ $i -le 200 ] || { cat "$run/xenstored.log"; exit 1; }
	sleep 0.05
done
echo "xenstored (pid $daemon) serves $XENSTORED_PATH"

step "three guests: created, set up and introduced as xl does; each runs a vif frontend"
for n in 1 2 3; do
	be=/local/domain/0/backend/vif/$n/0
	# The frontend, as the guest's netfront would: announce, wait for
	# the backend, connect.  Events arrive over its ring.
	cat >"$run/front$n" <<EOF
watch $be/state be
event
write device/vif/0/backend $be
write device/vif/0/state 1
event
read $be/state
write device/vif/0/state 4
event
read $be/state
EOF
	"$B/simxen/guest/simxen-guest" --create --setup --introduce \
	    -c "$run/front$n" >"$run/guest$n.out" 2>&1 &
	guests="${guests:-} $!"
	xs_wait "/local/domain/$n/device/vif/0/state" 1
	# The backend in dom0: its directory readable by the guest.
	xenstore-write "$be/frontend" "/local/domain/$n/device/vif/0" \
	    "$be/frontend-id" "$n"
	xenstore-chmod -r "$be" n0 "r$n"
	xenstore-write "$be/state" 2		# InitWait
	xs_wait "/local/domain/$n/device/vif/0/state" 4
	xenstore-write "$be/state" 4		# Connected
done
for pid in $guests; do
	wait "$pid" || { echo "a guest failed" >&2; exit 1; }
done
for n in 1 2 3; do
	echo "-- guest $n's side, over its ring:"
	cat "$run/guest$n.out"
done
show xenstore-ls -p /local/domain/2
show xenstore-ls -p /local/domain/0/backend/vif/2

step "guest 2 shuts down, then is destroyed"
timeout 10 xenstore-watch -n 3 @releaseDomain/2 >"$run/watch" &
watcher=$!
sleep 0.2
show "$B/simxen/simxen" shutdown 2 poweroff
show "$B/simxen/simxen" destroy 2
wait $watcher || true
echo "-- dom0's watch on @releaseDomain/2 saw (initial, shutdown, death):"
cat "$run/watch"
show "$B/simxen/simxen" list
echo "-- what xenstored said:"
grep -E "domid 2" "$run/xenstored.log" || true

step "what is left of domain 2: nodes it owned are gone, no perms name it"
show xenstore-ls -p /local/domain/2
show xenstore-ls -p /local/domain/0/backend/vif/2
echo "-- the toolstack's clean-up, as xl does after a domain's death:"
show xenstore-rm /local/domain/2
show xenstore-rm /local/domain/0/backend/vif/2
show xenstore-list /local/domain
show /usr/lib/xen-4.17/bin/xenstore-control memreport

[ "$stub" = yes ] || exit 0
kill "$daemon"
wait "$daemon" 2>/dev/null || true
daemon=

step "the same daemon as the xenstore stub domain, on a new simulated host"
rm -rf "$SIMXEN_DIR"
"$B/simxen/simxen" init
# Domain 5 plays dom0's kernel: init-xenstore-domain grants its ring to
# the new domain at the reserved ref and passes its port as --event.
"$B/simxen/simxen" create --domid 5 >/dev/null
port=$("$B/simxen/simxen" info 5 | sed -n 's/.* port=\([0-9]*\) .*/\1/p')
echo "\$ xenstored -N -V --master-domid 5 --event $port   # what the domain's /init runs"
LD_LIBRARY_PATH=$B/simxen/lib "$B/xenstored/xenstored" -N -V -m 5 -p 5 \
    -e "$port" 2>"$run/stub.log" &
daemon=$!
i=0
until "$B/simxen/simxen" info 5 | grep -q ' maps=1 '; do
	i=$((i + 1))
	[ $i -le 200 ] || { cat "$run/stub.log"; exit 1; }
	sleep 0.05
done
[ ! -e "$XENSTORED_PATH" ] || { echo "demo: a socket at $XENSTORED_PATH" >&2; exit 1; }
echo "it maps domain 5's ring by grant and makes no socket"

step "dom0's tools over its kernel's ring (domain 5): guest 6 set up and introduced"
"$B/simxen/simxen" create --domid 6 >/dev/null
# shellcheck disable=SC2046 # "6 running gfn=G port=P ..."
set -- $("$B/simxen/simxen" info 6)
gfn=${3#gfn=} gport=${4#port=}
"$B/simxen/guest/simxen-guest" --domid 5 <<EOF
write /local/domain/0/name Domain-0
mkdir /local/domain/6
setperms /local/domain/6 n0 r6
write /local/domain/6/name guest6
mkdir /local/domain/6/data
setperms /local/domain/6/data n6
introduce 6 $gfn $gport
isintroduced 6
control domains
EOF
echo "-- guest 6, over its own ring (dom0's node is not its to write):"
"$B/simxen/guest/simxen-guest" --domid 6 <<'EOF'
read name
write data/hello from-guest-6
write /local/domain/0/name evil
EOF
echo "-- dom0 again: the guest's key, then RELEASE as xl sends after a death:"
"$B/simxen/guest/simxen-guest" --domid 5 <<'EOF'
read /local/domain/6/data/hello
watch @releaseDomain rel
event
release 6
event
isintroduced 6
EOF
echo "-- what the stub domain's xenstored logged:"
cat "$run/stub.log"
