/*
 * stream.c: the migration stream's records against bytes laid out by
 * hand from docs/designs/xenstore-migration.md and Xen 4.17's
 * xenstore_state.h (the golden streams below), then round trips, the
 * other byte order, and every malformed record the reader must refuse.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cu_main.h"
#include "stream.h"

static TALLOC_CTX *ctx;

static void
setup(void)
{
	ctx = talloc_new(NULL);
}

static void
teardown(void)
{
	TALLOC_FREE(ctx);
}

/* Little-endian fields, as an x86 host writes them (flags 0). */
#define LE16(v)		(v) & 0xff, ((v) >> 8) & 0xff
#define LE32(v)		LE16((v) & 0xffff), LE16(((v) >> 16) & 0xffff)
#define HEADER(ver)	'x', 'e', 'n', 's', 't', 'o', 'r', 'e', \
			0, 0, 0, (ver), 0, 0, 0, 0

/*
 * A version-1 stream as Xen 4.17's C xenstored writes one: GLOBAL,
 * dom0's ring, a socket with a half-read request and an unsent reply,
 * a watch, a transaction, a node, END.
 */
static const uint8_t golden_v1[] = {
	HEADER(1),
	/* GLOBAL: socket fd 3, evtchn fd 4. */
	LE32(1), LE32(8), LE32(3), LE32(4),
	/* CONN 1: ring of dom0, no target (0x7ff4), port 7; no data. */
	LE32(2), LE32(24),
	LE32(1), LE16(0), LE16(0), LE16(0), LE16(0x7ff4), LE32(7),
	LE16(0), LE16(0), LE32(0),
	/* CONN 2: socket fd 9; 3 bytes in, 5 out of which 2 a partial
	 * reply; 24 + 8 = 32, no padding. */
	LE32(2), LE32(32),
	LE32(2), LE16(1), LE16(0), LE32(9), LE32(0),
	LE16(3), LE16(2), LE32(5),
	'a', 'b', 'c', 'v', 'w', 'x', 'y', 'z',
	/* WATCH of conn 2: "/a" (3), "tk" (3): 8 + 6 = 14, padded to 16. */
	LE32(3), LE32(16),
	LE32(2), LE16(3), LE16(3), '/', 'a', 0, 't', 'k', 0, 0, 0,
	/* TA of conn 2, transaction 5. */
	LE32(4), LE32(8), LE32(2), LE32(5),
	/* NODE "/a" = "v\0w", owner 1 'b', then 'r' for 2 stale:
	 * 16 + 8 + 3 + 3 = 30, padded to 32. */
	LE32(5), LE32(32),
	LE32(0), LE32(0), LE16(3), LE16(3), LE16(0), LE16(2),
	'b', 0, LE16(1), 'r', 1, LE16(2),
	'/', 'a', 0, 'v', 0, 'w', 0, 0,
	/* END. */
	LE32(0), LE32(0),
};

static bool
little_endian_host(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 1;
}

