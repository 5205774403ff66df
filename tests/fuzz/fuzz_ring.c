/*
 * xenstored/conn_ring.c (and conn.c's framing above it) against a ring
 * page in memory, the fuzzer playing a hostile guest: between the
 * daemon's steps it writes requests, consumes responses, and sets any of
 * the four indexes, the connection field or any byte of the page.
 *
 * The page is allocated at its exact size, so any access past it is
 * seen.  While the guest plays by the rules, the frames the daemon takes
 * must be exactly the bytes the guest wrote, and the bytes the guest
 * reads exactly the replies and events the daemon queued, in order,
 * across every wrap.  Whatever the guest does: the daemon consumes no
 * more than was produced, never fills the response ring past its size,
 * sets the error indicator only as it closes, and touches nothing of
 * the page once closed.
 *
 * Input: fuzz_ring.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "conn_ring.h"
#include "framing.h"
#include "fuzz.h"
#include "fuzz_ring.h"
#include "loop.h"

#define STREAM_MAX	(256 * 1024)

struct stream {
	char	buf[STREAM_MAX];
	size_t	len;		/* bytes appended */
	size_t	off;		/* bytes checked */
	bool	valid;		/* the model still holds */
};

static struct xenstore_domain_interface *intf, *shadow;
static bool frozen;		/* closed: shadow holds what the page must be */
static struct ring_conn *rc;
static TALLOC_CTX *ctx;
static size_t reply_len;
static struct stream req, rsp;	/* guest -> daemon, daemon -> guest */
static char pending[2 * (XENSTORE_PAYLOAD_MAX + 16)];
static size_t npending;

static const uint8_t *in;
static size_t in_left;

static unsigned int
take(unsigned int bytes)
{
	unsigned int v = 0, i;

	for (i = 0; i < bytes && in_left > 0; i++, in++, in_left--)
		v |= (unsigned int)*in << (8 * i);
	return v;
}

