#!/bin/sh
# SET_PERMS / GET_PERMS through xenstore-chmod and xenstore-ls -p: the
# list we set is the list we get back, in order; -r and -u reach children
# and parents; new nodes inherit their parent's permissions.
. "$(dirname "$0")/lib.sh"

xs_start

# perms_of PATH: the "(...)" part of the xenstore-ls -fp line for PATH.
perms_of()
{
	_parent=${1%/*}
	ok xenstore-ls -f -p "${_parent:-/}"
	printf '%s\n' "$out" |
	    sed -n "s|^$1 = \"[^\"]*\" *(\(.*\))\$|\1|p"
}

ok xenstore-write /p/q/r v
assert_eq "perms of a new node" n0 "$(perms_of /p/q/r)"

ok xenstore-chmod /p/q/r n0 r1 w2 b3
assert_eq "perms after chmod" n0,r1,w2,b3 "$(perms_of /p/q/r)"
assert_eq "parent untouched" n0 "$(perms_of /p/q)"

# Owner change, and a long list that dom0 (unlimited) may set.
ok xenstore-chmod /p/q/r b7 n0 r100
assert_eq "owner changed" b7,n0,r100 "$(perms_of /p/q/r)"

# A new child inherits its parent's permissions.
ok xenstore-chmod /p/q r5 w6
ok xenstore-write /p/q/new x
assert_eq "perms inherited by a new child" r5,w6 "$(perms_of /p/q/new)"
# And by every parent WRITE creates on the way.
ok xenstore-write /p/q/d1/d2/d3 x
for n in /p/q/d1 /p/q/d1/d2 /p/q/d1/d2/d3; do
	assert_eq "perms of created $n" r5,w6 "$(perms_of "$n")"
done
ok xenstore-rm /p/q/d1

# -r: the node and everything below it.
ok xenstore-chmod -r /p n0 b4
for n in /p /p/q /p/q/r /p/q/new; do
	assert_eq "perms of $n after chmod -r /p" n0,b4 "$(perms_of "$n")"
done

# -u: the node and every parent up to the top.
ok xenstore-write /u/v/w x
ok xenstore-chmod -u /u/v/w r9
for n in /u /u/v /u/v/w; do
	assert_eq "perms of $n after chmod -u" r9 "$(perms_of "$n")"
done

# Permissions survive a rewrite of the value.
ok xenstore-write /u/v/w y
assert_eq "perms after value change" r9 "$(perms_of /u/v/w)"

# The daemon refuses to set permissions on a node that is not there.
ko xenstore-chmod /p/missing n0

# A perms change keeping domids and adding one, then removal: the daemon
# once freed the kept domids' index lists under their new entries.
ok xenstore-write /x v
ok xenstore-chmod /x b1 r7
ok xenstore-chmod /x b1 r7 r8
ok xenstore-rm /x
ok xenstore-write /x2 v
assert_eq "served after perms churn" v "$(xenstore-read /x2)"

# Nothing touched the initial nodes.
assert_eq "perms of /tool/xenstored" n0 "$(perms_of /tool/xenstored)"

xs_stop
pass
