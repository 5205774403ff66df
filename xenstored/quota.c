/*
 * Limits and usage accounting.  The limits table is private to this file:
 * main (options) and control (CONTROL quota) change it only through
 * quota_set().  Accounts are created on first charge, in a hash by domid.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "quota.h"

struct quota_def {
	const char	*name;
	const char	*descr;
	unsigned int	 def;
	unsigned int	 soft_def;
	bool		 has_soft;
};

static const struct quota_def defs[QUOTA_COUNT] = {
	[QUOTA_NODES] = { "nodes", "Nodes per domain", 1000, 0, false },
	[QUOTA_WATCHES] = { "watches", "Watches per domain", 128, 0, false },
	[QUOTA_TRANSACTIONS] = { "transactions", "Transactions per domain",
	    10, 0, false },
	[QUOTA_OUTSTANDING] = { "outstanding",
	    "Outstanding requests per domain", 20, 0, false },
	[QUOTA_TXN_NODES] = { "transaction-nodes",
	    "Max. number of accessed nodes per transaction", 1024, 0, false },
	[QUOTA_MEMORY] = { "memory", "Total Xenstore memory per domain",
	    2 * 1024 * 1024 + 512 * 1024, 2 * 1024 * 1024, true },
	[QUOTA_NODE_SIZE] = { "node-size", "Max. size of a node", 2048, 0,
	    false },
	[QUOTA_PATH_MAX] = { "path-max", "Max. length of a node path", 2048,
	    0, false },
	[QUOTA_PERMISSIONS] = { "permissions",
	    "Max. number of permissions per node", 5, 0, false },
};

static const char *const usage_names[USAGE_COUNT] = {
	[USAGE_NODES] = "nodes",
	[USAGE_WATCHES] = "watches",
	[USAGE_TRANSACTIONS] = "transactions",
	[USAGE_MEMORY] = "memory",
};

/* The quota each usage counter is limited by. */
static const enum quota_id usage_quota[USAGE_COUNT] = {
	[USAGE_NODES] = QUOTA_NODES,
	[USAGE_WATCHES] = QUOTA_WATCHES,
	[USAGE_TRANSACTIONS] = QUOTA_TRANSACTIONS,
	[USAGE_MEMORY] = QUOTA_MEMORY,
};

static const int usage_error[USAGE_COUNT] = {
	[USAGE_NODES] = ENOSPC,
	[USAGE_WATCHES] = E2BIG,
	[USAGE_TRANSACTIONS] = ENOSPC,
	[USAGE_MEMORY] = ENOMEM,
};

struct account {
	unsigned int	domid;
	unsigned long	usage[USAGE_COUNT];
	/* Per-domain hard limits (SET_QUOTA <domid>); else the global one. */
	bool		has_limit[QUOTA_COUNT];
	unsigned int	limit[QUOTA_COUNT];
	UT_hash_handle	hh;
};

static unsigned int	 hard[QUOTA_COUNT];
static unsigned int	 soft[QUOTA_COUNT];
static struct account	*accounts;
static TALLOC_CTX	*accounts_ctx;

void
quota_init(void)
{
	unsigned int i;

	for (i = 0; i < QUOTA_COUNT; i++) {
		hard[i] = defs[i].def;
		soft[i] = defs[i].soft_def;
	}
}

void
quota_fini(void)
{
	struct account *a, *tmp;

	HASH_ITER(hh, accounts, a, tmp) {
		HASH_DEL(accounts, a);
	}
	TALLOC_FREE(accounts_ctx);
}

unsigned int
quota_get(enum quota_id q)
{
	return hard[q];
}

void
quota_set(enum quota_id q, unsigned int value)
{
	hard[q] = value;
}

unsigned int
quota_soft_get(enum quota_id q)
{
	return soft[q];
}

int
quota_soft_set(enum quota_id q, unsigned int value)
{
	if (!defs[q].has_soft)
		return EINVAL;
	soft[q] = value;
	return 0;
}

const char *
quota_name(enum quota_id q)
{
	return defs[q].name;
}

const char *
quota_descr(enum quota_id q)
{
	return defs[q].descr;
}

int
quota_lookup(const char *name, enum quota_id *q)
{
	unsigned int i;

	for (i = 0; i < QUOTA_COUNT; i++)
		if (strcmp(defs[i].name, name) == 0) {
			*q = i;
			return 0;
		}
	return ENOENT;
}

static struct account *
find_account(unsigned int domid)
{
	struct account *a;

	HASH_FIND_INT(accounts, &domid, a);
	return a;
}

unsigned int
quota_limit(unsigned int domid, enum quota_id q)
{
	struct account *a = find_account(domid);

	return a != NULL && a->has_limit[q] ? a->limit[q] : hard[q];
}

bool
quota_domain_own(unsigned int domid, enum quota_id q, unsigned int *value)
{
	struct account *a = find_account(domid);

	if (a == NULL || !a->has_limit[q])
		return false;
	*value = a->limit[q];
	return true;
}

int
quota_check(unsigned int domid, bool privileged, enum quota_usage u,
    long delta)
{
	unsigned int limit = quota_limit(domid, usage_quota[u]);

	if (privileged || limit == 0 || delta <= 0)
		return 0;
	if (quota_usage(domid, u) + delta > limit)
		return usage_error[u];
	return 0;
}

static struct account *
get_account(unsigned int domid)
{
	struct account *a = find_account(domid);

	if (a != NULL)
		return a;
	if (accounts_ctx == NULL && (accounts_ctx =
	    talloc_named_const(NULL, 0, "quota accounts")) == NULL)
		return NULL;
	if ((a = talloc_zero(accounts_ctx, struct account)) == NULL)
		return NULL;
	a->domid = domid;
	HASH_ADD_INT(accounts, domid, a);
	if (!HASH_ADDED(a, hh)) {
		talloc_free(a);
		return NULL;
	}
	return a;
}

int
quota_domain_set(unsigned int domid, enum quota_id q, unsigned int value)
{
	struct account *a = get_account(domid);

	if (a == NULL)
		return ENOMEM;
	a->has_limit[q] = true;
	a->limit[q] = value;
	return 0;
}

void
quota_domain_forget(unsigned int domid)
{
	struct account *a = find_account(domid);

	if (a == NULL)
		return;
	HASH_DEL(accounts, a);
	talloc_free(a);
}

int
quota_charge(unsigned int domid, enum quota_usage u, long delta)
{
	struct account *a = find_account(domid);
	unsigned long before;

	if (a == NULL) {
		if (delta <= 0)
			return 0;
		if ((a = get_account(domid)) == NULL)
			return ENOMEM;
	}
	before = a->usage[u];
	if (delta < 0 && (unsigned long)-delta > a->usage[u])
		a->usage[u] = 0;
	else
		a->usage[u] += delta;
	/* The soft quota only warns, once per crossing (Xen does too). */
	if (u == USAGE_MEMORY && soft[QUOTA_MEMORY] != 0 &&
	    before < soft[QUOTA_MEMORY] && a->usage[u] >= soft[QUOTA_MEMORY])
		log_warnx("domid %u: over the soft memory quota (%lu bytes)",
		    domid, a->usage[u]);
	return 0;
}

unsigned long
quota_usage(unsigned int domid, enum quota_usage u)
{
	struct account *a = find_account(domid);

	return a == NULL ? 0 : a->usage[u];
}

const char *
quota_usage_name(enum quota_usage u)
{
	return usage_names[u];
}
