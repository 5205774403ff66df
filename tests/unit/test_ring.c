/*
 * conn_ring.c against a ring page in memory, the test playing the guest:
 * frames across the wrap at every offset, replies split over ring fills,
 * index checks (error indicator, connection stopped), the payload limit,
 * reconnection, pausing a guest that does not read, the bound on reads
 * per event, and the watch events dropped for a guest that does not read.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn_ring.h"
#include "cu_main.h"
#include "loop.h"

static struct xenstore_domain_interface *intf;
static struct ring_conn *rc;
static unsigned int notified, gone_calls, frames;
static struct xsd_sockmsg last_hdr;
static char last_payload[XENSTORE_PAYLOAD_MAX + 1];
static size_t reply_len;	/* echo this many bytes back per frame */
static unsigned int refills;	/* frames the guest writes while we read */
static TALLOC_CTX *ctx;

/* One event reads a ring at most this often (docs/domains.md). */
#define READS_PER_EVENT	16

static void	put_frame(uint32_t, uint32_t, const char *, size_t);

static void
t_notify(void *arg)
{
	(void)arg;
	notified++;
}

static void
t_gone(void *arg)
{
	(void)arg;
	gone_calls++;
	rc = NULL;
}

static const struct ring_conn_ops ops = { t_notify, t_gone };

/* The "daemon": count frames, remember the last, reply with its bytes. */
static void
on_frame(struct connection *conn, const struct xsd_sockmsg *hdr,
    char *payload, TALLOC_CTX *req_ctx, void *arg)
{
	(void)req_ctx;
	(void)arg;
	frames++;
	last_hdr = *hdr;
	memcpy(last_payload, payload, hdr->len + 1);
	conn_send(conn, hdr->type, hdr->req_id, hdr->tx_id, payload,
	    reply_len < hdr->len ? reply_len : hdr->len);
	/* A guest that writes on while we read (no notification needed). */
	if (refills > 0) {
		refills--;
		put_frame(XS_READ, hdr->req_id + 1, "r", 1);
	}
}

static void
setup(void)
{
	ctx = talloc_new(NULL);
	CU_ASSERT_FATAL(loop_init() == 0);
	intf = calloc(1, 4096);	/* one ring page */
	notified = gone_calls = frames = refills = 0;
	reply_len = ~(size_t)0;
	ring_advertise(intf, RING_FEATURES);
	rc = ring_conn_new(ctx, intf, 5, false, &ops, &rc, on_frame, NULL);
	CU_ASSERT_FATAL(rc != NULL);
}

static void
teardown(void)
{
	loop_run_deferred();
	TALLOC_FREE(ctx);
	loop_fini();
	free(intf);
}

/* Guest side: put bytes on the request ring; false if no room. */
static bool
guest_put(const void *buf, size_t len)
{
	uint32_t prod = intf->req_prod, i;

	if (len > XENSTORE_RING_SIZE - (prod - intf->req_cons))
		return false;
	for (i = 0; i < len; i++)
		intf->req[MASK_XENSTORE_IDX(prod + i)] = ((const char *)buf)[i];
	__atomic_thread_fence(__ATOMIC_RELEASE);
	intf->req_prod = prod + len;
	return true;
}

/* Guest side: take up to len response bytes. */
static size_t
guest_get(void *buf, size_t len)
{
	uint32_t cons = intf->rsp_cons, n = intf->rsp_prod - cons, i;

	if (n > len)
		n = len;
	for (i = 0; i < n; i++)
		((char *)buf)[i] = intf->rsp[MASK_XENSTORE_IDX(cons + i)];
	intf->rsp_cons = cons + n;
	return n;
}

static void
put_frame(uint32_t type, uint32_t req_id, const char *payload, size_t len)
{
	struct xsd_sockmsg h = { type, req_id, 0, len };

	CU_ASSERT_FATAL(guest_put(&h, sizeof(h)));
	CU_ASSERT_FATAL(guest_put(payload, len));
}

static void
test_features(void)
{
	CU_ASSERT_EQUAL(intf->server_features, RING_FEATURES);
	CU_ASSERT_EQUAL(intf->connection, XENSTORE_CONNECTED);
}

