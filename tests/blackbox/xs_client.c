/*
 * xs_client: watches and transactions as libxenstore users see them.
 *
 * Every case talks to the daemon through Xen's own client library, the
 * way toolstacks and Linux tools do, on handles opened with xs_open(0)
 * (so $XENSTORED_PATH picks the socket).  The cases that need frames
 * libxenstore cannot send (watch depth, nested TRANSACTION_START) are in
 * raw_client.c.
 *
 * usage: xs_client [-l] [case...]
 * Exits 0 when every selected case passed, 1 at the first failure.
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenstore.h>

#define EVENT_TIMEOUT_MS 5000	/* An event later than this is lost. */
#define QUIET_MS	250	/* How long "no event arrives" is watched. */

struct test_case {
	const char *name;
	void (*run)(void);
	const char *what;
};

static const char *current_case = "setup";

static void failf(int, const char *, ...) __attribute__((format(printf, 2, 3),
    noreturn));

static void
failf(int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s (xs_client.c:%d): ", current_case, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#define FAIL(...)	failf(__LINE__, __VA_ARGS__)
#define CHECK(cond, ...) do {						\
	if (!(cond))							\
		failf(__LINE__, __VA_ARGS__);				\
} while (0)

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --- helpers; each fails the case with the line of its caller --------- */

static struct xs_handle *
open_handle_at(int line)
{
	struct xs_handle *h = xs_open(0);

	if (h == NULL)
		failf(line, "xs_open: %s", strerror(errno));
	return h;
}
#define open_handle()	open_handle_at(__LINE__)

static void
put_at(int line, struct xs_handle *h, xs_transaction_t t, const char *path,
    const char *val)
{
	if (!xs_write(h, t, path, val, (unsigned int)strlen(val)))
		failf(line, "xs_write %s (tx %u): %s", path, t,
		    strerror(errno));
}
#define put(h, t, p, v)	put_at(__LINE__, h, t, p, v)

static void
del_at(int line, struct xs_handle *h, xs_transaction_t t, const char *path)
{
	if (!xs_rm(h, t, path))
		failf(line, "xs_rm %s (tx %u): %s", path, t, strerror(errno));
}
#define del(h, t, p)	del_at(__LINE__, h, t, p)

static void
expect_value_at(int line, struct xs_handle *h, xs_transaction_t t,
    const char *path, const char *want)
{
	unsigned int len;
	char *v = xs_read(h, t, path, &len);

	if (v == NULL)
		failf(line, "xs_read %s (tx %u): %s, expected \"%s\"", path, t,
		    strerror(errno), want);
	if (len != strlen(want) || memcmp(v, want, len) != 0)
		failf(line, "xs_read %s (tx %u): \"%.*s\", expected \"%s\"",
		    path, t, (int)len, v, want);
	free(v);
}
#define expect_value(h, t, p, v) expect_value_at(__LINE__, h, t, p, v)

static void
expect_absent_at(int line, struct xs_handle *h, xs_transaction_t t,
    const char *path)
{
	unsigned int len;
	char *v = xs_read(h, t, path, &len);

	if (v != NULL)
		failf(line, "%s exists (tx %u) with \"%.*s\"", path, t,
		    (int)len, v);
	if (errno != ENOENT)
		failf(line, "xs_read %s (tx %u): %s, expected ENOENT", path, t,
		    strerror(errno));
}
#define expect_absent(h, t, p)	expect_absent_at(__LINE__, h, t, p)

static xs_transaction_t
start_at(int line, struct xs_handle *h)
{
	xs_transaction_t t = xs_transaction_start(h);

	if (t == XBT_NULL)
		failf(line, "xs_transaction_start: %s", strerror(errno));
	return t;
}
#define start(h)	start_at(__LINE__, h)

/* End a transaction; want_errno 0 means it must succeed. */
static void
end_at(int line, struct xs_handle *h, xs_transaction_t t, bool abort,
    int want_errno)
{
	bool ok = xs_transaction_end(h, t, abort);

	if (want_errno == 0 && !ok)
		failf(line, "%s of tx %u: %s", abort ? "abort" : "commit", t,
		    strerror(errno));
	if (want_errno != 0 && ok)
		failf(line, "%s of tx %u succeeded, expected %s",
		    abort ? "abort" : "commit", t, strerror(want_errno));
	if (want_errno != 0 && errno != want_errno)
		failf(line, "%s of tx %u: %s, expected %s",
		    abort ? "abort" : "commit", t, strerror(errno),
		    strerror(want_errno));
}
#define commit(h, t, e)	end_at(__LINE__, h, t, false, e)
#define abort_tx(h, t)	end_at(__LINE__, h, t, true, 0)

