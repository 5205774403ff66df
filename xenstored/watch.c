/*
 * Watch registry.  Watched paths form a tree of index entries (one per
 * watched path and per ancestor of one).  An entry holds one path
 * component and is found by a hash on (parent entry, name), so a watch
 * costs the index O(length of its path), however deep.  The roots are
 * "/" and each '@' special name.  An entry lives while it has watches or
 * child entries.  Each watch is charged to its domain's memory quota for
 * itself and for every entry its path needs, shared or not.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>

#include "conn.h"
#include "framing.h"
#include "hash.h"
#include "log.h"
#include "path.h"
#include "quota.h"
#include "watch.h"

struct wentry {
	struct wentry	*parent;
	struct wentry	*first_child;
	struct wentry	*prev, *next;		/* siblings */
	struct watch	*watches;		/* list on this path */
	UT_hash_handle	 hh;
	/* Hash key: the parent entry, then the name (no padding). */
	struct wentry	*kparent;
	char		 name[];
};

#define WENTRY_KEYLEN(namelen)	(sizeof(struct wentry *) + (namelen))

struct watch_list {
	struct watch	*head;
};

struct watch {
	struct watch_list *list;
	struct watch	*lprev, *lnext;	/* on the list */
	struct connection *conn;
	struct wentry	*entry;
	char		*token;
	char		*rel_base;	/* NULL for absolute watches */
	unsigned int	 depth;
	size_t		 charged;	/* bytes charged to conn's domain */
	struct watch	*prev, *next;	/* on the entry */
};

static struct wentry	*index_hash;
static TALLOC_CTX	*index_ctx;
static unsigned int	 nwatches;

int
watch_init(void)
{
	index_ctx = talloc_named_const(NULL, 0, "watch index");
	return index_ctx == NULL ? ENOMEM : 0;
}

void
watch_fini(void)
{
	HASH_CLEAR(hh, index_hash);
	TALLOC_FREE(index_ctx);
}

static struct wentry *
entry_child(const struct wentry *parent, const char *name, size_t namelen)
{
	char key[WENTRY_KEYLEN(XENSTORE_ABS_PATH_MAX + 1)];
	struct wentry *e;

	if (namelen > XENSTORE_ABS_PATH_MAX || index_hash == NULL)
		return NULL;
	memcpy(key, &parent, sizeof(parent));
	memcpy(key + sizeof(parent), name, namelen);
	HASH_FIND(hh, index_hash, key, WENTRY_KEYLEN(namelen), e);
	return e;
}

/*
 * Components of an index path: its root ("/", or "@name" up to the first
 * slash), then each name below it.
 */
struct comp {
	const char	*p;
	bool		 first;
};

static void
comp_init(struct comp *c, const char *path)
{
	c->p = path;
	c->first = true;
}

static bool
comp_next(struct comp *c, const char **name, size_t *len)
{
	if (c->first) {
		c->first = false;
		*name = c->p;
		*len = *c->p == '/' ? 1 : strcspn(c->p, "/");
		c->p += *len;
		return *len > 0;
	}
	if (*c->p == '/')
		c->p++;
	if (*c->p == '\0')
		return false;
	*name = c->p;
	*len = strcspn(c->p, "/");
	c->p += *len;
	return true;
}

/*
 * The deepest entry on path (NULL: not even its root), with in *ncomp
 * the components it covers and in *total those of path.
 */
static struct wentry *
entry_deepest(const char *path, unsigned int *ncomp, unsigned int *total)
{
	struct wentry *e = NULL, *next;
	struct comp c;
	const char *name;
	size_t l;
	bool found = true;

	*ncomp = *total = 0;
	comp_init(&c, path);
	while (comp_next(&c, &name, &l)) {
		(*total)++;
		if (found && (next = entry_child(e, name, l)) != NULL) {
			e = next;
			(*ncomp)++;
		} else
			found = false;
	}
	return e;
}

static struct wentry *
entry_find(const char *path)
{
	unsigned int n, total;
	struct wentry *e = entry_deepest(path, &n, &total);

	return n == total ? e : NULL;
}

