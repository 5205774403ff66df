/* Fault injection for the hash tables' allocator (fault_hash.c). */
#ifndef TEST_FAULT_HASH_H
#define TEST_FAULT_HASH_H

#include <stddef.h>

/*
 * Let n more table allocations succeed, then fail every one until
 * called again; n < 0: never fail.
 */
void	fault_hash_fail_after(long n);

/* The replacement of xenstored/hash.c's allocator. */
void	*hash_malloc(size_t size);

#endif