static void
watch_at(int line, struct xs_handle *h, const char *path, const char *token)
{
	if (!xs_watch(h, path, token))
		failf(line, "xs_watch %s %s: %s", path, token,
		    strerror(errno));
}
#define watch(h, p, t)	watch_at(__LINE__, h, p, t)

/* Next watch event within timeout_ms, or NULL.  Caller frees. */
static char **
next_event(struct xs_handle *h, int timeout_ms)
{
	struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	char **ev;

	if (pfd.fd < 0)
		FAIL("xs_fileno: %s", strerror(errno));
	for (;;) {
		uint64_t t;

		ev = xs_check_watch(h);
		if (ev != NULL)
			return ev;
		if (errno != EAGAIN)
			FAIL("xs_check_watch: %s", strerror(errno));
		t = now_ms();
		if (t >= deadline)
			return NULL;
		(void)poll(&pfd, 1, (int)(deadline - t));
	}
}

static void
expect_event_at(int line, struct xs_handle *h, const char *path,
    const char *token)
{
	char **ev = next_event(h, EVENT_TIMEOUT_MS);

	if (ev == NULL)
		failf(line, "no watch event %s %s within %d ms", path, token,
		    EVENT_TIMEOUT_MS);
	if (strcmp(ev[XS_WATCH_PATH], path) != 0 ||
	    strcmp(ev[XS_WATCH_TOKEN], token) != 0)
		failf(line, "watch event %s %s, expected %s %s",
		    ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN], path, token);
	free(ev);
}
#define expect_event(h, p, t)	expect_event_at(__LINE__, h, p, t)

static void
expect_no_event_at(int line, struct xs_handle *h)
{
	char **ev = next_event(h, QUIET_MS);

	if (ev != NULL)
		failf(line, "unexpected watch event %s %s", ev[XS_WATCH_PATH],
		    ev[XS_WATCH_TOKEN]);
}
#define expect_no_event(h)	expect_no_event_at(__LINE__, h)

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, comma-joined children of path, for comparisons. */
static char *
children(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	static char out[16384];
	unsigned int n, i;
	char **dir = xs_directory(h, t, path, &n);
	size_t off = 0;

	if (dir == NULL)
		FAIL("xs_directory %s (tx %u): %s", path, t, strerror(errno));
	qsort(dir, n, sizeof(dir[0]), cmp_str);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(out + off, sizeof(out) - off, "%s%s",
		    i ? "," : "", dir[i]);

		if (w < 0 || (size_t)w >= sizeof(out) - off)
			FAIL("test bug: children of %s too long", path);
		off += (size_t)w;
	}
	free(dir);
	return out;
}

/* --- cases: watches ----------------------------------------------------- */

static void
case_watch_events(void)
{
	struct xs_handle *w = open_handle(), *o = open_handle();

	put(o, XBT_NULL, "/xw", "");
	watch(w, "/xw", "tok");
	expect_event(w, "/xw", "tok");
	put(o, XBT_NULL, "/xw/a", "1");
	expect_event(w, "/xw/a", "tok");
	put(o, XBT_NULL, "/xw/a", "2");
	expect_event(w, "/xw/a", "tok");
	put(o, XBT_NULL, "/xw", "v");
	expect_event(w, "/xw", "tok");
	del(o, XBT_NULL, "/xw/a");
	expect_event(w, "/xw/a", "tok");
	put(o, XBT_NULL, "/xwsibling", "1");
	put(o, XBT_NULL, "/elsewhere", "1");
	expect_no_event(w);

	CHECK(!xs_watch(w, "/xw", "tok") && errno == EEXIST,
	    "second identical xs_watch: %s, expected EEXIST",
	    strerror(errno));
	CHECK(xs_unwatch(w, "/xw", "tok"), "xs_unwatch: %s", strerror(errno));
	put(o, XBT_NULL, "/xw/b", "1");
	expect_no_event(w);
	CHECK(!xs_unwatch(w, "/xw", "tok") && errno == ENOENT,
	    "xs_unwatch of a removed watch: %s, expected ENOENT",
	    strerror(errno));
	CHECK(!xs_unwatch(w, "/never", "watched") && errno == ENOENT,
	    "xs_unwatch of an unknown watch: %s, expected ENOENT",
	    strerror(errno));

	del(o, XBT_NULL, "/xw");
	del(o, XBT_NULL, "/xwsibling");
	del(o, XBT_NULL, "/elsewhere");
	xs_close(w);
	xs_close(o);
}