static struct stream_writer *
write_golden_records(uint32_t version)
{
	struct stream_writer *w = stream_writer_new(ctx, version);
	const struct stream_global g = { 3, 4 };
	const struct stream_conn ring = {
		.conn_id = 1, .conn_type = STREAM_CONN_RING, .domid = 0,
		.tdomid = 0x7ff4, .evtchn = 7,
	};
	const struct stream_conn sock = {
		.conn_id = 2, .conn_type = STREAM_CONN_SOCKET, .socket_fd = 9,
		.in = (const uint8_t *)"abc", .in_len = 3,
		.out = (const uint8_t *)"vwxyz", .out_len = 5,
		.out_resp_len = 2,
	};
	const struct stream_watch wa = { 2, "/a", "tk", STREAM_DEPTH_UNLIMITED };
	const struct stream_ta ta = { 2, 5 };
	const struct stream_perm perms[] = { { 'b', 0, 1 }, { 'r', 1, 2 } };
	const struct stream_node node = {
		.path = "/a", .value = (const uint8_t *)"v\0w", .value_len = 3,
		.n_perms = 2,
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(stream_put_global(w, &g), 0);
	CU_ASSERT_EQUAL(stream_put_conn(w, &ring), 0);
	CU_ASSERT_EQUAL(stream_put_conn(w, &sock), 0);
	CU_ASSERT_EQUAL(stream_put_watch(w, &wa), 0);
	CU_ASSERT_EQUAL(stream_put_ta(w, &ta), 0);
	CU_ASSERT_EQUAL(stream_put_node(w, &node, perms), 0);
	CU_ASSERT_EQUAL(stream_put_end(w), 0);
	return w;
}

static void
test_write_golden_v1(void)
{
	struct stream_writer *w;
	const void *data;
	size_t len;

	if (!little_endian_host()) {
		/* The golden bytes are little-endian; a big-endian host's
		 * stream is checked by the round trip. */
		CU_PASS("big-endian host");
		return;
	}
	w = write_golden_records(STREAM_VERSION_1);
	data = stream_writer_data(w, &len);
	CU_ASSERT_EQUAL(len, sizeof(golden_v1));
	CU_ASSERT(len == sizeof(golden_v1) &&
	    memcmp(data, golden_v1, len) == 0);
}

/* Decode the golden records from buf (either byte order). */
static void
check_golden_records(const void *buf, size_t len)
{
	struct stream_reader r;
	struct stream_record rec;
	struct stream_perm p;

	CU_ASSERT_EQUAL_FATAL(stream_open(&r, buf, len), 0);
	CU_ASSERT_EQUAL(r.version, STREAM_VERSION_1);

	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_GLOBAL);
	CU_ASSERT_EQUAL(rec.u.global.socket_fd, 3);
	CU_ASSERT_EQUAL(rec.u.global.evtchn_fd, 4);

	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_CONN);
	CU_ASSERT_EQUAL(rec.u.conn.conn_id, 1);
	CU_ASSERT_EQUAL(rec.u.conn.conn_type, STREAM_CONN_RING);
	CU_ASSERT_EQUAL(rec.u.conn.domid, 0);
	CU_ASSERT_EQUAL(rec.u.conn.tdomid, 0x7ff4);
	CU_ASSERT_EQUAL(rec.u.conn.evtchn, 7);
	CU_ASSERT_EQUAL(rec.u.conn.in_len + rec.u.conn.out_len, 0);

	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_CONN);
	CU_ASSERT_EQUAL(rec.u.conn.conn_type, STREAM_CONN_SOCKET);
	CU_ASSERT_EQUAL(rec.u.conn.socket_fd, 9);
	CU_ASSERT_EQUAL(rec.u.conn.in_len, 3);
	CU_ASSERT(memcmp(rec.u.conn.in, "abc", 3) == 0);
	CU_ASSERT_EQUAL(rec.u.conn.out_len, 5);
	CU_ASSERT_EQUAL(rec.u.conn.out_resp_len, 2);
	CU_ASSERT(memcmp(rec.u.conn.out, "vwxyz", 5) == 0);

	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_WATCH);
	CU_ASSERT_EQUAL(rec.u.watch.conn_id, 2);
	EXPECT_STR(rec.u.watch.path, "/a");
	EXPECT_STR(rec.u.watch.token, "tk");
	CU_ASSERT_EQUAL(rec.u.watch.depth, STREAM_DEPTH_UNLIMITED);

	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_TA);
	CU_ASSERT_EQUAL(rec.u.ta.conn_id, 2);
	CU_ASSERT_EQUAL(rec.u.ta.tx_id, 5);

	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_NODE);
	CU_ASSERT_EQUAL(rec.u.node.conn_id, 0);
	EXPECT_STR(rec.u.node.path, "/a");
	CU_ASSERT_EQUAL(rec.u.node.value_len, 3);
	CU_ASSERT(memcmp(rec.u.node.value, "v\0w", 3) == 0);
	CU_ASSERT_EQUAL_FATAL(rec.u.node.n_perms, 2);
	p = stream_node_perm(&r, &rec.u.node, 0);
	CU_ASSERT(p.perm == 'b' && p.flags == 0 && p.domid == 1);
	p = stream_node_perm(&r, &rec.u.node, 1);
	CU_ASSERT(p.perm == 'r' && p.flags == STREAM_PERM_STALE &&
	    p.domid == 2);

	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_END);
	CU_ASSERT(r.ended);
	CU_ASSERT_EQUAL(r.records, 7);
	CU_ASSERT_EQUAL(stream_next(&r, &rec), ENODATA);
}

