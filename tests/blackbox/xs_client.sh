#!/bin/sh
# Watches and transactions through libxenstore (xs_client.c), including
# concurrent read-modify-write transactions from several threads.
. "$(dirname "$0")/lib.sh"

xs_client=$(xs_prog xs_client)
xs_start
ok "$xs_client"
printf '%s\n' "$out"
xs_alive "xs_client"
xs_stop
pass