static void
case_watch_tokens_handles(void)
{
	struct xs_handle *w1 = open_handle(), *w2 = open_handle();
	struct xs_handle *o = open_handle();
	char **ev;
	bool seen_a = false, seen_b = false;
	int i;

	put(o, XBT_NULL, "/xt", "");
	watch(w1, "/xt", "a");
	watch(w1, "/xt", "b");
	watch(w2, "/xt", "a");
	/* w1: one initial event per token, in either order. */
	for (i = 0; i < 2; i++) {
		ev = next_event(w1, EVENT_TIMEOUT_MS);
		CHECK(ev != NULL, "initial event %d of 2 missing", i + 1);
		CHECK(strcmp(ev[XS_WATCH_PATH], "/xt") == 0,
		    "initial event on %s", ev[XS_WATCH_PATH]);
		if (strcmp(ev[XS_WATCH_TOKEN], "a") == 0 && !seen_a)
			seen_a = true;
		else if (strcmp(ev[XS_WATCH_TOKEN], "b") == 0 && !seen_b)
			seen_b = true;
		else
			FAIL("unexpected initial event token %s",
			    ev[XS_WATCH_TOKEN]);
		free(ev);
	}
	expect_event(w2, "/xt", "a");

	put(o, XBT_NULL, "/xt/n", "1");
	seen_a = seen_b = false;
	for (i = 0; i < 2; i++) {
		ev = next_event(w1, EVENT_TIMEOUT_MS);
		CHECK(ev != NULL, "event %d of 2 for two tokens missing",
		    i + 1);
		CHECK(strcmp(ev[XS_WATCH_PATH], "/xt/n") == 0,
		    "event on %s", ev[XS_WATCH_PATH]);
		if (strcmp(ev[XS_WATCH_TOKEN], "a") == 0 && !seen_a)
			seen_a = true;
		else if (strcmp(ev[XS_WATCH_TOKEN], "b") == 0 && !seen_b)
			seen_b = true;
		else
			FAIL("unexpected event token %s", ev[XS_WATCH_TOKEN]);
		free(ev);
	}
	expect_event(w2, "/xt/n", "a");
	expect_no_event(w1);
	expect_no_event(w2);

	/* Closing one watcher leaves the other's watch alone. */
	xs_close(w1);
	put(o, XBT_NULL, "/xt/m", "1");
	expect_event(w2, "/xt/m", "a");
	del(o, XBT_NULL, "/xt");
	expect_event(w2, "/xt", "a");
	xs_close(w2);
	xs_close(o);
}

static void
case_watch_paths(void)
{
	struct xs_handle *w = open_handle(), *o = open_handle();

	/* Relative watch: relative events. */
	watch(w, "xrel", "r");
	expect_event(w, "xrel", "r");
	put(o, XBT_NULL, "/local/domain/0/xrel/a", "1");
	expect_event(w, "xrel/a", "r");
	CHECK(xs_unwatch(w, "xrel", "r"), "xs_unwatch: %s", strerror(errno));
	del(o, XBT_NULL, "xrel");

	/* Removal of an ancestor: the event names the watched path. */
	put(o, XBT_NULL, "/xanc/a/b/c", "1");
	watch(w, "/xanc/a/b", "anc");
	expect_event(w, "/xanc/a/b", "anc");
	del(o, XBT_NULL, "/xanc");
	expect_event(w, "/xanc/a/b", "anc");
	expect_no_event(w);

	/* Not there yet: fires when created, and on permission change. */
	watch(w, "/xlater/node", "l");
	expect_event(w, "/xlater/node", "l");
	put(o, XBT_NULL, "/xlater/node", "v");
	expect_event(w, "/xlater/node", "l");
	{
		struct xs_permissions p[2] = { { 0, XS_PERM_NONE },
		    { 3, XS_PERM_READ } };

		CHECK(xs_set_permissions(o, XBT_NULL, "/xlater/node", p, 2),
		    "xs_set_permissions: %s", strerror(errno));
	}
	expect_event(w, "/xlater/node", "l");

	/* Special watches. */
	watch(w, "@releaseDomain", "rel");
	expect_event(w, "@releaseDomain", "rel");
	watch(w, "@introduceDomain", "intro");
	expect_event(w, "@introduceDomain", "intro");
	put(o, XBT_NULL, "/xlater/other", "v");
	expect_no_event(w);

	del(o, XBT_NULL, "/xlater");
	expect_event(w, "/xlater/node", "l");
	xs_close(w);
	xs_close(o);
}

