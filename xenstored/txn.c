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
#include <time.h>

#include "conflict.h"
#include "framing.h"
#include "hash.h"
#include "log.h"
#include "path.h"
#include "quota.h"
#include "store.h"
#include "journal.h"
#include "txn.h"
#include "watch.h"

/*
 * An entry of the view.  Each entry holds its own name only; entries are
 * keyed by (parent entry, name), so an entry costs O(name) however deep
 * it lies.  Data is copied when the transaction first reads or sets it,
 * so that later reads see that snapshot; an entry made only as the
 * ancestor of another holds no data.
 */
struct tnode {
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
	bool		 data_held;	/* data and len are the view's */
	bool		 data_set;	/* ... and the transaction set them */
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

	/* Hash key: the parent entry, then the name (no padding between). */
	struct tnode	*kparent;
	char		 name[];
};

/* Bytes of the hash key of a name of namelen bytes. */
#define TNODE_KEYLEN(namelen)	(sizeof(struct tnode *) + (namelen))

/* An entry's share of the hash's buckets (two at most). */
#define TNODE_BUCKETS	(2 * sizeof(UT_hash_bucket))

struct txn {
	uint32_t	 id;
	struct txn_list	*list;		/* NULL for a one-shot operation */
	struct store	*st;
	unsigned int	 domid;
	bool		 privileged;
	struct tnode	*hash;
	struct tnode	*root;		/* entry of "/", once touched */
	struct tnode	*head, **tail;
	unsigned int	 touched;
	unsigned int	 created;	/* nodes it makes (nodes quota) */
	size_t		 charged;	/* bytes charged to domid's memory */
	bool		 doomed;	/* carried by a live update: EAGAIN */
	time_t		 started;	/* CLOCK_MONOTONIC seconds */
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
	if (tx->charged > 0)
		quota_charge(tx->domid, USAGE_MEMORY, -(long)tx->charged);
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

/*
 * Charge bytes a transaction holds to its domain's memory quota, checked
 * first for the unprivileged (ENOMEM, the memory quota's error).  A
 * one-shot operation's view lives for one request and is bounded by it:
 * not charged.
 */
static int
tx_charge(struct txn *tx, size_t bytes)
{
	int err;

	if (tx->list == NULL || bytes == 0)
		return 0;
	if ((err = quota_check(tx->domid, tx->privileged, USAGE_MEMORY,
	    bytes)) != 0)
		return err;
	if (quota_charge(tx->domid, USAGE_MEMORY, bytes) != 0)
		return ENOMEM;
	tx->charged += bytes;
	return 0;
}

static void
tx_refund(struct txn *tx, size_t bytes)
{
	if (tx->list == NULL || bytes == 0)
		return;
	if (bytes > tx->charged)
		bytes = tx->charged;
	quota_charge(tx->domid, USAGE_MEMORY, -(long)bytes);
	tx->charged -= bytes;
}

/* What a perms copy costs. */
static size_t
perms_bytes(const struct perms *p)
{
	return p->num == 0 ? 0 :
	    p->num * sizeof(struct perm_entry) + QUOTA_CHUNK_OVERHEAD;
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

time_t
txn_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

int
txn_list_oldest(const struct txn_list *list, time_t *started)
{
	const struct txn *tx;
	bool any = false;

	for (tx = list->head; tx != NULL; tx = tx->next)
		if (!any || tx->started < *started) {
			*started = tx->started;
			any = true;
		}
	return any ? 0 : ENOENT;
}

/* Put tx, with its id set, on list and charge it. */
static int
txn_link(struct txn_list *list, struct txn *tx, uint32_t *id)
{
	if (quota_charge(tx->domid, USAGE_TRANSACTIONS, 1) != 0) {
		talloc_free(tx);
		return ENOMEM;
	}
	tx->list = list;
	tx->started = txn_clock();
	tx->next = list->head;
	if (list->head != NULL)
		list->head->prev = tx;
	list->head = tx;
	list->count++;
	ntxns++;
	*id = tx->id;
	return 0;
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
	return txn_link(list, tx, id);
}

int
txn_restore(struct txn_list *list, struct store *st, unsigned int domid,
    bool privileged, uint32_t id)
{
	struct txn *tx;

	if (id == 0 || txn_find(list, id) != NULL)
		return EEXIST;
	/* The replaced daemon charged it: no quota check. */
	if ((tx = txn_new(list, st, domid, privileged)) == NULL)
		return ENOMEM;
	tx->id = id;
	tx->doomed = true;
	if (list->next_id <= id)
		list->next_id = id + 1;
	return txn_link(list, tx, &id);
}

int
txn_list_foreach(const struct txn_list *list,
    int (*fn)(uint32_t id, void *arg), void *arg)
{
	const struct txn *tx;
	int err;

	for (tx = list->head; tx != NULL; tx = tx->next)
		if ((err = fn(tx->id, arg)) != 0)
			return err;
	return 0;
}

/* Path buffers: every view path is a valid path (path_valid()). */
#define PATH_BUF	(XENSTORE_ABS_PATH_MAX + 2)

/* The full path of e, in buf (PATH_BUF bytes). */
static const char *
tnode_path(const struct tnode *e, char *buf)
{
	const struct tnode *a;
	size_t len = 0, l;

	if (e->parent == NULL)
		return "/";
	/* Right to left: each name, then its slash. */
	for (a = e; a->parent != NULL; a = a->parent)
		len += strlen(a->name) + 1;
	if (len >= PATH_BUF)
		len = PATH_BUF - 1;	/* cannot happen: paths are valid */
	buf[len] = '\0';
	for (a = e; a->parent != NULL && len > 0; a = a->parent) {
		l = strlen(a->name);
		if (l + 1 > len)
			break;
		len -= l;
		memcpy(buf + len, a->name, l);
		buf[--len] = '/';
	}
	return buf;
}

static struct tnode *
tnode_child(const struct txn *tx, const struct tnode *parent,
    const char *name, size_t namelen)
{
	char key[TNODE_KEYLEN(PATH_BUF)];
	struct tnode *e;

	if (namelen >= PATH_BUF)
		return NULL;
	memcpy(key, &parent, sizeof(parent));
	memcpy(key + sizeof(parent), name, namelen);
	HASH_FIND(hh, tx->hash, key, TNODE_KEYLEN(namelen), e);
	return e;
}

/*
 * New entry below parent (NULL: the root) called name, for n, the node
 * of the store at its path (NULL: none); charged to the transaction.
 * Returns 0, ENOMEM (the memory quota, or out of memory).
 */
static int
tnode_new(struct txn *tx, struct node *n, struct tnode *parent,
    const char *name, size_t namelen, struct tnode **out)
{
	struct tnode *e;
	size_t cost;
	int err;

	cost = sizeof(*e) + namelen + 1 + QUOTA_CHUNK_OVERHEAD + TNODE_BUCKETS +
	    (n != NULL ? 2 * perms_bytes(node_perms(n)) : 0);
	if ((err = tx_charge(tx, cost)) != 0)
		return err;
	e = talloc_zero_size(tx, sizeof(*e) + namelen + 1);
	if (e == NULL) {
		tx_refund(tx, cost);
		return ENOMEM;
	}
	talloc_set_name_const(e, "struct tnode");
	memcpy(e->name, name, namelen);
	if (n != NULL) {
		e->base_exists = true;
		e->base_gen = node_gen(n);
		e->base_cgen = node_child_gen(n);
		if (perms_copy(e, node_perms(n), &e->perms) != 0 ||
		    perms_copy(e, node_perms(n), &e->base_perms) != 0) {
			talloc_free(e);
			tx_refund(tx, cost);
			return ENOMEM;
		}
	}
	/*
	 * Below a node the transaction removed, what the store holds now
	 * is not in the view (rule 1 or 3 will fail the commit anyway).
	 */
	e->exists = e->base_exists &&
	    (parent == NULL || (parent->exists && !parent->replaced));
	e->view_cgen = e->base_cgen;
	e->parent = e->kparent = parent;
	if (parent != NULL) {
		if (parent->last_kid != NULL)
			parent->last_kid->next_kid = e;
		else
			parent->first_kid = e;
		parent->last_kid = e;
	} else
		tx->root = e;
	HASH_ADD(hh, tx->hash, kparent, TNODE_KEYLEN(namelen), e);
	if (!HASH_ADDED(e, hh)) {
		if (parent == NULL)
			tx->root = NULL;
		else if (parent->first_kid == e)
			parent->first_kid = parent->last_kid = NULL;
		else {
			struct tnode *k;

			for (k = parent->first_kid; k->next_kid != e;
			    k = k->next_kid)
				continue;
			k->next_kid = NULL;
			parent->last_kid = k;
		}
		talloc_free(e);
		tx_refund(tx, cost);
		return ENOMEM;
	}
	*tx->tail = e;
	tx->tail = &e->next;
	*out = e;
	return 0;
}

/*
 * Undo the creation of the entries made after *mark (the creation list's
 * tail then): they are the newest, a chain below one older entry, so
 * only the first is unlinked from a kid list that stays.
 */
static void
tnode_rollback(struct txn *tx, struct tnode **mark)
{
	struct tnode *e, *next, *p, *k;

	if ((e = *mark) == NULL)
		return;
	if ((p = e->parent) == NULL)
		tx->root = NULL;
	else if (p->first_kid == e)
		p->first_kid = p->last_kid = NULL;
	else {
		for (k = p->first_kid; k->next_kid != e; k = k->next_kid)
			continue;
		k->next_kid = NULL;
		p->last_kid = k;
	}
	for (; e != NULL; e = next) {
		next = e->next;
		HASH_DEL(tx->hash, e);
		tx_refund(tx, sizeof(*e) + strlen(e->name) + 1 +
		    QUOTA_CHUNK_OVERHEAD + TNODE_BUCKETS + (e->base_exists ?
		    2 * perms_bytes(&e->perms) : 0));
		talloc_free(e);
	}
	*mark = NULL;
	tx->tail = mark;
}

/* Does touching e (or a new entry, e NULL) go over the touched quota? */
static bool
over_touched(const struct txn *tx, const struct tnode *e)
{
	unsigned int limit;

	if ((e != NULL && e->validate) || tx->privileged || tx->list == NULL)
		return false;
	limit = quota_limit(tx->domid, QUOTA_TXN_NODES);
	return limit != 0 && tx->touched >= limit;
}

static void
mark_touched(struct txn *tx, struct tnode *e)
{
	if (!e->validate) {
		e->validate = true;
		tx->touched++;
	}
}

/*
 * The entry for path, created with those of its ancestors that are
 * missing (top down, without recursion).  validate marks it touched by an
 * operation, which counts against the transaction-nodes quota; that and
 * the memory quota are checked before anything is kept, so a refused
 * request leaves the view as it was.  Returns 0, ENOSPC (nodes touched),
 * ENOMEM.
 */
static int
tnode_get(struct txn *tx, const char *path, bool validate, struct tnode **out)
{
	char prefix[PATH_BUF];
	struct tnode *e = tx->root, *next, **mark;
	struct node *sn;
	const char *p = path + 1, *slash;
	size_t plen = 1, l;
	int err;

	/* The longest prefix of path the view has. */
	if (e != NULL) {
		while (*p != '\0') {
			slash = strchr(p, '/');
			l = slash != NULL ? (size_t)(slash - p) : strlen(p);
			if ((next = tnode_child(tx, e, p, l)) == NULL)
				break;
			e = next;
			p += l + (slash != NULL);
		}
		if (*p == '\0') {
			if (validate) {
				if (over_touched(tx, e))
					return ENOSPC;
				mark_touched(tx, e);
			}
			*out = e;
			return 0;
		}
	}
	if (validate && over_touched(tx, NULL))
		return ENOSPC;
	/*
	 * Create the rest, following the store from the deepest node the
	 * view has, one probe per component (a lookup of each prefix would
	 * cost O(depth * length)).
	 */
	l = p - path;
	if (l >= sizeof(prefix))
		return EINVAL;
	memcpy(prefix, path, l);
	plen = l > 1 ? l - 1 : 1;	/* without the trailing slash */
	prefix[plen] = '\0';
	sn = store_lookup(tx->st, prefix);
	mark = tx->tail;
	if (e == NULL) {
		if ((err = tnode_new(tx, sn, NULL, "", 0, &e)) != 0)
			return err;
	}
	while (*p != '\0') {
		slash = strchr(p, '/');
		l = slash != NULL ? (size_t)(slash - p) : strlen(p);
		memcpy(prefix, p, l);
		prefix[l] = '\0';
		sn = sn != NULL ? store_child(tx->st, sn, prefix) : NULL;
		if ((err = tnode_new(tx, sn, e, p, l, &next)) != 0) {
			tnode_rollback(tx, mark);
			return err;
		}
		e = next;
		p += l + (slash != NULL);
	}
	if (validate)
		mark_touched(tx, e);
	*out = e;
	return 0;
}

/*
 * The data of e in the view: its own copy if it has one, else what the
 * store holds at path.  ENOENT: the store lost it.
 */
static int
view_data(const struct txn *tx, const struct tnode *e, const char *path,
    const void **data, size_t *len)
{
	const struct node *n;

	if (e->data_held) {
		*data = e->data;
		*len = e->len;
		return 0;
	}
	if ((n = store_lookup(tx->st, path)) == NULL)
		return ENOENT;
	*data = node_data(n, len);
	return 0;
}

/*
 * Give e its own copy of data, charged.  set: the transaction wrote it
 * (else it is the snapshot of a first read).
 */
static int
hold_data(struct txn *tx, struct tnode *e, const void *data, size_t len,
    bool set)
{
	void *copy = NULL;
	int err;

	if ((err = tx_charge(tx, len + QUOTA_CHUNK_OVERHEAD)) != 0)
		return err;
	if (len > 0 && (copy = talloc_memdup(e, data, len)) == NULL) {
		tx_refund(tx, len + QUOTA_CHUNK_OVERHEAD);
		return ENOMEM;
	}
	if (e->data_held)
		tx_refund(tx, e->len + QUOTA_CHUNK_OVERHEAD);
	talloc_free(e->data);
	e->data = copy;
	e->len = len;
	e->data_held = true;
	e->data_set |= set;
	return 0;
}

static void
fill_view(struct txn_view *out, const char *path, const void *data,
    size_t len, const struct perms *perms)
{
	out->path = path;
	out->path_len = strlen(path);
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
		fill_view(out, path, data, len, node_perms(n));
		return 0;
	}
	if ((err = tnode_get(tx, path, true, &e)) != 0)
		return err;
	e->read_data = true;
	if (!e->exists || view_data(tx, e, path, &data, &len) != 0)
		return ENOENT;
	/* Later reads in the transaction see what this one saw. */
	if (!e->data_held && (err = hold_data(tx, e, data, len, false)) != 0)
		return err;
	fill_view(out, path, e->data, e->len, &e->perms);
	return 0;
}

/*
 * txn_read_nearest() in a transaction: up the entries tnode_get() made,
 * O(depth), each ancestor read as txn_read() would.  buf holds a copy
 * of path.
 */
static int
view_read_nearest(struct txn *tx, const char *path, char *buf,
    struct txn_view *out)
{
	struct tnode *e;
	const void *data;
	size_t len = strlen(path), dlen;
	int err;