static void
stream_add(struct stream *s, const void *p, size_t n)
{
	if (!s->valid || s->len + n > sizeof(s->buf)) {
		s->valid = false;
		return;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* The model says these n bytes come next on s. */
static void
stream_check(struct stream *s, const void *p, size_t n)
{
	if (!s->valid)
		return;
	CHECK(s->off + n <= s->len);
	CHECK(memcmp(s->buf + s->off, p, n) == 0);
	s->off += n;
}

static void
t_notify(void *arg)
{
	(void)arg;
}

static void
t_gone(void *arg)
{
	(void)arg;
	rc = NULL;
}

static const struct ring_conn_ops ops = { t_notify, t_gone };

/* The daemon's side: check the frame against the model, echo it. */
static void
on_frame(struct connection *conn, const struct xsd_sockmsg *hdr,
    char *payload, TALLOC_CTX *req_ctx, void *arg)
{
	size_t n = reply_len < hdr->len ? reply_len : hdr->len;

	(void)req_ctx;
	(void)arg;
	CHECK(hdr->len <= XENSTORE_PAYLOAD_MAX);
	CHECK(payload[hdr->len] == '\0');
	stream_check(&req, hdr, sizeof(*hdr));
	stream_check(&req, payload, hdr->len);
	if (conn_send(conn, hdr->type, hdr->req_id, hdr->tx_id, payload,
	    n) == 0) {
		struct xsd_sockmsg h = { hdr->type, hdr->req_id, hdr->tx_id,
		    n };

		stream_add(&rsp, &h, sizeof(h));
		stream_add(&rsp, payload, n);
	}
}

static struct connection *
conn(void)
{
	return rc == NULL ? NULL : ring_conn_connection(rc);
}

static void
start(void)
{
	ring_advertise(intf, RING_FEATURES);
	rc = ring_conn_new(ctx, intf, 7, false, &ops, &rc, on_frame, NULL);
	CHECK(rc != NULL);
	frozen = false;
	req.len = req.off = rsp.len = rsp.off = 0;
	req.valid = rsp.valid = true;
}

/* Once the connection closes, the daemon must leave the page alone. */
static void
check_frozen(void)
{
	if (rc != NULL && !conn_closing(conn()))
		return;
	if (!frozen) {
		memcpy(shadow, intf, sizeof(*intf));
		frozen = true;
	}
	CHECK(memcmp(shadow, intf, sizeof(*intf)) == 0);
}

/* Guest writes go through here so that the shadow follows them. */
static void
guest_poke(void *field, const void *v, size_t n)
{
	memcpy(field, v, n);
	if (frozen)
		memcpy((char *)shadow + ((char *)field - (char *)intf), v, n);
}

static void
guest_set_idx(XENSTORE_RING_IDX *p, uint32_t v)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	guest_poke(p, &v, sizeof(v));
}

/* A well-behaved guest: as much of pending as fits, at req_prod. */
static void
guest_push(void)
{
	uint32_t prod = intf->req_prod, used = prod - intf->req_cons, n, i;

	if (used > XENSTORE_RING_SIZE)
		return;
	n = XENSTORE_RING_SIZE - used;
	if (n > npending)
		n = npending;
	for (i = 0; i < n; i++)
		guest_poke(&intf->req[MASK_XENSTORE_IDX(prod + i)],
		    &pending[i], 1);
	stream_add(&req, pending, n);
	memmove(pending, pending + n, npending - n);
	npending -= n;
	guest_set_idx(&intf->req_prod, prod + n);
}

static void
guest_queue(const void *p, size_t n)
{
	if (n > sizeof(pending) - npending)
		n = sizeof(pending) - npending;
	memcpy(pending + npending, p, n);
	npending += n;
}

/* A well-behaved guest takes up to max response bytes. */
static void
guest_read(size_t max)
{
	uint32_t cons = intf->rsp_cons, n = intf->rsp_prod - cons, i;
	char buf[XENSTORE_RING_SIZE];

	if (n > XENSTORE_RING_SIZE) {
		rsp.valid = false;
		return;
	}
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		buf[i] = intf->rsp[MASK_XENSTORE_IDX(cons + i)];
	stream_check(&rsp, buf, n);
	guest_set_idx(&intf->rsp_cons, cons + n);
}

/* The event channel fired: what domain.c's service() does. */
static void
event(void)
{
	uint32_t rq_c = intf->req_cons, rq_p = intf->req_prod;
	uint32_t rs_c = intf->rsp_cons, rs_p = intf->rsp_prod;
	uint32_t err = intf->error;

	if (ring_reconnect_requested(intf)) {
		if (rc != NULL) {
			ring_conn_forget(rc);
			conn_close(conn(), "reconnection");
			rc = NULL;
		}
		/* The old connection is not freed yet: it must keep off. */
		ring_reset(intf, RING_FEATURES);
		CHECK(intf->connection == XENSTORE_CONNECTED);
		CHECK(intf->req_prod == intf->req_cons);
		CHECK(intf->rsp_prod == intf->rsp_cons);
		npending = 0;
		start();
		return;
	}
	if (rc == NULL)
		return;		/* stopped after an error: until reconnect */
	ring_conn_event(rc);
	/* Consumed at most what was produced, from where it was. */
	if (intf->req_cons != rq_c) {
		CHECK(rq_p - rq_c <= XENSTORE_RING_SIZE);
		CHECK(intf->req_cons - rq_c <= rq_p - rq_c);
	}
	/* Produced at most what there was room for. */
	if (intf->rsp_prod != rs_p) {
		CHECK(rs_p - rs_c <= XENSTORE_RING_SIZE);
		CHECK(intf->rsp_prod - rs_c <= XENSTORE_RING_SIZE);
	}
	CHECK(intf->rsp_cons == rs_c && intf->req_prod == rq_p);
	if (intf->error != err)
		CHECK(rc == NULL || conn_closing(conn()));
	check_frozen();
}

static void
step(void)
{
	unsigned int op = take(1), n, i, v;
	char buf[XENSTORE_PAYLOAD_MAX + 100];

	switch (op % FR_OP_COUNT) {
	case FR_OP_BYTES:
		n = take(1);
		for (i = 0; i < n && in_left > 0; i++)
			buf[i] = take(1);
		guest_queue(buf, i);
		guest_push();
		break;
	case FR_OP_FRAME: {
		struct xsd_sockmsg h;

		h.type = take(1);
		h.req_id = take(1);
		h.tx_id = 0;
		h.len = take(2) % (XENSTORE_PAYLOAD_MAX + 8);
		guest_queue(&h, sizeof(h));
		for (i = 0; i < h.len; i++)
			buf[i] = in_left > 0 ? (char)take(1) : 'x';
		guest_queue(buf, h.len);
		guest_push();
		break;
	}
	case FR_OP_EVENT:
		guest_push();
		event();
		break;
	case FR_OP_READ:
		guest_read(take(2));
		break;
	case FR_OP_INDEX:
		v = take(4);
		switch (take(1) % 4) {
		case 0: guest_set_idx(&intf->req_prod, v); req.valid = false;
			break;
		case 1: guest_set_idx(&intf->req_cons, v); req.valid = false;
			break;
		case 2: guest_set_idx(&intf->rsp_prod, v); rsp.valid = false;
			break;
		default: guest_set_idx(&intf->rsp_cons, v); rsp.valid = false;
			break;
		}
		break;
	case FR_OP_POKE: {
		uint8_t b;

		i = take(2) % sizeof(*intf);
		b = take(1);
		guest_poke((char *)intf + i, &b, 1);
		req.valid = rsp.valid = false;
		break;
	}
	case FR_OP_RECONNECT:
		v = XENSTORE_RECONNECT;
		guest_poke(&intf->connection, &v, sizeof(v));
		event();
		break;
	case FR_OP_DEFERRED:
		loop_run_deferred();
		check_frozen();
		break;
	case FR_OP_LIMITS:
		n = take(2);
		v = take(2);
		if (rc != NULL && !conn_closing(conn()))
			conn_set_limits(conn(), n, v);
		break;
	case FR_OP_WATCH_EVENT: {	/* from elsewhere in the daemon */
		char path[64], token[64];

		n = take(1) % sizeof(path);
		for (i = 0; i < n; i++)
			path[i] = 'a' + take(1) % 26;
		path[n] = '\0';
		n = take(1) % sizeof(token);
		for (i = 0; i < n; i++)
			token[i] = 'a' + take(1) % 26;
		token[n] = '\0';
		if (rc != NULL && !conn_closing(conn()) &&
		    conn_send_event(conn(), path, token) == 0) {
			struct xsd_sockmsg h = { XS_WATCH_EVENT, 0, 0,
			    strlen(path) + strlen(token) + 2 };

			stream_add(&rsp, &h, sizeof(h));
			stream_add(&rsp, path, strlen(path) + 1);
			stream_add(&rsp, token, strlen(token) + 1);
		}
		break;
	}
	case FR_OP_REPLY_LEN:
		reply_len = take(2);
		break;
	default:	/* FR_OP_CLOSE: from above (the domain's end) */
		if (rc != NULL && take(1) == 0x5a) {
			ring_conn_forget(rc);
			conn_close(conn(), "domain gone");
			rc = NULL;
		}
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in = data;
	in_left = size;
	ctx = talloc_new(NULL);
	CHECK(loop_init() == 0);
	intf = calloc(1, sizeof(*intf));
	shadow = calloc(1, sizeof(*intf));
	CHECK(intf != NULL && shadow != NULL);
	npending = 0;
	reply_len = ~(size_t)0;
	start();
	while (in_left > 0)
		step();
	/* Whatever is left: one more event, then the guest reads all. */
	event();
	loop_run_deferred();
	check_frozen();
	TALLOC_FREE(ctx);
	CHECK(rc == NULL);
	loop_fini();
	free(intf);
	free(shadow);
	return 0;
}
