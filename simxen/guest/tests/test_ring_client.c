/*
 * Unit tests of the simulated guest's ring client (guest.c) against a
 * fake xenstore server: a thread on a malloc'd page, with an eventfd per
 * direction standing in for the event channel.  The fake echoes every
 * request (same type, req_id and payload), can put watch events and
 * decoy replies before each answer, checks the ring as a server must
 * (indexes, header length: the error indicator), and completes ring
 * reconnections (docs/misc/xenstore-ring.txt).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../../../tests/unit/cu_main.h"
#include "guest.h"

#define FRAME_MAX	(sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)
#define OUT_SIZE	(256u * 1024u)
#define OUT_HIGH	(64u * 1024u)	/* stop reading requests above */
#define TIMEOUT_MS	5000

struct fake {
	struct xenstore_domain_interface *intf;
	int		 to_server, to_guest;	/* eventfds */
	pthread_t	 thread;
	/* Held by the server over each pass on the ring, so that a test
	 * moving the indexes cannot land between its loads of them. */
	pthread_mutex_t	 lock;
	atomic_bool	 stop;
	/* Behaviour, set while the client is idle. */
	atomic_uint	 events_per_watch;	/* events before a WATCH reply */
	atomic_bool	 decoy;		/* a reply with a wrong req_id first */
	atomic_bool	 mute;		/* read requests, answer nothing */
	/* Server-private state. */
	bool		 stopped;	/* after setting the error indicator */
	char		 in[FRAME_MAX];
	size_t		 in_len;
	char		 out[OUT_SIZE];
	size_t		 out_off, out_len;
};

static struct fake *fk;
static struct sg_guest *g;