	if ((err = tnode_get(tx, path, true, &e)) != 0)
		return err;
	for (;;) {
		e->read_data = true;
		if (e->exists)
			break;
		if (e->parent == NULL)
			return ENOENT;
		if (over_touched(tx, e->parent))
			return ENOSPC;
		mark_touched(tx, e->parent);
		path_pop(buf, &len, e->name);
		e = e->parent;
	}
	if (view_data(tx, e, buf, &data, &dlen) != 0)
		return ENOENT;
	if (!e->data_held && (err = hold_data(tx, e, data, dlen, false)) != 0)
		return err;
	fill_view(out, path, e->data, e->len, &e->perms);
	out->path_len = len;
	return 0;
}

int
txn_read_nearest(struct store *st, struct txn *tx, const char *path,
    struct txn_view *out)
{
	char buf[PATH_BUF];
	size_t len = strlen(path), l, found, dlen;
	struct node *n, *child;
	const void *data;
	const char *p;

	if (len >= sizeof(buf))
		return EINVAL;
	memcpy(buf, path, len + 1);
	if (tx != NULL)
		return view_read_nearest(tx, path, buf, out);
	/* Down the store, one probe per component: O(length of path). */
	if ((n = store_lookup(st, "/")) == NULL)
		return ENOENT;
	found = 1;
	for (p = path + 1; *p != '\0'; p += l + (p[l] == '/')) {
		l = strcspn(p, "/");
		memcpy(buf, p, l);
		buf[l] = '\0';
		if ((child = store_child(st, n, buf)) == NULL)
			break;
		n = child;
		found = p - path + l;
	}
	data = node_data(n, &dlen);
	fill_view(out, path, data, dlen, node_perms(n));
	out->path_len = found;
	return 0;
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

/* Child names in tx's view of e (at path), on ctx. */
static int
view_children(struct txn *tx, struct tnode *e, const char *path,
    TALLOC_CTX *ctx, char **names, size_t *len)
{
	struct tnode *k;
	struct node *n, *c;
	const char *name;
	int err;

	*names = talloc_zero_size(ctx, 1);
	*len = 0;
	if (*names == NULL)
		return ENOMEM;
	n = e->base_exists && !e->replaced ? store_lookup(tx->st, path) : NULL;
	for (c = n == NULL ? NULL : node_first_child(n); c != NULL;
	    c = node_next_sibling(c)) {
		name = node_name(c);
		if (tnode_child(tx, e, name, strlen(name)) != NULL)
			continue;	/* the entry below decides */
		if ((err = append_name(ctx, names, len, name)) != 0)
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
	return view_children(tx, e, path, ctx, names, len);
}

/*
 * Visit the view's entries in pre-order (parents before children)
 * without recursion, each with its full path; stop at the first non-zero
 * result of fn and return it.
 */
static int
tx_walk(struct txn *tx, int (*fn)(struct txn *, struct tnode *,
    const char *, void *), void *arg)
{
	char path[PATH_BUF];
	struct tnode *root = tx->root, *cur = root;
	size_t len = 1;
	int ret;

	if (root == NULL)
		return 0;
	memcpy(path, "/", 2);
	for (;;) {
		if ((ret = fn(tx, cur, path, arg)) != 0)
			return ret;
		if (cur->first_kid != NULL) {
			cur = cur->first_kid;
			path_push(path, &len, cur->name);
			continue;
		}
		while (cur != root && cur->next_kid == NULL) {
			path_pop(path, &len, cur->name);
			cur = cur->parent;
		}
		if (cur == root)
			return 0;
		path_pop(path, &len, cur->name);
		cur = cur->next_kid;
		path_push(path, &len, cur->name);
	}
}

/*
 * Commit rule, see the top of this file: non-zero on a conflict, with in
 * *gen the generation of the change that caused it (0: unknown, a node
 * that went away).
 */
static int
entry_conflicts(struct txn *tx, struct tnode *e, const char *path,
    void *arg)
{
	uint64_t *gen = arg;
	struct node *n;

	if (!e->validate)
		return 0;
	n = store_lookup(tx->st, path);
	if ((n != NULL) != e->base_exists) {
		*gen = n != NULL ? node_gen(n) : 0;
		return 1;
	}
	if (n == NULL)
		return 0;
	if ((e->read_data || e->data_set || e->perms_set ||
	    e->replaced) && node_gen(n) != e->base_gen) {
		*gen = node_gen(n);
		return 1;
	}
	if ((e->read_children || e->replaced) &&
	    node_child_gen(n) != e->base_cgen) {
		*gen = node_child_gen(n);
		return 1;
	}
	return 0;
}

/* Does tx conflict?  The maker of the change loses conflict credit. */
static bool
txn_conflicts(struct txn *tx)
{
	uint64_t gen = 0;

	if (tx_walk(tx, entry_conflicts, &gen) == 0)
		return false;
	if (gen != 0)
		conflict_blame(gen, tx->domid);
	return true;
}

/* Bytes a node costs its owner's memory quota: what the store holds. */
static long
store_node_mem(const struct node *n)
{
	return (long)store_node_bytes(n);
}

static void
refund_node(struct node *n, void *arg)
{
	unsigned int owner = node_perms(n)->p[0].domid;

	(void)arg;
	quota_charge(owner, USAGE_NODES, -1);
	quota_charge(owner, USAGE_MEMORY, -store_node_mem(n));
}

void
txn_journal_node(const char *path, const struct node *n)
{
	const void *value;
	size_t len;

	if (!journal_enabled())
		return;
	value = node_data(n, &len);
	journal_node(path, value, len, node_perms(n));
}

int
txn_store_set_data(struct store *st, struct node *n, const void *data,
    size_t len)
{
	long before = store_node_mem(n);

	if (store_set_data(st, n, data, len) != 0)
		return ENOMEM;
	quota_charge(node_perms(n)->p[0].domid, USAGE_MEMORY,
	    store_node_mem(n) - before);
	return 0;
}

void
txn_refund_node(struct node *n)
{
	refund_node(n, NULL);
}

int
txn_store_set_perms(struct store *st, struct node *n, const struct perms *p)
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

/* Apply one entry; *ret keeps the first error, the walk goes on. */
static int
apply_entry(struct txn *tx, struct tnode *e, const char *path, void *arg)
{
	char parent_path[PATH_BUF];
	struct node *cur, *parent;
	int *ret = arg, err = 0;
	bool added = false;
	char *slash;

	if (!e->validate)
		return 0;
	cur = store_lookup(tx->st, path);
	if (cur != NULL && (e->replaced || (!e->exists && e->base_exists))) {
		store_remove(tx->st, cur, refund_node, NULL);
		journal_node_del(path);
		cur = NULL;
	}
	if (!e->exists)
		return 0;
	if (cur == NULL) {
		/* A view path is valid and not "/" here (the root exists). */
		snprintf(parent_path, sizeof(parent_path), "%s", path);
		if ((slash = strrchr(parent_path, '/')) != NULL)
			slash[slash == parent_path] = '\0';
		parent = store_lookup(tx->st, parent_path);
		if (parent == NULL) {
			log_warnx("txn: parent of %s vanished at commit",
			    path);
			err = EIO;
		} else if ((cur = store_add(tx->st, parent, e->name, e->data,
		    e->len, &e->perms)) == NULL)
			err = ENOMEM;
		else {
			added = true;
			quota_charge(e->perms.p[0].domid, USAGE_NODES, 1);
			quota_charge(e->perms.p[0].domid, USAGE_MEMORY,
			    store_node_mem(cur));
		}
	} else {
		if (e->data_set) {
			long before = store_node_mem(cur);

			if (store_set_data(tx->st, cur, e->data, e->len) != 0)
				err = ENOMEM;
			else
				quota_charge(node_perms(cur)->p[0].domid,
				    USAGE_MEMORY, store_node_mem(cur) - before);
		}
		if (e->perms_set &&
		    txn_store_set_perms(tx->st, cur, &e->perms) != 0)
			err = ENOMEM;
	}
	if (err != 0 && *ret == 0)
		*ret = err;
	if (cur != NULL && (added || e->data_set || e->perms_set))
		txn_journal_node(path, cur);
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
 * Apply the view to the store, parents before children, then fire the
 * events in the order the entries were made.
 */
static int
txn_apply(struct txn *tx)
{
	char path[PATH_BUF];
	const struct tnode *e;
	uint64_t first = store_next_gen(tx->st);
	int ret = 0;

	/* Removals are told while the store still holds what goes. */
	for (e = tx->head; e != NULL; e = e->next)
		if (e->ev_removed && e->base_exists) {
			tnode_path(e, path);
			watch_fire_removed(path, &e->base_perms,
			    parent_perms(tx->st, path), perms_in_store,
			    tx->st);
		}
	tx_walk(tx, apply_entry, &ret);
	for (e = tx->head; e != NULL; e = e->next)
		if (e->ev_changed && e->exists) {
			tnode_path(e, path);
			watch_fire(path, &e->perms,
			    e->base_exists ? &e->base_perms : NULL,
			    parent_perms(tx->st, path));
		}
	if (ret != 0)
		log_warnx("txn: commit partly applied: %s", strerror(ret));
	/* Who made these generations, should they fail others' commits. */
	if (!tx->privileged)
		conflict_record(first, store_next_gen(tx->st), tx->domid);
	return ret;
}

/*
 * Would committing tx take its domain over the nodes quota?  Others may
 * have used the room it counted on since (commits, direct writes).
 */
static bool
over_nodes_quota(const struct txn *tx)
{
	unsigned int limit = quota_limit(tx->domid, QUOTA_NODES);

	return !tx->privileged && limit != 0 && tx->created > 0 &&
	    quota_usage(tx->domid, USAGE_NODES) + tx->created > limit;
}

int
txn_end(struct txn *tx, bool commit)
{
	int err = 0;

	if (commit)
		err = tx->doomed || txn_conflicts(tx) ? EAGAIN :
		    over_nodes_quota(tx) ? ENOSPC : txn_apply(tx);
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
set_view_data(struct txn *tx, struct tnode *e, const void *data, size_t len)
{
	return hold_data(tx, e, data, len, true);
}

static int
do_write(struct txn *tx, const char *path, const void *data, size_t len,
    bool set_data, int new_owner)
{
	struct tnode *e, *a, *m, **chain;
	unsigned int n = 0, i, owner;
	const void *old;
	size_t old_len;
	int err;

	if ((err = tnode_get(tx, path, true, &e)) != 0)
		return err;
	if (e->exists) {
		if (!set_data)
			return 0;
		if (view_data(tx, e, path, &old, &old_len) != 0)
			old_len = 0;
		/* A guest growing its own node pays from its memory quota. */
		if (!tx->privileged && e->perms.p[0].domid == tx->domid &&
		    len > old_len && (err = quota_check(tx->domid, false,
		    USAGE_MEMORY, len - old_len)) != 0)
			return err;
		if ((err = set_view_data(tx, e, data, len)) != 0)
			return err;
		e->ev_changed = true;
		return 0;
	}
	/*
	 * Up to the nearest ancestor that exists in the view (tnode_get()
	 * made the entries).  Its perms are read: the new nodes inherit
	 * them.
	 */
	for (a = e; !a->exists; a = a->parent) {
		if (a->parent == NULL)
			return ENOENT;	/* no root: cannot happen */
		if (over_touched(tx, a->parent))
			return ENOSPC;
		n++;
	}
	for (m = e; m != a; m = m->parent) {
		mark_touched(tx, m->parent);
		m->parent->read_data = true;
	}
	owner = new_owner >= 0 ? (unsigned int)new_owner : tx->domid;
	/* The nodes this transaction already made count too (XSA-272). */
	if (!tx->privileged && quota_limit(owner, QUOTA_NODES) != 0 &&
	    quota_usage(owner, USAGE_NODES) + tx->created + n >
	    quota_limit(owner, QUOTA_NODES))
		return ENOSPC;
	/* Upper bound of what the new nodes will cost in the store. */
	if (!tx->privileged && (err = quota_check(owner, false, USAGE_MEMORY,
	    (n - 1) * store_new_node_bytes(strlen(path), 0, a->perms.num) +
	    store_new_node_bytes(strlen(path), len, a->perms.num))) != 0)
		return err;
	/* Each new node's view costs a perms copy and its (empty) data. */
	if ((err = tx_charge(tx, n * (perms_bytes(&a->perms) +
	    QUOTA_CHUNK_OVERHEAD))) != 0)
		return err;
	if ((chain = talloc_array(NULL, struct tnode *, n)) == NULL)
		return ENOMEM;
	for (i = 0, m = e; m != a; m = m->parent)
		chain[i++] = m;
	/* Top down, so that each inherits its parent's new perms. */
	for (i = n; i > 0; i--) {
		m = chain[i - 1];
		if ((err = perms_copy(m, &m->parent->perms, &m->perms)) != 0)
			break;
		if (new_owner >= 0)
			m->perms.p[0].domid = new_owner;
		talloc_free(m->data);
		m->data = NULL;
		m->len = 0;
		m->exists = true;
		m->data_held = m->data_set = m->perms_set = true;
		m->parent->view_cgen = store_next_gen(tx->st);
	}
	talloc_free(chain);
	if (err != 0)
		return err;
	tx->created += n;
	if (set_data && (err = set_view_data(tx, e, data, len)) != 0)
		return err;
	e->ev_changed = true;
	return 0;
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
	if ((err = tx_charge(tx, perms_bytes(perms))) != 0)
		return err;
	if ((err = perms_copy(e, perms, &copy)) != 0) {
		tx_refund(tx, perms_bytes(perms));
		return err;
	}
	tx_refund(tx, perms_bytes(&e->perms));
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

/* The entry of child name of e (at path) made or found, touched. */
static int
tnode_get_child(struct txn *tx, struct tnode *e, const char *path,
    const char *name, struct tnode **out)
{
	char child[PATH_BUF];
	size_t l = strlen(path);
	struct tnode *c;
	int err;

	if ((c = tnode_child(tx, e, name, strlen(name))) == NULL) {
		if (over_touched(tx, NULL))
			return ENOSPC;
		memcpy(child, path, l + 1);
		if (l + 1 + strlen(name) >= sizeof(child))
			return EINVAL;
		path_push(child, &l, name);
		if ((err = tnode_new(tx, store_lookup(tx->st, child), e, name,
		    strlen(name), &c)))
			return err;
	} else if (over_touched(tx, c))
		return ENOSPC;
	mark_touched(tx, c);
	*out = c;
	return 0;
}

/*
 * Remove the node at path and everything below it from the view.  The
 * whole subtree is touched first (it may hit the transaction-nodes quota)
 * and only then marked removed, so a failure leaves the view unchanged.
 */
static int
do_rm(struct txn *tx, const char *path)
{
	struct tnode *e, *c, **all;
	char **paths;
	TALLOC_CTX *tmp;
	unsigned int n = 1, i;
	char *names, *p;
	size_t len, off, l;
	int err;

	if ((err = tnode_get(tx, path, true, &e)) != 0)
		return err;
	if (!e->exists)
		return ENOENT;
	if ((tmp = talloc_new(NULL)) == NULL ||
	    (all = talloc_array(tmp, struct tnode *, 1)) == NULL ||
	    (paths = talloc_array(tmp, char *, 1)) == NULL ||
	    (paths[0] = talloc_strdup(tmp, path)) == NULL) {
		talloc_free(tmp);
		return ENOMEM;
	}
	all[0] = e;
	/* Breadth first over a growing array: no recursion. */
	for (i = 0; i < n; i++) {
		if ((err = view_children(tx, all[i], paths[i], tmp, &names,
		    &len)) != 0)
			goto out;
		for (off = 0; off < len; off += strlen(names + off) + 1) {
			if ((err = tnode_get_child(tx, all[i], paths[i],
			    names + off, &c)) != 0)
				goto out;
			l = strlen(paths[i]);
			all = talloc_realloc(tmp, all, struct tnode *, n + 1);
			paths = talloc_realloc(tmp, paths, char *, n + 1);
			p = talloc_size(tmp, l + strlen(names + off) + 2);
			if (all == NULL || paths == NULL || p == NULL) {
				err = ENOMEM;
				goto out;
			}
			memcpy(p, paths[i], l + 1);
			path_push(p, &l, names + off);
			all[n] = c;
			paths[n++] = p;
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
	journal_node_del(path);
	talloc_free(tmp);
	return 0;
}
