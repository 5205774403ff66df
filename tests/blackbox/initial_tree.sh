#!/bin/sh
# A fresh daemon holds exactly /, /tool and /tool/xenstored, owned by dom0
# with no access for others, and its socket is private to root.
. "$(dirname "$0")/lib.sh"

xs_start

mode=$(stat -c %a "$XS_SOCK")
assert_eq "socket mode" 600 "$mode"

# xenstore-ls pads -p output to column 60 when stdout is not a terminal.
cat >"$XS_TMP/expected" <<'END'
tool = ""  . . . . . . . . . . . . . . . . . . . . . . . . .  (n0)
 xenstored = ""  . . . . . . . . . . . . . . . . . . . . . .  (n0)
END
ok xenstore-ls -p
printf '%s\n' "$out" >"$XS_TMP/actual"
assert_files_eq "xenstore-ls -p on a fresh daemon" \
    "$XS_TMP/expected" "$XS_TMP/actual"

cat >"$XS_TMP/expected" <<'END'
/tool = ""   (n0)
/tool/xenstored = ""   (n0)
END
ok xenstore-ls -f -p /
printf '%s\n' "$out" >"$XS_TMP/actual"
assert_files_eq "xenstore-ls -f -p /" "$XS_TMP/expected" "$XS_TMP/actual"

ok xenstore-list /
assert_eq "children of /" tool "$out"
ok xenstore-list /tool
assert_eq "children of /tool" xenstored "$out"
ok xenstore-list /tool/xenstored
assert_eq "children of /tool/xenstored" "" "$out"
ok xenstore-read /
assert_eq "value of /" "" "$out"
ok xenstore-read /tool/xenstored
assert_eq "value of /tool/xenstored" "" "$out"

# Nothing else exists yet, not even dom0's home.
ko xenstore-exists /local
ko xenstore-read /local/domain/0

xs_stop
pass