/* --- cases: transactions ------------------------------------------------- */

static void
case_tx_view(void)
{
	struct xs_handle *h = open_handle(), *o = open_handle();
	xs_transaction_t t;

	put(o, XBT_NULL, "/xv/keep", "old");
	t = start(h);
	put(h, t, "/xv/new", "n");
	put(h, t, "/xv/keep", "new");
	expect_value(h, t, "/xv/new", "n");
	expect_value(h, t, "/xv/keep", "new");
	expect_absent(o, XBT_NULL, "/xv/new");
	expect_absent(h, XBT_NULL, "/xv/new");
	expect_value(o, XBT_NULL, "/xv/keep", "old");
	CHECK(strcmp(children(h, t, "/xv"), "keep,new") == 0,
	    "children in tx: %s", children(h, t, "/xv"));
	CHECK(strcmp(children(o, XBT_NULL, "/xv"), "keep") == 0,
	    "children outside tx: %s", children(o, XBT_NULL, "/xv"));
	del(h, t, "/xv/keep");
	expect_absent(h, t, "/xv/keep");
	expect_value(o, XBT_NULL, "/xv/keep", "old");
	commit(h, t, 0);
	expect_value(o, XBT_NULL, "/xv/new", "n");
	expect_absent(o, XBT_NULL, "/xv/keep");

	/* Abort discards everything. */
	t = start(h);
	put(h, t, "/xv/gone", "g");
	del(h, t, "/xv/new");
	abort_tx(h, t);
	expect_absent(o, XBT_NULL, "/xv/gone");
	expect_value(o, XBT_NULL, "/xv/new", "n");

	/* Ids that are not (or no longer) ours. */
	CHECK(!xs_transaction_end(h, t, false) && errno == ENOENT,
	    "end of an ended tx: %s, expected ENOENT", strerror(errno));
	CHECK(!xs_transaction_end(h, 0x7777, false) && errno == ENOENT,
	    "end of an unknown tx: %s, expected ENOENT", strerror(errno));
	{
		unsigned int len;

		CHECK(xs_read(h, 0x7777, "/xv/new", &len) == NULL &&
		    errno == ENOENT,
		    "read in an unknown tx: %s, expected ENOENT",
		    strerror(errno));
	}
	del(o, XBT_NULL, "/xv");
	xs_close(h);
	xs_close(o);
}

static void
case_tx_conflicts(void)
{
	struct xs_handle *a = open_handle(), *b = open_handle();
	xs_transaction_t ta, tb;

	put(a, XBT_NULL, "/xc/r", "0");
	put(a, XBT_NULL, "/xc/u", "0");

	/* What we read changed: EAGAIN, and none of our writes land. */
	ta = start(a);
	expect_value(a, ta, "/xc/r", "0");
	put(b, XBT_NULL, "/xc/r", "1");
	put(a, ta, "/xc/w", "lost");
	commit(a, ta, EAGAIN);
	expect_absent(b, XBT_NULL, "/xc/w");

	/* What we wrote changed: EAGAIN. */
	ta = start(a);
	put(a, ta, "/xc/r", "from-tx");
	put(b, XBT_NULL, "/xc/r", "2");
	commit(a, ta, EAGAIN);
	expect_value(b, XBT_NULL, "/xc/r", "2");

	/* What we read went away: EAGAIN. */
	ta = start(a);
	expect_value(a, ta, "/xc/u", "0");
	del(b, XBT_NULL, "/xc/u");
	put(a, ta, "/xc/r", "3");
	commit(a, ta, EAGAIN);
	expect_value(b, XBT_NULL, "/xc/r", "2");

	/* Something we never looked at changed: no conflict. */
	put(a, XBT_NULL, "/xc/u", "0");
	ta = start(a);
	expect_value(a, ta, "/xc/r", "2");
	put(a, ta, "/xc/r", "4");
	put(b, XBT_NULL, "/xc/u", "5");
	commit(a, ta, 0);
	expect_value(b, XBT_NULL, "/xc/r", "4");

	/* Two transactions creating different nodes under one parent. */
	ta = start(a);
	tb = start(b);
	put(a, ta, "/xc/new-a", "a");
	put(b, tb, "/xc/new-b", "b");
	commit(a, ta, 0);
	commit(b, tb, 0);
	expect_value(a, XBT_NULL, "/xc/new-a", "a");
	expect_value(a, XBT_NULL, "/xc/new-b", "b");

	/* Both create the same node: the second commit conflicts. */
	ta = start(a);
	tb = start(b);
	put(a, ta, "/xc/same", "a");
	put(b, tb, "/xc/same", "b");
	commit(b, tb, 0);
	commit(a, ta, EAGAIN);
	expect_value(a, XBT_NULL, "/xc/same", "b");

	del(a, XBT_NULL, "/xc");
	xs_close(a);
	xs_close(b);
}

