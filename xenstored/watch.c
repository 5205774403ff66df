/*
 * Watch registry.  Watched paths form a tree of index entries (one per
 * watched path and per ancestor of one), found by a hash on the full path.
 * An entry lives while it has watches or child entries.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>

#include <uthash.h>

#include "conn.h"
#include "framing.h"
#include "log.h"
#include "path.h"
#include "quota.h"
#include "watch.h"

struct wentry {
	char		*path;
	struct wentry	*parent;
	struct wentry	*first_child;
	struct wentry	*prev, *next;		/* siblings */
	struct watch	*watches;		/* list on this path */
	UT_hash_handle	 hh;
};

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
entry_find(const char *path)
{
	struct wentry *e;

	HASH_FIND_STR(index_hash, path, e);
	return e;
}

/* Parent entry path of an index path; NULL for roots ("/" and "@x"). */
static char *
entry_parent_path(TALLOC_CTX *ctx, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (strcmp(path, "/") == 0 || slash == NULL)
		return NULL;
	if (slash == path)
		return talloc_strdup(ctx, "/");
	return talloc_strndup(ctx, path, slash - path);
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

static void
entry_link(struct wentry *child, struct wentry *parent)
{
	child->parent = parent;
	child->prev = NULL;
	child->next = parent->first_child;
	if (parent->first_child != NULL)
		parent->first_child->prev = child;
	parent->first_child = child;
}

/* Find or create the entry for path and those of its ancestors. */
static struct wentry *
entry_get(const char *path)
{
	struct wentry *e, *leaf = NULL, *below = NULL;
	char *p;

	if ((e = entry_find(path)) != NULL)
		return e;
	if ((p = talloc_strdup(index_ctx, path)) == NULL)
		return NULL;
	for (;;) {
		if ((e = entry_find(p)) != NULL) {
			talloc_free(p);
			entry_link(below, e);
			return leaf;
		}
		if ((e = talloc_zero(index_ctx, struct wentry)) == NULL) {
			talloc_free(p);
			goto nomem;
		}
		e->path = talloc_steal(e, p);
		HASH_ADD_KEYPTR(hh, index_hash, e->path, strlen(e->path), e);
		if (leaf == NULL)
			leaf = e;
		if (below != NULL)
			entry_link(below, e);
		below = e;
		/* Roots: "/" and each '@' special path without a slash. */
		if (strcmp(e->path, "/") == 0 || strchr(e->path, '/') == NULL)
			return leaf;
		if ((p = entry_parent_path(index_ctx, e->path)) == NULL)
			goto nomem;
	}
nomem:
	if (leaf != NULL)
		entry_unlink_free(leaf);
	return NULL;
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

struct watch_list *
watch_list_new(TALLOC_CTX *ctx)
{
	return talloc_zero(ctx, struct watch_list);
}

int
watch_add(struct watch_list *list, struct connection *conn, const char *path, const char *token,
    const char *rel_base, unsigned int depth)
{
	struct wentry *e;
	struct watch *w;
	int err;

	e = entry_find(path);
	if (e != NULL && find_watch(e, conn, token) != NULL)
		return EEXIST;
	err = quota_check(conn_domid(conn), conn_privileged(conn),
	    USAGE_WATCHES, 1);
	if (err != 0)
		return err;
	if ((e = entry_get(path)) == NULL)
		return ENOMEM;
	w = talloc_zero(list, struct watch);
	if (w == NULL || (w->token = talloc_strdup(w, token)) == NULL ||
	    (rel_base != NULL &&
	    (w->rel_base = talloc_strdup(w, rel_base)) == NULL) ||
	    quota_charge(conn_domid(conn), USAGE_WATCHES, 1) != 0) {
		talloc_free(w);
		entry_unlink_free(e);
		return ENOMEM;
	}
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

static void
fire_entry(struct wentry *e, const char *path, const struct perms *perms,
    const struct perms *old_perms, const struct perms *parent_perms,
    bool check_depth)
{
	struct watch *w, *next;

	for (w = e->watches; w != NULL; w = next) {
		next = w->next;
		if (conn_closing(w->conn))
			continue;
		if (check_depth && w->depth != WATCH_DEPTH_ANY &&
		    path_depth_below(path, e->path) > w->depth)
			continue;
		if (!permitted(w, perms, old_perms, parent_perms))
			continue;
		conn_send_event(w->conn, event_path(w, path), w->token);
	}
}

/* Watches on path and on each of its ancestors. */
static void
fire_ancestors(const char *path, const struct perms *perms,
    const struct perms *old_perms, const struct perms *parent_perms)
{
	char buf[XENSTORE_ABS_PATH_MAX + 1];
	struct wentry *e;
	size_t len = strlen(path);
	char *slash;

	if (len >= sizeof(buf))
		return;
	memcpy(buf, path, len + 1);
	for (;;) {
		if ((e = entry_find(buf)) != NULL)
			fire_entry(e, path, perms, old_perms, parent_perms,
			    true);
		if (strcmp(buf, "/") == 0)
			break;
		if ((slash = strrchr(buf, '/')) == NULL)
			break;
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
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
	struct wentry *top, *cur;
	const struct perms *p;

	if (index_hash == NULL)
		return;
	fire_ancestors(path, perms, NULL, parent_perms);
	/*
	 * Pre-order over the watched paths strictly below path; only nodes
	 * that exist are removed (and then their subtree is looked at).
	 */
	if ((top = entry_find(path)) == NULL || top->first_child == NULL)
		return;
	cur = top->first_child;
	while (cur != NULL) {
		if ((p = lookup(cur->path, arg)) != NULL) {
			fire_entry(cur, cur->path, p, NULL, perms, false);
			if (cur->first_child != NULL) {
				cur = cur->first_child;
				continue;
			}
		}
		while (cur != top && cur->next == NULL)
			cur = cur->parent;
		cur = cur == top ? NULL : cur->next;
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
		fire_entry(e, sub, perms, NULL, NULL, false);
}

unsigned int
watch_count(void)
{
	return nwatches;
}

