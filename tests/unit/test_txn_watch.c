/*
 * txn.c and watch.c together: node operations with and without a
 * transaction, the commit rule written at the top of txn.c (one test per
 * worked example, plus a few more cases of the same rule), and watch
 * matching as docs/misc/xenstore.txt (WATCH, WATCH_EVENT) states it.
 *
 * Watch events reach a client through conn.c, so each client is a real
 * connection over a fake transport that appends what it is given to a
 * buffer; the tests parse the xsd_sockmsg frames back out of it.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "conn.h"
#include "cu_main.h"
#include "fault_hash.h"
#include "framing.h"
#include "loop.h"
#include "quota.h"
#include "store.h"
#include "txn.h"
#include "watch.h"

/* What the fake transport was asked to write. */
struct fake {
	char	*buf;
	size_t	 len;
};

struct client {
	struct connection	*conn;
	struct fake		*fk;
	struct watch_list	*watches;
	struct txn_list		*txns;
};

static TALLOC_CTX	*ctx;
static struct store	*st;
static struct client	*dom0;

/* "n0": owned by dom0, nothing for anyone else. */
static struct perm_entry root_entry = { 0, PERM_NONE };
static const struct perms root_perms = { 1, &root_entry };

static ssize_t
fake_read(void *priv, void *buf, size_t len, int *err)
{
	(void)priv;
	(void)buf;
	(void)len;
	(void)err;
	return 0;
}

static ssize_t
fake_write(void *priv, const void *buf, size_t len, int *err)
{
	struct fake *fk = priv;
	char *nb;

	nb = talloc_realloc(fk, fk->buf, char, fk->len + len);
	if (nb == NULL) {
		*err = ENOMEM;
		return -1;
	}
	memcpy(nb + fk->len, buf, len);
	fk->buf = nb;
	fk->len += len;
	return len;
}

static void
fake_want_write(void *priv, bool on)
{
	(void)priv;
	(void)on;
}

static void
fake_stop_read(void *priv)
{
	(void)priv;
}

static const struct conn_transport fake_tp = {
	.name = "fake", .read = fake_read, .write = fake_write,
	.want_write = fake_want_write, .stop_read = fake_stop_read,
};

static void
no_frames(struct connection *conn, const struct xsd_sockmsg *hdr,
    char *payload, TALLOC_CTX *req_ctx, void *arg)
{
	(void)conn;
	(void)hdr;
	(void)payload;
	(void)req_ctx;
	(void)arg;
	CU_FAIL("the fake transport delivered a frame");
}

/* Setup cannot use CUnit's fatal asserts: no test is running yet. */
static void
need(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "setup: %s failed\n", what);
		exit(99);
	}
}

static struct client *
client_new(unsigned int domid, bool privileged)
{
	struct client *c;
	struct fake *fk;

	c = talloc_zero(ctx, struct client);
	fk = talloc_zero(ctx, struct fake);
	need(c != NULL && fk != NULL, "client");
	c->fk = fk;
	/* The connection steals fk; c->fk stays valid as long as it. */
	c->conn = conn_new(c, &fake_tp, fk, domid, privileged, no_frames,
	    NULL);
	need(c->conn != NULL, "conn_new");
	c->watches = watch_list_new(c->conn);
	c->txns = txn_list_new(c->conn);
	need(c->watches != NULL && c->txns != NULL, "client lists");
	return c;
}

static void
setup(void)
{
	ctx = talloc_new(NULL);
	need(ctx != NULL, "talloc_new");
	quota_init();
	need(loop_init() == 0, "loop_init");
	need(watch_init() == 0, "watch_init");
	st = store_new(ctx, &root_perms);
	need(st != NULL, "store_new");
	dom0 = client_new(0, true);
}

static void
teardown(void)
{
	/* Connections first: their watches unlink from the index. */
	TALLOC_FREE(ctx);
	st = NULL;
	dom0 = NULL;
	loop_fini();
	watch_fini();
	quota_fini();
}

/* "<ENOENT>" and the like, for comparing results as strings. */
static const char *
err_str(int err)
{
	return talloc_asprintf(ctx, "<%s>", framing_error_name(err));
}

/* Write string data (no nul) as privileged dom0. */
static int
twr(struct txn *tx, const char *path, const char *data)
{
	return txn_write(st, tx, path, data, strlen(data), true, -1, 0, true);
}

static void
wr(const char *path, const char *data)
{
	CU_ASSERT_EQUAL_FATAL(twr(NULL, path, data), 0);
}

/* Data of a node as a string, or "<ENOENT>"... */
static const char *
rd(struct txn *tx, const char *path)
{
	struct txn_view v;
	int err;

	if ((err = txn_read(st, tx, path, &v)) != 0)
		return err_str(err);
	return talloc_strndup(ctx, v.data == NULL ? "" : v.data, v.len);
}

/* Child names separated by ' ', or "<ENOENT>"... */
static const char *
ls(struct txn *tx, const char *path)
{
	char *names = NULL;
	size_t len = 0, i;
	uint64_t gen;
	int err;

	err = txn_children(st, tx, ctx, path, &names, &len, &gen);
	if (err != 0)
		return err_str(err);
	if (len == 0)
		return "";
	for (i = 0; i < len - 1; i++)
		if (names[i] == '\0')
			names[i] = ' ';
	return names;
}

