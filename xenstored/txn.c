/*
 * Optimistic transactions.
 *
 * A transaction keeps a private entry for every node it touches, holding
 * the node's state in the store when first touched (did it exist, its
 * generation, its child generation) and the transaction's own view of it
 * (exists, data, perms, children added or removed).  The store itself is
 * only changed at commit.
 *
 * The commit rule.  For every node the transaction touched:
 *   1. the node must exist in the store if and only if it did when first
 *      touched;
 *   2. if the transaction read its data or perms, wrote them, or removed
 *      the node, its generation must be unchanged;
 *   3. if the transaction listed its children or removed it, its child
 *      generation must be unchanged.
 * Otherwise TRANSACTION_END gives EAGAIN and nothing is applied.  A
 * generation changes when data or perms change; a child generation when a
 * child is added or removed.  Examples:
 *   - T reads /a; /a is written outside T; T commits: EAGAIN (2).
 *   - T1 creates /p/x, T2 creates /p/y, /p exists: both commit.  Each
 *     read /p's perms (rule 2) but only its child generation moved.
 *   - T lists /p; /p/z is created outside; T commits: EAGAIN (3).
 *   - T1 and T2 both create /p/x; T2 commits first; T1: EAGAIN (1).
 *   - T removes /p; /p/q is created outside; T commits: EAGAIN (3).
 *   - T writes /a; /b (untouched by T) changes outside: T commits.
 *
 * Operations without a transaction run as a transaction of their own that
 * commits at once (no conflict is possible), so both paths share one
 * implementation; only RM and reads go to the store directly.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <uthash.h>

#include "framing.h"
#include "log.h"
#include "path.h"
#include "quota.h"
#include "store.h"
#include "txn.h"
#include "watch.h"

struct tnode {
	char		*path;
	const char	*name;		/* last component, in path */
	struct tnode	*parent;
	struct tnode	*first_kid, *last_kid, *next_kid;
	struct tnode	*next;		/* creation order */
	UT_hash_handle	 hh;

	/* Store state when first touched. */
	bool		 base_exists;
	uint64_t	 base_gen;
	uint64_t	 base_cgen;
	struct perms	 base_perms;

	/*
	 * validate: touched by an operation (not only as the ancestor of
	 * one), so the commit rule applies to it.
	 */
	bool		 validate;
	bool		 read_data;
	bool		 read_children;
	bool		 data_set;
	bool		 perms_set;
	bool		 replaced;	/* removed inside the transaction */

	/* The transaction's view. */
	bool		 exists;
	void		*data;
	size_t		 len;
	struct perms	 perms;
	uint64_t	 view_cgen;

	bool		 ev_changed;
	bool		 ev_removed;
};

struct txn {
	uint32_t	 id;
	struct txn_list	*list;		/* NULL for a one-shot operation */
	struct store	*st;
	unsigned int	 domid;
	bool		 privileged;
	struct tnode	*hash;
	struct tnode	*head, **tail;
	unsigned int	 touched;
	struct txn	*prev, *next;
};

struct txn_list {
	struct txn	*head;
	uint32_t	 next_id;
	unsigned int	 count;
};

static unsigned int	ntxns;

static int
txn_destroy(struct txn *tx)
{
	HASH_CLEAR(hh, tx->hash);
	if (tx->list != NULL) {
		if (tx->prev != NULL)
			tx->prev->next = tx->next;
		else
			tx->list->head = tx->next;
		if (tx->next != NULL)
			tx->next->prev = tx->prev;
		tx->list->count--;
		ntxns--;
		quota_charge(tx->domid, USAGE_TRANSACTIONS, -1);
	}
	return 0;
}

static struct txn *
txn_new(TALLOC_CTX *ctx, struct store *st, unsigned int domid,
    bool privileged)
{
	struct txn *tx;

	tx = talloc_zero(ctx, struct txn);
	if (tx == NULL)
		return NULL;
	tx->st = st;
	tx->domid = domid;
	tx->privileged = privileged;
	tx->tail = &tx->head;
	talloc_set_destructor(tx, txn_destroy);
	return tx;
}

static int
list_destroy(struct txn_list *list)
{
	txn_list_clear(list);
	return 0;
}

struct txn_list *
txn_list_new(TALLOC_CTX *ctx)
{
	struct txn_list *list;

	list = talloc_zero(ctx, struct txn_list);
	if (list == NULL)
		return NULL;
	list->next_id = 1;
	talloc_set_destructor(list, list_destroy);
	return list;
}

