# The conformance suite (tests/conformance/run.sh, docs/testing.md).
CONFORMANCE_CASES = \
	tests/conformance/cases/01-paths.t \
	tests/conformance/cases/02-perms.t \
	tests/conformance/cases/03-watches.t \
	tests/conformance/cases/04-transactions.t \
	tests/conformance/cases/05-domains.t \
	tests/conformance/cases/06-quotas.t \
	tests/conformance/cases/07-ring.t
TESTS += tests/conformance/conformance.sh \
	tests/conformance/differential-check.sh
EXTRA_DIST += tests/conformance/conformance.sh tests/conformance/run.sh \
	tests/conformance/differential-check.sh \
	tests/conformance/differential.sh \
	$(CONFORMANCE_CASES)