static struct txn *
begin(struct client *c)
{
	struct txn *tx;
	uint32_t id = 0;

	CU_ASSERT_EQUAL_FATAL(txn_start(c->txns, st, conn_domid(c->conn),
	    conn_privileged(c->conn), &id), 0);
	tx = txn_find(c->txns, id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	return tx;
}

static int
watch(struct client *c, const char *path, const char *token)
{
	return watch_add(c->watches, c->conn, path, token, NULL,
	    WATCH_DEPTH_ANY);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Flush c's output and return the WATCH_EVENTs in it as "path token"
 * items, sorted (the order of events is not specified) and joined by
 * "; ".  Every frame must be a well-formed event.
 */
static const char *
events(struct client *c)
{
	struct xsd_sockmsg hdr;
	const char *argv[2], **ev = NULL;
	size_t off = 0, n = 0, tail, i;
	const char *payload;
	char *out;

	conn_output(c->conn);
	while (c->fk->len - off >= sizeof(hdr)) {
		memcpy(&hdr, c->fk->buf + off, sizeof(hdr));
		off += sizeof(hdr);
		CU_ASSERT_FATAL(hdr.len <= c->fk->len - off);
		payload = c->fk->buf + off;
		off += hdr.len;
		ev = talloc_realloc(ctx, ev, const char *, n + 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
		if (hdr.type != XS_WATCH_EVENT) {
			ev[n++] = talloc_asprintf(ctx, "<type %u>", hdr.type);
			continue;
		}
		/* xenstore.txt: "req_id and tx_id are both 0". */
		CU_ASSERT_EQUAL(hdr.req_id, 0);
		CU_ASSERT_EQUAL(hdr.tx_id, 0);
		if (framing_split(payload, hdr.len, argv, 2, &tail) != 2 ||
		    tail != 0) {
			ev[n++] = "<malformed event>";
			continue;
		}
		ev[n++] = talloc_asprintf(ctx, "%s %s", argv[0], argv[1]);
	}
	CU_ASSERT_EQUAL(off, c->fk->len);
	c->fk->len = 0;
	if (n > 0)
		qsort(ev, n, sizeof(*ev), cmp_str);
	out = talloc_strdup(ctx, "");
	for (i = 0; i < n; i++)
		out = talloc_asprintf_append(out, "%s%s", i > 0 ? "; " : "",
		    ev[i]);
	return out;
}

/*
 * Run fn in a child process and tell whether it returned: a module bug
 * that crashes must fail its own test, not end the program.  fn must not
 * use CUnit asserts (a fatal one would jump back into the child's copy of
 * the test run).
 */
static bool
survives(void (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0)
		return false;
	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	if (WIFSIGNALED(status))
		fprintf(stderr, "\nchild killed by signal %d\n",
		    WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * Operations without a transaction.
 */

static void
test_write_read(void)
{
	EXPECT_STR(rd(NULL, "/"), "");
	EXPECT_STR(rd(NULL, "/a"), "<ENOENT>");
	wr("/a", "v1");
	EXPECT_STR(rd(NULL, "/a"), "v1");
	wr("/a", "second");
	EXPECT_STR(rd(NULL, "/a"), "second");
	wr("/a", "");
	EXPECT_STR(rd(NULL, "/a"), "");
	EXPECT_STR(ls(NULL, "/"), "a");
	EXPECT_STR(ls(NULL, "/a"), "");
	EXPECT_STR(ls(NULL, "/b"), "<ENOENT>");
	CU_ASSERT_EQUAL(store_check(st), 0);
}

static void
test_write_creates_parents(void)
{
	struct txn_view v;

	wr("/x/y/z", "leaf");
	EXPECT_STR(rd(NULL, "/x"), "");
	EXPECT_STR(rd(NULL, "/x/y"), "");
	EXPECT_STR(rd(NULL, "/x/y/z"), "leaf");
	EXPECT_STR(ls(NULL, "/"), "x");
	EXPECT_STR(ls(NULL, "/x"), "y");
	/* New nodes get their parent's perms. */
	CU_ASSERT_EQUAL_FATAL(txn_read(st, NULL, "/x/y", &v), 0);
	CU_ASSERT_TRUE(perms_equal(v.perms, &root_perms));
	CU_ASSERT_EQUAL(store_count(st), 4);
}

static void
test_mkdir(void)
{
	CU_ASSERT_EQUAL(txn_write(st, NULL, "/m/n", NULL, 0, false, -1, 0,
	    true), 0);
	EXPECT_STR(rd(NULL, "/m/n"), "");
	wr("/k", "keep");
	/* MKDIR of an existing node leaves its data alone. */
	CU_ASSERT_EQUAL(txn_write(st, NULL, "/k", NULL, 0, false, -1, 0,
	    true), 0);
	EXPECT_STR(rd(NULL, "/k"), "keep");
}

static void
test_new_owner_and_node_quota(void)
{
	struct txn_view v;

	wr("/local/domain", "");
	/* An unprivileged domain's nodes are its own and charged to it. */
	CU_ASSERT_EQUAL(txn_write(st, NULL, "/local/domain/5/a/b", "v", 1,
	    true, 5, 5, false), 0);
	CU_ASSERT_EQUAL_FATAL(txn_read(st, NULL, "/local/domain/5", &v), 0);
	CU_ASSERT_EQUAL(v.perms->p[0].domid, 5);
	CU_ASSERT_EQUAL_FATAL(txn_read(st, NULL, "/local/domain/5/a/b", &v),
	    0);
	CU_ASSERT_EQUAL(v.perms->p[0].domid, 5);
	CU_ASSERT_EQUAL(quota_usage(5, USAGE_NODES), 3);

	/* Over the nodes quota nothing is created. */
	quota_set(QUOTA_NODES, 4);
	CU_ASSERT_EQUAL(txn_write(st, NULL, "/local/domain/5/c/d", "v", 1,
	    true, 5, 5, false), ENOSPC);
	EXPECT_STR(rd(NULL, "/local/domain/5/c"), "<ENOENT>");
	CU_ASSERT_EQUAL(quota_usage(5, USAGE_NODES), 3);
	CU_ASSERT_EQUAL(txn_write(st, NULL, "/local/domain/5/c", "v", 1,
	    true, 5, 5, false), 0);
	CU_ASSERT_EQUAL(quota_usage(5, USAGE_NODES), 4);

	/* Removal refunds the owner. */
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/local/domain/5"), 0);
	CU_ASSERT_EQUAL(quota_usage(5, USAGE_NODES), 0);
}

static void
test_rm(void)
{
	wr("/a/b/c", "1");
	wr("/a/d", "2");
	wr("/e", "3");
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/a/b"), 0);
	EXPECT_STR(rd(NULL, "/a/b"), "<ENOENT>");
	EXPECT_STR(rd(NULL, "/a/b/c"), "<ENOENT>");
	EXPECT_STR(ls(NULL, "/a"), "d");
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/a"), 0);
	EXPECT_STR(ls(NULL, "/"), "e");
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/a"), ENOENT);
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/nothing/here"), ENOENT);
	CU_ASSERT_EQUAL(store_count(st), 2);
	CU_ASSERT_EQUAL(store_check(st), 0);
}

static void
test_read_nearest(void)
{
	struct txn_view v;

	wr("/a/b", "x");
	CU_ASSERT_EQUAL_FATAL(txn_read_nearest(st, NULL, "/a/b/c/d", &v), 0);
	EXPECT_STR(talloc_strndup(ctx, v.path, v.path_len), "/a/b");
	CU_ASSERT_EQUAL_FATAL(txn_read_nearest(st, NULL, "/a/b", &v), 0);
	EXPECT_STR(talloc_strndup(ctx, v.path, v.path_len), "/a/b");
	CU_ASSERT_EQUAL_FATAL(txn_read_nearest(st, NULL, "/zz", &v), 0);
	EXPECT_STR(talloc_strndup(ctx, v.path, v.path_len), "/");
}

static void
test_set_perms(void)
{
	static const char s[] = "b0\0r3";
	struct perms p;
	struct txn_view v;

	wr("/a", "x");
	CU_ASSERT_EQUAL_FATAL(perms_parse(ctx, s, sizeof(s), 2, &p), 0);
	CU_ASSERT_EQUAL(txn_set_perms(st, NULL, "/a", &p), 0);
	CU_ASSERT_EQUAL_FATAL(txn_read(st, NULL, "/a", &v), 0);
	CU_ASSERT_TRUE(perms_equal(v.perms, &p));
	EXPECT_STR(rd(NULL, "/a"), "x");
	CU_ASSERT_EQUAL(txn_set_perms(st, NULL, "/b", &p), ENOENT);
}

static void
test_set_perms_moves_charge(void)
{
	static const char s[] = "b7";
	struct perms p;
	struct txn *tx;
	struct txn_view v;

	CU_ASSERT_EQUAL_FATAL(perms_parse(ctx, s, sizeof(s), 1, &p), 0);
	CU_ASSERT_EQUAL(txn_write(st, NULL, "/n", "", 0, true, 5, 5, false),
	    0);
	CU_ASSERT_EQUAL(quota_usage(5, USAGE_NODES), 1);
	tx = begin(dom0);
	CU_ASSERT_EQUAL(txn_set_perms(st, tx, "/n", &p), 0);
	/* T sees its new perms; the store keeps the old ones until commit. */
	CU_ASSERT_EQUAL_FATAL(txn_read(st, tx, "/n", &v), 0);
	CU_ASSERT_TRUE(perms_equal(v.perms, &p));
	CU_ASSERT_EQUAL_FATAL(txn_read(st, NULL, "/n", &v), 0);
	CU_ASSERT_EQUAL(v.perms->p[0].domid, 5);
	CU_ASSERT_EQUAL(quota_usage(5, USAGE_NODES), 1);
	CU_ASSERT_EQUAL(txn_end(tx, true), 0);
	/* The node now counts against its new owner. */
	CU_ASSERT_EQUAL(quota_usage(5, USAGE_NODES), 0);
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_NODES), 1);
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/n"), 0);
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_NODES), 0);
}

static void
test_children_gen(void)
{
	char *names;
	size_t len;
	uint64_t g1 = 0, g2 = 0, g3 = 0;

	wr("/p/a", "");
	CU_ASSERT_EQUAL(txn_children(st, NULL, ctx, "/p", &names, &len, &g1),
	    0);
	wr("/p/a", "data");
	CU_ASSERT_EQUAL(txn_children(st, NULL, ctx, "/p", &names, &len, &g2),
	    0);
	CU_ASSERT_EQUAL(g1, g2);
	wr("/p/b", "");
	CU_ASSERT_EQUAL(txn_children(st, NULL, ctx, "/p", &names, &len, &g3),
	    0);
	CU_ASSERT_NOT_EQUAL(g2, g3);
	CU_ASSERT_EQUAL(len, 4);
}

/*
 * Transactions.
 */

static void
test_txn_ids(void)
{
	uint32_t ids[4];
	unsigned int i, j, base = txn_count();

	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL_FATAL(txn_start(dom0->txns, st, 0, true,
		    &ids[i]), 0);
		CU_ASSERT_NOT_EQUAL(ids[i], 0);
		for (j = 0; j < i; j++)
			CU_ASSERT_NOT_EQUAL(ids[i], ids[j]);
	}
	CU_ASSERT_EQUAL(txn_list_count(dom0->txns), 4);
	CU_ASSERT_EQUAL(txn_count(), base + 4);
	CU_ASSERT_PTR_NULL(txn_find(dom0->txns, 0));
	CU_ASSERT_EQUAL(txn_end(txn_find(dom0->txns, ids[1]), true), 0);
	CU_ASSERT_PTR_NULL(txn_find(dom0->txns, ids[1]));
	CU_ASSERT_PTR_NOT_NULL(txn_find(dom0->txns, ids[0]));
	CU_ASSERT_EQUAL(txn_list_count(dom0->txns), 3);
	txn_list_clear(dom0->txns);
	CU_ASSERT_EQUAL(txn_list_count(dom0->txns), 0);
	CU_ASSERT_EQUAL(txn_count(), base);
	CU_ASSERT_PTR_NULL(txn_find(dom0->txns, ids[0]));
}