unsigned int
txn_list_count(const struct txn_list *list)
{
	return list->count;
}

void
txn_list_clear(struct txn_list *list)
{
	while (list->head != NULL)
		talloc_free(list->head);
}

unsigned int
txn_count(void)
{
	return ntxns;
}

struct txn *
txn_find(struct txn_list *list, uint32_t id)
{
	struct txn *tx;

	for (tx = list->head; tx != NULL; tx = tx->next)
		if (tx->id == id)
			return tx;
	return NULL;
}

int
txn_start(struct txn_list *list, struct store *st, unsigned int domid,
    bool privileged, uint32_t *id)
{
	struct txn *tx;
	int err;

	err = quota_check(domid, privileged, USAGE_TRANSACTIONS, 1);
	if (err != 0)
		return err;
	tx = txn_new(list, st, domid, privileged);
	if (tx == NULL)
		return ENOMEM;
	/* Ids are never 0 (no transaction) and never one in use. */
	do {
		tx->id = list->next_id++;
	} while (tx->id == 0 || txn_find(list, tx->id) != NULL);
	if (quota_charge(domid, USAGE_TRANSACTIONS, 1) != 0) {
		talloc_free(tx);
		return ENOMEM;
	}
	tx->list = list;
	tx->next = list->head;
	if (list->head != NULL)
		list->head->prev = tx;
	list->head = tx;
	list->count++;
	ntxns++;
	*id = tx->id;
	return 0;
}

/* Entry for path from the store; parent is its parent's entry or NULL. */
static struct tnode *
tnode_new(struct txn *tx, const char *path, struct tnode *parent)
{
	struct tnode *e;
	struct node *n;
	const void *data;

	e = talloc_zero(tx, struct tnode);
	if (e == NULL || (e->path = talloc_strdup(e, path)) == NULL)
		goto nomem;
	e->name = parent == NULL ? "" : path_basename(e->path);
	n = store_lookup(tx->st, path);
	if (n != NULL) {
		e->base_exists = true;
		e->base_gen = node_gen(n);
		e->base_cgen = node_child_gen(n);
		data = node_data(n, &e->len);
		if (e->len > 0 &&
		    (e->data = talloc_memdup(e, data, e->len)) == NULL)
			goto nomem;
		if (perms_copy(e, node_perms(n), &e->perms) != 0 ||
		    perms_copy(e, node_perms(n), &e->base_perms) != 0)
			goto nomem;
	}
	/*
	 * Below a node the transaction removed, what the store holds now
	 * is not in the view (rule 1 or 3 will fail the commit anyway).
	 */
	e->exists = e->base_exists &&
	    (parent == NULL || (parent->exists && !parent->replaced));
	e->view_cgen = e->base_cgen;
	e->parent = parent;
	if (parent != NULL) {
		if (parent->last_kid != NULL)
			parent->last_kid->next_kid = e;
		else
			parent->first_kid = e;
		parent->last_kid = e;
	}
	HASH_ADD_KEYPTR(hh, tx->hash, e->path, strlen(e->path), e);
	*tx->tail = e;
	tx->tail = &e->next;
	return e;
nomem:
	talloc_free(e);
	return NULL;
}

static struct tnode *
tnode_find(const struct txn *tx, const char *path)
{
	struct tnode *e;

	HASH_FIND_STR(tx->hash, path, e);
	return e;
}

/*
 * The entry for path, created with those of its ancestors that are
 * missing (top down, without recursion).  validate marks it touched by an
 * operation, which counts against the transaction-nodes quota.
 */