static void
test_read_golden_v1(void)
{
	check_golden_records(golden_v1, sizeof(golden_v1));
}

/* The golden stream in big-endian order: the reader swaps. */
static void
test_read_big_endian(void)
{
	static const struct { size_t off, width; } fields[] = {
		/* GLOBAL */ {16, 4}, {20, 4}, {24, 4}, {28, 4},
		/* CONN 1 */ {32, 4}, {36, 4}, {40, 4}, {44, 2}, {46, 2},
		{48, 2}, {50, 2}, {52, 4}, {56, 2}, {58, 2}, {60, 4},
		/* CONN 2 */ {64, 4}, {68, 4}, {72, 4}, {76, 2}, {78, 2},
		{80, 4}, {84, 4}, {88, 2}, {90, 2}, {92, 4},
		/* WATCH */ {104, 4}, {108, 4}, {112, 4}, {116, 2}, {118, 2},
		/* TA */ {128, 4}, {132, 4}, {136, 4}, {140, 4},
		/* NODE */ {144, 4}, {148, 4}, {152, 4}, {156, 4}, {160, 2},
		{162, 2}, {164, 2}, {166, 2}, {170, 2}, {174, 2},
		/* END */ {184, 4}, {188, 4},
	};
	uint8_t *be = talloc_memdup(ctx, golden_v1, sizeof(golden_v1));
	size_t i, k;

	CU_ASSERT_EQUAL_FATAL(sizeof(golden_v1), 192);
	be[15] = 1;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint8_t *f = be + fields[i].off, t;

		for (k = 0; k < fields[i].width / 2; k++) {
			t = f[k];
			f[k] = f[fields[i].width - 1 - k];
			f[fields[i].width - 1 - k] = t;
		}
	}
	check_golden_records(be, sizeof(golden_v1));
}

/* Version 2: WATCH_EXT for a watch with a depth, GLOBAL_QUOTA, DOMAIN. */
static void
test_round_trip_v2(void)
{
	struct stream_writer *w = stream_writer_new(ctx, STREAM_VERSION_2);
	const struct stream_watch wa = { 3, "/local", "t", 2 };
	const struct stream_quota gq = { .n_dom = 2, .n_quota = 3 };
	const uint32_t gvals[] = { 1000, 128, 0 };
	const char *const gnames[] = { "nodes", "watches", "memory" };
	const struct stream_quota dq = { .domid = 7, .n_quota = 1,
	    .features = 1 };
	const uint32_t dvals[] = { 42 };
	const char *const dnames[] = { "nodes" };
	struct stream_reader r;
	struct stream_record rec;
	const char *name;
	const void *data;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(stream_put_watch(w, &wa), 0);
	CU_ASSERT_EQUAL(stream_put_quota(w, STREAM_GLOBAL_QUOTA, &gq, gvals,
	    gnames), 0);
	CU_ASSERT_EQUAL(stream_put_quota(w, STREAM_DOMAIN, &dq, dvals,
	    dnames), 0);
	CU_ASSERT_EQUAL(stream_put_end(w), 0);
	data = stream_writer_data(w, &len);
	CU_ASSERT_EQUAL(len % 8, 0);

	CU_ASSERT_EQUAL_FATAL(stream_open(&r, data, len), 0);
	CU_ASSERT_EQUAL(r.version, STREAM_VERSION_2);
	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_WATCH_EXT);
	CU_ASSERT_EQUAL(rec.u.watch.depth, 2);
	EXPECT_STR(rec.u.watch.path, "/local");
	EXPECT_STR(rec.u.watch.token, "t");

	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_GLOBAL_QUOTA);
	CU_ASSERT_EQUAL(rec.u.quota.n_dom, 2);
	CU_ASSERT_EQUAL_FATAL(rec.u.quota.n_quota, 3);
	CU_ASSERT_EQUAL(stream_quota_get(&r, &rec.u.quota, 0, &name), 1000);
	EXPECT_STR(name, "nodes");
	CU_ASSERT_EQUAL(stream_quota_get(&r, &rec.u.quota, 2, &name), 0);
	EXPECT_STR(name, "memory");

	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_DOMAIN);
	CU_ASSERT_EQUAL(rec.u.quota.domid, 7);
	CU_ASSERT_EQUAL(rec.u.quota.features, 1);
	CU_ASSERT_EQUAL_FATAL(rec.u.quota.n_quota, 1);
	CU_ASSERT_EQUAL(stream_quota_get(&r, &rec.u.quota, 0, &name), 42);
	EXPECT_STR(name, "nodes");

	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_END);
}