static void
test_txn_quota(void)
{
	struct client *u = client_new(1, false);
	uint32_t id, first = 0;
	unsigned int i;

	for (i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL_FATAL(txn_start(u->txns, st, 1, false, &id),
		    0);
		if (i == 0)
			first = id;
	}
	CU_ASSERT_EQUAL(quota_usage(1, USAGE_TRANSACTIONS), 10);
	CU_ASSERT_EQUAL(txn_start(u->txns, st, 1, false, &id), ENOSPC);
	CU_ASSERT_EQUAL(txn_list_count(u->txns), 10);
	CU_ASSERT_EQUAL(txn_end(txn_find(u->txns, first), false), 0);
	CU_ASSERT_EQUAL(txn_start(u->txns, st, 1, false, &id), 0);
	/* Privileged clients are not held to it. */
	for (i = 0; i < 11; i++)
		CU_ASSERT_EQUAL(txn_start(dom0->txns, st, 0, true, &id), 0);
	txn_list_clear(u->txns);
	CU_ASSERT_EQUAL(quota_usage(1, USAGE_TRANSACTIONS), 0);
}

static void
test_txn_isolation(void)
{
	struct txn *tx = begin(dom0);

	CU_ASSERT_EQUAL(twr(tx, "/a", "v"), 0);
	EXPECT_STR(rd(NULL, "/a"), "<ENOENT>");
	EXPECT_STR(ls(NULL, "/"), "");
	EXPECT_STR(rd(tx, "/a"), "v");
	CU_ASSERT_EQUAL(store_count(st), 1);
	CU_ASSERT_EQUAL(txn_end(tx, true), 0);
	EXPECT_STR(rd(NULL, "/a"), "v");
}

static void
test_txn_read_your_writes(void)
{
	struct txn *tx;

	wr("/a", "old");
	wr("/keep/x", "1");
	tx = begin(dom0);
	CU_ASSERT_EQUAL(twr(tx, "/a", "new"), 0);
	EXPECT_STR(rd(tx, "/a"), "new");
	EXPECT_STR(rd(NULL, "/a"), "old");
	CU_ASSERT_EQUAL(txn_write(st, tx, "/d/e", NULL, 0, false, -1, 0,
	    true), 0);
	EXPECT_STR(rd(tx, "/d"), "");
	EXPECT_STR(ls(tx, "/d"), "e");
	CU_ASSERT_EQUAL(txn_rm(st, tx, "/a"), 0);
	EXPECT_STR(rd(tx, "/a"), "<ENOENT>");
	EXPECT_STR(rd(NULL, "/a"), "old");
	CU_ASSERT_EQUAL(txn_rm(st, tx, "/a"), ENOENT);
	CU_ASSERT_EQUAL(txn_rm(st, tx, "/keep"), 0);
	EXPECT_STR(rd(tx, "/keep/x"), "<ENOENT>");
	EXPECT_STR(ls(tx, "/"), "d");
	EXPECT_STR(ls(NULL, "/"), "a keep");
	/* Recreate below a node removed in the same transaction. */
	CU_ASSERT_EQUAL(twr(tx, "/keep/y", "2"), 0);
	EXPECT_STR(ls(tx, "/keep"), "y");
	CU_ASSERT_EQUAL(txn_end(tx, true), 0);
	EXPECT_STR(rd(NULL, "/a"), "<ENOENT>");
	EXPECT_STR(rd(NULL, "/d/e"), "");
	EXPECT_STR(rd(NULL, "/keep/x"), "<ENOENT>");
	EXPECT_STR(rd(NULL, "/keep/y"), "2");
	CU_ASSERT_EQUAL(store_check(st), 0);
}