static void
test_wrap_every_offset(void)
{
	char payload[100], got[sizeof(struct xsd_sockmsg) + 100];
	struct xsd_sockmsg h;
	unsigned int off;

	/* Start the indexes near 2^32 too: they are free-running. */
	intf->req_cons = intf->req_prod = 0xfffffff0u;
	intf->rsp_cons = intf->rsp_prod = 0xfffffff0u;
	for (off = 0; off < XENSTORE_RING_SIZE; off += 7) {
		memset(payload, 'a' + off % 26, sizeof(payload));
		put_frame(XS_READ, off, payload, 1 + off % 99);
		ring_conn_event(rc);
		CU_ASSERT_EQUAL(last_hdr.req_id, off);
		CU_ASSERT_EQUAL(last_hdr.len, 1 + off % 99);
		CU_ASSERT(memcmp(last_payload, payload, 1 + off % 99) == 0);
		CU_ASSERT_EQUAL(guest_get(got, sizeof(got)),
		    sizeof(h) + 1 + off % 99);
		memcpy(&h, got, sizeof(h));
		CU_ASSERT_EQUAL(h.req_id, off);
		CU_ASSERT(memcmp(got + sizeof(h), payload, h.len) == 0);
	}
	CU_ASSERT(notified > 0);
	CU_ASSERT_EQUAL(intf->error, XENSTORE_ERROR_NONE);
}

/* A 4096-byte request and reply need several ring fills each way. */
static void
test_max_payload_split(void)
{
	static char payload[XENSTORE_PAYLOAD_MAX], got[sizeof(payload) + 16];
	struct xsd_sockmsg h = { XS_WRITE, 9, 0, sizeof(payload) };
	size_t sent = 0, rcvd = 0, n;
	unsigned int i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = i * 7;
	CU_ASSERT_FATAL(guest_put(&h, sizeof(h)));
	for (i = 0; i < 100 && rcvd < sizeof(got); i++) {
		n = XENSTORE_RING_SIZE - (intf->req_prod - intf->req_cons);
		if (n > sizeof(payload) - sent)
			n = sizeof(payload) - sent;
		if (n > 0 && guest_put(payload + sent, n))
			sent += n;
		ring_conn_event(rc);
		rcvd += guest_get(got + rcvd, sizeof(got) - rcvd);
		ring_conn_event(rc);	/* the guest made room */
	}
	CU_ASSERT_EQUAL(frames, 1);
	CU_ASSERT_EQUAL(rcvd, sizeof(got));
	CU_ASSERT(memcmp(got + 16, payload, sizeof(payload)) == 0);
}

static void
test_bad_request_indexes(void)
{
	intf->req_prod = intf->req_cons + XENSTORE_RING_SIZE + 1;
	ring_conn_event(rc);
	CU_ASSERT_EQUAL(intf->error, XENSTORE_ERROR_RINGIDX);
	loop_run_deferred();
	CU_ASSERT_EQUAL(gone_calls, 1);
	CU_ASSERT_EQUAL(frames, 0);
}

static void
test_bad_response_indexes(void)
{
	intf->rsp_cons = intf->rsp_prod + 5;	/* consumer ahead of us */
	put_frame(XS_READ, 1, "x", 1);
	ring_conn_event(rc);
	CU_ASSERT_EQUAL(intf->error, XENSTORE_ERROR_RINGIDX);
	loop_run_deferred();
	CU_ASSERT_EQUAL(gone_calls, 1);
}

static void
test_oversize_payload(void)
{
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

	CU_ASSERT_FATAL(guest_put(&h, sizeof(h)));
	ring_conn_event(rc);
	CU_ASSERT_EQUAL(intf->error, XENSTORE_ERROR_PROTO);
	CU_ASSERT_EQUAL(frames, 0);
	loop_run_deferred();
	CU_ASSERT_EQUAL(gone_calls, 1);
}

static void
test_reconnect_reset(void)
{
	put_frame(XS_READ, 1, "abc", 3);
	intf->connection = XENSTORE_RECONNECT;
	CU_ASSERT(ring_reconnect_requested(intf));
	intf->error = XENSTORE_ERROR_RINGIDX;
	ring_reset(intf, RING_FEATURES);
	CU_ASSERT_EQUAL(intf->connection, XENSTORE_CONNECTED);
	CU_ASSERT_EQUAL(intf->error, XENSTORE_ERROR_NONE);
	CU_ASSERT_EQUAL(intf->req_prod - intf->req_cons, 0);
	CU_ASSERT_EQUAL(intf->rsp_prod - intf->rsp_cons, 0);
	CU_ASSERT(!ring_reconnect_requested(intf));
}

/* A guest that never reads stops being read, and its ring stays full. */
static void
test_pause_non_reader(void)
{
	char payload[200];
	unsigned int i, before;

	conn_set_limits(ring_conn_connection(rc), 2000, 0);
	memset(payload, 'z', sizeof(payload));
	for (i = 0; i < 200; i++) {
		if (!guest_put(&(struct xsd_sockmsg){ XS_READ, i, 0,
		    sizeof(payload) }, sizeof(struct xsd_sockmsg)))
			break;
		while (!guest_put(payload, sizeof(payload))) {
			before = frames;
			ring_conn_event(rc);
			if (frames == before &&
			    conn_input_paused(ring_conn_connection(rc)))
				goto paused;
		}
		ring_conn_event(rc);
	}
paused:
	CU_ASSERT(conn_input_paused(ring_conn_connection(rc)));
	CU_ASSERT(conn_out_bytes(ring_conn_connection(rc)) < 2000 + 2 * 4200);
	before = frames;
	ring_conn_event(rc);
	CU_ASSERT_EQUAL(frames, before);
}

