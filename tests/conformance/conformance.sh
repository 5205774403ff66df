#!/bin/sh
# make check: the conformance suite against our daemon, Debian's C
# xenstored and oxenstored on the simulated Xen.  Fails if ours misses
# any case, or if a reference daemon fails a case without a documented
# difference (a wrong expectation in the suite, or a changed daemon).
exec sh "$abs_top_srcdir/tests/conformance/run.sh"
