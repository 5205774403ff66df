/*
 * quota.c: the defaults of Xen's C xenstored 4.17, names, limits and
 * per-domain accounting.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cu_main.h"
#include "quota.h"

static void
setup(void)
{
	quota_init();
}

static void
teardown(void)
{
	quota_fini();
}

static void
test_defaults(void)
{
	CU_ASSERT_EQUAL(quota_get(QUOTA_NODES), 1000);
	CU_ASSERT_EQUAL(quota_get(QUOTA_WATCHES), 128);
	CU_ASSERT_EQUAL(quota_get(QUOTA_TRANSACTIONS), 10);
	CU_ASSERT_EQUAL(quota_get(QUOTA_OUTSTANDING), 20);
	CU_ASSERT_EQUAL(quota_get(QUOTA_TXN_NODES), 1024);
	CU_ASSERT_EQUAL(quota_get(QUOTA_MEMORY), 2621440);
	CU_ASSERT_EQUAL(quota_soft_get(QUOTA_MEMORY), 2097152);
	CU_ASSERT_EQUAL(quota_get(QUOTA_NODE_SIZE), 2048);
	CU_ASSERT_EQUAL(quota_get(QUOTA_PERMISSIONS), 5);
	CU_ASSERT_EQUAL(quota_get(QUOTA_PATH_MAX), 2048);
}

static void
test_soft(void)
{
	enum quota_id q;

	for (q = 0; q < QUOTA_COUNT; q++) {
		if (q == QUOTA_MEMORY)
			continue;
		CU_ASSERT_EQUAL(quota_soft_get(q), 0);
		CU_ASSERT_EQUAL(quota_soft_set(q, 5), EINVAL);
		CU_ASSERT_EQUAL(quota_soft_get(q), 0);
	}
	CU_ASSERT_EQUAL(quota_soft_set(QUOTA_MEMORY, 4096), 0);
	CU_ASSERT_EQUAL(quota_soft_get(QUOTA_MEMORY), 4096);
	/* The hard limit is separate. */
	CU_ASSERT_EQUAL(quota_get(QUOTA_MEMORY), 2621440);
	quota_init();
	CU_ASSERT_EQUAL(quota_soft_get(QUOTA_MEMORY), 2097152);
}

static void
test_names(void)
{
	static const struct {
		const char	*name;
		enum quota_id	 q;
	} names[] = {
		{ "nodes", QUOTA_NODES },
		{ "watches", QUOTA_WATCHES },
		{ "transactions", QUOTA_TRANSACTIONS },
		{ "outstanding", QUOTA_OUTSTANDING },
		{ "transaction-nodes", QUOTA_TXN_NODES },
		{ "memory", QUOTA_MEMORY },
		{ "node-size", QUOTA_NODE_SIZE },
		{ "permissions", QUOTA_PERMISSIONS },
	};
	enum quota_id q;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		q = QUOTA_COUNT;
		CU_ASSERT_EQUAL(quota_lookup(names[i].name, &q), 0);
		CU_ASSERT_EQUAL(q, names[i].q);
		CU_ASSERT_STRING_EQUAL(quota_name(names[i].q), names[i].name);
	}
	/* Every quota has a name that looks itself up, and a description. */
	for (q = 0; q < QUOTA_COUNT; q++) {
		enum quota_id r = QUOTA_COUNT;

		CU_ASSERT_PTR_NOT_NULL_FATAL(quota_name(q));
		CU_ASSERT_EQUAL(quota_lookup(quota_name(q), &r), 0);
		CU_ASSERT_EQUAL(r, q);
		CU_ASSERT_PTR_NOT_NULL_FATAL(quota_descr(q));
		CU_ASSERT_NOT_EQUAL(quota_descr(q)[0], '\0');
	}
	CU_ASSERT_EQUAL(quota_lookup("bogus", &q), ENOENT);
	CU_ASSERT_EQUAL(quota_lookup("", &q), ENOENT);
	CU_ASSERT_EQUAL(quota_lookup("Nodes", &q), ENOENT);
	CU_ASSERT_EQUAL(quota_lookup("node", &q), ENOENT);
	CU_ASSERT_STRING_EQUAL(quota_usage_name(USAGE_NODES), "nodes");
	CU_ASSERT_STRING_EQUAL(quota_usage_name(USAGE_WATCHES), "watches");
	CU_ASSERT_STRING_EQUAL(quota_usage_name(USAGE_TRANSACTIONS),
	    "transactions");
	CU_ASSERT_STRING_EQUAL(quota_usage_name(USAGE_MEMORY), "memory");
}

static void
test_set_get(void)
{
	quota_set(QUOTA_NODES, 5);
	quota_set(QUOTA_WATCHES, 0);
	CU_ASSERT_EQUAL(quota_get(QUOTA_NODES), 5);
	CU_ASSERT_EQUAL(quota_get(QUOTA_WATCHES), 0);
	CU_ASSERT_EQUAL(quota_get(QUOTA_TRANSACTIONS), 10);
	quota_init();
	CU_ASSERT_EQUAL(quota_get(QUOTA_NODES), 1000);
	CU_ASSERT_EQUAL(quota_get(QUOTA_WATCHES), 128);
}