static void
test_txn_abort(void)
{
	struct txn *tx;

	wr("/a", "old");
	wr("/b/c", "x");
	CU_ASSERT_EQUAL(watch(dom0, "/", "w"), 0);
	tx = begin(dom0);
	CU_ASSERT_EQUAL(twr(tx, "/a", "new"), 0);
	CU_ASSERT_EQUAL(twr(tx, "/n", "new"), 0);
	CU_ASSERT_EQUAL(txn_rm(st, tx, "/b"), 0);
	CU_ASSERT_EQUAL(txn_end(tx, false), 0);
	EXPECT_STR(rd(NULL, "/a"), "old");
	EXPECT_STR(rd(NULL, "/n"), "<ENOENT>");
	EXPECT_STR(rd(NULL, "/b/c"), "x");
	EXPECT_STR(events(dom0), "");
	CU_ASSERT_EQUAL(txn_list_count(dom0->txns), 0);
}

/* txn.c: "T reads /a; /a is written outside T; T commits: EAGAIN (2)." */
static void
test_rule_read_then_outside_write(void)
{
	struct txn *tx;

	wr("/a", "1");
	CU_ASSERT_EQUAL(watch(dom0, "/", "w"), 0);
	tx = begin(dom0);
	EXPECT_STR(rd(tx, "/a"), "1");
	CU_ASSERT_EQUAL(twr(tx, "/t", "from T"), 0);
	wr("/a", "2");
	EXPECT_STR(events(dom0), "/a w");
	CU_ASSERT_EQUAL(txn_end(tx, true), EAGAIN);
	/* Nothing of T is applied, and nothing fires. */
	EXPECT_STR(rd(NULL, "/t"), "<ENOENT>");
	EXPECT_STR(rd(NULL, "/a"), "2");
	EXPECT_STR(events(dom0), "");
}

/* txn.c: "T1 creates /p/x, T2 creates /p/y, /p exists: both commit." */
static void
test_rule_disjoint_creates(void)
{
	struct txn *t1, *t2;

	wr("/p", "");
	t1 = begin(dom0);
	t2 = begin(dom0);
	CU_ASSERT_EQUAL(twr(t1, "/p/x", "1"), 0);
	CU_ASSERT_EQUAL(twr(t2, "/p/y", "2"), 0);
	CU_ASSERT_EQUAL(txn_end(t1, true), 0);
	CU_ASSERT_EQUAL(txn_end(t2, true), 0);
	EXPECT_STR(ls(NULL, "/p"), "x y");
	EXPECT_STR(rd(NULL, "/p/x"), "1");
	EXPECT_STR(rd(NULL, "/p/y"), "2");
}

/* txn.c: "T lists /p; /p/z is created outside; T commits: EAGAIN (3)." */
static void
test_rule_list_then_child_create(void)
{
	struct txn *tx;

	wr("/p/a", "");
	tx = begin(dom0);
	EXPECT_STR(ls(tx, "/p"), "a");
	wr("/p/z", "");
	CU_ASSERT_EQUAL(txn_end(tx, true), EAGAIN);
}

/* txn.c: "T1 and T2 both create /p/x; T2 commits first; T1: EAGAIN (1)." */
static void
test_rule_both_create_same(void)
{
	struct txn *t1, *t2;

	wr("/p", "");
	t1 = begin(dom0);
	t2 = begin(dom0);
	CU_ASSERT_EQUAL(twr(t1, "/p/x", "from T1"), 0);
	CU_ASSERT_EQUAL(twr(t2, "/p/x", "from T2"), 0);
	CU_ASSERT_EQUAL(txn_end(t2, true), 0);
	CU_ASSERT_EQUAL(txn_end(t1, true), EAGAIN);
	EXPECT_STR(rd(NULL, "/p/x"), "from T2");
}

/* txn.c: "T removes /p; /p/q is created outside; T commits: EAGAIN (3)." */
static void
test_rule_remove_then_child_create(void)
{
	struct txn *tx;

	wr("/p/a", "");
	tx = begin(dom0);
	CU_ASSERT_EQUAL(txn_rm(st, tx, "/p"), 0);
	wr("/p/q", "");
	CU_ASSERT_EQUAL(txn_end(tx, true), EAGAIN);
	EXPECT_STR(ls(NULL, "/p"), "a q");
}

/* Rule 2, "removed the node": its data changed meanwhile. */
static void
test_rule_remove_then_outside_write(void)
{
	struct txn *tx;

	wr("/p", "1");
	tx = begin(dom0);
	CU_ASSERT_EQUAL(txn_rm(st, tx, "/p"), 0);
	wr("/p", "2");
	CU_ASSERT_EQUAL(txn_end(tx, true), EAGAIN);
	EXPECT_STR(rd(NULL, "/p"), "2");
}

/* txn.c: "T writes /a; /b (untouched by T) changes outside: T commits." */
static void
test_rule_unrelated_write(void)
{
	struct txn *tx;

	wr("/a", "1");
	wr("/b", "1");
	tx = begin(dom0);
	CU_ASSERT_EQUAL(twr(tx, "/a", "2"), 0);
	wr("/b", "2");
	wr("/c", "new");
	CU_ASSERT_EQUAL(txn_end(tx, true), 0);
	EXPECT_STR(rd(NULL, "/a"), "2");
	EXPECT_STR(rd(NULL, "/b"), "2");
	EXPECT_STR(rd(NULL, "/c"), "new");
}

/* Rule 2, "wrote them": a blind write conflicts with another write. */
static void
test_rule_write_then_outside_write(void)
{
	struct txn *tx;

	wr("/a", "1");
	tx = begin(dom0);
	CU_ASSERT_EQUAL(twr(tx, "/a", "T"), 0);
	wr("/a", "outside");
	CU_ASSERT_EQUAL(txn_end(tx, true), EAGAIN);
	EXPECT_STR(rd(NULL, "/a"), "outside");
}

/* Rule 1: T saw /n missing; it was created meanwhile. */
static void
test_rule_read_missing_then_create(void)
{
	struct txn *tx;

	tx = begin(dom0);
	EXPECT_STR(rd(tx, "/n"), "<ENOENT>");
	wr("/n", "");
	CU_ASSERT_EQUAL(txn_end(tx, true), EAGAIN);
}

/* Rule 1 on the parent T created under. */
static void
test_rule_create_under_removed_parent(void)
{
	struct txn *tx;

	wr("/p", "");
	tx = begin(dom0);
	CU_ASSERT_EQUAL(twr(tx, "/p/x", "1"), 0);
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/p"), 0);
	CU_ASSERT_EQUAL(txn_end(tx, true), EAGAIN);
	EXPECT_STR(rd(NULL, "/p"), "<ENOENT>");
}

/* Rule 3 is about children only: a child's new data is not a conflict. */
static void
test_rule_list_then_child_data(void)
{
	struct txn *tx;

	wr("/p/z", "1");
	tx = begin(dom0);
	EXPECT_STR(ls(tx, "/p"), "z");
	CU_ASSERT_EQUAL(twr(tx, "/t", "x"), 0);
	wr("/p/z", "2");
	CU_ASSERT_EQUAL(txn_end(tx, true), 0);
	EXPECT_STR(rd(NULL, "/t"), "x");
}

/*
 * A node created and removed inside one transaction never existed in the
 * store; an unprivileged watcher on "/" must not crash the commit.
 */
static struct client *ctr_watcher;
static int ctr_commit_err;