static void
entry_unlink_free(struct wentry *e)
{
	struct wentry *parent;

	/* Climb while entries become empty; iterative by construction. */
	while (e != NULL && e->watches == NULL && e->first_child == NULL) {
		parent = e->parent;
		if (parent != NULL) {
			if (e->prev != NULL)
				e->prev->next = e->next;
			else
				parent->first_child = e->next;
			if (e->next != NULL)
				e->next->prev = e->prev;
		}
		HASH_DEL(index_hash, e);
		talloc_free(e);
		e = parent;
	}
}

/* Find or create the entry for path and those of its ancestors. */
static struct wentry *
entry_get(const char *path)
{
	struct wentry *e = NULL, *next;
	struct comp c;
	const char *name;
	bool made = false;
	size_t l;

	comp_init(&c, path);
	while (comp_next(&c, &name, &l)) {
		if ((next = entry_child(e, name, l)) == NULL) {
			next = talloc_zero_size(index_ctx,
			    sizeof(*next) + l + 1);
			if (next == NULL) {
				/* Frees what this call made, and only that. */
				if (made)
					entry_unlink_free(e);
				return NULL;
			}
			talloc_set_name_const(next, "struct wentry");
			memcpy(next->name, name, l);
			next->parent = next->kparent = e;
			if (e != NULL) {
				next->next = e->first_child;
				if (e->first_child != NULL)
					e->first_child->prev = next;
				e->first_child = next;
			}
			HASH_ADD(hh, index_hash, kparent, WENTRY_KEYLEN(l),
			    next);
			if (!HASH_ADDED(next, hh)) {
				if (e != NULL) {
					e->first_child = next->next;
					if (next->next != NULL)
						next->next->prev = NULL;
				}
				talloc_free(next);
				if (made)
					entry_unlink_free(e);
				return NULL;
			}
			made = true;
		}
		e = next;
	}
	return e;
}

/* What a watch on path costs: itself, its strings, its path's entries. */
static size_t
watch_cost(const char *path, const char *token, const char *rel_base)
{
	struct comp c;
	const char *name;
	size_t l, cost;

	cost = sizeof(struct watch) + QUOTA_CHUNK_OVERHEAD + strlen(token) + 1 +
	    QUOTA_CHUNK_OVERHEAD;
	if (rel_base != NULL)
		cost += strlen(rel_base) + 1 + QUOTA_CHUNK_OVERHEAD;
	comp_init(&c, path);
	/* Each entry, and its share of the hash's buckets (two at most). */
	while (comp_next(&c, &name, &l))
		cost += sizeof(struct wentry) + l + 1 + QUOTA_CHUNK_OVERHEAD +
		    2 * sizeof(UT_hash_bucket);
	return cost;
}

static int
watch_destroy(struct watch *w)
{
	struct wentry *e = w->entry;

	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		e->watches = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	if (w->lprev != NULL)
		w->lprev->lnext = w->lnext;
	else
		w->list->head = w->lnext;
	if (w->lnext != NULL)
		w->lnext->lprev = w->lprev;
	nwatches--;
	quota_charge(conn_domid(w->conn), USAGE_WATCHES, -1);
	quota_charge(conn_domid(w->conn), USAGE_MEMORY, -(long)w->charged);
	entry_unlink_free(e);
	return 0;
}

static struct watch *
find_watch(const struct wentry *e, const struct connection *conn,
    const char *token)
{
	struct watch *w;

	for (w = e->watches; w != NULL; w = w->next)
		if (w->conn == conn && strcmp(w->token, token) == 0)
			return w;
	return NULL;
}

static const char *
event_path(const struct watch *w, const char *path)
{
	size_t blen;

	if (w->rel_base == NULL || path[0] == '@')
		return path;
	blen = strlen(w->rel_base);
	if (strncmp(path, w->rel_base, blen) == 0 && path[blen] == '/')
		return path + blen + 1;
	return path;
}

/* The path of e on ctx ("/a/b", "/", "@releaseDomain"); NULL: ENOMEM. */
static char *
entry_path(TALLOC_CTX *ctx, const struct wentry *e)
{
	const struct wentry *p;
	size_t len = 0, n;
	char *buf;

	for (p = e; p != NULL; p = p->parent)
		len += strlen(p->name) + 1;
	if ((buf = talloc_size(ctx, len + 1)) == NULL)
		return NULL;
	/* Written from the end: each name, a '/' before it unless it is
	 * the first component ("/" itself or an "@" name). */
	buf[len] = '\0';
	for (p = e; p != NULL; p = p->parent) {
		n = strlen(p->name);
		len -= n;
		memcpy(buf + len, p->name, n);
		if (p->parent != NULL && strcmp(p->parent->name, "/") != 0)
			buf[--len] = '/';
	}
	return buf + len;
}

