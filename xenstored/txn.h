/*
 * Transactions (docs/misc/xenstore.txt, TRANSACTION_START / _END) and the
 * node operations that go through them.  Every operation takes a
 * transaction or NULL: with NULL it acts on the store at once and fires
 * its watch events; inside a transaction it acts on the transaction's
 * private view and the events wait for the commit.
 *
 * The commit rule is written out at the top of txn.c and in
 * docs/protocol.md.
 */
#ifndef XSD_TXN_H
#define XSD_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>

#include "perms.h"

struct node;
struct store;
struct txn;
struct txn_list;

/* What a reader sees of a node. */
struct txn_view {
	const char		*path;		/* the path asked for */
	size_t			 path_len;	/* bytes of it naming the node */
	const void		*data;
	size_t			 len;
	const struct perms	*perms;
};

/* A client's set of open transactions, allocated on ctx; NULL: ENOMEM. */
struct txn_list *txn_list_new(TALLOC_CTX *ctx);
unsigned int txn_list_count(const struct txn_list *list);
/* Abort every open transaction (RESET_WATCHES). */
void	txn_list_clear(struct txn_list *list);

/*
 * Start a transaction on st for a client of domain domid.  privileged
 * clients are not held to quotas.  *id gets its tx_id (never 0).
 * Returns 0, ENOSPC (transaction quota) or ENOMEM.
 */
int	txn_start(struct txn_list *list, struct store *st, unsigned int domid,
	    bool privileged, uint32_t *id);

/*
 * A transaction a live update carried (a TA record, docs/
 * migration-stream.md): open under its old id on list, reading and
 * writing as a new one would, but its commit gives EAGAIN, so the client
 * retries it (xenstore.txt, TRANSACTION_END) rather than getting ENOENT.
 * Not held to the quota (the replaced daemon was).  Returns 0, EEXIST
 * (id 0 or already open) or ENOMEM.
 */
int	txn_restore(struct txn_list *list, struct store *st,
	    unsigned int domid, bool privileged, uint32_t id);

/*
 * fn(id, arg) for each open transaction of list, newest first, until fn
 * returns non-zero, which is returned; else 0.
 */
int	txn_list_foreach(const struct txn_list *list,
	    int (*fn)(uint32_t id, void *arg), void *arg);

/* Seconds on CLOCK_MONOTONIC, the clock of txn_list_oldest(). */
time_t	txn_clock(void);

/*
 * When list's oldest open transaction started (txn_clock() seconds) in
 * *started.  Returns 0, or ENOENT when none is open.
 */
int	txn_list_oldest(const struct txn_list *list, time_t *started);

/* The open transaction tx_id, or NULL. */
struct txn *txn_find(struct txn_list *list, uint32_t id);

/*
 * End tx.  With commit, apply it if no conflict (see txn.c) and fire its
 * watch events.  The transaction is freed in every case.
 * Returns 0, EAGAIN (conflict: nothing applied) or ENOMEM.
 */
int	txn_end(struct txn *tx, bool commit);

/*
 * Read a node.  out's pointers are valid until the next operation on the
 * node.  Returns 0, ENOENT, ENOSPC (transaction-nodes quota) or ENOMEM.
 */
int	txn_read(struct store *st, struct txn *tx, const char *path,
	    struct txn_view *out);

/*
 * The nearest existing node at or above path (path itself if it exists):
 * out->path is path, and its first out->path_len bytes name the node
 * found ("/" has length 1).  Errors as txn_read().
 */
int	txn_read_nearest(struct store *st, struct txn *tx, const char *path,
	    struct txn_view *out);

/*
 * Child names of a node, nul-separated, allocated on ctx, with *gen the
 * node's child generation (DIRECTORY_PART).  Errors as txn_read().
 */
int	txn_children(struct store *st, struct txn *tx, TALLOC_CTX *ctx,
	    const char *path, char **names, size_t *len, uint64_t *gen);

/*
 * WRITE (set_data) or MKDIR (!set_data): create path and any missing
 * ancestors, each new node getting its parent's perms with the owner
 * replaced by new_owner when new_owner >= 0.  An existing node keeps its
 * data unless set_data.  creator_domid / creator_privileged are charged
 * for created nodes (QUOTA_NODES).
 * Returns 0, ENOSPC (quota), ENOMEM.
 */
int	txn_write(struct store *st, struct txn *tx, const char *path,
	    const void *data, size_t len, bool set_data, int new_owner,
	    unsigned int creator_domid, bool creator_privileged);

/*
 * Replace the perms of an existing node.  Returns 0, ENOENT, ENOSPC
 * (transaction-nodes quota) or ENOMEM.
 */
int	txn_set_perms(struct store *st, struct txn *tx, const char *path,
	    const struct perms *perms);

/*
 * Remove an existing node (not "/") and its subtree.  Returns 0, ENOENT,
 * ENOSPC (transaction-nodes quota; the view is then unchanged) or ENOMEM.
 */
int	txn_rm(struct store *st, struct txn *tx, const char *path);

/* Number of open transactions in the daemon. */
/*
 * Change the perms of n in the store at once, outside any transaction
 * and without events (the end of a domain), moving its memory and node
 * charges with the change of size and of owner.  perms is copied.
 * Returns 0 or ENOMEM (nothing changed).
 */
int	txn_store_set_perms(struct store *st, struct node *n,
	    const struct perms *perms);

unsigned int txn_count(void);

/* Journal n, at path, as it is now (docs/crash-restart.md). */
void	txn_journal_node(const char *path, const struct node *n);

/* Set n's value, its owner charged the difference.  0 or ENOMEM. */
int	txn_store_set_data(struct store *st, struct node *n, const void *data,
	    size_t len);

/* Give back what n cost its owner (before n leaves the store). */
void	txn_refund_node(struct node *n);

#endif
