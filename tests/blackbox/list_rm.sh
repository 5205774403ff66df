#!/bin/sh
# DIRECTORY and RM through xenstore-list, xenstore-ls and xenstore-rm:
# children are listed by leaf name, RM takes the whole subtree, removing a
# missing node is fine while its parent exists, and -t tidies up.
. "$(dirname "$0")/lib.sh"

xs_start

ok xenstore-write /d/c1 1 /d/c2 2 /d/c3/g1 x /d/c3/g2 y
ok xenstore-list /d
assert_eq "children of /d" "c1 c2 c3" "$(sorted "$out")"
ok xenstore-list -p /d/c3
assert_eq "xenstore-list -p /d/c3" "/d/c3/g1 /d/c3/g2" \
    "$(sorted "$out")"
ok xenstore-list /d/c1
assert_eq "children of a leaf" "" "$out"
ko xenstore-list /nonexistent

# Order of children is the daemon's business; compare sorted.
ok xenstore-ls -f /d
printf '%s\n' "$out" | sort >"$XS_TMP/actual"
cat >"$XS_TMP/expected" <<'END'
/d/c1 = "1"
/d/c2 = "2"
/d/c3 = ""
/d/c3/g1 = "x"
/d/c3/g2 = "y"
END
assert_files_eq "xenstore-ls -f /d" "$XS_TMP/expected" "$XS_TMP/actual"

ok xenstore-rm /d/c3
ko xenstore-exists /d/c3
ko xenstore-exists /d/c3/g1
ko xenstore-read /d/c3/g2
ok xenstore-list /d
assert_eq "children after rm of subtree" "c1 c2" \
    "$(sorted "$out")"

# A missing node whose parent exists: success.  Missing parent: error.
ok xenstore-rm /d/never-existed
ko xenstore-rm /d/no-parent/child

# A removed node can be created again, with no trace of its old children.
ok xenstore-write /d/c3 again
ok xenstore-list /d/c3
assert_eq "children of re-created node" "" "$out"
ok xenstore-read /d/c3
assert_eq "value of re-created node" again "$out"

# -t removes empty, valueless parents up the path, stopping at /t/keep
# (it has a value) and at /t/a (it has another child).
ok xenstore-write /t/keep v
ok xenstore-write /t/keep/x/y/z 1 /t/a/b 2 /t/a/c/d 3
ok xenstore-rm -t /t/keep/x/y/z
ko xenstore-exists /t/keep/x
ok xenstore-exists /t/keep
ok xenstore-rm -t /t/a/c/d
ko xenstore-exists /t/a/c
ok xenstore-exists /t/a/b

ok xenstore-rm /d
ok xenstore-rm /t
ok xenstore-ls -f /
assert_eq "tree after removing everything we made" \
    "/tool = \"\"
/tool/xenstored = \"\"" "$out"

xs_stop
pass