int
watch_list_foreach(const struct watch_list *list, TALLOC_CTX *ctx,
    int (*fn)(const char *path, const char *token, unsigned int depth,
    void *arg), void *arg)
{
	const struct watch *w;
	char *path;
	int err;

	for (w = list->head; w != NULL; w = w->lnext) {
		if ((path = entry_path(ctx, w->entry)) == NULL)
			return ENOMEM;
		if ((err = fn(event_path(w, path), w->token, w->depth, arg)) != 0)
			return err;
	}
	return 0;
}

struct watch_list *
watch_list_new(TALLOC_CTX *ctx)
{
	return talloc_zero(ctx, struct watch_list);
}

/*
 * The longest event path a watch on path can get: a node path of
 * XENSTORE_ABS_PATH_MAX - 1 bytes (made relative for relative watches),
 * or a special name with "/<domid>".
 */
static size_t
longest_event_path(const char *path, const char *rel_base)
{
	if (path[0] == '@')
		return strlen(path) + sizeof("/65535") - 1;
	if (rel_base != NULL)
		return XENSTORE_ABS_PATH_MAX - 1 - strlen(rel_base) - 1;
	return XENSTORE_ABS_PATH_MAX - 1;
}

int
watch_add(struct watch_list *list, struct connection *conn, const char *path, const char *token,
    const char *rel_base, unsigned int depth)
{
	unsigned int domid = conn_domid(conn);
	bool priv = conn_privileged(conn);
	struct wentry *e;
	struct watch *w;
	size_t cost;
	int err;

	/* Every event must fit one message, or it could not be sent. */
	if (longest_event_path(path, rel_base) + 1 + strlen(token) + 1 >
	    XENSTORE_PAYLOAD_MAX)
		return EINVAL;
	e = entry_find(path);
	if (e != NULL && find_watch(e, conn, token) != NULL)
		return EEXIST;
	if ((err = quota_check(domid, priv, USAGE_WATCHES, 1)) != 0)
		return err;
	cost = watch_cost(path, token, rel_base);
	if ((err = quota_check(domid, priv, USAGE_MEMORY, cost)) != 0)
		return err;
	if ((e = entry_get(path)) == NULL)
		return ENOMEM;
	w = talloc_zero(list, struct watch);
	if (w == NULL || (w->token = talloc_strdup(w, token)) == NULL ||
	    (rel_base != NULL &&
	    (w->rel_base = talloc_strdup(w, rel_base)) == NULL) ||
	    quota_charge(domid, USAGE_WATCHES, 1) != 0) {
		talloc_free(w);
		entry_unlink_free(e);
		return ENOMEM;
	}
	if (quota_charge(domid, USAGE_MEMORY, cost) != 0) {
		quota_charge(domid, USAGE_WATCHES, -1);
		talloc_free(w);
		entry_unlink_free(e);
		return ENOMEM;
	}
	w->charged = cost;
	w->conn = conn;
	w->list = list;
	w->lnext = list->head;
	if (list->head != NULL)
		list->head->lprev = w;
	list->head = w;
	w->entry = e;
	w->depth = depth;
	w->next = e->watches;
	if (e->watches != NULL)
		e->watches->prev = w;
	e->watches = w;
	nwatches++;
	talloc_set_destructor(w, watch_destroy);
	return 0;
}

int
watch_remove(struct connection *conn, const char *path, const char *token)
{
	struct wentry *e = entry_find(path);
	struct watch *w;

	if (e == NULL || (w = find_watch(e, conn, token)) == NULL)
		return ENOENT;
	talloc_free(w);
	return 0;
}

void
watch_remove_all(struct watch_list *list)
{
	while (list->head != NULL)
		talloc_free(list->head);
}

/*
 * May the watch's connection see an event on a node: can it read the
 * node (now or before the change) or its parent?  The parent rule is
 * what C xenstored 4.17 and oxenstored do; xenstore.txt only says not
 * to rely on events for unreadable paths.
 */
