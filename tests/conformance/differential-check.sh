#!/bin/sh
# make check: three seeded random sequences against ours and Debian's C
# xenstored must give the same replies and events
# (tests/conformance/differential.sh), and two of the perms mode: seed 4
# found the refs_link use-after-free with the sanitizer build, seed 8
# the case where C xenstored sends fewer events.
sh "$abs_top_srcdir/tests/conformance/differential.sh" -s 1 -r 3 || exit 1
for s in 4 8; do
	sh "$abs_top_srcdir/tests/conformance/differential.sh" -m perms \
	    -s $s -r 1 -n 300 -S || exit 1
done
