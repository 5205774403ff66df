/*
 * The node tree.  Every node is found by its full path with one hash
 * probe, whatever the size of the store; subtree walks are iterative, so a
 * deep tree costs heap, never stack.  A node holds its own name, not its
 * path: paths are built on demand (node_path_dup()).
 *
 * Node memory comes from one process-wide heap shared by every store
 * (store.c); like the rest of the daemon it is not thread-safe.
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

/* Largest value a node may hold, in bytes (the protocol's is 4096). */
#define STORE_DATA_MAX	65535

/*
 * New store holding only the root "/" with perms root_perms (copied).
 * Allocated on ctx; freeing it frees every node.  NULL: ENOMEM.
 */
struct store *store_new(TALLOC_CTX *ctx, const struct perms *root_perms);

/*
 * Node at a canonical path, or NULL.  One hash probe, then the candidate's
 * names are compared up its parent chain: O(strlen(path)), whatever the
 * size of the store.
 */
struct node *store_lookup(const struct store *st, const char *path);

/* The child of parent called name (one component), or NULL.  One probe. */
struct node *store_child(const struct store *st, const struct node *parent,
	    const char *name);

/* Number of nodes, root included. */
unsigned int store_count(const struct store *st);

/*
 * A fresh generation number: strictly increasing, never 0.  Used for node
 * generations and by transactions for their private views.
 */
uint64_t store_next_gen(struct store *st);

/*
 * Create child "name" of parent with a copy of data (len bytes, at most
 * STORE_DATA_MAX) and perms.  The child must not exist; name is one path
 * component.  Bumps the new node's generation and the parent's child
 * generation.  O(1) expected.
 * Returns the node, or NULL for ENOMEM (also: len above STORE_DATA_MAX,
 * or the parent's child names passing 4 GiB); then nothing has changed.
 */
struct node *store_add(struct store *st, struct node *parent,
	    const char *name, const void *data, size_t len,
	    const struct perms *perms);

/*
 * Replace a node's data / perms with copies; data may point into the
 * node's own data.  Returns 0, ENOMEM (nothing changed) or, for data,
 * EINVAL when len is above STORE_DATA_MAX.
 */
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

/*
 * The node's full path, nul-terminated, allocated on ctx; NULL: ENOMEM.
 * O(depth).
 */
char	*node_path_dup(TALLOC_CTX *ctx, const struct node *n);

/* strlen() of the node's full path, without building it.  O(depth). */
size_t	node_path_len(const struct node *n);


/*
 * Bytes the store holds for this node, for memory quota charging: its
 * block (header, name, data, allocator rounding), its value's block when
 * the value outgrew the node, its share of the hash table, and its perms
 * entries with their places in the domid index, counted as if the node did
 * not share them.  A function of the node's name, value and perms only:
 * it changes with store_set_data() and store_set_perms(), never with
 * children or other nodes, so what was charged is what is refunded.
 * Constant-size parts outside it (a parent's child list header, a shared
 * perms set's header) are bounded by the number of nodes.
 */
size_t	store_node_bytes(const struct node *n);

/*
 * What store_node_bytes() reports for a node that store_add() would
 * create with a name of name_len bytes, len bytes of data and nperms
 * perms entries (for quota checks before creating).
 */
size_t	store_new_node_bytes(size_t name_len, size_t len, unsigned int nperms);

/* Accessors.  Returned pointers live as long as the node is unchanged. */
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
 * is in the hash under its own hash, with a matching parent, child counts,
 * perms set and domid index entries agree, and the node heap's blocks and
 * free lists are sound.  O(nodes + heap blocks).  Returns the number of
 * problems found, each logged.
 */
unsigned int store_check(const struct store *st);

/* Bytes of node memory in use by all stores (the shared node heap). */
size_t	store_heap_used(void);

/*
 * For tests.  store_set_hash_bits(): keep only the low bits of every
 * hash of st, so that paths collide (st must hold only the root).
 * store_fail_alloc_after(): the next n allocations of the store module
 * succeed, every later one fails, until called again with -1.
 */
void	store_set_hash_bits(struct store *st, unsigned int bits);
void	store_fail_alloc_after(long n);

#endif
