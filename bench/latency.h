/*
 * Timing for the latency tools, so that their figures mean the same:
 * bench/xs-bench (simulated Xen) and tests/xen-qemu/xq-latency (real Xen).
 * After qsort(t, n, sizeof(*t), cmp_double), t[n / 2] is the median and
 * t[n * 99 / 100] the p99 both print.
 */
#ifndef XS_BENCH_LATENCY_H
#define XS_BENCH_LATENCY_H

#include <time.h>

/* CLOCK_MONOTONIC in µs. */
static inline double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* qsort comparator for doubles, ascending. */
static inline int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#endif
