#!/bin/sh
# XSA-416 (CVE-2022-42319): C xenstored allocated a request's temporary
# data on the request itself, freed only once the guest had read the
# reply: a guest that never reads its replies kept all of it.  Attack:
# guests send, without ever reading a reply, requests that need large
# temporary buffers: DIRECTORY of a 3.5 KiB listing, WRITEs of 2000-byte
# values, READs of 2040-character paths.
# Xen's fix ("don't use conn->in as context for temporary allocations"):
# temporary data is freed when the reply is made.
# Must: with four such guests the daemon grows by at most four memory
# quotas (plus the slack); dom0 and the neighbour are served meanwhile.
. "$(dirname "$0")/lib.sh"
xsa_start
v=$(rep v 2000)
long=$(relpath 2030)
for d in 2 3 4 5; do mkguest $d; done
for d in 2 3; do
	i=0
	while [ $i -lt 160 ]; do
		echo "write /local/domain/$d/data/list/$(rep c 17)$((i + 100)) x"
		i=$((i + 1))
	done
done >"$T/setup.txt"
dom0 setup <"$T/setup.txt"
reject_re setup '-> ERR'
rss_base
rss_guard
flood() {	# flood DOMID REQUEST
	as_guest flood$1 "$1" <<S
flood 300 $2
S
	note "domain $1: $(result flood$1 "flood 300 $2") x ${2%% *}, no reply read"
	neighbour_ok "the flood of domain $1"
}
flood 2 "dir data/list"
flood 3 "dir data/list"
flood 4 "write data/w%d $v"
flood 5 "read $long%d"
rss_check "4 guests not reading replies to costly requests" 4
xsa_finish
