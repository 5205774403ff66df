/*
 * The allocator of the hash tables (hash.h).  On its own in this file so
 * that a test can link its own hash_malloc() instead.
 */
#include "config.h"

#include "hash.h"

void *
hash_malloc(size_t size)
{
	return malloc(size);
}
