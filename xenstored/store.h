/*
 * The node tree.  Every node is found by its full path with one hash
 * probe, whatever the size of the store; subtree walks are iterative, so a
 * deep tree costs heap, never stack.
 */
#ifndef XSD_STORE_H
#define XSD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "perms.h"

struct store;
struct node;

/*
 * New store holding only the root "/" with perms root_perms (copied).
 * Allocated on ctx; freeing it frees every node.  NULL: ENOMEM.
 */
struct store *store_new(TALLOC_CTX *ctx, const struct perms *root_perms);

/* Node at a canonical path, or NULL.  O(1) expected. */
struct node *store_lookup(const struct store *st, const char *path);

/* Number of nodes, root included. */
unsigned int store_count(const struct store *st);

/*
 * A fresh generation number: strictly increasing, never 0.  Used for node
 * generations and by transactions for their private views.
 */
uint64_t store_next_gen(struct store *st);

/*
 * Create child "name" of parent with a copy of data (len bytes) and perms.
 * The child must not exist; name is one path component.  Bumps the new
 * node's generation and the parent's child generation.
 * Returns the node, or NULL for ENOMEM.
 */
struct node *store_add(struct store *st, struct node *parent,
	    const char *name, const void *data, size_t len,
	    const struct perms *perms);

/* Replace a node's data / perms with copies.  Returns 0 or ENOMEM. */
int	store_set_data(struct store *st, struct node *n, const void *data,
	    size_t len);
int	store_set_perms(struct store *st, struct node *n,
	    const struct perms *perms);

/*
 * Remove n and its whole subtree (n must not be the root).  Before each
 * node is freed, cb (if not NULL) is called with it, children before their
 * parent.  Bumps the parent's child generation.
 */
void	store_remove(struct store *st, struct node *n,
	    void (*cb)(struct node *n, void *arg), void *arg);

/*
 * The nodes whose perms name domid (as owner or in any entry), in no
 * particular order: *nodes is an array of *n of them allocated on ctx
 * (NULL when there are none).  O(*n): the store keeps an index from
 * domid to nodes, updated on every create, perms change and removal, so
 * that the end of a domain does not walk the whole store.  The array is
 * a snapshot: changing perms or removing nodes does not update it.
 * Returns 0 or ENOMEM.
 */
int	store_nodes_naming(TALLOC_CTX *ctx, const struct store *st,
	    unsigned int domid, struct node ***nodes, unsigned int *n);

/*
 * Visit n and its subtree in pre-order without recursion.  cb returns
 * true to descend into the node's children, false to skip them.
 */
void	store_walk(struct node *n, bool (*cb)(struct node *n, void *arg),
	    void *arg);

/* Accessors.  Returned pointers live as long as the node is unchanged. */
const char *node_path(const struct node *n);
const char *node_name(const struct node *n);
const void *node_data(const struct node *n, size_t *len);
const struct perms *node_perms(const struct node *n);
struct node *node_parent(const struct node *n);
/* Generation of the last change to data or perms (or creation). */
uint64_t node_gen(const struct node *n);
/* Generation of the last child added or removed (or creation). */
uint64_t node_child_gen(const struct node *n);
unsigned int node_child_count(const struct node *n);
/* Bytes of the child names, each with its nul (DIRECTORY reply size). */
size_t	node_child_bytes(const struct node *n);

/*
 * The child names as consecutive nul-terminated strings, in creation
 * order, allocated on ctx (*len = node_child_bytes()).  NULL: ENOMEM.
 */
char	*node_children(TALLOC_CTX *ctx, const struct node *n, size_t *len);

/* Iterate children: first, then next; NULL at the end. */
struct node *node_first_child(const struct node *n);
struct node *node_next_sibling(const struct node *n);

/*
 * Consistency check (CONTROL check): every node reachable from the root
 * is in the hash, with a matching parent, and counts agree.  Returns the
 * number of problems found, each logged.
 */
unsigned int store_check(const struct store *st);

#endif