static bool
permitted(const struct watch *w, const struct perms *perms,
    const struct perms *old_perms, const struct perms *parent_perms)
{
	const struct perms *list[3] = { perms, old_perms, parent_perms };
	struct perm_caller caller;
	unsigned int i;

	conn_caller(w->conn, &caller);
	for (i = 0; i < 3; i++)
		if (list[i] != NULL && (perms_for(&caller, list[i]) & PERM_READ))
			return true;
	return false;
}

/*
 * Fire e's watches for a change of path, which lies below levels below
 * e (depth-limited watches skip what is deeper; levels < 0: no limit).
 */
static void
fire_entry(struct wentry *e, const char *path, const struct perms *perms,
    const struct perms *old_perms, const struct perms *parent_perms,
    int levels)
{
	struct watch *w, *next;

	for (w = e->watches; w != NULL; w = next) {
		next = w->next;
		if (conn_closing(w->conn))
			continue;
		if (levels >= 0 && w->depth != WATCH_DEPTH_ANY &&
		    (unsigned int)levels > w->depth)
			continue;
		if (!permitted(w, perms, old_perms, parent_perms))
			continue;
		conn_send_event(w->conn, event_path(w, path), w->token);
	}
}

/* Watches on path and on each of its ancestors, the deepest first. */
static void
fire_ancestors(const char *path, const struct perms *perms,
    const struct perms *old_perms, const struct perms *parent_perms)
{
	unsigned int n, total;
	struct wentry *e;

	for (e = entry_deepest(path, &n, &total); e != NULL;
	    e = e->parent, n--)
		fire_entry(e, path, perms, old_perms, parent_perms,
		    (int)(total - n));
}

void
watch_fire(const char *path, const struct perms *perms,
    const struct perms *old_perms, const struct perms *parent_perms)
{
	if (index_hash != NULL)
		fire_ancestors(path, perms, old_perms, parent_perms);
}

void
watch_fire_removed(const char *path, const struct perms *perms,
    const struct perms *parent_perms, watch_lookup_fn lookup, void *arg)
{
	char buf[XENSTORE_ABS_PATH_MAX + 2];
	struct wentry *top, *cur;
	const struct perms *p;
	size_t len = strlen(path);

	if (index_hash == NULL)
		return;
	fire_ancestors(path, perms, NULL, parent_perms);
	/*
	 * Pre-order over the watched paths strictly below path; only nodes
	 * that exist are removed (and then their subtree is looked at).
	 * Index paths below a valid path are valid paths: they fit buf.
	 */
	if ((top = entry_find(path)) == NULL || top->first_child == NULL ||
	    len >= sizeof(buf))
		return;
	memcpy(buf, path, len + 1);
	cur = top->first_child;
	path_push(buf, &len, cur->name);
	while (cur != NULL) {
		if ((p = lookup(buf, arg)) != NULL) {
			fire_entry(cur, buf, p, NULL, perms, -1);
			if (cur->first_child != NULL) {
				cur = cur->first_child;
				path_push(buf, &len, cur->name);
				continue;
			}
		}
		while (cur != top && cur->next == NULL) {
			path_pop(buf, &len, cur->name);
			cur = cur->parent;
		}
		if (cur == top)
			break;
		path_pop(buf, &len, cur->name);
		cur = cur->next;
		path_push(buf, &len, cur->name);
	}
}

void
watch_fire_special(const char *name, unsigned int domid,
    const struct perms *perms)
{
	char sub[64];
	struct wentry *e;
	struct watch *w, *next;

	if (index_hash == NULL ||
	    snprintf(sub, sizeof(sub), "%s/%u", name, domid) >= (int)sizeof(sub))
		return;
	if ((e = entry_find(name)) != NULL) {
		for (w = e->watches; w != NULL; w = next) {
			next = w->next;
			if (conn_closing(w->conn) ||
			    !permitted(w, perms, NULL, NULL))
				continue;
			/* Depth 1 and more report the domid (xenstore.txt). */
			conn_send_event(w->conn,
			    w->depth != WATCH_DEPTH_ANY && w->depth > 0 ?
			    sub : name, w->token);
		}
	}
	if ((e = entry_find(sub)) != NULL)
		fire_entry(e, sub, perms, NULL, NULL, -1);
}

unsigned int
watch_count(void)
{
	return nwatches;
}

