#!/bin/sh
# Socket clients are dom0, so a path without a leading / is taken relative
# to /local/domain/0, for every operation, and relative watches report
# relative event paths.
. "$(dirname "$0")/lib.sh"

xs_start

home=/local/domain/0

ok xenstore-write rel/x 5
ok xenstore-read $home/rel/x
assert_eq "absolute read of relative write" 5 "$out"
ok xenstore-read rel/x
assert_eq "relative read" 5 "$out"

ok xenstore-write $home/rel/y 6
ok xenstore-read rel/y
assert_eq "relative read of absolute write" 6 "$out"

ok xenstore-list rel
assert_eq "relative list" "x y" "$(sorted "$out")"
ok xenstore-exists rel/x
ko xenstore-exists rel/z

ok xenstore-chmod rel/x n0 r3
ok xenstore-ls -f -p $home/rel
assert_contains "ls of $home/rel" "$home/rel/x = \"5\"   (n0,r3)" "$out"

# A relative watch fires with relative paths; an absolute one on the same
# node fires with absolute paths.
watch_start "$XS_TMP/rel-events" 3 rel
rel_pid=$watch_pid
watch_start "$XS_TMP/abs-events" 3 $home/rel
abs_pid=$watch_pid
ok xenstore-write rel/w 1
ok xenstore-rm rel/x
watch_end "$rel_pid" "$XS_TMP/rel-events" "rel
rel/w
rel/x"
watch_end "$abs_pid" "$XS_TMP/abs-events" "$home/rel
$home/rel/w
$home/rel/x"

ok xenstore-rm rel
ko xenstore-exists $home/rel
ok xenstore-exists $home

xs_stop
pass
