/*
 * Quota limits (global values, the defaults for every domain) and
 * per-domain usage accounting.  Names and defaults follow Xen's C
 * xenstored 4.17 (xenstored_control.c "quota", xenstored_core.c).
 */
#ifndef XSD_QUOTA_H
#define XSD_QUOTA_H

#include <stdbool.h>
#include <talloc.h>

enum quota_id {
	QUOTA_NODES,		/* nodes owned per domain (1000) */
	QUOTA_WATCHES,		/* watches per domain (128) */
	QUOTA_TRANSACTIONS,	/* open transactions per domain (10) */
	QUOTA_OUTSTANDING,	/* outstanding requests per domain (20) */
	QUOTA_TXN_NODES,	/* nodes touched per transaction (1024) */
	QUOTA_MEMORY,		/* bytes per domain, hard (2.5 MiB) */
	QUOTA_NODE_SIZE,	/* bytes of data + perms per node (2048) */
	QUOTA_PATH_MAX,		/* path bytes below the domain path (2048) */
	QUOTA_PERMISSIONS,	/* perm entries per node (5) */
	QUOTA_COUNT
};

/* Usage counters kept per domain. */
enum quota_usage {
	USAGE_NODES,
	USAGE_WATCHES,
	USAGE_TRANSACTIONS,
	USAGE_MEMORY,
	USAGE_COUNT
};

/*
 * What one talloc chunk costs beyond its size (talloc's 96-byte header
 * on 64-bit, and malloc's): added to every allocation charged to a
 * domain's memory quota.
 */
#define QUOTA_CHUNK_OVERHEAD	112

/* Reset every limit to its default.  Called once at start-up. */
void	quota_init(void);
/* Free the per-domain accounts. */
void	quota_fini(void);

/* Hard limit of q; 0 means "no limit" (xenstore.txt, GET_QUOTA). */
unsigned int quota_get(enum quota_id q);
void	quota_set(enum quota_id q, unsigned int value);
/* Soft limit: only QUOTA_MEMORY has one (2 MiB); 0 for the others. */
unsigned int quota_soft_get(enum quota_id q);
/* Returns 0, or EINVAL when q has no soft limit. */
int	quota_soft_set(enum quota_id q, unsigned int value);

/* Wire / CONTROL name ("nodes") and a one-line description. */
const char *quota_name(enum quota_id q);
const char *quota_descr(enum quota_id q);
/* Look a name up; returns 0 or ENOENT. */
int	quota_lookup(const char *name, enum quota_id *q);

/*
 * Hard limit of q for domid: its own (SET_QUOTA <domid>, xenstore.txt)
 * if one was set, else the global one.  0 means "no limit".
 */
unsigned int quota_limit(unsigned int domid, enum quota_id q);

/*
 * Give domid its own hard limit for q (SET_QUOTA <domid>|<quota>|<value>).
 * Returns 0 or ENOMEM.
 */
int	quota_domain_set(unsigned int domid, enum quota_id q,
	    unsigned int value);

/*
 * domid's own hard limit for q, if SET_QUOTA <domid> gave it one: true
 * with *value (0: no limit); false when it follows the global one.
 */
bool	quota_domain_own(unsigned int domid, enum quota_id q,
	    unsigned int *value);

/*
 * Forget domid's own limits and usage counters (the domain is gone; a
 * domain reusing the domid starts from the global limits).
 */
void	quota_domain_forget(unsigned int domid);

/*
 * Would adding delta to domid's usage u go over the hard limit of the
 * matching quota?  Returns 0 or the xenstore error for that quota (ENOSPC
 * for nodes and transactions, E2BIG for watches, ENOMEM for memory).
 * Privileged callers are exempt, as in Xen's C xenstored.
 */
int	quota_check(unsigned int domid, bool privileged, enum quota_usage u,
	    long delta);

/*
 * Add delta (may be negative) to domid's usage u; usage never goes below
 * zero.  Returns 0 or ENOMEM (account could not be created).
 */
int	quota_charge(unsigned int domid, enum quota_usage u, long delta);
/* Current usage of domid (0 for a domain never charged). */
unsigned long quota_usage(unsigned int domid, enum quota_usage u);
const char *quota_usage_name(enum quota_usage u);

#endif
