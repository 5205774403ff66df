# Quotas on unprivileged domains: nodes, node size, permissions,
# watches, transactions.  docs/misc/xenstore.txt: GET_QUOTA/SET_QUOTA
# (names), CONTROL; Xen's C xenstored -E -S -A -W -t.  dom0 is exempt.
conn a dom0
conn g guest 1

case setup: small limits through CONTROL quota set
a: control quota set nodes 12 -> OK
a: control quota set transactions 2 -> OK
a: control quota set watches 4 -> OK
a: control quota set node-size 100 -> OK
a: control quota set permissions 2 -> OK

case node-size: a value over node-size is ENOSPC and writes nothing
allow oxenstored: oxenstored 4.17 takes its quotas from oxenstored.conf and ignores CONTROL quota set
g: write data/big {v*101} -> ERR ENOSPC
g: read data/big -> ERR ENOENT
g: write data/small {v*10} -> OK

case permissions: more entries than the permissions quota is ENOSPC
allow oxenstored: oxenstored 4.17 takes its quotas from oxenstored.conf and ignores CONTROL quota set
g: setperms data/small n1 r0 -> OK
g: setperms data/small n1 r0 r2 -> ERR ENOSPC
g: getperms data/small -> [n1 r0]

case watches: the watches quota bounds a domain's watches (E2BIG)
allow oxenstored: oxenstored 4.17 takes its quotas from oxenstored.conf and ignores CONTROL quota set
allow cxenstored: C xenstored 4.17 allows one watch more than the quota
g: watch data/w1 t -> OK
g: watch data/w2 t -> OK
g: watch data/w3 t -> OK
g: watch data/w4 t -> OK
g: watch data/w5 t -> ERR E2BIG

case nodes: the nodes quota bounds the nodes a domain owns (ENOSPC)
allow oxenstored: oxenstored 4.17 takes its quotas from oxenstored.conf and ignores CONTROL quota set
# The toolstack's 7 directories are the domain's own; data/small is 8.
g: write data/n1 1 -> OK
g: write data/n2 1 -> OK
g: write data/n3 1 -> OK
g: write data/n4 1 -> OK
g: write data/n5 1 -> ERR ENOSPC
g: rm data/n4 -> OK
g: write data/n5 1 -> OK

case transactions: the transactions quota bounds open transactions (ENOSPC)
allow oxenstored: oxenstored 4.17 takes its quotas from oxenstored.conf and ignores CONTROL quota set
allow cxenstored: C xenstored 4.17 allows one transaction more than the quota
g: txstart -> OK
g: notx txstart -> OK
g: notx txstart -> ERR ENOSPC

case dom0-exempt: dom0 is not limited
a: write /q/big {v*500} -> OK
a: setperms /q/big n0 r1 r2 r3 r4 -> OK