static int
tnode_get(struct txn *tx, const char *path, bool validate, struct tnode **out)
{
	TALLOC_CTX *tmp;
	const char **chain = NULL;
	unsigned int n = 0, i;
	struct tnode *e, *parent = NULL;
	const char *p;
	int err = ENOMEM;

	if ((e = tnode_find(tx, path)) == NULL) {
		if ((tmp = talloc_new(NULL)) == NULL)
			return ENOMEM;
		/* Collect the missing paths bottom up, then create. */
		for (p = path;;) {
			chain = talloc_realloc(tmp, chain, const char *, n + 1);
			if (chain == NULL)
				goto out;
			chain[n++] = p;
			if (strcmp(p, "/") == 0)
				break;
			if ((p = path_parent(tmp, p)) == NULL)
				goto out;
			if ((parent = tnode_find(tx, p)) != NULL)
				break;
		}
		for (i = n; i > 0; i--) {
			if ((e = tnode_new(tx, chain[i - 1], parent)) == NULL)
				goto out;
			parent = e;
		}
		err = 0;
out:
		talloc_free(tmp);
		if (err != 0)
			return err;
	}
	if (validate && !e->validate) {
		if (!tx->privileged && quota_limit(tx->domid, QUOTA_TXN_NODES) != 0 &&
		    tx->list != NULL &&
		    tx->touched >= quota_limit(tx->domid, QUOTA_TXN_NODES))
			return ENOSPC;
		e->validate = true;
		tx->touched++;
	}
	*out = e;
	return 0;
}

static void
fill_view(struct txn_view *out, const char *path, const void *data,
    size_t len, const struct perms *perms)
{
	out->path = path;
	out->data = data;
	out->len = len;
	out->perms = perms;
}

int
txn_read(struct store *st, struct txn *tx, const char *path,
    struct txn_view *out)
{
	struct tnode *e;
	struct node *n;
	const void *data;
	size_t len;
	int err;

	if (tx == NULL) {
		if ((n = store_lookup(st, path)) == NULL)
			return ENOENT;
		data = node_data(n, &len);
		fill_view(out, node_path(n), data, len, node_perms(n));
		return 0;
	}
	if ((err = tnode_get(tx, path, true, &e)) != 0)
		return err;
	e->read_data = true;
	if (!e->exists)
		return ENOENT;
	fill_view(out, e->path, e->data, e->len, &e->perms);
	return 0;
}

int
txn_read_nearest(struct store *st, struct txn *tx, const char *path,
    struct txn_view *out)
{
	char *p = NULL, *q;
	int err;

	for (;;) {
		err = txn_read(st, tx, p == NULL ? path : p, out);
		if (err != ENOENT || strcmp(p == NULL ? path : p, "/") == 0)
			break;
		q = path_parent(NULL, p == NULL ? path : p);
		talloc_free(p);
		if ((p = q) == NULL)
			return ENOMEM;
	}
	talloc_free(p);
	return err;
}

/* Append a nul-terminated name to a growing buffer on ctx. */
static int
append_name(TALLOC_CTX *ctx, char **buf, size_t *len, const char *name)
{
	size_t l = strlen(name) + 1;
	char *nb;

	nb = talloc_realloc(ctx, *buf, char, *len + l + 1);
	if (nb == NULL)
		return ENOMEM;
	memcpy(nb + *len, name, l);
	*buf = nb;
	*len += l;
	return 0;
}

/* Child names in tx's view of e, on ctx. */
static int
view_children(struct txn *tx, struct tnode *e, TALLOC_CTX *ctx, char **names,
    size_t *len)
{
	char child[XENSTORE_ABS_PATH_MAX + 2];
	struct tnode *k;
	struct node *n, *c;
	int err;

	*names = talloc_zero_size(ctx, 1);
	*len = 0;
	if (*names == NULL)
		return ENOMEM;
	n = e->base_exists && !e->replaced ? store_lookup(tx->st, e->path) :
	    NULL;
	for (c = n == NULL ? NULL : node_first_child(n); c != NULL;
	    c = node_next_sibling(c)) {
		snprintf(child, sizeof(child), "%s/%s",
		    strcmp(e->path, "/") == 0 ? "" : e->path, node_name(c));
		if (tnode_find(tx, child) != NULL)
			continue;	/* the entry below decides */
		if ((err = append_name(ctx, names, len, node_name(c))) != 0)
			return err;
	}
	for (k = e->first_kid; k != NULL; k = k->next_kid)
		if (k->exists &&
		    (err = append_name(ctx, names, len, k->name)) != 0)
			return err;
	return 0;
}

int
txn_children(struct store *st, struct txn *tx, TALLOC_CTX *ctx,
    const char *path, char **names, size_t *len, uint64_t *gen)
{
	struct tnode *e;
	struct node *n;
	int err;

	if (tx == NULL) {
		if ((n = store_lookup(st, path)) == NULL)
			return ENOENT;
		*gen = node_child_gen(n);
		*names = node_children(ctx, n, len);
		return *names == NULL ? ENOMEM : 0;
	}
	if ((err = tnode_get(tx, path, true, &e)) != 0)
		return err;
	e->read_children = true;
	if (!e->exists)
		return ENOENT;
	*gen = e->view_cgen;
	return view_children(tx, e, ctx, names, len);
}