static void
create_then_remove(void)
{
	struct txn *tx;
	uint32_t id;

	ctr_watcher = client_new(1, false);
	watch(ctr_watcher, "/", "u");
	ctr_commit_err = -1;
	if (txn_start(dom0->txns, st, 0, true, &id) != 0 ||
	    (tx = txn_find(dom0->txns, id)) == NULL)
		return;
	if (twr(tx, "/a/b", "1") != 0 || txn_rm(st, tx, "/a") != 0)
		return;
	ctr_commit_err = txn_end(tx, true);
}

static void
test_txn_create_then_remove(void)
{
	CU_ASSERT_FATAL(survives(create_then_remove));
	create_then_remove();
	CU_ASSERT_EQUAL(ctr_commit_err, 0);
	EXPECT_STR(rd(NULL, "/a"), "<ENOENT>");
	/* "/a" inherited "n0": domain 1 may not know of it. */
	EXPECT_STR(events(ctr_watcher), "");
	CU_ASSERT_EQUAL(store_check(st), 0);
}

/* An operation that fails inside a transaction leaves nothing behind. */
static void
test_txn_failed_rm_changes_nothing(void)
{
	struct client *u = client_new(1, false);
	struct txn *tx;
	int err;

	wr("/p/a/x", "1");
	wr("/p/b/y", "2");
	quota_set(QUOTA_TXN_NODES, 5);
	tx = begin(u);
	CU_ASSERT_EQUAL(twr(tx, "/t", "x"), 0);	/* touches /t and / */
	/* /p, /p/a, /p/b fit; /p/b/y is one node too many. */
	CU_ASSERT_EQUAL(txn_rm(st, tx, "/p"), ENOSPC);
	/* Still there in T's own view (/p itself is touched already). */
	EXPECT_STR(rd(tx, "/p"), "");
	err = txn_end(tx, true);
	/* Either T's write lands alone, or T fails as a whole. */
	CU_ASSERT(err == 0 || err == EAGAIN);
	EXPECT_STR(rd(NULL, "/t"), err == 0 ? "x" : "<ENOENT>");
	EXPECT_STR(rd(NULL, "/p/a/x"), "1");
	EXPECT_STR(rd(NULL, "/p/b/y"), "2");
	CU_ASSERT_EQUAL(store_check(st), 0);
}

static void
test_txn_events_at_commit(void)
{
	struct client *w = client_new(0, true);
	struct txn *tx;

	wr("/a/old", "");
	CU_ASSERT_EQUAL(watch(w, "/a", "t"), 0);
	tx = begin(dom0);
	CU_ASSERT_EQUAL(twr(tx, "/a/b", "1"), 0);
	CU_ASSERT_EQUAL(txn_rm(st, tx, "/a/old"), 0);
	EXPECT_STR(events(w), "");
	EXPECT_STR(events(dom0), "");
	CU_ASSERT_EQUAL(txn_end(tx, true), 0);
	EXPECT_STR(events(w), "/a/b t; /a/old t");
	/* The writer has no watch: nothing for it. */
	EXPECT_STR(events(dom0), "");
}

static void
test_txn_nodes_quota(void)
{
	struct client *u = client_new(1, false);
	struct txn *tx;

	wr("/n1", "");
	wr("/n2", "");
	wr("/n3", "");
	wr("/n4", "");
	quota_set(QUOTA_TXN_NODES, 3);
	tx = begin(u);
	EXPECT_STR(rd(tx, "/n1"), "");
	EXPECT_STR(rd(tx, "/n2"), "");
	EXPECT_STR(rd(tx, "/n3"), "");
	EXPECT_STR(rd(tx, "/n4"), "<ENOSPC>");
	/* Touching a node again costs nothing. */
	EXPECT_STR(rd(tx, "/n1"), "");
	CU_ASSERT_EQUAL(txn_end(tx, false), 0);
	/* Privileged transactions are not held to it. */
	tx = begin(dom0);
	EXPECT_STR(rd(tx, "/n1"), "");
	EXPECT_STR(rd(tx, "/n2"), "");
	EXPECT_STR(rd(tx, "/n3"), "");
	EXPECT_STR(rd(tx, "/n4"), "");
	CU_ASSERT_EQUAL(txn_end(tx, true), 0);
}

