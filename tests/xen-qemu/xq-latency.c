/*
 * xq-latency [N]: the latency of N (default 1000) xenstore writes, then N
 * reads, of one 16-byte node under /local/domain/0, each one round trip
 * through libxenstore as xl and the PV tools use it; prints
 *   <label>: writes n=N p50=U us p99=U us max=U us
 *   <label>: reads  n=N p50=U us p99=U us max=U us
 * with <label> the path libxenstore took (XENSTORED_PATH=/dev/xen/xenbus
 * sends it through dom0's kernel: the only path with a xenstore stub
 * domain).  A measurement for docs/performance.md, run by dom0-init.sh
 * for every daemon of the real-Xen matrix; it passes or fails only on the
 * operations' results, never on their times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "latency.h"

#define PATH "/local/domain/0/xq-latency"

static void
report(const char *label, const char *what, double *t, unsigned int n)
{
	qsort(t, n, sizeof(*t), cmp_double);
	printf("%s: %-6s n=%u p50=%.0f us p99=%.0f us max=%.0f us\n", label,
	    what, n, t[n / 2], t[n * 99 / 100], t[n - 1]);
}

int
main(int argc, char **argv)
{
	const char *label = getenv("XENSTORED_PATH");
	unsigned int n = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : 1000;
	struct xs_handle *xs;
	char val[17], *got;
	unsigned int i, len;
	double *t, t0;

	if (n == 0 || n > 1000000 || (t = calloc(n, sizeof(*t))) == NULL) {
		fprintf(stderr, "usage: xq-latency [N], 1 <= N <= 1000000\n");
		return 2;
	}
	if ((xs = xs_open(0)) == NULL) {
		perror("xq-latency: xs_open");
		return 1;
	}
	if (label == NULL)
		label = "xs_open";
	for (i = 0; i < n; i++) {
		snprintf(val, sizeof(val), "%016u", i);
		t0 = now_us();
		if (!xs_write(xs, XBT_NULL, PATH, val, 16)) {
			perror("xq-latency: write " PATH);
			return 1;
		}
		t[i] = now_us() - t0;
	}
	report(label, "writes", t, n);
	for (i = 0; i < n; i++) {
		t0 = now_us();
		got = xs_read(xs, XBT_NULL, PATH, &len);
		t[i] = now_us() - t0;
		if (got == NULL || len != 16 || memcmp(got, val, 16) != 0) {
			fprintf(stderr, "xq-latency: read " PATH ": %s\n",
			    got == NULL ? "failed" : "not the value written");
			return 1;
		}
		free(got);
	}
	report(label, "reads", t, n);
	if (!xs_rm(xs, XBT_NULL, PATH)) {
		perror("xq-latency: rm " PATH);
		return 1;
	}
	xs_close(xs);
	free(t);
	return 0;
}