static void
case_tx_many_disjoint(void)
{
	enum { N = 8 };
	struct xs_handle *h[N];
	xs_transaction_t t[N];
	char path[64], val[16];
	int i;

	h[0] = open_handle();
	put(h[0], XBT_NULL, "/xm", "");
	for (i = 0; i < N; i++) {
		if (i > 0)
			h[i] = open_handle();
		t[i] = start(h[i]);
	}
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/xm/node-%d", i);
		snprintf(val, sizeof(val), "%d", i);
		put(h[i], t[i], path, val);
	}
	/* Commit in reverse order of start, for good measure. */
	for (i = N - 1; i >= 0; i--)
		commit(h[i], t[i], 0);
	CHECK(strcmp(children(h[0], XBT_NULL, "/xm"),
	    "node-0,node-1,node-2,node-3,node-4,node-5,node-6,node-7") == 0,
	    "children after %d disjoint commits: %s", N,
	    children(h[0], XBT_NULL, "/xm"));
	del(h[0], XBT_NULL, "/xm");
	for (i = 0; i < N; i++)
		xs_close(h[i]);
}

static void
case_tx_watch_at_commit(void)
{
	struct xs_handle *w = open_handle(), *h = open_handle();
	xs_transaction_t t;

	put(h, XBT_NULL, "/xtw", "");
	watch(w, "/xtw", "tok");
	expect_event(w, "/xtw", "tok");

	t = start(h);
	put(h, t, "/xtw/a", "1");
	put(h, t, "/xtw/b", "1");
	expect_no_event(w);
	commit(h, t, 0);
	{
		/* Two events, in either order, only now. */
		char **e1 = next_event(w, EVENT_TIMEOUT_MS);
		char **e2 = next_event(w, EVENT_TIMEOUT_MS);

		CHECK(e1 != NULL && e2 != NULL,
		    "commit of two writes gave %d events",
		    (e1 != NULL) + (e2 != NULL));
		CHECK((strcmp(e1[0], "/xtw/a") == 0 &&
		    strcmp(e2[0], "/xtw/b") == 0) ||
		    (strcmp(e1[0], "/xtw/b") == 0 &&
		    strcmp(e2[0], "/xtw/a") == 0),
		    "events at commit: %s %s", e1[0], e2[0]);
		free(e1);
		free(e2);
	}
	expect_no_event(w);

	t = start(h);
	put(h, t, "/xtw/c", "1");
	abort_tx(h, t);
	expect_no_event(w);

	t = start(h);
	expect_value(h, t, "/xtw/a", "1");
	put(h, XBT_NULL, "/xtw/a", "2");
	expect_event(w, "/xtw/a", "tok");
	put(h, t, "/xtw/d", "1");
	commit(h, t, EAGAIN);
	expect_no_event(w);

	del(h, XBT_NULL, "/xtw");
	expect_event(w, "/xtw", "tok");
	xs_close(w);
	xs_close(h);
}

struct incr_arg {
	int increments;
	int retries;
	const char *err;
};