/* Commit rule, see the top of this file. */
static bool
txn_conflicts(const struct txn *tx)
{
	const struct tnode *e;
	struct node *n;

	for (e = tx->head; e != NULL; e = e->next) {
		if (!e->validate)
			continue;
		n = store_lookup(tx->st, e->path);
		if ((n != NULL) != e->base_exists)
			return true;
		if (n == NULL)
			continue;
		if ((e->read_data || e->data_set || e->perms_set ||
		    e->replaced) && node_gen(n) != e->base_gen)
			return true;
		if ((e->read_children || e->replaced) &&
		    node_child_gen(n) != e->base_cgen)
			return true;
	}
	return false;
}

/* Bytes a node costs its owner's memory quota: path, data, perms. */
static long
node_mem(const char *path, size_t len, const struct perms *p)
{
	return strlen(path) + len + p->num * sizeof(struct perm_entry);
}

static long
store_node_mem(const struct node *n)
{
	size_t len;

	node_data(n, &len);
	return node_mem(node_path(n), len, node_perms(n));
}

static void
refund_node(struct node *n, void *arg)
{
	unsigned int owner = node_perms(n)->p[0].domid;

	(void)arg;
	quota_charge(owner, USAGE_NODES, -1);
	quota_charge(owner, USAGE_MEMORY, -store_node_mem(n));
}

static int
set_perms_charged(struct store *st, struct node *n, const struct perms *p)
{
	unsigned int old_owner = node_perms(n)->p[0].domid;
	long before = store_node_mem(n);
	int err;

	if ((err = store_set_perms(st, n, p)) != 0)
		return err;
	quota_charge(old_owner, USAGE_MEMORY, -before);
	quota_charge(p->p[0].domid, USAGE_MEMORY, store_node_mem(n));
	if (old_owner != p->p[0].domid) {
		quota_charge(old_owner, USAGE_NODES, -1);
		quota_charge(p->p[0].domid, USAGE_NODES, 1);
	}
	return 0;
}

static int
apply_entry(struct txn *tx, struct tnode *e)
{
	struct node *cur, *parent;

	if (!e->validate)
		return 0;
	cur = store_lookup(tx->st, e->path);
	if (cur != NULL && (e->replaced || (!e->exists && e->base_exists))) {
		store_remove(tx->st, cur, refund_node, NULL);
		cur = NULL;
	}
	if (!e->exists)
		return 0;
	if (cur == NULL) {
		parent = store_lookup(tx->st, e->parent->path);
		if (parent == NULL) {
			log_warnx("txn: parent of %s vanished at commit",
			    e->path);
			return EIO;
		}
		if (store_add(tx->st, parent, e->name, e->data, e->len,
		    &e->perms) == NULL)
			return ENOMEM;
		quota_charge(e->perms.p[0].domid, USAGE_NODES, 1);
		quota_charge(e->perms.p[0].domid, USAGE_MEMORY,
		    node_mem(e->path, e->len, &e->perms));
		return 0;
	}
	if (e->data_set) {
		long before = store_node_mem(cur);

		if (store_set_data(tx->st, cur, e->data, e->len) != 0)
			return ENOMEM;
		quota_charge(node_perms(cur)->p[0].domid, USAGE_MEMORY,
		    store_node_mem(cur) - before);
	}
	if (e->perms_set && set_perms_charged(tx->st, cur, &e->perms) != 0)
		return ENOMEM;
	return 0;
}

/*
 * The perms of the parent of the node at path, or NULL (the root).  The
 * node must be in the store: callers ask before a removal or after a
 * change is applied.
 */
static const struct perms *
parent_perms(const struct store *st, const char *path)
{
	const struct node *n = store_lookup(st, path);

	if (n == NULL || (n = node_parent(n)) == NULL)
		return NULL;
	return node_perms(n);
}

static const struct perms *
perms_in_store(const char *path, void *st)
{
	const struct node *n = store_lookup(st, path);

	return n != NULL ? node_perms(n) : NULL;
}

/*
 * Apply the view to the store, parents before children (pre-order over
 * the entry tree, without recursion), then fire the events.
 */