static uint32_t
ld(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void
st(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static void
kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		abort();	/* an eventfd write cannot fail here */
}

/* Wait up to ms for fd; true if it fired (and is now cleared). */
static bool
await(int fd, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	uint64_t v;

	if (poll(&pfd, 1, ms) <= 0)
		return false;
	return read(fd, &v, sizeof(v)) == sizeof(v);
}

/*
 * The fake server.
 */

static void
set_error(struct fake *f, uint32_t v)
{
	st(&f->intf->error, v);
	f->stopped = true;
	kick(f->to_guest);
}

static void
queue_out(struct fake *f, uint32_t type, uint32_t req_id, uint32_t tx_id,
    const void *p, size_t len)
{
	struct xsd_sockmsg hdr = { type, req_id, tx_id, len };

	if (f->out_off == f->out_len)
		f->out_off = f->out_len = 0;
	if (f->out_len + sizeof(hdr) + len > OUT_SIZE) {
		memmove(f->out, f->out + f->out_off, f->out_len - f->out_off);
		f->out_len -= f->out_off;
		f->out_off = 0;
	}
	memcpy(f->out + f->out_len, &hdr, sizeof(hdr));
	memcpy(f->out + f->out_len + sizeof(hdr), p, len);
	f->out_len += sizeof(hdr) + len;
}

static void
handle(struct fake *f, const struct xsd_sockmsg *h, const char *p)
{
	unsigned int i, n = atomic_load(&f->events_per_watch);
	char ev[FRAME_MAX];
	size_t plen, tlen;
	int len;

	if (atomic_load(&f->mute))
		return;
	if (atomic_load(&f->decoy))
		queue_out(f, XS_ERROR, h->req_id + 1000, 0, "EINVAL", 7);
	if (h->type == XS_WATCH) {
		plen = strnlen(p, h->len);
		tlen = plen < h->len ? strnlen(p + plen + 1,
		    h->len - plen - 1) : 0;
		for (i = 0; i < n; i++) {
			len = snprintf(ev, 1024, "%.*s/%u", (int)plen, p, i);
			memcpy(ev + len + 1, p + plen + 1, tlen);
			ev[len + 1 + tlen] = '\0';
			queue_out(f, XS_WATCH_EVENT, 0, 0, ev,
			    len + 2 + tlen);
		}
		queue_out(f, XS_WATCH, h->req_id, 0, "OK", 3);
		return;
	}
	queue_out(f, h->type, h->req_id, h->tx_id, p, h->len);
}

/* Read request bytes one at a time (not the client's chunked copy). */
static bool
read_requests(struct fake *f)
{
	struct xenstore_domain_interface *intf = f->intf;
	struct xsd_sockmsg hdr;
	uint32_t cons, prod;
	size_t need;
	bool moved = false;

	cons = ld(&intf->req_cons);
	prod = ld(&intf->req_prod);
	atomic_thread_fence(memory_order_acquire);
	if (prod - cons > XENSTORE_RING_SIZE) {
		set_error(f, XENSTORE_ERROR_RINGIDX);
		return false;
	}
	while (cons != prod && f->out_len - f->out_off < OUT_HIGH) {
		f->in[f->in_len++] = intf->req[MASK_XENSTORE_IDX(cons)];
		cons++;
		moved = true;
		if (f->in_len < sizeof(hdr))
			continue;
		memcpy(&hdr, f->in, sizeof(hdr));
		if (hdr.len > XENSTORE_PAYLOAD_MAX) {
			set_error(f, XENSTORE_ERROR_PROTO);
			break;
		}
		need = sizeof(hdr) + hdr.len;
		if (f->in_len == need) {
			handle(f, &hdr, f->in + sizeof(hdr));
			f->in_len = 0;
		}
	}
	atomic_thread_fence(memory_order_release);
	st(&intf->req_cons, cons);
	return moved;
}

static bool
write_replies(struct fake *f)
{
	struct xenstore_domain_interface *intf = f->intf;
	uint32_t cons, prod;
	bool moved = false;

	cons = ld(&intf->rsp_cons);
	prod = ld(&intf->rsp_prod);
	atomic_thread_fence(memory_order_acquire);
	if (prod - cons > XENSTORE_RING_SIZE)
		return false;	/* tests break it on purpose: stall */
	while (f->out_off < f->out_len &&
	    prod - cons < XENSTORE_RING_SIZE) {
		intf->rsp[MASK_XENSTORE_IDX(prod)] = f->out[f->out_off++];
		prod++;
		moved = true;
	}
	atomic_thread_fence(memory_order_release);
	st(&intf->rsp_prod, prod);
	return moved;
}

static void
reconnect(struct fake *f)
{
	struct xenstore_domain_interface *intf = f->intf;

	f->in_len = 0;
	f->out_off = f->out_len = 0;
	f->stopped = false;
	st(&intf->req_cons, 0);
	st(&intf->req_prod, 0);
	st(&intf->rsp_cons, 0);
	st(&intf->rsp_prod, 0);
	st(&intf->error, XENSTORE_ERROR_NONE);
	atomic_thread_fence(memory_order_release);
	st(&intf->connection, XENSTORE_CONNECTED);
}

static void *
server(void *arg)
{
	struct fake *f = arg;
	bool moved, any;

	while (!atomic_load(&f->stop)) {
		await(f->to_server, 1000);
		pthread_mutex_lock(&f->lock);
		any = false;
		if (ld(&f->intf->connection) == XENSTORE_RECONNECT) {
			reconnect(f);
			any = true;
		}
		do {
			moved = false;
			if (!f->stopped)
				moved |= read_requests(f);
			if (!f->stopped)
				moved |= write_replies(f);
			any |= moved;
		} while (moved);
		if (any)
			kick(f->to_guest);
		pthread_mutex_unlock(&f->lock);
	}
	return NULL;
}

/*
 * The client's transport over the fake.
 */

static void
t_notify(void *arg)
{
	kick(((struct fake *)arg)->to_server);
}

static bool
t_wait(void *arg, int ms)
{
	return await(((struct fake *)arg)->to_guest, ms);
}

static struct fake *
fake_start(uint32_t features)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->intf = aligned_alloc(4096, 4096)) == NULL)
		abort();
	memset(f->intf, 0, 4096);
	f->intf->server_features = features;
	if (pthread_mutex_init(&f->lock, NULL) != 0)
		abort();
	f->to_server = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->to_guest = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->to_server < 0 || f->to_guest < 0 ||
	    pthread_create(&f->thread, NULL, server, f) != 0)
		abort();
	return f;
}

