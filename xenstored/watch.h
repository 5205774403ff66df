/*
 * Watches (docs/misc/xenstore.txt, WATCH / UNWATCH / WATCH_EVENT): a
 * registry indexed by watched path, so that a change finds its watchers by
 * walking the changed path's ancestors and, for removals, the watched
 * paths below it: the cost follows what matches, not the number of
 * watches.
 */
#ifndef XSD_WATCH_H
#define XSD_WATCH_H

#include <stdbool.h>
#include <talloc.h>

#include "perms.h"

struct connection;
struct watch;
struct watch_list;

/* Depth value meaning "no limit". */
#define WATCH_DEPTH_ANY	(~0u)

/* Create / free the index (one per daemon).  0 or ENOMEM. */
int	watch_init(void);
void	watch_fini(void);

/*
 * A client's watches, allocated on ctx (its connection): freeing the list
 * removes them.  NULL: ENOMEM.
 */
struct watch_list *watch_list_new(TALLOC_CTX *ctx);

/*
 * Register a watch of conn on the canonical path (a node path or an
 * '@' special path) with token, kept on list.  rel_base is the prefix to strip from
 * event paths ("/local/domain/<domid>") when the client sent a relative
 * path, else NULL.  depth limits matches to that many levels below path
 * (WATCH_DEPTH_ANY: none).  The watch is allocated on list.
 * The caller queues the initial event (xenstore.txt: "triggered once
 * straight away") after its reply.
 * Returns 0, EEXIST (same conn, path and token), E2BIG (watch quota),
 * ENOMEM.
 */
int	watch_add(struct watch_list *list, struct connection *conn, const char *path, const char *token,
	    const char *rel_base, unsigned int depth);

/*
 * For a live update's WATCH records: fn for each watch on list, with
 * its path as the client gave it to WATCH (relative again if it was; on
 * ctx), its token and depth (WATCH_DEPTH_ANY: none).  Returns 0, fn's
 * first non-zero result, or ENOMEM.
 */
int	watch_list_foreach(const struct watch_list *list, TALLOC_CTX *ctx,
	    int (*fn)(const char *path, const char *token, unsigned int depth,
	    void *arg), void *arg);

/* Remove conn's watch on path + token.  Returns 0 or ENOENT. */
int	watch_remove(struct connection *conn, const char *path,
	    const char *token);

/* Remove all the watches on list (RESET_WATCHES). */
void	watch_remove_all(struct watch_list *list);

/*
 * Fire for a created, modified or permission-changed node: every watch on
 * path or an ancestor whose depth allows it, and whose connection may
 * read the node under perms or old_perms (old_perms NULL if unchanged),
 * or its parent under parent_perms (NULL for the root), as C xenstored
 * 4.17 and oxenstored allow.
 */
void	watch_fire(const char *path, const struct perms *perms,
	    const struct perms *old_perms, const struct perms *parent_perms);

/* The perms of an existing node, or NULL when there is no such node. */
typedef const struct perms *(*watch_lookup_fn)(const char *path, void *arg);

/*
 * Fire for the removal of path and its subtree, before it is removed:
 * watches on path and its ancestors get event path "path"; watches on
 * nodes below it that exist (lookup(path, arg) != NULL) get their own
 * path (xenstore.txt, WATCH_EVENT; C xenstored 4.17 sends nothing for a
 * watched path that does not exist).  perms are the removed node's,
 * parent_perms its parent's (NULL for none).
 */
void	watch_fire_removed(const char *path, const struct perms *perms,
	    const struct perms *parent_perms, watch_lookup_fn lookup,
	    void *arg);

/*
 * Fire the special event name ("@introduceDomain" or "@releaseDomain")
 * for domain domid: watches on name get event path name, or
 * "name/<domid>" when they were set with a depth of 1 or more; watches
 * on "name/<domid>" get that path.  Only connections that may read under
 * perms (the special path's perms) get it.  xenstore.txt, WATCH.
 */
void	watch_fire_special(const char *name, unsigned int domid,
	    const struct perms *perms);

/* Number of watches registered in total. */
unsigned int watch_count(void);

#endif