static int
txn_apply(struct txn *tx)
{
	struct tnode *root = tnode_find(tx, "/"), *cur;
	const struct tnode *e;
	int err, ret = 0;

	/* Removals are told while the store still holds what goes. */
	for (e = tx->head; e != NULL; e = e->next)
		if (e->ev_removed && e->base_exists)
			watch_fire_removed(e->path, &e->base_perms,
			    parent_perms(tx->st, e->path), perms_in_store,
			    tx->st);
	for (cur = root; cur != NULL;) {
		if ((err = apply_entry(tx, cur)) != 0 && ret == 0)
			ret = err;
		if (cur->first_kid != NULL) {
			cur = cur->first_kid;
			continue;
		}
		while (cur != root && cur->next_kid == NULL)
			cur = cur->parent;
		cur = cur == root ? NULL : cur->next_kid;
	}
	for (e = tx->head; e != NULL; e = e->next)
		if (e->ev_changed && e->exists)
			watch_fire(e->path, &e->perms,
			    e->base_exists ? &e->base_perms : NULL,
			    parent_perms(tx->st, e->path));
	if (ret != 0)
		log_warnx("txn: commit partly applied: %s", strerror(ret));
	return ret;
}

int
txn_end(struct txn *tx, bool commit)
{
	int err = 0;

	if (commit)
		err = txn_conflicts(tx) ? EAGAIN : txn_apply(tx);
	talloc_free(tx);
	return err;
}

/* Run op on tx, or as a transaction of its own committed at once. */
#define ONE_SHOT_BEGIN(st, tx, domid, priv, own)			\
	struct txn *own = NULL;						\
	if ((tx) == NULL) {						\
		if ((own = txn_new(NULL, (st), (domid), (priv))) == NULL) \
			return ENOMEM;					\
		(tx) = own;						\
	}

static int
one_shot_end(struct txn *own, int err)
{
	if (own == NULL)
		return err;
	if (err == 0)
		err = txn_apply(own);
	talloc_free(own);
	return err;
}

static int
set_view_data(struct tnode *e, const void *data, size_t len)
{
	void *copy = NULL;

	if (len > 0 && (copy = talloc_memdup(e, data, len)) == NULL)
		return ENOMEM;
	talloc_free(e->data);
	e->data = copy;
	e->len = len;
	e->data_set = true;
	return 0;
}

static int
do_write(struct txn *tx, const char *path, const void *data, size_t len,
    bool set_data, int new_owner)
{
	struct tnode *e, *a, *m;
	TALLOC_CTX *tmp;
	struct tnode **chain = NULL;
	unsigned int n = 0, i, owner;
	int err;

	if ((err = tnode_get(tx, path, true, &e)) != 0)
		return err;
	if (e->exists) {
		if (!set_data)
			return 0;
		/* A guest growing its own node pays from its memory quota. */
		if (!tx->privileged && e->perms.p[0].domid == tx->domid &&
		    len > e->len && (err = quota_check(tx->domid, false,
		    USAGE_MEMORY, len - e->len)) != 0)
			return err;
		if ((err = set_view_data(e, data, len)) != 0)
			return err;
		e->ev_changed = true;
		return 0;
	}
	if ((tmp = talloc_new(NULL)) == NULL)
		return ENOMEM;
	/* Up to the nearest ancestor that exists in the view. */
	for (a = e;; a = a->parent) {
		/* Its perms are read: the new nodes inherit them. */
		if ((err = tnode_get(tx, a->path, true, &a)) != 0)
			goto out;
		a->read_data = true;
		if (a->exists)
			break;
		chain = talloc_realloc(tmp, chain, struct tnode *, n + 1);
		if (chain == NULL) {
			err = ENOMEM;
			goto out;
		}
		chain[n++] = a;
	}
	owner = new_owner >= 0 ? (unsigned int)new_owner : tx->domid;
	if (!tx->privileged && quota_limit(owner, QUOTA_NODES) != 0 &&
	    quota_usage(owner, USAGE_NODES) + n >
	    quota_limit(owner, QUOTA_NODES)) {
		err = ENOSPC;
		goto out;
	}
	/* Upper bound of what the new nodes cost (node_mem()). */
	if (!tx->privileged && (err = quota_check(owner, false, USAGE_MEMORY,
	    n * node_mem(path, 0, &a->perms) + len)) != 0)
		goto out;
	/* Create top down; each inherits its parent's perms. */
	for (i = n; i > 0; i--) {
		m = chain[i - 1];
		if ((err = perms_copy(m, &m->parent->perms, &m->perms)) != 0)
			goto out;
		if (new_owner >= 0)
			m->perms.p[0].domid = new_owner;
		talloc_free(m->data);
		m->data = NULL;
		m->len = 0;
		m->exists = true;
		m->data_set = m->perms_set = true;
		m->parent->view_cgen = store_next_gen(tx->st);
	}
	if (set_data && (err = set_view_data(e, data, len)) != 0)
		goto out;
	e->ev_changed = true;
out:
	talloc_free(tmp);
	return err;
}

