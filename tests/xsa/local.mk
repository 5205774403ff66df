# The XSA regression suite (tests/xsa/, docs/testing.md): one test per
# xenstored advisory a guest can mount, on the simulated Xen.  make check
# runs it against our daemon; tests/xsa/run-all.sh against all three.
XSA_TESTS = \
	tests/xsa/xsa-038.sh \
	tests/xsa/xsa-072.sh \
	tests/xsa/xsa-115.sh \
	tests/xsa/xsa-206.sh \
	tests/xsa/xsa-233.sh \
	tests/xsa/xsa-272.sh \
	tests/xsa/xsa-322.sh \
	tests/xsa/xsa-323.sh \
	tests/xsa/xsa-324.sh \
	tests/xsa/xsa-325.sh \
	tests/xsa/xsa-326-replies.sh \
	tests/xsa/xsa-326-events.sh \
	tests/xsa/xsa-326-txnodes.sh \
	tests/xsa/xsa-326-txaccess.sh \
	tests/xsa/xsa-330.sh \
	tests/xsa/xsa-352.sh \
	tests/xsa/xsa-353.sh \
	tests/xsa/xsa-414.sh \
	tests/xsa/xsa-415.sh \
	tests/xsa/xsa-416.sh \
	tests/xsa/xsa-417.sh \
	tests/xsa/xsa-417-unknown.sh \
	tests/xsa/xsa-418.sh \
	tests/xsa/xsa-419.sh \
	tests/xsa/xsa-421.sh \
	tests/xsa/xsa-425.sh \
	tests/xsa/xsa-440.sh \
	tests/xsa/xsa-481.sh \
	tests/xsa/xsa-483.sh \
	tests/xsa/xsa-484.sh
TESTS += $(XSA_TESTS)
EXTRA_DIST += $(XSA_TESTS) tests/xsa/lib.sh tests/xsa/run-all.sh

# Known failures of our daemon would go in XFAIL_TESTS, each documented
# in its test and in docs/testing.md: counted as XFAIL, never as passed.
# There are none.
