#!/bin/sh
# The hand-made frames of raw_client.c: hostile framing, protocol edges,
# optional and domain operations, pipelining.  The daemon must survive all
# of it and still stop cleanly.
. "$(dirname "$0")/lib.sh"

raw_client=$(xs_prog raw_client)
# Path-max quota off (-M 0): bad-paths checks the spec's own limits.
xs_start -M 0
XENSTORED_PID=$XS_PID ok "$raw_client"
printf '%s\n' "$out"
xs_alive "raw_client"
xs_stop
pass