/*
 * A guest that keeps its ring busy (it writes the next request while we
 * handle one) gets at most READS_PER_EVENT reads per event; the call says
 * that input is left, and the calls that follow, with no notification in
 * between, serve the rest, each within the same bound.
 */
static void
test_reads_per_event_bound(void)
{
	unsigned int before, calls = 0;
	bool more;

	reply_len = 0;
	refills = 99;		/* 100 requests in all */
	put_frame(XS_READ, 0, "r", 1);
	more = ring_conn_event(rc);
	CU_ASSERT_EQUAL(frames, READS_PER_EVENT);
	CU_ASSERT(more);
	while (more && calls++ < 100) {
		before = frames;
		more = ring_conn_event(rc);
		CU_ASSERT(frames - before <= READS_PER_EVENT);
		CU_ASSERT(frames - before > 0);
	}
	CU_ASSERT_EQUAL(frames, 100);
	CU_ASSERT_EQUAL(last_hdr.req_id, 99);
	CU_ASSERT(!ring_conn_event(rc));
	CU_ASSERT_EQUAL(frames, 100);
}

/*
 * Watch events for a guest that does not read: past event_max bytes
 * queued they are dropped and counted, the queue stays under the limit,
 * the connection stays up, and what was queued arrives whole once the
 * guest reads.
 */
static void
test_event_drop_limit(void)
{
	static char token[3000], got[64 * 1024 + 8192];
	const size_t limit = 64 * 1024;
	const char *path = "/local/domain/5/data/x";
	struct connection *conn = ring_conn_connection(rc);
	unsigned int i, sent = 0, events = 0, tries = 1000;
	size_t have = 0, off, n;
	struct xsd_sockmsg h;
	int err;

	memset(token, 't', sizeof(token) - 1);
	conn_set_limits(conn, 0, limit);
	for (i = 0; i < tries; i++) {
		err = conn_send_event(conn, path, token);
		CU_ASSERT(err == 0 || err == ENOSPC);
		if (err == 0)
			sent++;
		loop_run_deferred();	/* the flush: the ring takes 1 KiB */
		CU_ASSERT(conn_out_bytes(conn) <= limit);
	}
	CU_ASSERT(!conn_closing(conn));
	CU_ASSERT(conn_out_bytes(conn) <= limit);
	CU_ASSERT(conn_out_bytes(conn) > limit - sizeof(token) - 100);
	CU_ASSERT(sent > 0 && sent < tries);
	CU_ASSERT_EQUAL(conn_events_dropped(conn), tries - sent);
	/* The guest reads everything: whole events, as many as were sent. */
	for (i = 0; i < 10000 && events < sent; i++) {
		have += guest_get(got + have, sizeof(got) - have);
		for (off = 0; have - off >= sizeof(h); off += n) {
			memcpy(&h, got + off, sizeof(h));
			n = sizeof(h) + h.len;
			if (have - off < n)
				break;
			CU_ASSERT_EQUAL(h.type, XS_WATCH_EVENT);
			CU_ASSERT_EQUAL(h.len, strlen(path) + sizeof(token) + 1);
			CU_ASSERT(strcmp(got + off + sizeof(h), path) == 0);
			events++;
		}
		memmove(got, got + off, have - off);
		have -= off;
		ring_conn_event(rc);	/* the guest made room */
	}
	CU_ASSERT_EQUAL(events, sent);
	CU_ASSERT_EQUAL(have, 0);
	CU_ASSERT_EQUAL(conn_out_bytes(conn), 0);
	/* Room again: the next event is queued, not dropped. */
	CU_ASSERT_EQUAL(conn_send_event(conn, path, token), 0);
	CU_ASSERT_EQUAL(conn_events_dropped(conn), tries - sent);
}

static const struct cu_test ring_tests[] = {
	TEST(test_features),
	TEST(test_wrap_every_offset),
	TEST(test_max_payload_split),
	TEST(test_bad_request_indexes),
	TEST(test_bad_response_indexes),
	TEST(test_oversize_payload),
	TEST(test_reconnect_reset),
	TEST(test_pause_non_reader),
	TEST(test_reads_per_event_bound),
	TEST(test_event_drop_limit),
	TEST_END
};

static const struct cu_suite suites[] = {
	{ "conn_ring", setup, teardown, ring_tests },
};

int
main(void)
{
	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