int
txn_write(struct store *st, struct txn *tx, const char *path,
    const void *data, size_t len, bool set_data, int new_owner,
    unsigned int creator_domid, bool creator_privileged)
{
	ONE_SHOT_BEGIN(st, tx, creator_domid, creator_privileged, own);
	return one_shot_end(own,
	    do_write(tx, path, data, len, set_data, new_owner));
}

static int
do_set_perms(struct txn *tx, const char *path, const struct perms *perms)
{
	struct tnode *e;
	struct perms copy;
	int err;

	if ((err = tnode_get(tx, path, true, &e)) != 0)
		return err;
	if (!e->exists)
		return ENOENT;
	if ((err = perms_copy(e, perms, &copy)) != 0)
		return err;
	talloc_free(e->perms.p);
	e->perms = copy;
	e->perms_set = true;
	e->ev_changed = true;
	return 0;
}

int
txn_set_perms(struct store *st, struct txn *tx, const char *path,
    const struct perms *perms)
{
	ONE_SHOT_BEGIN(st, tx, 0, true, own);
	return one_shot_end(own, do_set_perms(tx, path, perms));
}

/*
 * Remove the node at path and everything below it from the view.  The
 * whole subtree is touched first (it may hit the transaction-nodes quota)
 * and only then marked removed, so a failure leaves the view unchanged.
 */
static int
do_rm(struct txn *tx, const char *path)
{
	char child[XENSTORE_ABS_PATH_MAX + 2];
	struct tnode *e, *c, **all;
	TALLOC_CTX *tmp;
	unsigned int n = 1, i;
	char *names;
	size_t len, off;
	int err;

	if ((err = tnode_get(tx, path, true, &e)) != 0)
		return err;
	if (!e->exists)
		return ENOENT;
	if ((tmp = talloc_new(NULL)) == NULL ||
	    (all = talloc_array(tmp, struct tnode *, 1)) == NULL) {
		talloc_free(tmp);
		return ENOMEM;
	}
	all[0] = e;
	/* Breadth first over a growing array: no recursion. */
	for (i = 0; i < n; i++) {
		if ((err = view_children(tx, all[i], tmp, &names, &len)) != 0)
			goto out;
		for (off = 0; off < len; off += strlen(names + off) + 1) {
			snprintf(child, sizeof(child), "%s/%s", all[i]->path,
			    names + off);
			if ((err = tnode_get(tx, child, true, &c)) != 0)
				goto out;
			all = talloc_realloc(tmp, all, struct tnode *, n + 1);
			if (all == NULL) {
				err = ENOMEM;
				goto out;
			}
			all[n++] = c;
		}
		talloc_free(names);
	}
	for (i = 0; i < n; i++) {
		all[i]->read_children = true;
		all[i]->exists = false;
		all[i]->replaced = true;
	}
	e->parent->view_cgen = store_next_gen(tx->st);
	/* A node that never existed outside has no removal to report. */
	e->ev_removed = e->base_exists;
out:
	talloc_free(tmp);
	return err;
}

int
txn_rm(struct store *st, struct txn *tx, const char *path)
{
	struct node *n;
	struct perms perms;
	TALLOC_CTX *tmp;

	if (tx != NULL)
		return do_rm(tx, path);
	/* Directly on the store: no need to copy a whole subtree. */
	if ((n = store_lookup(st, path)) == NULL)
		return ENOENT;
	if ((tmp = talloc_new(NULL)) == NULL ||
	    perms_copy(tmp, node_perms(n), &perms) != 0) {
		talloc_free(tmp);
		return ENOMEM;
	}
	watch_fire_removed(path, &perms, parent_perms(st, path),
	    perms_in_store, st);
	store_remove(st, n, refund_node, NULL);
	talloc_free(tmp);
	return 0;
}
