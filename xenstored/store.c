/*
 * The node tree: a hash table from full path to node (uthash) plus
 * parent/child links in creation order.  Nodes are talloc children of the
 * store; the hash's own tables are malloc'd by uthash and freed by the
 * store's destructor.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <uthash.h>

#include "log.h"
#include "path.h"
#include "store.h"

struct domid_refs;

/* One node naming one domid in its perms: a link of that domid's list. */
struct node_ref {
	struct node		*node;
	struct domid_refs	*list;
	struct node_ref		*prev, *next;
};

/* Every node whose perms name a domid (owner or any entry). */
struct domid_refs {
	unsigned int	 domid;
	struct node_ref	*head;
	unsigned int	 count;
	UT_hash_handle	 hh;
};

struct node {
	char		*path;		/* hash key */
	const char	*name;		/* last component, inside path */
	void		*data;
	size_t		 len;
	struct perms	 perms;
	uint64_t	 gen;
	uint64_t	 child_gen;
	struct node	*parent;
	struct node	*first_child, *last_child;
	struct node	*prev, *next;	/* siblings */
	unsigned int	 nchildren;
	size_t		 child_bytes;
	struct node_ref	*refs;		/* one per distinct domid in perms */
	unsigned int	 nrefs;
	UT_hash_handle	 hh;
};

struct store {
	struct node	*hash;
	struct node	*root;
	uint64_t	 gen;
	unsigned int	 count;
	struct domid_refs *byid;	/* the end of a domain needs them */
};

static int
store_destroy(struct store *st)
{
	/* Nodes and lists are talloc children; the hash tables are ours. */
	HASH_CLEAR(hh, st->hash);
	HASH_CLEAR(hh, st->byid);
	return 0;
}

/* Free the lists of refs that no node is linked into. */
static void
refs_drop_empty(struct store *st, struct node_ref *refs, unsigned int nrefs)
{
	unsigned int i;

	for (i = 0; i < nrefs; i++)
		if (refs[i].list->count == 0) {
			HASH_DEL(st->byid, refs[i].list);
			talloc_free(refs[i].list);
		}
}

/*
 * The refs a node with perms p needs (one per distinct domid), allocated
 * on n, and the list of each domid, created empty if missing, so that
 * refs_link() cannot fail.  On ENOMEM nothing is left behind.
 */
static int
refs_prepare(struct store *st, struct node *n, const struct perms *p,
    struct node_ref **refs, unsigned int *nrefs)
{
	struct domid_refs *l;
	unsigned int i, j, k = 0, domid;

	*refs = talloc_zero_array(n, struct node_ref, p->num);
	if (*refs == NULL)
		return ENOMEM;
	for (i = 0; i < p->num; i++) {
		domid = p->p[i].domid;
		for (j = 0; j < i && p->p[j].domid != domid; j++)
			continue;
		if (j < i)
			continue;	/* named before */
		HASH_FIND_INT(st->byid, &domid, l);
		if (l == NULL) {
			if ((l = talloc_zero(st, struct domid_refs)) == NULL) {
				refs_drop_empty(st, *refs, k);
				TALLOC_FREE(*refs);
				return ENOMEM;
			}
			l->domid = domid;
			HASH_ADD_INT(st->byid, domid, l);
		}
		(*refs)[k].node = n;
		(*refs)[k].list = l;
		k++;
	}
	*nrefs = k;
	return 0;
}

/* Link prepared refs into their lists. */
static void
refs_link(struct node_ref *refs, unsigned int nrefs)
{
	struct domid_refs *l;
	unsigned int i;

	for (i = 0; i < nrefs; i++) {
		l = refs[i].list;
		refs[i].next = l->head;
		if (l->head != NULL)
			l->head->prev = &refs[i];
		l->head = &refs[i];
		l->count++;
	}
}

/*
 * Take refs out of their lists, freeing the lists left empty, then the
 * refs themselves.
 */
static void
refs_unlink(struct store *st, struct node_ref *refs, unsigned int nrefs)
{
	struct node_ref *r;
	struct domid_refs *l;
	unsigned int i;

	for (i = 0; i < nrefs; i++) {
		r = &refs[i];
		l = r->list;
		if (r->prev != NULL)
			r->prev->next = r->next;
		else
			l->head = r->next;
		if (r->next != NULL)
			r->next->prev = r->prev;
		if (--l->count == 0) {
			HASH_DEL(st->byid, l);
			talloc_free(l);
		}
	}
	talloc_free(refs);
}

uint64_t
store_next_gen(struct store *st)
{
	return ++st->gen;
}

