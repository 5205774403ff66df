/*
 * The hash tables' allocator for unit tests: it fails on demand, so that
 * tests can show a failed table allocation is ENOMEM and not the end of
 * the daemon (xenstored/hash.h).  Linked before libxsd.a, it replaces
 * xenstored/hash.c.
 */
#include "config.h"

#include <stdlib.h>

#include "fault_hash.h"

static long	countdown = -1;

void
fault_hash_fail_after(long n)
{
	countdown = n;
}

void *
hash_malloc(size_t size)
{
	if (countdown == 0)
		return NULL;
	if (countdown > 0)
		countdown--;
	return malloc(size);
}