/* Read-modify-write a counter in transactions, retrying on EAGAIN. */
static void *
incr_thread(void *p)
{
	struct incr_arg *arg = p;
	struct xs_handle *h = xs_open(0);
	int i;

	if (h == NULL) {
		arg->err = "xs_open failed";
		return NULL;
	}
	for (i = 0; i < arg->increments; i++) {
		for (;;) {
			xs_transaction_t t = xs_transaction_start(h);
			unsigned int len;
			char *v, buf[24];
			long n;

			if (t == XBT_NULL) {
				arg->err = "xs_transaction_start failed";
				goto out;
			}
			v = xs_read(h, t, "/xcount", &len);
			if (v == NULL) {
				arg->err = "xs_read in tx failed";
				goto out;
			}
			n = strtol(v, NULL, 10);
			free(v);
			if (n < 0 || n > 1000000) {
				arg->err = "counter holds garbage";
				goto out;
			}
			snprintf(buf, sizeof(buf), "%ld", n + 1);
			if (!xs_write(h, t, "/xcount", buf, (unsigned int)
			    strlen(buf))) {
				arg->err = "xs_write in tx failed";
				goto out;
			}
			if (xs_transaction_end(h, t, false))
				break;
			if (errno != EAGAIN) {
				arg->err = "commit failed other than EAGAIN";
				goto out;
			}
			arg->retries++;
		}
	}
out:
	xs_close(h);
	return NULL;
}

static void
case_tx_counter(void)
{
	enum { NTHREADS = 4, EACH = 50 };
	struct incr_arg args[NTHREADS];
	pthread_t tid[NTHREADS];
	struct xs_handle *h = open_handle();
	int i, retries = 0;
	char want[16];

	put(h, XBT_NULL, "/xcount", "0");
	for (i = 0; i < NTHREADS; i++) {
		args[i] = (struct incr_arg){ EACH, 0, NULL };
		if (pthread_create(&tid[i], NULL, incr_thread, &args[i]) != 0)
			FAIL("pthread_create failed");
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(tid[i], NULL);
		CHECK(args[i].err == NULL, "thread %d: %s", i, args[i].err);
		retries += args[i].retries;
	}
	/* A lost update means a conflicting commit was let through. */
	snprintf(want, sizeof(want), "%d", NTHREADS * EACH);
	expect_value(h, XBT_NULL, "/xcount", want);
	printf("# %d increments from %d threads, %d EAGAIN retries\n",
	    NTHREADS * EACH, NTHREADS, retries);
	del(h, XBT_NULL, "/xcount");
	xs_close(h);
}

/* --- cases: everything else ---------------------------------------------- */

static void
case_misc(void)
{
	struct xs_handle *h = open_handle();
	struct xs_permissions set[3] = { { 5, XS_PERM_READ },
	    { 0, XS_PERM_NONE }, { 9, XS_PERM_READ | XS_PERM_WRITE } };
	struct xs_permissions *got;
	unsigned int n, i;
	char *s;

	s = xs_get_domain_path(h, 0);
	CHECK(s != NULL && strcmp(s, "/local/domain/0") == 0,
	    "xs_get_domain_path(0): %s", s ? s : strerror(errno));
	free(s);
	s = xs_get_domain_path(h, 12);
	CHECK(s != NULL && strcmp(s, "/local/domain/12") == 0,
	    "xs_get_domain_path(12): %s", s ? s : strerror(errno));
	free(s);

	put(h, XBT_NULL, "/xmisc/p", "v");
	CHECK(xs_set_permissions(h, XBT_NULL, "/xmisc/p", set, 3),
	    "xs_set_permissions: %s", strerror(errno));
	got = xs_get_permissions(h, XBT_NULL, "/xmisc/p", &n);
	CHECK(got != NULL, "xs_get_permissions: %s", strerror(errno));
	CHECK(n == 3, "%u permissions back, set 3", n);
	for (i = 0; i < n; i++)
		CHECK(got[i].id == set[i].id && got[i].perms == set[i].perms,
		    "permission %u: %u/%u, set %u/%u", i, got[i].id,
		    got[i].perms, set[i].id, set[i].perms);
	free(got);

	CHECK(xs_mkdir(h, XBT_NULL, "/xmisc/p"), "xs_mkdir: %s",
	    strerror(errno));
	expect_value(h, XBT_NULL, "/xmisc/p", "v");
	CHECK(xs_mkdir(h, XBT_NULL, "/xmisc/d/e"), "xs_mkdir: %s",
	    strerror(errno));
	CHECK(strcmp(children(h, XBT_NULL, "/xmisc"), "d,p") == 0,
	    "children of /xmisc: %s", children(h, XBT_NULL, "/xmisc"));
	del(h, XBT_NULL, "/xmisc");
	expect_absent(h, XBT_NULL, "/xmisc/d/e");
	xs_close(h);
}