static struct node *
node_new(struct store *st, const char *path, const void *data, size_t len,
    const struct perms *perms)
{
	struct node *n;

	n = talloc_zero(st, struct node);
	if (n == NULL)
		return NULL;
	n->path = talloc_strdup(n, path);
	if (n->path == NULL || perms_copy(n, perms, &n->perms) != 0)
		goto nomem;
	if (len > 0 && (n->data = talloc_memdup(n, data, len)) == NULL)
		goto nomem;
	n->len = len;
	n->name = path_basename(n->path);
	n->gen = n->child_gen = store_next_gen(st);
	if (refs_prepare(st, n, &n->perms, &n->refs, &n->nrefs) != 0)
		goto nomem;
	refs_link(n->refs, n->nrefs);
	return n;
nomem:
	talloc_free(n);
	return NULL;
}

struct store *
store_new(TALLOC_CTX *ctx, const struct perms *root_perms)
{
	struct store *st;

	st = talloc_zero(ctx, struct store);
	if (st == NULL)
		return NULL;
	talloc_set_destructor(st, store_destroy);
	st->root = node_new(st, "/", NULL, 0, root_perms);
	if (st->root == NULL) {
		talloc_free(st);
		return NULL;
	}
	st->root->name = "";
	HASH_ADD_KEYPTR(hh, st->hash, st->root->path, 1, st->root);
	st->count = 1;
	return st;
}

struct node *
store_lookup(const struct store *st, const char *path)
{
	struct node *n;

	HASH_FIND_STR(st->hash, path, n);
	return n;
}

unsigned int
store_count(const struct store *st)
{
	return st->count;
}

struct node *
store_add(struct store *st, struct node *parent, const char *name,
    const void *data, size_t len, const struct perms *perms)
{
	struct node *n;
	char *path;

	path = path_join(st, parent->path, name);
	if (path == NULL)
		return NULL;
	n = node_new(st, path, data, len, perms);
	talloc_free(path);
	if (n == NULL)
		return NULL;
	HASH_ADD_KEYPTR(hh, st->hash, n->path, strlen(n->path), n);
	n->parent = parent;
	n->prev = parent->last_child;
	if (parent->last_child != NULL)
		parent->last_child->next = n;
	else
		parent->first_child = n;
	parent->last_child = n;
	parent->nchildren++;
	parent->child_bytes += strlen(n->name) + 1;
	parent->child_gen = store_next_gen(st);
	st->count++;
	return n;
}

int
store_set_data(struct store *st, struct node *n, const void *data, size_t len)
{
	void *copy = NULL;

	if (len > 0 && (copy = talloc_memdup(n, data, len)) == NULL)
		return ENOMEM;
	talloc_free(n->data);
	n->data = copy;
	n->len = len;
	n->gen = store_next_gen(st);
	return 0;
}

int
store_set_perms(struct store *st, struct node *n, const struct perms *perms)
{
	struct perms copy;
	struct node_ref *refs;
	unsigned int nrefs;

	if (perms_copy(n, perms, &copy) != 0)
		return ENOMEM;
	if (refs_prepare(st, n, &copy, &refs, &nrefs) != 0) {
		talloc_free(copy.p);
		return ENOMEM;
	}
	/*
	 * Link the new refs before unlinking the old: a domid named by both
	 * keeps a non-empty list, which the new refs already point to.
	 */
	refs_link(refs, nrefs);
	refs_unlink(st, n->refs, n->nrefs);
	n->refs = refs;
	n->nrefs = nrefs;
	talloc_free(n->perms.p);
	n->perms = copy;
	n->gen = store_next_gen(st);
	return 0;
}

static void
unlink_child(struct node *n)
{
	struct node *p = n->parent;

	if (n->prev != NULL)
		n->prev->next = n->next;
	else
		p->first_child = n->next;
	if (n->next != NULL)
		n->next->prev = n->prev;
	else
		p->last_child = n->prev;
	p->nchildren--;
	p->child_bytes -= strlen(n->name) + 1;
}

