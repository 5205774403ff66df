dist_man_MANS += docs/xenstored.8 docs/xenstore-stubdom.8 \
	docs/xenstore-domain-state.8
EXTRA_DIST += docs/architecture.md docs/protocol.md docs/domains.md \
	docs/simulated-xen.md docs/libxs-stable.md docs/operations.md \
	docs/testing.md docs/performance.md docs/hypervisor-patch.md \
	docs/oxenstored.md docs/stubdom.md docs/migration-stream.md \
	docs/debian.md
