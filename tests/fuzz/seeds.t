# Seed-only scripts for the fuzzers (tests/fuzz/seeds.sh), in the format
# of tests/conformance/cases (docs/testing.md) but never run as
# conformance cases: no results are expected.  They reach what the
# conformance cases do not: every CONTROL subcommand, the quota and
# feature operations, targets, special watches, and perms naming guests
# that then end.  mkseeds also takes "opN ARGS" (a request of type N)
# and "fuzz-config N" (the configuration byte of fuzz_daemon.h).
conn a dom0
conn b dom0
conn g guest 1
conn h guest 2

case control: every CONTROL subcommand
a: control help
a: control check
a: control log on
a: control logfile trace
a: control print hello
a: control memreport
a: control memreport file
a: control quota
a: control quota 1
a: control quota set nodes 50
a: control quota-soft
a: control quota-soft set memory 4096
a: control domains
a: control domain-state 2 shutdown 2
a: control domain-state 2 running
a: control log off
g: control check

case quota-ops: GET_QUOTA / SET_QUOTA, global and per domain
a: getquota
a: getquota nodes
a: getquota 1 nodes
a: setquota nodes 20
a: setquota 1 nodes 3
a: setquota 2 watches 1
a: setquota 1 transactions 1
a: setquota 1 memory 200
a: setquota 1 node-size 10
a: setquota 1 permissions 2
a: setquota 1 transaction-nodes 3
g: write data/q1 x
g: write data/q2 x
g: write data/q3 x
g: setperms data/q1 n1 r2 r3
g: txstart
g: write data/t1 {v*50}
g: write data/t2 v
g: read data/q1
g: txend commit
h: watch data/w1 t1
h: watch data/w2 t2
a: getquota 1 nodes

case features: GET_FEATURE / SET_FEATURE before INTRODUCE
a: getfeature
a: getfeature 1
a: setfeature 7 0
a: setfeature 7 3
a: getfeature 7
a: setfeature 1 1

case target: SET_TARGET, then the target's nodes
a: mkdir /local/domain/7
a: setperms /local/domain/7 n7
a: settarget 2 7
a: settarget 2 2
a: settarget 9 7
h: write /local/domain/7/x 1
h: read /local/domain/7/x
h: setperms /local/domain/7/x n7 r2

case special: special watches and their perms
a: watch @releaseDomain r
a: watch @introduceDomain i
g: watch @releaseDomain gr
a: setperms @releaseDomain n0 r1
a: getperms @releaseDomain
a: setperms @introduceDomain n0 r1 r2
g: watch @introduceDomain gi
xen-shutdown 2 1
events-drain
a: resume 2
xen-resume 2
a: isintroduced 2
a: release 2
events-drain

case perms-end: perms naming a guest, changed again and again, then its end
a: write /e/a 1
a: setperms /e/a n1 r2
a: setperms /e/a n1 r2 r3
a: setperms /e/a b2 r1
a: write /e/b 1
a: setperms /e/b n2
a: setperms /e/b n2
a: mkdir /e/b/c
a: setperms /e/b/c n0 b2 r1
g: txstart
g: read /e/a
g: write data/x 1
g: setperms data/x n1 r2
a: setperms /e/a n0 w1
xen-destroy 2
g: txend commit
a: getperms /e/a
a: getperms /e/b/c
a: rm /e
a: control check

case txn-rm: transactions removing and recreating subtrees
a: mkdir /r/p/q
a: txstart
a: rm /r/p
a: write /r/p/q/z 1
a: dir /r/p
a: setperms /r/p n1
a: rm /r
a: mkdir /r/p
a: txend commit
b: txstart
b: write /r/n 1
a: rm /r
b: txend commit
a: control check

case directory-part: DIRECTORY_PART (type 20)
a: write /dp/{a*200} 1
a: write /dp/{b*200} 1
a: write /dp/c 1
a: op20 /dp 0
a: op20 /dp 202
a: op20 /dp 3
g: op20 /local/domain/1 0

case reset: RESET_WATCHES with watches and transactions open
g: watch data w
g: txstart
g: write data/r 1
g: reset-watches
g: txend commit
g: write data/r 2

case keep-orphans: -K, a guest's nodes survive it
fuzz-config 1
conn k guest 3
k: write data/orphan 1
a: write /ko 1
a: setperms /ko n3 r1
xen-destroy 3
a: getperms /ko
a: read /local/domain/3/data/orphan