void
store_remove(struct store *st, struct node *n,
    void (*cb)(struct node *, void *), void *arg)
{
	struct node *parent = n->parent, *cur, *victim;

	unlink_child(n);
	parent->child_gen = store_next_gen(st);
	n->parent = NULL;

	/*
	 * Post-order without recursion: go down to a leaf, free it, and
	 * continue with what is now its parent's first child.
	 */
	cur = n;
	while (cur != NULL) {
		while (cur->first_child != NULL)
			cur = cur->first_child;
		victim = cur;
		cur = victim->parent;
		if (cur != NULL) {
			cur->first_child = victim->next;
			if (victim->next != NULL)
				victim->next->prev = NULL;
			else
				cur->last_child = NULL;
		}
		if (cb != NULL)
			cb(victim, arg);
		refs_unlink(st, victim->refs, victim->nrefs);
		victim->refs = NULL;
		victim->nrefs = 0;
		HASH_DEL(st->hash, victim);
		st->count--;
		talloc_free(victim);
	}
}

int
store_nodes_naming(TALLOC_CTX *ctx, const struct store *st,
    unsigned int domid, struct node ***nodes, unsigned int *n)
{
	struct domid_refs *l;
	struct node_ref *r;
	unsigned int i = 0;

	*nodes = NULL;
	*n = 0;
	HASH_FIND_INT(st->byid, &domid, l);
	if (l == NULL || l->count == 0)
		return 0;
	if ((*nodes = talloc_array(ctx, struct node *, l->count)) == NULL)
		return ENOMEM;
	for (r = l->head; r != NULL && i < l->count; r = r->next)
		(*nodes)[i++] = r->node;
	*n = i;
	return 0;
}

void
store_walk(struct node *top, bool (*cb)(struct node *, void *), void *arg)
{
	struct node *cur = top;

	while (cur != NULL) {
		if (cb(cur, arg) && cur->first_child != NULL) {
			cur = cur->first_child;
			continue;
		}
		/* Next sibling, or the sibling of the nearest ancestor. */
		while (cur != top && cur->next == NULL)
			cur = cur->parent;
		if (cur == top)
			break;
		cur = cur->next;
	}
}

const char *
node_path(const struct node *n)
{
	return n->path;
}

const char *
node_name(const struct node *n)
{
	return n->name;
}

const void *
node_data(const struct node *n, size_t *len)
{
	*len = n->len;
	return n->data;
}

const struct perms *
node_perms(const struct node *n)
{
	return &n->perms;
}

struct node *
node_parent(const struct node *n)
{
	return n->parent;
}

uint64_t
node_gen(const struct node *n)
{
	return n->gen;
}

uint64_t
node_child_gen(const struct node *n)
{
	return n->child_gen;
}

unsigned int
node_child_count(const struct node *n)
{
	return n->nchildren;
}

size_t
node_child_bytes(const struct node *n)
{
	return n->child_bytes;
}

char *
node_children(TALLOC_CTX *ctx, const struct node *n, size_t *len)
{
	struct node *c;
	char *buf;
	size_t off = 0, l;

	/* One spare byte so that an empty list is not a zero-size alloc. */
	buf = talloc_size(ctx, n->child_bytes + 1);
	if (buf == NULL)
		return NULL;
	for (c = n->first_child; c != NULL; c = c->next) {
		l = strlen(c->name) + 1;
		memcpy(buf + off, c->name, l);
		off += l;
	}
	*len = off;
	return buf;
}

struct node *
node_first_child(const struct node *n)
{
	return n->first_child;
}

struct node *
node_next_sibling(const struct node *n)
{
	return n->next;
}

struct check_state {
	const struct store	*st;
	unsigned int		 seen;
	unsigned int		 problems;
};

static bool
check_node(struct node *n, void *arg)
{
	struct check_state *cs = arg;
	struct node *c;
	unsigned int count = 0;
	size_t bytes = 0;

	cs->seen++;
	if (store_lookup(cs->st, n->path) != n) {
		log_warnx("check: %s not found by its path", n->path);
		cs->problems++;
	}
	if (n->perms.num == 0) {
		log_warnx("check: %s has no perms", n->path);
		cs->problems++;
	}
	for (c = n->first_child; c != NULL; c = c->next) {
		count++;
		bytes += strlen(c->name) + 1;
		if (c->parent != n) {
			log_warnx("check: %s has a wrong parent", c->path);
			cs->problems++;
		}
	}
	if (count != n->nchildren || bytes != n->child_bytes) {
		log_warnx("check: %s child counts are wrong", n->path);
		cs->problems++;
	}
	return true;
}

unsigned int
store_check(const struct store *st)
{
	struct check_state cs = { st, 0, 0 };

	store_walk(st->root, check_node, &cs);
	if (cs.seen != st->count || HASH_COUNT(st->hash) != st->count) {
		log_warnx("check: %u nodes reachable, %u counted, %u hashed",
		    cs.seen, st->count, HASH_COUNT(st->hash));
		cs.problems++;
	}
	return cs.problems;
}
