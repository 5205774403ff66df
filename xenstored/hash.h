/*
 * uthash, the daemon's hash tables, set up so that running out of memory
 * is an error the caller answers (ENOMEM), never the end of the daemon:
 * uthash's default on a failed allocation is exit().  Include this, not
 * <uthash.h>.
 *
 * With HASH_NONFATAL_OOM a HASH_ADD that cannot allocate leaves the item
 * out and the table as it was (uthash clears the item's hh.tbl); a table
 * that cannot grow keeps working with longer chains.  Check every add
 * with HASH_ADDED().
 */
#ifndef XSD_HASH_H
#define XSD_HASH_H

#ifdef UTHASH_H
#error "hash.h must come before any other inclusion of uthash.h"
#endif

#include <stddef.h>

/*
 * Every table allocation goes through hash_malloc(), which the unit
 * tests replace with one that fails on demand (tests/unit/fault_hash.c).
 */
void	*hash_malloc(size_t size);

#define HASH_NONFATAL_OOM	1
#define uthash_malloc(sz)	hash_malloc(sz)
#define uthash_free(ptr, sz)	free(ptr)

#include <stdlib.h>
#include <uthash.h>

/* Did the HASH_ADD of elt (through its handle hh) go in? */
#define HASH_ADDED(elt, hh)	((elt)->hh.tbl != NULL)

#endif