static void
fake_stop(struct fake *f)
{
	atomic_store(&f->stop, true);
	kick(f->to_server);
	pthread_join(f->thread, NULL);
	close(f->to_server);
	close(f->to_guest);
	pthread_mutex_destroy(&f->lock);
	free(f->intf);
	free(f);
}

static void
start(uint32_t features)
{
	struct sg_transport t;

	fk = fake_start(features);
	t = (struct sg_transport){ fk->intf, t_notify, t_wait, NULL, fk };
	CU_ASSERT_FATAL(sg_open_transport(&t, &g) == 0);
}

static void
teardown(void)
{
	sg_close(g);
	g = NULL;
	if (fk != NULL)
		fake_stop(fk);
	fk = NULL;
}

static void
setup_all(void)
{
	start(XENSTORE_SERVER_FEATURE_RECONNECTION |
	    XENSTORE_SERVER_FEATURE_ERROR);
}

static void
setup_none(void)
{
	start(0);
}

/* One echo round trip of len bytes of a pattern seeded by seed. */
static bool
echo(size_t len, unsigned int seed)
{
	static char buf[XENSTORE_PAYLOAD_MAX];
	struct sg_reply r;
	size_t i;
	bool ok;
	int err;

	for (i = 0; i < len; i++)
		buf[i] = (char)(i * 7 + seed);
	err = sg_request(g, XS_WRITE, 3, buf, len, &r, TIMEOUT_MS);
	if (err != 0) {
		fprintf(stderr, "\necho %zu: %s\n", len, strerror(err));
		return false;
	}
	ok = r.hdr.type == XS_WRITE && r.hdr.tx_id == 3 && r.hdr.len == len &&
	    memcmp(r.body, buf, len) == 0 && r.body[len] == '\0';
	if (!ok)
		fprintf(stderr, "\necho %zu: bad reply (type %u len %u)\n",
		    len, r.hdr.type, r.hdr.len);
	free(r.body);
	return ok;
}

/* Move all four indexes to v while the client is idle.  The server may
 * still be in the pass that wrote the last reply (it loops until a pass
 * moves nothing), so wait that pass out. */
static void
set_indexes(uint32_t v)
{
	struct xenstore_domain_interface *intf = fk->intf;

	pthread_mutex_lock(&fk->lock);
	CU_ASSERT(ld(&intf->req_prod) == ld(&intf->req_cons));
	CU_ASSERT(ld(&intf->rsp_prod) == ld(&intf->rsp_cons));
	st(&intf->req_cons, v);
	st(&intf->req_prod, v);
	st(&intf->rsp_cons, v);
	st(&intf->rsp_prod, v);
	atomic_thread_fence(memory_order_seq_cst);
	pthread_mutex_unlock(&fk->lock);
}

/*
 * Tests.
 */

static void
test_echo(void)
{
	CU_ASSERT(echo(5, 0));
	CU_ASSERT(echo(0, 0));
}

/* Every start offset, near 0 and near the 2^32 wrap of the indexes;
 * small packets and ones over a ring fill. */
