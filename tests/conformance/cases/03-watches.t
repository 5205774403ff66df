# Watches: the first event, matching, depth, relative paths, removal of
# an ancestor, events only on commit, special watches and their
# permissions, UNWATCH, RESET_WATCHES.  docs/misc/xenstore.txt: WATCH,
# WATCH_EVENT, UNWATCH, RESET_WATCHES.
conn a dom0
conn b dom0
conn g guest 1
conn h guest 2
conn l guest 3
conn t dom0

case initial-event: a new watch fires once at once, with the watched path
a: watch /w/x tok -> OK
a: event 1000 -> /w/x tok
a: events-drain 200 -> NONE

case watch-path-max: a watched node path is held to the path-max quota
# As for every other operation (01-paths, path-max): C xenstored 4.17
# refuses a longer watch path with EINVAL, for every caller.  Own
# connections: a daemon that accepts leaves watches behind.
allow oxenstored: oxenstored 4.17 accepts watch paths up to 3072 bytes
l: watch /cf/{x*2045} t -> ERR EINVAL
l: watch data/{y*2048} t -> ERR EINVAL
t: watch /cf/{x*2045} t -> ERR EINVAL
l: watch /cf/{x*2044} t -> OK
l: event 1000 -> /cf/{x*2044} t
l: unwatch /cf/{x*2044} t -> OK

case long-token: a token whose events might not fit one message is refused
# An event is the path (up to 3071 bytes) and the token in one message of
# at most 4096 bytes: longer tokens could only lose events later.
allow cxenstored: C xenstored 4.17 accepts the watch and later drops every event that does not fit
allow oxenstored: oxenstored 4.17 accepts the watch
t: watch /lt/tok {t*1024} -> ERR EINVAL
t: watch /lt/tok {t*1023} -> OK
t: event 1000 -> /lt/tok {t*1023}
t: unwatch /lt/tok {t*1023} -> OK

case child-events: changes at or below the watched path fire, others do not
b: write /w/x 1 -> OK
a: event 1000 -> /w/x tok
b: write /w/x/y/z 1 -> OK
a: events-drain 300 -> /w/x/y/z tok
b: write /w/xy 1 -> OK
b: write /w/other 1 -> OK
a: events-drain 300 -> NONE

case perms-event: a permission change fires
b: setperms /w/x n0 r1 -> OK
a: event 1000 -> /w/x tok

case rm-event: removing a watched node fires on the removed path
b: rm /w/x/y -> OK
a: events-drain 300 -> /w/x/y tok

case ancestor-rm: removing an ancestor reports the watched path itself
a: watch /w/anc/deep/node t2 -> OK
a: event 1000 -> /w/anc/deep/node t2
b: write /w/anc/deep/node 1 -> OK
a: event 1000 -> /w/anc/deep/node t2
b: rm /w/anc -> OK
a: events-drain 300 -> /w/anc/deep/node t2

case rm-missing-watched: removing a parent fires nothing for a watched path that does not exist
# The spec is silent; C xenstored 4.17 sends nothing.
allow oxenstored: oxenstored 4.17 sends the watched path
a: write /w/rmm/a 1 -> OK
b: watch /w/rmm/gone tg -> OK
b: event 1000 -> /w/rmm/gone tg
a: rm /w/rmm -> OK
b: events-drain 300 -> NONE

case two-tokens: one path watched with two tokens fires each
b: write /w/two 0 -> OK
b: watch /w/two t1 -> OK
b: watch /w/two t2 -> OK
b: events-drain 300 -> /w/two t1; /w/two t2
a: write /w/two 1 -> OK
b: events-drain 300 -> /w/two t1; /w/two t2

case same-token: two watches with one token that both match give two events
# xenstore.txt: "each matching watch results in a WATCH_EVENT message".
allow cxenstored: C xenstored 4.17 sends one event when a client's watches share the token and match the same change
a: mkdir /w/st/q -> OK
conn c2 dom0
c2: watch /w/st tok -> OK
c2: watch /w/st/q tok -> OK
c2: events-drain 300 -> /w/st tok; /w/st/q tok
a: write /w/st/q 1 -> OK
c2: events-drain 300 -> /w/st/q tok; /w/st/q tok

case duplicate: the same path and token twice is EEXIST
b: watch /w/two t1 -> ERR EEXIST

case unwatch: after UNWATCH no more events; an unknown watch is ENOENT
b: unwatch /w/two t1 -> OK
a: write /w/two 2 -> OK
b: events-drain 300 -> /w/two t2
b: unwatch /w/two t1 -> ERR ENOENT

case reset-watches: RESET_WATCHES drops every watch of the caller
allow oxenstored: oxenstored 4.17 does not answer RESET_WATCHES from a socket client
b: reset-watches -> OK
a: write /w/two 3 -> OK
b: events-drain 300 -> NONE

