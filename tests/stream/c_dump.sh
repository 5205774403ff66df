#!/bin/sh
# The state Debian's C xenstored 4.17 writes for a live update
# (xenstore-control live-update, daemon case) on the simulated Xen, read
# by our stream reader (stream-print): it must read to END and hold
# dom0's ring first, the guest's ring and its watch, each node with its
# permissions and value, and the reply to the update on the control
# connection.  The binary C execs is a script that keeps the state file.
. "${abs_top_srcdir:?}/tests/sim/lib.sh"
need_xen_tools
print=$abs_top_builddir/tests/stream/stream-print

start_daemon cxenstored
guest --create --setup --introduce </dev/null >/dev/null || fail "create 1"
guest --domid 1 >"$T/g1.out" 2>&1 <<'S' || { cat "$T/g1.out"; fail "guest 1"; }
watch data tok
event
write data/x v1
S
xenstore-write /test/a hello /test/b "" || fail "write"
xenstore-chmod /test/a b1 r2 || fail "chmod"
cat >"$T/keep.sh" <<EOS
#!/bin/sh
cp "$T/run/state_dump" "$T/dump"
echo "\$*" >"$T/args"
EOS
chmod +x "$T/keep.sh"
timeout 60 "$LU" live-update "$T/keep.sh" >"$T/lu.out" 2>&1
# Its exit status is not 0: the daemon it talked to became keep.sh.
echo "live-update: exit $? ($(tr '\n' ' ' <"$T/lu.out"))"
[ -f "$T/dump" ] || fail "C xenstored wrote no state_dump (log: $(cat "$T/daemon.log"))"
echo "C xenstored exec'd: keep.sh $(cat "$T/args")"

"$print" "$T/dump" >"$T/records" 2>"$T/print.err" ||
    { cat "$T/records" "$T/print.err"; fail "stream-print: exit $?"; }
cat "$T/records"
# want PATTERN WHAT: a line of the records matches the ERE.
want() {
	grep -Eq "$1" "$T/records" || fail "no record: $2"
}
want '^xenstore migration stream, version 1, ' "the header"
[ "$(grep -m1 '^CONN' "$T/records" | cut -d' ' -f3-5)" = "ring domid 0" ] ||
    fail "the first CONN is not dom0's ring"
ring1=$(sed -n 's/^CONN \([0-9]*\) ring domid 1 .*/\1/p' "$T/records")
[ -n "$ring1" ] || fail "no CONN for domain 1's ring"
want "^WATCH conn $ring1 path \"(/local/domain/1/)?data\" token \"tok\"$" \
    "domain 1's watch"
# Domain 2 does not exist: C marks its permission stale.
want '^NODE "/test/a" perms b1 r2/stale value "hello"$' "/test/a"
want '^NODE "/test/b" perms n0 value ""$' "/test/b"
want '^NODE "/local/domain/1/data/x" perms n1 value "v1"$' "domain 1's node"
want '^CONN [0-9]* socket fd [0-9]* in "" out ".*OK\\x00"' \
    "the reply to live-update -s on the control socket"
[ "$(tail -1 "$T/records")" = END ] || fail "the last record is not END"
echo "PASS: C xenstored 4.17's state_dump read, $(grep -c . "$T/records") lines"