/* What version 1 cannot carry is refused, and nothing is appended. */
static void
test_put_refused(void)
{
	struct stream_writer *w = stream_writer_new(ctx, STREAM_VERSION_1);
	const struct stream_watch deep = { 1, "/a", "t", 3 };
	const struct stream_quota dq = { .domid = 1, .features = 1 };
	const struct stream_conn c0 = { .conn_id = 0 };
	const struct stream_conn bad_type = { .conn_id = 1, .conn_type = 2 };
	const struct stream_conn bad_resp = { .conn_id = 1,
	    .out = (const uint8_t *)"x", .out_len = 1, .out_resp_len = 2 };
	const struct stream_perm bad_perm[] = { { 'x', 0, 0 } };
	const struct stream_node orphan = { .path = "/a", .n_perms = 0 };
	const struct stream_node n1 = { .path = "/a", .n_perms = 1 };
	const struct stream_ta ta = { 1, 1 };
	char *longpath = talloc_zero_array(ctx, char, 70000);
	struct stream_watch longw = { 1, NULL, "t", STREAM_DEPTH_UNLIMITED };
	size_t before, after;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NULL(stream_writer_new(ctx, 3));
	CU_ASSERT_PTR_NULL(stream_writer_new(ctx, 0));
	stream_writer_data(w, &before);
	CU_ASSERT_EQUAL(stream_put_watch(w, &deep), ENOTSUP);
	CU_ASSERT_EQUAL(stream_put_quota(w, STREAM_DOMAIN, &dq, NULL, NULL),
	    ENOTSUP);
	CU_ASSERT_EQUAL(stream_put_quota(w, STREAM_NODE, &dq, NULL, NULL),
	    EINVAL);
	CU_ASSERT_EQUAL(stream_put_conn(w, &c0), EINVAL);
	CU_ASSERT_EQUAL(stream_put_conn(w, &bad_type), EINVAL);
	CU_ASSERT_EQUAL(stream_put_conn(w, &bad_resp), EINVAL);
	CU_ASSERT_EQUAL(stream_put_node(w, &n1, bad_perm), EINVAL);
	CU_ASSERT_EQUAL(stream_put_node(w, &orphan, NULL), EINVAL);
	memset(longpath, 'a', 69999);
	longw.path = longpath;
	CU_ASSERT_EQUAL(stream_put_watch(w, &longw), EINVAL);
	stream_writer_data(w, &after);
	CU_ASSERT_EQUAL(after, before);
	CU_ASSERT_EQUAL(stream_put_end(w), 0);
	CU_ASSERT_EQUAL(stream_put_ta(w, &ta), EPROTO);
	CU_ASSERT_EQUAL(stream_put_end(w), EPROTO);
}

/* The reader on a copy of golden_v1 changed at off: the error expected. */
static int
read_changed(size_t off, uint8_t byte, size_t len)
{
	uint8_t *b = talloc_memdup(ctx, golden_v1, sizeof(golden_v1));
	struct stream_reader r;
	struct stream_record rec;
	int err;

	if (off < sizeof(golden_v1))
		b[off] = byte;
	err = stream_open(&r, b, len);
	while (err == 0 && !r.ended)
		err = stream_next(&r, &rec);
	CU_ASSERT(err == 0 || r.why != NULL);
	return err;
}

