# The guest ring: feature bits, reconnection, the connection error
# indicator, over-long payloads, bad indexes; one guest's failure must
# not touch another.  docs/misc/xenstore-ring.txt; xenstore.txt
# (XENSTORE_PAYLOAD_MAX).
conn a dom0
conn g guest 1
conn h guest 2
conn k guest 3

case features: the server offers reconnection, the error indicator and watch depth
allow cxenstored: C xenstored 4.17 offers no ring features
allow oxenstored: oxenstored 4.17 offers ring reconnection only
g: features -> 7

case reconnect: a reset drops the guest's watches and transactions, keeps its nodes
allow cxenstored: C xenstored 4.17 does not offer ring reconnection
g: write data/keep 1 -> OK
g: watch data/keep wk -> OK
g: event 1000 -> data/keep wk
g: txstart -> OK
g: reset -> OK
g: read data/keep -> "1"
a: write /local/domain/1/data/keep 2 -> OK
g: events-drain 300 -> NONE
g: error -> 0

case oversize: a payload over 4096 bytes stops the connection (error 3)
# C xenstored 4.17 sets the indicator without advertising the feature.
allow oxenstored: oxenstored 4.17 has no error indicator
h: write data/before 1 -> OK
h: oversize 5000 -> 16
h: sleep 300 -> OK
h: error -> 3

case bad-index: an impossible producer index stops the connection (error 2)
allow oxenstored: oxenstored 4.17 has no error indicator
k: set-req-prod 0x7fffffff -> OK
k: sleep 300 -> OK
k: error -> 2

case others-unharmed: the other domains and dom0 go on
a: write /local/domain/1/data/after 1 -> OK
g: read data/after -> "1"
a: isintroduced 2 -> "T"