static void
case_big_directory(void)
{
	enum { N = 300 };
	struct xs_handle *h = open_handle();
	char path[128];
	unsigned int n, i;
	char **dir;
	xs_transaction_t t;
	int k;

	for (k = 0; k < N; k++) {
		snprintf(path, sizeof(path),
		    "/xbig/a-rather-long-child-name-%04d", k);
		put(h, XBT_NULL, path, "");
	}
	/* libxenstore falls back to DIRECTORY_PART on E2BIG. */
	for (k = 0; k < 2; k++) {
		t = k == 0 ? XBT_NULL : start(h);
		dir = xs_directory(h, t, "/xbig", &n);
		CHECK(dir != NULL, "xs_directory of %d children (tx %u): %s",
		    N, t, strerror(errno));
		CHECK(n == N, "xs_directory (tx %u): %u children, expected %d",
		    t, n, N);
		qsort(dir, n, sizeof(dir[0]), cmp_str);
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path),
			    "a-rather-long-child-name-%04u", i);
			CHECK(strcmp(dir[i], path) == 0,
			    "child %u is %s, expected %s", i, dir[i], path);
		}
		free(dir);
		if (t != XBT_NULL)
			commit(h, t, 0);
	}
	del(h, XBT_NULL, "/xbig");
	xs_close(h);
}

static void
case_many_handles(void)
{
	enum { N = 100 };
	static struct xs_handle *h[N];
	char path[64], val[16];
	int i;

	for (i = 0; i < N; i++) {
		h[i] = open_handle();
		snprintf(path, sizeof(path), "/xhandles/%d", i);
		snprintf(val, sizeof(val), "h%d", i);
		put(h[i], XBT_NULL, path, val);
	}
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/xhandles/%d", (i + 37) % N);
		snprintf(val, sizeof(val), "h%d", (i + 37) % N);
		expect_value(h[i], XBT_NULL, path, val);
	}
	for (i = 0; i < N; i++)
		xs_close(h[i]);
	h[0] = open_handle();
	del(h[0], XBT_NULL, "/xhandles");
	xs_close(h[0]);
}

static const struct test_case cases[] = {
	{ "watch-events", case_watch_events,
	    "initial event, child events, unwatch, EEXIST, ENOENT" },
	{ "watch-tokens-handles", case_watch_tokens_handles,
	    "several tokens and several handles on one path" },
	{ "watch-paths", case_watch_paths,
	    "relative, removed-ancestor, not-yet-existing, special paths" },
	{ "tx-view", case_tx_view,
	    "a transaction sees its own changes, others do not until commit" },
	{ "tx-conflicts", case_tx_conflicts,
	    "EAGAIN for real conflicts, commit for disjoint new nodes" },
	{ "tx-many-disjoint", case_tx_many_disjoint,
	    "eight transactions adding siblings all commit" },
	{ "tx-watch-at-commit", case_tx_watch_at_commit,
	    "watch events of a transaction fire at commit, not before" },
	{ "tx-counter", case_tx_counter,
	    "concurrent read-modify-write transactions lose no update" },
	{ "misc", case_misc, "domain path, permissions, mkdir" },
	{ "big-directory", case_big_directory,
	    "xs_directory of children longer than one payload" },
	{ "many-handles", case_many_handles,
	    "100 handles open at once" },
};

static void
run_case(const struct test_case *tc)
{
	current_case = tc->name;
	tc->run();
	printf("ok - %s: %s\n", tc->name, tc->what);
}

int
main(int argc, char **argv)
{
	size_t i, ncases = sizeof(cases) / sizeof(cases[0]);
	int a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		for (i = 0; i < ncases; i++)
			printf("%-22s %s\n", cases[i].name, cases[i].what);
		return 0;
	}
	if (argc == 1)
		for (i = 0; i < ncases; i++)
			run_case(&cases[i]);
	for (a = 1; a < argc; a++) {
		for (i = 0; i < ncases; i++)
			if (strcmp(argv[a], cases[i].name) == 0)
				break;
		if (i == ncases) {
			fprintf(stderr, "xs_client: no case %s (try -l)\n",
			    argv[a]);
			return 2;
		}
		run_case(&cases[i]);
	}
	return 0;
}
