#!/bin/sh
# Seeds of fuzz_restart (tests/fuzz/corpus/restart/): the state_snapshot
# and state_journal our daemon with --crash-restart leaves on the
# simulated Xen, in fuzz_restart's input format (fuzz_daemon.h,
# FD_RESTART_HDR: a configuration byte, the two lengths, the two files),
# each followed by a few requests.  The guests are introduced in order
# (1, 2, 3), so their ports are the ones fakexen binds before a restart
# (FX_PREBOUND_PORT()).  Run from a plain build directory after changing
# the journal's records or the input format, then commit
# tests/fuzz/corpus/restart.
#
# usage: abs_top_srcdir=SRC abs_top_builddir=BUILD sh mkseeds_restart.sh
. "${abs_top_srcdir:?}/tests/sim/lib.sh"
out=$abs_top_srcdir/tests/fuzz/corpus/restart
mkdir -p "$out"
use_run_dir
need_xen_tools

# seed NAME: the files as they are now, then a READ of / by guest 1 and
# a WRITE by dom0's ring (fuzz_daemon.h's request records).
seed() {
	python3 - "$T/run/state_snapshot" "$T/run/state_journal" \
	    "$out/$1" <<'EOF'
import struct, sys
snap = open(sys.argv[1], 'rb').read()
jour = open(sys.argv[2], 'rb').read()
assert len(snap) < 65536 and len(jour) < 65536, (len(snap), len(jour))
sep = b'\xfe\xff'
# opcode: client in the low 4 bits (4: guest 1, 3: dom0's ring); type.
reqs = bytes([4, 2]) + b'/\0' + sep + bytes([3, 11]) + b'/seed\0v'
open(sys.argv[3], 'wb').write(bytes([0]) + struct.pack('<HH', len(snap),
    len(jour)) + snap + jour + sep + reqs)
EOF
	echo "$1: $(wc -c <"$out/$1") bytes"
}

OURS_ARGS=--crash-restart start_daemon ours
for d in 1 2 3; do
	guest --create --setup --introduce </dev/null >/dev/null ||
	    fail "create $d"
done
seed fresh
guest --domid 1 >/dev/null 2>&1 <<'S' || fail "guest 1"
watch data tok
event
write data/a 1
write data/b 2
event
rm data/a
S
xenstore-write /d0/x 1 /d0/y 2 || fail "write"
xenstore-chmod /d0/x b1 r2 || fail "chmod"
xenstore-rm /d0/y || fail "rm"
"$LU" quota-soft >/dev/null 2>&1 || true
seed nodes-watches
# A guest that ends a transaction, and one that leaves one open and a
# request half-written (its ring holds bytes the daemon keeps).
guest --domid 2 >/dev/null 2>&1 <<'S' || fail "guest 2"
txstart
write data/t 1
txend
txstart
write data/u 1
S
guest --domid 3 >/dev/null 2>&1 <<'S' || fail "guest 3"
watch @releaseDomain rel
write data/w 1
S
seed transactions
# After a crash: the restarted daemon's own snapshot and journal.
c=$(keeper_child "$DAEMON_PID") || exit 1
kill -9 "$c"
sleep 0.5
xenstore-write /d0/after 1 || fail "write after the restart"
seed restarted
# A domain released: its end is journalled.
xenstore-control release 2 >/dev/null 2>&1 ||
    "$LU" release 2 >/dev/null 2>&1 || true
guest --domid 1 >/dev/null 2>&1 <<'S' || true
unwatch data tok
S
seed released
