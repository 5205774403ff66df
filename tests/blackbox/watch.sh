#!/bin/sh
# Watches through xenstore-watch: the initial event, events for the node
# and anything below it and nothing else, every watcher of a path gets the
# event, and removing a parent reports the watched path itself.
. "$(dirname "$0")/lib.sh"

xs_start

# Writes elsewhere, including a sibling with a common name prefix, must not
# fire; the count (-n) would be used up by any stray event.  /w exists
# first so that no write below creates a parent as a side effect.
ok xenstore-write /w ""
watch_start "$XS_TMP/w1" 5 /w
w1=$watch_pid
ok xenstore-write /other 1
ok xenstore-write /wx 1
ok xenstore-write /w/a 1
ok xenstore-write /w/a 2
ok xenstore-write /w 3
ok xenstore-rm /w/a
watch_end "$w1" "$XS_TMP/w1" "/w
/w/a
/w/a
/w
/w/a"

# Two watchers of one path, one of them also watching a second path.
watch_start "$XS_TMP/m1" 2 /m
m1=$watch_pid
watch_start "$XS_TMP/m2" 4 /m /n
m2=$watch_pid
ok xenstore-write /m/z 1
ok xenstore-write /n 1
watch_end "$m1" "$XS_TMP/m1" "/m
/m/z"
# m2 has two initial events in either order, then /m/z and /n in order.
watch_wait "$m2" "$XS_TMP/m2"
assert_eq "initial events of the two-path watcher" "/m
/n" "$(sed -n '1,2p' "$XS_TMP/m2" | sort)"
assert_eq "later events of the two-path watcher" "/m/z
/n" "$(sed -n '3,$p' "$XS_TMP/m2")"

# Removing an ancestor of a watched node reports the watched path.
ok xenstore-write /deep/x/y/z 1
watch_start "$XS_TMP/d" 2 /deep/x/y
d=$watch_pid
ok xenstore-rm /deep
watch_end "$d" "$XS_TMP/d" "/deep/x/y
/deep/x/y"

# A watch on a node that does not exist yet fires when it is created, and
# a permission change is a change too.
watch_start "$XS_TMP/c" 3 /later/node
c=$watch_pid
ok xenstore-write /later/node v
ok xenstore-chmod /later/node n0 r1
watch_end "$c" "$XS_TMP/c" "/later/node
/later/node
/later/node"

# Special watches are accepted and fire once when set.
watch_start "$XS_TMP/s" 1 @introduceDomain
s=$watch_pid
watch_end "$s" "$XS_TMP/s" "@introduceDomain"

xs_stop
pass
