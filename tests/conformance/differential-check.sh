#!/bin/sh
# make check: three seeded random sequences against ours and Debian's C
# xenstored must give the same replies and events
# (tests/conformance/differential.sh).
exec sh "$abs_top_srcdir/tests/conformance/differential.sh" -s 1 -r 3