static void
test_check_errors(void)
{
	/* Each counter fails with the error Xen's C xenstored gives. */
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_NODES, 1000), 0);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_NODES, 1001), ENOSPC);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_WATCHES, 128), 0);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_WATCHES, 129), E2BIG);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_TRANSACTIONS, 10), 0);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_TRANSACTIONS, 11),
	    ENOSPC);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_MEMORY, 2621440), 0);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_MEMORY, 2621441),
	    ENOMEM);
}

static void
test_check_usage(void)
{
	CU_ASSERT_EQUAL(quota_charge(1, USAGE_NODES, 999), 0);
	CU_ASSERT_EQUAL(quota_usage(1, USAGE_NODES), 999);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_NODES, 1), 0);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_NODES, 2), ENOSPC);
	CU_ASSERT_EQUAL(quota_charge(1, USAGE_NODES, 1), 0);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_NODES, 1), ENOSPC);
	/* Giving back is always allowed. */
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_NODES, 0), 0);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_NODES, -1), 0);
	/* Accounts are per domain and per counter. */
	CU_ASSERT_EQUAL(quota_check(2, false, USAGE_NODES, 1), 0);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_WATCHES, 1), 0);
	CU_ASSERT_EQUAL(quota_usage(2, USAGE_NODES), 0);

	/* Privileged callers are exempt. */
	CU_ASSERT_EQUAL(quota_check(1, true, USAGE_NODES, 1), 0);
	CU_ASSERT_EQUAL(quota_check(1, true, USAGE_MEMORY, 1 << 30), 0);

	/* A lower limit applies to the usage already there. */
	quota_set(QUOTA_NODES, 10);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_NODES, 1), ENOSPC);
	/* 0 means no limit. */
	quota_set(QUOTA_NODES, 0);
	CU_ASSERT_EQUAL(quota_check(1, false, USAGE_NODES, 1000000), 0);
}

static void
test_charge(void)
{
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_WATCHES), 0);
	CU_ASSERT_EQUAL(quota_charge(7, USAGE_WATCHES, 3), 0);
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_WATCHES), 3);
	CU_ASSERT_EQUAL(quota_charge(7, USAGE_WATCHES, -1), 0);
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_WATCHES), 2);
	/* Never below zero. */
	CU_ASSERT_EQUAL(quota_charge(7, USAGE_WATCHES, -5), 0);
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_WATCHES), 0);
	CU_ASSERT_EQUAL(quota_charge(7, USAGE_WATCHES, -1), 0);
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_WATCHES), 0);
	CU_ASSERT_EQUAL(quota_charge(7, USAGE_WATCHES, 1), 0);
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_WATCHES), 1);
	/* A refund for a domain never charged creates nothing. */
	CU_ASSERT_EQUAL(quota_charge(8, USAGE_NODES, -1), 0);
	CU_ASSERT_EQUAL(quota_usage(8, USAGE_NODES), 0);
	/* Other counters of the account are untouched. */
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_NODES), 0);
	CU_ASSERT_EQUAL(quota_charge(65535, USAGE_MEMORY, 100), 0);
	CU_ASSERT_EQUAL(quota_usage(65535, USAGE_MEMORY), 100);
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_MEMORY), 0);
}

static void
test_fini_resets_usage(void)
{
	CU_ASSERT_EQUAL(quota_charge(3, USAGE_NODES, 4), 0);
	quota_fini();
	CU_ASSERT_EQUAL(quota_usage(3, USAGE_NODES), 0);
	CU_ASSERT_EQUAL(quota_charge(3, USAGE_NODES, 1), 0);
	CU_ASSERT_EQUAL(quota_usage(3, USAGE_NODES), 1);
}

/* SET_QUOTA <domid>: one domain's limit, others keep the global one. */
static void
test_domain_limits(void)
{
	CU_ASSERT_EQUAL(quota_limit(7, QUOTA_NODES), 1000);
	CU_ASSERT_EQUAL(quota_domain_set(7, QUOTA_NODES, 2), 0);
	CU_ASSERT_EQUAL(quota_limit(7, QUOTA_NODES), 2);
	CU_ASSERT_EQUAL(quota_limit(8, QUOTA_NODES), 1000);
	CU_ASSERT_EQUAL(quota_check(7, false, USAGE_NODES, 2), 0);
	CU_ASSERT_EQUAL(quota_check(7, false, USAGE_NODES, 3), ENOSPC);
	CU_ASSERT_EQUAL(quota_check(8, false, USAGE_NODES, 3), 0);
	/* The global value moves; the domain's own does not. */
	quota_set(QUOTA_NODES, 50);
	CU_ASSERT_EQUAL(quota_limit(7, QUOTA_NODES), 2);
	CU_ASSERT_EQUAL(quota_limit(8, QUOTA_NODES), 50);
	/* A dead domain's limits and usage go with it. */
	CU_ASSERT_EQUAL(quota_charge(7, USAGE_NODES, 2), 0);
	quota_domain_forget(7);
	CU_ASSERT_EQUAL(quota_limit(7, QUOTA_NODES), 50);
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_NODES), 0);
}

static const struct cu_test tests[] = {
	TEST(test_defaults),
	TEST(test_soft),
	TEST(test_names),
	TEST(test_set_get),
	TEST(test_check_errors),
	TEST(test_check_usage),
	TEST(test_charge),
	TEST(test_fini_resets_usage),
	TEST(test_domain_limits),
	TEST_END
};

int
main(void)
{
	const struct cu_suite suites[] = {
		{ "quota", setup, teardown, tests },
	};

	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