case depth: depth 0 matches the path only, 1 its children too
allow cxenstored: C xenstored 4.17 refuses a depth (EINVAL) although its xenstore.txt describes it
allow oxenstored: oxenstored 4.17 refuses a depth (EINVAL)
a: mkdir /w/dp -> OK
b: watch /w/dp d0 0 -> OK
b: watch /w/dp d1 1 -> OK
b: events-drain 300 -> /w/dp d0; /w/dp d1
a: write /w/dp 1 -> OK
b: events-drain 300 -> /w/dp d0; /w/dp d1
a: write /w/dp/c 1 -> OK
b: events-drain 300 -> /w/dp/c d1
a: write /w/dp/c/gc 1 -> OK
b: events-drain 300 -> NONE

case relative: a relative watch gets relative event paths
g: watch data/rw rt -> OK
g: event 1000 -> data/rw rt
a: write /local/domain/1/data/rw/k 1 -> OK
g: event 1000 -> data/rw/k rt

case unreadable: no events for a node the watcher cannot read
a: write /w/priv 1 -> OK
h: watch /w/priv pt -> OK
h: events-drain 300 -> /w/priv pt
a: write /w/priv 2 -> OK
h: events-drain 300 -> NONE
a: setperms /w/priv n0 r2 -> OK
h: events-drain 300 -> /w/priv pt
a: write /w/priv 3 -> OK
h: events-drain 300 -> /w/priv pt

case parent-readable: reading the parent is enough to get a node's events
# xenstore.txt only says not to rely on events for unreadable paths; C
# xenstored 4.17 and oxenstored send them when the parent is readable.
a: write /w/pr/n 1 -> OK
a: setperms /w/pr/n n0 w2 -> OK
h: watch /w/pr/n prt -> OK
h: events-drain 300 -> /w/pr/n prt
a: write /w/pr/n 2 -> OK
h: events-drain 300 -> NONE
a: setperms /w/pr n0 r2 -> OK
a: write /w/pr/n 3 -> OK
h: events-drain 300 -> /w/pr/n prt

case commit-only: changes in a transaction fire on commit, never on abort
b: watch /w/tx tt -> OK
b: event 1000 -> /w/tx tt
a: txstart -> OK
a: write /w/tx/a 1 -> OK
b: events-drain 300 -> NONE
a: txend commit -> OK
b: events-drain 300 -> /w/tx/a tt
a: txstart -> OK
a: write /w/tx/b 1 -> OK
a: txend abort -> OK
b: events-drain 300 -> NONE

case introduce-event: @introduceDomain fires on INTRODUCE
b: watch @introduceDomain it -> OK
b: event 1000 -> @introduceDomain it
conn n guest 5
b: events-drain 300 -> @introduceDomain it

case release-event: @releaseDomain fires when a domain shuts down, and on its death
b: watch @releaseDomain rt -> OK
b: event 1000 -> @releaseDomain rt
xen-shutdown 5 0 -> OK
b: event 2000 -> @releaseDomain rt
xen-destroy 5 -> OK
b: event 2000 -> @releaseDomain rt
a: isintroduced 5 -> "F"

case release-depth: depth 1 on @releaseDomain reports the domid
allow cxenstored: C xenstored 4.17 refuses a depth (EINVAL) although its xenstore.txt describes it
allow oxenstored: oxenstored 4.17 refuses a depth (EINVAL)
b: watch @releaseDomain rd 1 -> OK
b: event 1000 -> @releaseDomain rd
conn m guest 6
xen-destroy 6 -> OK
b: events-drain 1000 -> @introduceDomain it; @releaseDomain rt; @releaseDomain/6 rd

case release-domid: @releaseDomain/<domid> fires for that domain only
allow cxenstored: C xenstored 4.17 never fires @releaseDomain/<domid> (seen on real Xen too) although its xenstore.txt describes it
allow oxenstored: oxenstored 4.17 never fires @releaseDomain/<domid>
conn c dom0
conn q guest 9
conn r guest 10
c: watch @releaseDomain/10 r10 -> OK
c: event 1000 -> @releaseDomain/10 r10
xen-destroy 9 -> OK
c: events-drain 500 -> NONE
xen-destroy 10 -> OK
c: events-drain 1000 -> @releaseDomain/10 r10

case special-unprivileged: a domain gets special events only with permission
h: watch @releaseDomain hr -> OK
h: events-drain 300 -> @releaseDomain hr
conn k guest 7
xen-destroy 7 -> OK
h: events-drain 1000 -> NONE
a: setperms @releaseDomain n0 r2 -> OK
conn j guest 8
xen-destroy 8 -> OK
h: events-drain 1000 -> @releaseDomain hr
