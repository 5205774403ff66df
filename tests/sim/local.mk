# Tests on the simulated Xen: our daemon serving simulated guests over
# their rings (hostile ones too), domains, the permission matrix, and the
# faithfulness comparison with Debian's C xenstored and oxenstored.
SIM_TESTS = \
	tests/sim/ring.sh \
	tests/sim/event_limit.sh \
	tests/sim/hostile_guests.sh \
	tests/sim/domains.sh \
	tests/sim/perm_matrix.sh \
	tests/sim/faithful.sh \
	tests/sim/domain_state_service.sh \
	tests/sim/stubdom.sh
TESTS += $(SIM_TESTS)
EXTRA_DIST += $(SIM_TESTS) tests/sim/lib.sh tests/sim/env.sh \
	tests/sim/faithful.txt