static void
test_read_refused(void)
{
	CU_ASSERT_EQUAL(read_changed(0, 'X', sizeof(golden_v1)), EPROTO);
	CU_ASSERT_EQUAL(read_changed(11, 3, sizeof(golden_v1)),
	    EPROTONOSUPPORT);
	CU_ASSERT_EQUAL(read_changed(14, 1, sizeof(golden_v1)), EPROTO);
	/* Cut short: in the header, then after it (no END). */
	CU_ASSERT_EQUAL(read_changed(sizeof(golden_v1), 0, 15), EPROTO);
	CU_ASSERT_EQUAL(read_changed(sizeof(golden_v1), 0, 16), EPROTO);
	CU_ASSERT_EQUAL(read_changed(sizeof(golden_v1), 0, 100), EPROTO);
	CU_ASSERT_EQUAL(read_changed(sizeof(golden_v1), 0,
	    sizeof(golden_v1) - 1), EPROTO);
	/* GLOBAL's length not a multiple of 8, then past the end. */
	CU_ASSERT_EQUAL(read_changed(20, 9, sizeof(golden_v1)), EPROTO);
	CU_ASSERT_EQUAL(read_changed(21, 1, sizeof(golden_v1)), EPROTO);
	/* CONN 1: conn-id 0, conn-type 2. */
	CU_ASSERT_EQUAL(read_changed(40, 0, sizeof(golden_v1)), EPROTO);
	CU_ASSERT_EQUAL(read_changed(44, 2, sizeof(golden_v1)), EPROTO);
	/* CONN 2: in-data-len past its record; out-resp-len > out. */
	CU_ASSERT_EQUAL(read_changed(88, 9, sizeof(golden_v1)), EPROTO);
	CU_ASSERT_EQUAL(read_changed(90, 6, sizeof(golden_v1)), EPROTO);
	/* WATCH: path without its nul; a nul inside the token's length. */
	CU_ASSERT_EQUAL(read_changed(122, 'x', sizeof(golden_v1)), EPROTO);
	CU_ASSERT_EQUAL(read_changed(118, 4, sizeof(golden_v1)), EPROTO);
	/* NODE: a perm 'x'; too many perms; value past the record. */
	CU_ASSERT_EQUAL(read_changed(168, 'x', sizeof(golden_v1)), EPROTO);
	CU_ASSERT_EQUAL(read_changed(166, 9, sizeof(golden_v1)), EPROTO);
	CU_ASSERT_EQUAL(read_changed(162, 9, sizeof(golden_v1)), EPROTO);
	/* A committed NODE with no owner. */
	CU_ASSERT_EQUAL(read_changed(166, 0, sizeof(golden_v1)), EPROTO);
	/* Control: unchanged, the whole stream reads. */
	CU_ASSERT_EQUAL(read_changed(sizeof(golden_v1), 0, sizeof(golden_v1)),
	    0);
}

/* Unknown types, and WATCH_EXT in version 1, are given back to skip. */
static void
test_unknown_skipped(void)
{
	static const uint8_t s[] = {
		HEADER(1),
		LE32(99), LE32(8), 1, 2, 3, 4, 5, 6, 7, 8,
		LE32(8), LE32(8), 0, 0, 0, 0, 0, 0, 0, 0,
		LE32(0), LE32(0),
	};
	struct stream_reader r;
	struct stream_record rec;

	CU_ASSERT_EQUAL_FATAL(stream_open(&r, s, sizeof(s)), 0);
	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, 99);
	CU_ASSERT_EQUAL(rec.len, 8);
	EXPECT_STR(stream_type_name(rec.type), "unknown");
	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_WATCH_EXT);
	CU_ASSERT_PTR_NULL(rec.u.watch.path);
	CU_ASSERT_EQUAL_FATAL(stream_next(&r, &rec), 0);
	CU_ASSERT_EQUAL(rec.type, STREAM_END);
}

static const struct cu_test tests[] = {
	TEST(test_write_golden_v1),
	TEST(test_read_golden_v1),
	TEST(test_read_big_endian),
	TEST(test_round_trip_v2),
	TEST(test_put_refused),
	TEST(test_read_refused),
	TEST(test_unknown_skipped),
	TEST_END
};

int
main(void)
{
	const struct cu_suite suites[] = {
		{ "stream", setup, teardown, tests },
	};

	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