static void
test_wrap_every_offset(void)
{
	static const uint32_t bases[] = { 0, 0xfffffc00u, 0x7ffffe00u };
	unsigned int b, off, bad = 0;

	for (b = 0; b < 3; b++) {
		for (off = 0; off < XENSTORE_RING_SIZE; off++) {
			set_indexes(bases[b] + off);
			if (!echo(1 + off % 61, off) ||
			    !echo(XENSTORE_RING_SIZE - 16 + off % 3, off) ||
			    !echo(1500 + off, off))
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_every_payload_size(void)
{
	struct sg_reply r;
	unsigned int len, bad = 0;

	set_indexes(0xfffffff0u);	/* wrap the indexes on the way */
	for (len = 0; len <= XENSTORE_PAYLOAD_MAX; len++)
		if (!echo(len, len))
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(sg_request(g, XS_WRITE, 0, "", XENSTORE_PAYLOAD_MAX + 1,
	    &r, TIMEOUT_MS), EINVAL);
	CU_ASSERT(echo(10, 1));
}

static void
test_events_interleaved(void)
{
	static const char w[] = "/a\0tok";
	char *buf, want[16];
	const char *path, *token;
	struct sg_reply r;
	int i, round;

	atomic_store(&fk->events_per_watch, 3);
	for (round = 0; round < 2; round++) {
		CU_ASSERT_FATAL(sg_request(g, XS_WATCH, 0, w, sizeof(w), &r,
		    TIMEOUT_MS) == 0);
		EXPECT_STR(r.body, "OK");
		free(r.body);
		/* Events arriving during a later request stay queued. */
		CU_ASSERT(echo(2000, round));
	}
	CU_ASSERT_EQUAL(sg_events_queued(g), 6);
	for (i = 0; i < 6; i++) {
		CU_ASSERT_FATAL(sg_event(g, &buf, &path, &token, 0) == 0);
		snprintf(want, sizeof(want), "/a/%d", i % 3);
		EXPECT_STR(path, want);
		EXPECT_STR(token, "tok");
		free(buf);
	}
	CU_ASSERT_EQUAL(sg_event(g, &buf, &path, &token, 50), ETIMEDOUT);
	CU_ASSERT_EQUAL(sg_events_queued(g), 0);
}

/* An event only: sg_event() pulls it off the ring. */
static void
test_event_wait(void)
{
	static const char w[] = "/b\0t2";
	char *buf;
	const char *path, *token;
	struct sg_reply r;

	atomic_store(&fk->events_per_watch, 1);
	/* The request is answered; its event comes before the reply. */
	CU_ASSERT_FATAL(sg_request(g, XS_WATCH, 0, w, sizeof(w), &r,
	    TIMEOUT_MS) == 0);
	free(r.body);
	CU_ASSERT_FATAL(sg_event(g, &buf, &path, &token, TIMEOUT_MS) == 0);
	EXPECT_STR(path, "/b/0");
	EXPECT_STR(token, "t2");
	free(buf);
}

static void
test_reply_matching(void)
{
	atomic_store(&fk->decoy, true);
	CU_ASSERT(echo(100, 1));
	CU_ASSERT(echo(3000, 2));
	atomic_store(&fk->decoy, false);
	CU_ASSERT(echo(100, 3));
}

static void
test_timeout(void)
{
	struct sg_reply r;

	atomic_store(&fk->mute, true);
	CU_ASSERT_EQUAL(sg_request(g, XS_READ, 0, "/", 2, &r, 100),
	    ETIMEDOUT);
	atomic_store(&fk->mute, false);
	CU_ASSERT(echo(10, 1));
}

static void
test_reconnect(void)
{
	struct sg_reply r;

	/* Leave a request half-read by the server: a header only. */
	struct xsd_sockmsg h = { XS_READ, 77, 0, 100 };

	CU_ASSERT(echo(10, 1));
	CU_ASSERT_EQUAL(sg_raw_write(g, &h, sizeof(h)), sizeof(h));
	CU_ASSERT_EQUAL(sg_reconnect(g, TIMEOUT_MS), 0);
	CU_ASSERT_EQUAL(fk->intf->connection, XENSTORE_CONNECTED);
	CU_ASSERT_EQUAL(fk->intf->req_prod, 0);
	CU_ASSERT(echo(10, 2));
	CU_ASSERT(echo(4096, 3));
	CU_ASSERT_EQUAL(sg_request(g, XS_READ, 0, "/", 2, &r, TIMEOUT_MS), 0);
	free(r.body);
}

/* A reconnection someone else started: requests wait for its end. */
static void
test_reconnect_in_progress(void)
{
	st(&fk->intf->connection, XENSTORE_RECONNECT);
	kick(fk->to_server);
	CU_ASSERT(echo(10, 1));
}

static void
test_reconnect_unsupported(void)
{
	CU_ASSERT_EQUAL(sg_reconnect(g, 100), ENOTSUP);
	CU_ASSERT(echo(10, 1));
}

static void
test_error_bad_req_prod(void)
{
	struct sg_reply r;
	int i;

	CU_ASSERT(echo(10, 1));
	sg_set_req_prod(g, ld(&fk->intf->req_cons) + 5000);
	/* Our own request ring is broken now: let the server say so. */
	for (i = 0; i < 50 && sg_error(g) == 0; i++)
		await(fk->to_guest, 100);
	CU_ASSERT_EQUAL(sg_request(g, XS_READ, 0, "/", 2, &r, TIMEOUT_MS),
	    EPROTO);
	CU_ASSERT_EQUAL(sg_error(g), XENSTORE_ERROR_RINGIDX);
	CU_ASSERT_EQUAL(sg_reconnect(g, TIMEOUT_MS), 0);
	CU_ASSERT_EQUAL(sg_error(g), XENSTORE_ERROR_NONE);
	CU_ASSERT(echo(10, 2));
}

static void
test_error_oversize_header(void)
{
	struct xsd_sockmsg h = { XS_WRITE, 99, 0, 5000 };
	struct sg_reply r;

	CU_ASSERT_EQUAL(sg_raw_write(g, &h, sizeof(h)), sizeof(h));
	CU_ASSERT_EQUAL(sg_request(g, XS_READ, 0, "/", 2, &r, TIMEOUT_MS),
	    EPROTO);
	CU_ASSERT_EQUAL(sg_error(g), XENSTORE_ERROR_PROTO);
	CU_ASSERT_EQUAL(sg_reconnect(g, TIMEOUT_MS), 0);
	CU_ASSERT(echo(10, 2));
}

/* Without the feature the field means nothing: the client ignores it
 * (and the stopped fake answers nothing). */
static void
test_error_without_feature(void)
{
	struct sg_reply r;

	st(&fk->intf->error, 1);
	CU_ASSERT(echo(10, 1));
	atomic_store(&fk->mute, true);
	CU_ASSERT_EQUAL(sg_request(g, XS_READ, 0, "/", 2, &r, 100),
	    ETIMEDOUT);
}

static void
test_bad_rsp_indexes(void)
{
	struct sg_reply r;

	st(&fk->intf->rsp_prod, ld(&fk->intf->rsp_cons) + 2000);
	CU_ASSERT_EQUAL(sg_request(g, XS_READ, 0, "/", 2, &r, TIMEOUT_MS),
	    EBADMSG);
	CU_ASSERT_EQUAL(sg_reconnect(g, TIMEOUT_MS), 0);
	CU_ASSERT(echo(10, 1));
}

/* A server reply header over the limit. */
static void
test_bad_reply_header(void)
{
	struct xenstore_domain_interface *intf = fk->intf;
	struct xsd_sockmsg h = { XS_READ, 1, 0, 4097 };
	struct sg_reply r;
	uint32_t prod;
	size_t i;

	atomic_store(&fk->mute, true);
	prod = ld(&intf->rsp_prod);
	for (i = 0; i < sizeof(h); i++)
		intf->rsp[MASK_XENSTORE_IDX(prod + i)] = ((char *)&h)[i];
	atomic_thread_fence(memory_order_release);
	st(&intf->rsp_prod, prod + sizeof(h));
	CU_ASSERT_EQUAL(sg_request(g, XS_READ, 0, "/", 2, &r, TIMEOUT_MS),
	    EBADMSG);
	atomic_store(&fk->mute, false);
	CU_ASSERT_EQUAL(sg_reconnect(g, TIMEOUT_MS), 0);
	CU_ASSERT(echo(10, 1));
}

/* Requests never answered are never read: flood stops at a full ring. */
static void
test_flood(void)
{
	unsigned int n = sg_flood(g, 100);

	/* The fake buffers OUT_HIGH bytes of 18-byte replies, then both
	 * rings fill: some thousands, never unbounded. */
	CU_ASSERT(n > OUT_HIGH / 18);
	CU_ASSERT(n < OUT_HIGH / 18 + 2 * XENSTORE_RING_SIZE / 18 + 10);
	CU_ASSERT_EQUAL(sg_reconnect(g, TIMEOUT_MS), 0);
	CU_ASSERT(echo(10, 1));
}

/* Requests sent back to back, replies awaited afterwards, in order. */
static void
test_send_await(void)
{
	static const char p1[] = "/a", p2[] = "/bb", p3[] = "/ccc";
	uint32_t id1, id2, id3;
	struct sg_reply r;

	CU_ASSERT_FATAL(sg_send(g, XS_READ, 0, p1, sizeof(p1), &id1,
	    TIMEOUT_MS) == 0);
	CU_ASSERT_FATAL(sg_send(g, XS_READ, 0, p2, sizeof(p2), &id2,
	    TIMEOUT_MS) == 0);
	CU_ASSERT_FATAL(sg_send(g, XS_WRITE, 0, p3, sizeof(p3), &id3,
	    TIMEOUT_MS) == 0);
	CU_ASSERT(id1 != id2 && id2 != id3);
	/* The first reply is dropped: we wait for the second. */
	CU_ASSERT_FATAL(sg_await(g, id2, &r, TIMEOUT_MS) == 0);
	CU_ASSERT_EQUAL(r.hdr.req_id, id2);
	CU_ASSERT_EQUAL(r.hdr.len, sizeof(p2));
	CU_ASSERT(memcmp(r.body, p2, sizeof(p2)) == 0);
	free(r.body);
	CU_ASSERT_FATAL(sg_await(g, id3, &r, TIMEOUT_MS) == 0);
	CU_ASSERT_EQUAL(r.hdr.type, XS_WRITE);
	free(r.body);
	CU_ASSERT_EQUAL(sg_await(g, id1, &r, 50), ETIMEDOUT);
	CU_ASSERT(echo(10, 1));
}

/* sg_send() never reads a reply: once the fake holds OUT_HIGH bytes of
 * replies it stops reading, and the request ring stays full. */
static void
test_send_full_ring(void)
{
	static char big[XENSTORE_PAYLOAD_MAX];
	unsigned int i;
	uint32_t id;
	int err = 0;

	for (i = 0; i < 100 && err == 0; i++)
		err = sg_send(g, XS_WRITE, 0, big, sizeof(big), &id, 100);
	CU_ASSERT_EQUAL(err, ETIMEDOUT);
	CU_ASSERT(i > OUT_HIGH / sizeof(big));
	CU_ASSERT_EQUAL(sg_reconnect(g, TIMEOUT_MS), 0);
	CU_ASSERT(echo(10, 1));
}

static const struct cu_test full_tests[] = {
	TEST(test_echo),
	TEST(test_wrap_every_offset),
	TEST(test_every_payload_size),
	TEST(test_events_interleaved),
	TEST(test_event_wait),
	TEST(test_reply_matching),
	TEST(test_timeout),
	TEST(test_reconnect),
	TEST(test_reconnect_in_progress),
	TEST(test_error_bad_req_prod),
	TEST(test_error_oversize_header),
	TEST(test_bad_rsp_indexes),
	TEST(test_bad_reply_header),
	TEST(test_flood),
	TEST(test_send_await),
	TEST(test_send_full_ring),
	TEST_END
};

static const struct cu_test bare_tests[] = {
	TEST(test_echo),
	TEST(test_reconnect_unsupported),
	TEST(test_error_without_feature),
	TEST_END
};

int
main(void)
{
	static const struct cu_suite suites[] = {
		{ "ring client, all features", setup_all, teardown,
		    full_tests },
		{ "ring client, no features", setup_none, teardown,
		    bare_tests },
	};

	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