/* "/d/d/.../d" of depth components below /deep, on ctx. */
static char *
deep_path(unsigned int depth, const char *leaf)
{
	char *p = talloc_strdup(ctx, "/deep");
	unsigned int i;

	for (i = 0; i < depth; i++)
		p = talloc_asprintf_append(p, "/d%u", i % 10);
	p = talloc_asprintf_append(p, "/%s", leaf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

/*
 * Refused requests keep nothing: once the transaction-nodes quota is
 * reached, READs of deep missing paths are ENOSPC and the view does not
 * grow (it once kept a copy of every ancestor's path per refused READ:
 * 100 of them held about 143 MiB).
 */
static void
test_txn_refused_keeps_nothing(void)
{
	struct client *u = client_new(3, false);
	struct txn *tx;
	size_t before;
	unsigned long mem, base = quota_usage(3, USAGE_MEMORY);
	unsigned int i;
	char *p;

	quota_set(QUOTA_TXN_NODES, 20);
	tx = begin(u);
	for (i = 0; i < 20; i++) {
		p = talloc_asprintf(ctx, "/n%u", i);
		EXPECT_STR(rd(tx, p), "<ENOENT>");
	}
	before = talloc_total_size(u->txns);
	mem = quota_usage(3, USAGE_MEMORY);
	p = deep_path(600, "x");
	for (i = 0; i < 100; i++)
		EXPECT_STR(rd(tx, p), "<ENOSPC>");
	CU_ASSERT_EQUAL(talloc_total_size(u->txns), before);
	CU_ASSERT_EQUAL(quota_usage(3, USAGE_MEMORY), mem);
	CU_ASSERT_EQUAL(txn_end(tx, false), 0);
	/* The view's charge goes back when the transaction ends. */
	CU_ASSERT_EQUAL(quota_usage(3, USAGE_MEMORY), base);
}

/*
 * A view entry holds its own name, not its path: a READ 600 levels deep
 * costs the view O(path), not O(depth * path), and it is charged to the
 * domain's memory quota, which refuses (ENOMEM) what goes over.
 */
static void
test_txn_view_charged(void)
{
	struct client *u = client_new(4, false);
	unsigned long base = quota_usage(4, USAGE_MEMORY);
	struct txn *tx;
	size_t held;
	unsigned int i;
	char *p;

	tx = begin(u);
	p = deep_path(600, "x");
	EXPECT_STR(rd(tx, p), "<ENOENT>");
	held = talloc_total_size(u->txns);
	/* 600 entries of a few bytes each, far from 600 * 1.8 KB. */
	CU_ASSERT(held < 600 * 256);
	CU_ASSERT(quota_usage(4, USAGE_MEMORY) - base >= held);
	CU_ASSERT_EQUAL(txn_end(tx, false), 0);
	CU_ASSERT_EQUAL(quota_usage(4, USAGE_MEMORY), base);

	/* Over the memory quota: ENOMEM, and nothing kept. */
	quota_set(QUOTA_MEMORY, 64 * 1024);
	tx = begin(u);
	for (i = 0; i < 100; i++) {
		p = talloc_asprintf(ctx, "/t%u%s", i, deep_path(100, "x"));
		if (strcmp(rd(tx, p), "<ENOMEM>") == 0)
			break;
	}
	CU_ASSERT(i < 100);
	held = talloc_total_size(u->txns);
	CU_ASSERT(quota_usage(4, USAGE_MEMORY) <= 64 * 1024);
	EXPECT_STR(rd(tx, p), "<ENOMEM>");
	CU_ASSERT_EQUAL(talloc_total_size(u->txns), held);
	CU_ASSERT_EQUAL(txn_end(tx, false), 0);
	CU_ASSERT_EQUAL(quota_usage(4, USAGE_MEMORY), base);
}

/*
 * Watches.
 */

static void
test_watch_exact_and_descendants(void)
{
	CU_ASSERT_EQUAL(watch(dom0, "/a", "t"), 0);
	wr("/a", "1");
	EXPECT_STR(events(dom0), "/a t");
	/* One event for the node written, not for parents it creates. */
	wr("/a/b/c", "1");
	EXPECT_STR(events(dom0), "/a/b/c t");
	wr("/a/b", "2");
	EXPECT_STR(events(dom0), "/a/b t");
	/* Not below /a. */
	wr("/ab", "1");
	wr("/b/a", "1");
	EXPECT_STR(events(dom0), "");
	/* Permission changes are changes. */
	CU_ASSERT_EQUAL(txn_set_perms(st, NULL, "/a/b", &root_perms), 0);
	EXPECT_STR(events(dom0), "/a/b t");
	/* MKDIR of an existing node changes nothing. */
	CU_ASSERT_EQUAL(txn_write(st, NULL, "/a", NULL, 0, false, -1, 0,
	    true), 0);
	EXPECT_STR(events(dom0), "");
}

static void
test_watch_root(void)
{
	CU_ASSERT_EQUAL(watch(dom0, "/", "r"), 0);
	wr("/x", "1");
	wr("/y/z", "1");
	EXPECT_STR(events(dom0), "/x r; /y/z r");
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/y"), 0);
	EXPECT_STR(events(dom0), "/y r");
}

static void
test_watch_depth0(void)
{
	CU_ASSERT_EQUAL(watch_add(dom0->watches, dom0->conn, "/a", "d0",
	    NULL, 0), 0);
	wr("/a", "1");
	EXPECT_STR(events(dom0), "/a d0");
	/* "0" would not match for a child of <wpath>. */
	wr("/a/b", "1");
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/a/b"), 0);
	EXPECT_STR(events(dom0), "");
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/a"), 0);
	EXPECT_STR(events(dom0), "/a d0");
}

static void
test_watch_depth1(void)
{
	CU_ASSERT_EQUAL(watch_add(dom0->watches, dom0->conn, "/a", "d1",
	    NULL, 1), 0);
	wr("/a", "1");
	wr("/a/b", "1");
	EXPECT_STR(events(dom0), "/a d1; /a/b d1");
	/* "1" would match only for a direct child. */
	wr("/a/b/c", "1");
	wr("/a/b/c/d", "1");
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/a/b/c"), 0);
	EXPECT_STR(events(dom0), "");
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/a/b"), 0);
	EXPECT_STR(events(dom0), "/a/b d1");
	/* Levels below "/" count from the root. */
	CU_ASSERT_EQUAL(watch_add(dom0->watches, dom0->conn, "/", "r1",
	    NULL, 1), 0);
	wr("/z", "1");
	wr("/a/b", "1");
	EXPECT_STR(events(dom0), "/a/b d1; /z r1");
}

static void
test_watch_remove_ancestor(void)
{
	wr("/a/b/c", "1");
	wr("/other", "1");
	CU_ASSERT_EQUAL(watch(dom0, "/", "t0"), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/a", "t1"), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/a/b", "t2"), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/a/b/c", "t3"), 0);
	/* Watched paths need not exist. */
	CU_ASSERT_EQUAL(watch(dom0, "/a/q/r", "t4"), 0);
	CU_ASSERT_EQUAL(watch_add(dom0->watches, dom0->conn, "/a/b/c", "t5",
	    NULL, 0), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/other", "t6"), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/ab", "t7"), 0);
	EXPECT_STR(events(dom0), "");

	/*
	 * "if the event was the recursive removal of an parent of <wpath>,
	 * <epath> is just <wpath>"; nothing for /a/q/r, which was not
	 * there to be removed (as C xenstored 4.17).
	 */
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/a"), 0);
	EXPECT_STR(events(dom0),
	    "/a t0; /a t1; /a/b t2; /a/b/c t3; /a/b/c t5");
}

static void
test_watch_remove_in_txn(void)
{
	struct txn *tx;

	wr("/a/b/c", "1");
	CU_ASSERT_EQUAL(watch(dom0, "/a/b/c", "t"), 0);
	tx = begin(dom0);
	CU_ASSERT_EQUAL(txn_rm(st, tx, "/a"), 0);
	EXPECT_STR(events(dom0), "");
	CU_ASSERT_EQUAL(txn_end(tx, true), 0);
	EXPECT_STR(events(dom0), "/a/b/c t");
}

static void
test_watch_relative(void)
{
	struct client *d5 = client_new(5, false);
	const char *base = "/local/domain/5";

	wr("/local/domain", "");
	CU_ASSERT_EQUAL_FATAL(txn_write(st, NULL, base, "", 0, true, 5, 0,
	    true), 0);
	/* The same path, once as sent relative ("dev"), once absolute. */
	CU_ASSERT_EQUAL(watch_add(d5->watches, d5->conn,
	    "/local/domain/5/dev", "rel", base, WATCH_DEPTH_ANY), 0);
	CU_ASSERT_EQUAL(watch_add(d5->watches, d5->conn,
	    "/local/domain/5/dev", "abs", NULL, WATCH_DEPTH_ANY), 0);
	wr("/local/domain/5/dev/vif", "1");
	EXPECT_STR(events(d5), "/local/domain/5/dev/vif abs; dev/vif rel");
	wr("/local/domain/5/dev", "2");
	EXPECT_STR(events(d5), "/local/domain/5/dev abs; dev rel");
	CU_ASSERT_EQUAL(txn_rm(st, NULL, base), 0);
	EXPECT_STR(events(d5), "/local/domain/5/dev abs; dev rel");
}

static void
test_watch_duplicate(void)
{
	struct client *other = client_new(0, true);
	unsigned int base = watch_count();

	CU_ASSERT_EQUAL(watch(dom0, "/a", "t"), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/a", "t"), EEXIST);
	CU_ASSERT_EQUAL(watch_add(dom0->watches, dom0->conn, "/a", "t", NULL,
	    0), EEXIST);
	CU_ASSERT_EQUAL(watch(dom0, "/a", "u"), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/b", "t"), 0);
	CU_ASSERT_EQUAL(watch(other, "/a", "t"), 0);
	CU_ASSERT_EQUAL(watch_count(), base + 4);
	wr("/a", "1");
	EXPECT_STR(events(dom0), "/a t; /a u");
	EXPECT_STR(events(other), "/a t");
}

static void
test_unwatch(void)
{
	struct client *other = client_new(0, true);

	CU_ASSERT_EQUAL(watch_remove(dom0->conn, "/a", "t"), ENOENT);
	CU_ASSERT_EQUAL(watch(dom0, "/a", "t"), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/a/b", "t"), 0);
	CU_ASSERT_EQUAL(watch_remove(dom0->conn, "/a", "x"), ENOENT);
	CU_ASSERT_EQUAL(watch_remove(dom0->conn, "/", "t"), ENOENT);
	CU_ASSERT_EQUAL(watch_remove(dom0->conn, "/a/b/c", "t"), ENOENT);
	CU_ASSERT_EQUAL(watch_remove(other->conn, "/a", "t"), ENOENT);
	CU_ASSERT_EQUAL(watch_remove(dom0->conn, "/a", "t"), 0);
	CU_ASSERT_EQUAL(watch_remove(dom0->conn, "/a", "t"), ENOENT);
	wr("/a", "1");
	EXPECT_STR(events(dom0), "");
	wr("/a/b", "1");
	EXPECT_STR(events(dom0), "/a/b t");
	/* The path can be watched again. */
	CU_ASSERT_EQUAL(watch(dom0, "/a", "t"), 0);
	wr("/a", "2");
	EXPECT_STR(events(dom0), "/a t");
}

static void
test_watch_remove_all(void)
{
	struct client *u = client_new(3, false);
	unsigned int base = watch_count();

	wr("/a", "");
	CU_ASSERT_EQUAL(watch(u, "/a", "1"), 0);
	CU_ASSERT_EQUAL(watch(u, "/a/b", "2"), 0);
	CU_ASSERT_EQUAL(watch(u, "@releaseDomain", "3"), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/a", "kept"), 0);
	CU_ASSERT_EQUAL(quota_usage(3, USAGE_WATCHES), 3);
	watch_remove_all(u->watches);
	CU_ASSERT_EQUAL(watch_count(), base + 1);
	CU_ASSERT_EQUAL(quota_usage(3, USAGE_WATCHES), 0);
	wr("/a/b", "1");
	EXPECT_STR(events(u), "");
	EXPECT_STR(events(dom0), "/a/b kept");
	CU_ASSERT_EQUAL(watch(u, "/a", "1"), 0);
	watch_remove_all(u->watches);
	watch_remove_all(u->watches);
	CU_ASSERT_EQUAL(watch_count(), base + 1);
}

static void
test_watch_freed_with_conn(void)
{
	struct client *u = client_new(3, false);
	unsigned int wbase = watch_count(), tbase = txn_count();
	unsigned int cbase = conn_count();
	uint32_t id;

	CU_ASSERT_EQUAL(watch(u, "/a", "1"), 0);
	CU_ASSERT_EQUAL(watch(u, "/", "2"), 0);
	CU_ASSERT_EQUAL(txn_start(u->txns, st, 3, false, &id), 0);
	CU_ASSERT_EQUAL(watch_count(), wbase + 2);
	CU_ASSERT_EQUAL(txn_count(), tbase + 1);
	talloc_free(u->conn);
	CU_ASSERT_EQUAL(watch_count(), wbase);
	CU_ASSERT_EQUAL(txn_count(), tbase);
	CU_ASSERT_EQUAL(conn_count(), cbase - 1);
	CU_ASSERT_EQUAL(quota_usage(3, USAGE_WATCHES), 0);
	CU_ASSERT_EQUAL(quota_usage(3, USAGE_TRANSACTIONS), 0);
	/* Nothing points at the freed connection any more. */
	wr("/a", "1");
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/a"), 0);
}

static void
test_watch_quota(void)
{
	struct client *u = client_new(1, false);
	unsigned int i;
	char token[8];

	quota_set(QUOTA_WATCHES, 2);
	CU_ASSERT_EQUAL(watch(u, "/a", "1"), 0);
	CU_ASSERT_EQUAL(watch(u, "/b", "2"), 0);
	CU_ASSERT_EQUAL(watch(u, "/c", "3"), E2BIG);
	CU_ASSERT_EQUAL(watch_remove(u->conn, "/a", "1"), 0);
	CU_ASSERT_EQUAL(watch(u, "/c", "3"), 0);
	for (i = 0; i < 5; i++) {
		snprintf(token, sizeof(token), "%u", i);
		CU_ASSERT_EQUAL(watch(dom0, "/a", token), 0);
	}
}

static void
test_watch_perms(void)
{
	static const char s[] = "n0\0r1";
	struct client *u = client_new(1, false);
	struct perms readable;

	CU_ASSERT_EQUAL_FATAL(perms_parse(ctx, s, sizeof(s), 2, &readable),
	    0);
	CU_ASSERT_EQUAL(watch(u, "/", "u"), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/", "p"), 0);
	/* /secret inherits "n0": domain 1 may not read it. */
	wr("/secret", "1");
	EXPECT_STR(events(u), "");
	EXPECT_STR(events(dom0), "/secret p");
	CU_ASSERT_EQUAL(txn_set_perms(st, NULL, "/secret", &readable), 0);
	EXPECT_STR(events(u), "/secret u");
	wr("/secret", "2");
	EXPECT_STR(events(u), "/secret u");
	/* Readable under the old perms: told of the change that hides it. */
	CU_ASSERT_EQUAL(txn_set_perms(st, NULL, "/secret", &root_perms), 0);
	EXPECT_STR(events(u), "/secret u");
	wr("/secret", "3");
	CU_ASSERT_EQUAL(txn_rm(st, NULL, "/secret"), 0);
	EXPECT_STR(events(u), "");
	EXPECT_STR(events(dom0), "/secret p; /secret p; /secret p; "
	    "/secret p; /secret p");
}

static void
test_watch_special(void)
{
	CU_ASSERT_EQUAL(watch(dom0, "@releaseDomain", "rel"), 0);
	CU_ASSERT_EQUAL(watch(dom0, "@introduceDomain", "intro"), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/", "root"), 0);
	watch_fire("@releaseDomain", &root_perms, NULL, NULL);
	/* Special paths are not below "/". */
	EXPECT_STR(events(dom0), "@releaseDomain rel");
	CU_ASSERT_EQUAL(watch(dom0, "@releaseDomain", "rel"), EEXIST);
	CU_ASSERT_EQUAL(watch_remove(dom0->conn, "@releaseDomain", "rel"), 0);
	watch_fire("@releaseDomain", &root_perms, NULL, NULL);
	EXPECT_STR(events(dom0), "");
}

static const struct cu_test direct_tests[] = {
	TEST(test_write_read),
	TEST(test_write_creates_parents),
	TEST(test_mkdir),
	TEST(test_new_owner_and_node_quota),
	TEST(test_rm),
	TEST(test_read_nearest),
	TEST(test_set_perms),
	TEST(test_set_perms_moves_charge),
	TEST(test_children_gen),
	TEST_END
};

static const struct cu_test txn_tests[] = {
	TEST(test_txn_ids),
	TEST(test_txn_quota),
	TEST(test_txn_isolation),
	TEST(test_txn_read_your_writes),
	TEST(test_txn_abort),
	TEST(test_rule_read_then_outside_write),
	TEST(test_rule_disjoint_creates),
	TEST(test_rule_list_then_child_create),
	TEST(test_rule_both_create_same),
	TEST(test_rule_remove_then_child_create),
	TEST(test_rule_unrelated_write),
	TEST(test_rule_remove_then_outside_write),
	TEST(test_rule_write_then_outside_write),
	TEST(test_rule_read_missing_then_create),
	TEST(test_rule_create_under_removed_parent),
	TEST(test_rule_list_then_child_data),
	TEST(test_txn_create_then_remove),
	TEST(test_txn_failed_rm_changes_nothing),
	TEST(test_txn_events_at_commit),
	TEST(test_txn_nodes_quota),
	TEST(test_txn_refused_keeps_nothing),
	TEST(test_txn_view_charged),
	TEST_END
};

/* Bytes malloc has handed out and not taken back. */
static size_t
heap_in_use(void)
{
	return mallinfo2().uordblks;
}

/*
 * The watch index holds each path component once: a watch 600 levels
 * deep costs O(its path), is charged to its domain's memory quota at
 * least what the heap grew by, and gives it all back when removed (an
 * index entry once held its whole path: 128 such watches cost 170-349
 * MiB, uncharged).
 */
static void
test_watch_index_charged(void)
{
	struct client *u = client_new(6, false);
	unsigned long base = quota_usage(6, USAGE_MEMORY);
	size_t heap0, heap1, charged;
	char *p = deep_path(600, "w");

	heap0 = heap_in_use();
	CU_ASSERT_EQUAL_FATAL(watch(u, p, "t"), 0);
	heap1 = heap_in_use();
	charged = quota_usage(6, USAGE_MEMORY) - base;
	CU_ASSERT(charged >= heap1 - heap0);
	CU_ASSERT(charged < 600 * 512);
	/* A second watch on the same path shares the entries but pays. */
	CU_ASSERT_EQUAL(watch(u, p, "t2"), 0);
	CU_ASSERT(quota_usage(6, USAGE_MEMORY) - base >= 2 * charged - 2 * 512);
	CU_ASSERT_EQUAL(watch_remove(u->conn, p, "t"), 0);
	CU_ASSERT_EQUAL(watch_remove(u->conn, p, "t2"), 0);
	CU_ASSERT_EQUAL(quota_usage(6, USAGE_MEMORY), base);
	/* What stays: the domain's quota account, the hash's table. */
	CU_ASSERT(heap_in_use() <= heap0 + 4096);
}

/*
 * 128 watches on distinct long deep paths stay within the memory quota:
 * the ones past it are ENOMEM, and the heap grows by no more than what
 * was charged.
 */
static void
test_watch_index_quota(void)
{
	struct client *u = client_new(7, false);
	unsigned long base = quota_usage(7, USAGE_MEMORY);
	unsigned int i, ok = 0, refused = 0;
	char *p, *tail = deep_path(600, "w");
	size_t heap0 = heap_in_use();
	int err;

	quota_set(QUOTA_MEMORY, 512 * 1024);
	for (i = 0; i < 128; i++) {
		p = talloc_asprintf(ctx, "/w%u%s", i, tail);
		err = watch(u, p, "t");
		CU_ASSERT(err == 0 || err == ENOMEM);
		if (err == 0)
			ok++;
		else
			refused++;
		talloc_free(p);
	}
	CU_ASSERT(ok > 0);
	CU_ASSERT(refused > 0);
	CU_ASSERT(quota_usage(7, USAGE_MEMORY) <= 512 * 1024);
	CU_ASSERT(heap_in_use() - heap0 <= quota_usage(7, USAGE_MEMORY) - base);
	watch_remove_all(u->watches);
	CU_ASSERT_EQUAL(quota_usage(7, USAGE_MEMORY), base);
}

/* Tokens whose events could not fit one message are refused. */
static void
test_watch_token_fits(void)
{
	char tok[1100];

	memset(tok, 't', sizeof(tok) - 1);
	tok[1024] = '\0';
	CU_ASSERT_EQUAL(watch(dom0, "/a", tok), EINVAL);
	tok[1023] = '\0';
	CU_ASSERT_EQUAL(watch(dom0, "/a", tok), 0);
	/* Relative watches report shorter paths: a longer token fits. */
	memset(tok, 't', sizeof(tok) - 1);
	tok[1030] = '\0';
	CU_ASSERT_EQUAL(watch_add(dom0->watches, dom0->conn,
	    "/local/domain/0/x", tok, "/local/domain/0", WATCH_DEPTH_ANY), 0);
}

/*
 * A hash table that cannot allocate is ENOMEM for the request, and the
 * daemon goes on (uthash's default is exit()): a watch, a transaction's
 * entry, a domain's quota account.
 */
static void
test_hash_oom(void)
{
	struct client *u = client_new(8, false);
	struct txn *tx;
	unsigned int i;
	char *p;

	fault_hash_fail_after(0);
	CU_ASSERT_EQUAL(watch(dom0, "/oom/w", "t"), ENOMEM);
	fault_hash_fail_after(-1);
	/* A table of accounts to make: only with none left. */
	quota_fini();
	quota_init();
	fault_hash_fail_after(0);
	CU_ASSERT_EQUAL(quota_charge(77, USAGE_NODES, 1), ENOMEM);
	fault_hash_fail_after(-1);
	tx = begin(u);
	fault_hash_fail_after(0);
	EXPECT_STR(rd(tx, "/oom/a/b"), "<ENOMEM>");
	fault_hash_fail_after(-1);
	EXPECT_STR(rd(tx, "/oom/a/b"), "<ENOENT>");
	/* Growing tables: some adds fail, each cleanly. */
	for (i = 0; i < 200; i++) {
		fault_hash_fail_after(i % 3 == 0 ? 0 : -1);
		p = talloc_asprintf(ctx, "/oom/n%u", i);
		(void)watch(dom0, p, "t");
		(void)rd(tx, p);
	}
	fault_hash_fail_after(-1);
	CU_ASSERT_EQUAL(txn_end(tx, false), 0);
	CU_ASSERT_EQUAL(watch(dom0, "/oom/w", "t"), 0);
	wr("/oom/w", "1");
	CU_ASSERT(strstr(events(dom0), "/oom/w t") != NULL);
	CU_ASSERT_EQUAL(store_check(st), 0);
	watch_remove_all(dom0->watches);
	CU_ASSERT_EQUAL(watch_count(), 0);
}

static const struct cu_test watch_tests[] = {
	TEST(test_hash_oom),
	TEST(test_watch_index_charged),
	TEST(test_watch_index_quota),
	TEST(test_watch_token_fits),
	TEST(test_watch_exact_and_descendants),
	TEST(test_watch_root),
	TEST(test_watch_depth0),
	TEST(test_watch_depth1),
	TEST(test_watch_remove_ancestor),
	TEST(test_watch_remove_in_txn),
	TEST(test_watch_relative),
	TEST(test_watch_duplicate),
	TEST(test_unwatch),
	TEST(test_watch_remove_all),
	TEST(test_watch_freed_with_conn),
	TEST(test_watch_quota),
	TEST(test_watch_perms),
	TEST(test_watch_special),
	TEST_END
};

int
main(void)
{
	const struct cu_suite suites[] = {
		{ "direct", setup, teardown, direct_tests },
		{ "txn", setup, teardown, txn_tests },
		{ "watch", setup, teardown, watch_tests },
	};

	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
