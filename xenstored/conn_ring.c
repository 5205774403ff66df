/*
 * Ring transport: the byte pipe between a guest's store ring page and a
 * struct connection.  The guest is hostile: every index is read once,
 * checked, and only then used (docs/misc/xenstore-ring.txt).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "conn_ring.h"
#include "journal.h"
#include "log.h"

/* Reads per event before other peers get a turn. */
#define RING_READS_PER_EVENT	16

struct ring_conn {
	struct xenstore_domain_interface *ring;	/* NULL once closed */
	struct connection	*conn;
	const struct ring_conn_ops *ops;
	void			*arg;
	bool			 moved;		/* notify the guest */
	bool			 peeked;	/* req_cons not yet moved */
	uint32_t		 cons_after;	/* where it goes */
};

/* The guest writes these at any time: one load each, then a barrier. */
static inline uint32_t
load_idx(const XENSTORE_RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void
store_idx(XENSTORE_RING_IDX *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

void
ring_set_error(void *ring, unsigned int error)
{
	struct xenstore_domain_interface *intf = ring;

	__atomic_store_n(&intf->error, error, __ATOMIC_RELEASE);
}

static ssize_t
ring_read(void *priv, void *buf, size_t len, int *err)
{
	struct ring_conn *rc = priv;
	struct xenstore_domain_interface *intf = rc->ring;
	uint32_t cons, prod, avail, off, first;

	if (intf == NULL)
		return 0;
	cons = load_idx(&intf->req_cons);
	prod = load_idx(&intf->req_prod);
	/* Read the indexes before the data they cover. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	avail = prod - cons;
	if (avail > XENSTORE_RING_SIZE) {
		log_warnx("domid %u: bad request ring indexes (cons %u, "
		    "prod %u)", conn_domid(rc->conn), cons, prod);
		ring_set_error(intf, XENSTORE_ERROR_RINGIDX);
		*err = EPROTO;
		return -1;
	}
	if (avail == 0)
		return 0;
	if (avail > len)
		avail = len;
	off = MASK_XENSTORE_IDX(cons);
	first = XENSTORE_RING_SIZE - off;
	if (first > avail)
		first = avail;
	memcpy(buf, intf->req + off, first);
	memcpy((char *)buf + first, intf->req, avail - first);
	rc->cons_after = cons + avail;
	if (journal_enabled()) {
		/* Handed back once journalled: ring_consume(). */
		rc->peeked = true;
		return avail;
	}
	/* Done with the bytes before handing their space back. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	store_idx(&intf->req_cons, cons + avail);
	rc->moved = true;
	return avail;
}

static uint32_t
ring_in_pos(void *priv)
{
	struct ring_conn *rc = priv;

	return rc->cons_after;
}

static void
ring_consume(void *priv)
{
	struct ring_conn *rc = priv;

	if (!rc->peeked)
		return;
	rc->peeked = false;
	if (rc->ring == NULL)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	store_idx(&rc->ring->req_cons, rc->cons_after);
	rc->moved = true;
}

static uint32_t
ring_out_pos(void *priv)
{
	struct ring_conn *rc = priv;

	return rc->ring == NULL ? 0 : load_idx(&rc->ring->rsp_prod);
}

static void
ring_set_in_pos(void *priv, uint32_t pos)
{
	struct ring_conn *rc = priv;

	if (rc->ring != NULL)
		store_idx(&rc->ring->req_cons, pos);
}

static ssize_t
ring_write(void *priv, const void *buf, size_t len, int *err)
{
	struct ring_conn *rc = priv;
	struct xenstore_domain_interface *intf = rc->ring;
	uint32_t cons, prod, used, space, off, first;

	if (intf == NULL)
		return 0;
	cons = load_idx(&intf->rsp_cons);
	prod = load_idx(&intf->rsp_prod);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	used = prod - cons;
	if (used > XENSTORE_RING_SIZE) {
		log_warnx("domid %u: bad response ring indexes (cons %u, "
		    "prod %u)", conn_domid(rc->conn), cons, prod);
		ring_set_error(intf, XENSTORE_ERROR_RINGIDX);
		*err = EPROTO;
		return -1;
	}
	space = XENSTORE_RING_SIZE - used;
	if (space == 0)
		return 0;
	if (space > len)
		space = len;
	off = MASK_XENSTORE_IDX(prod);
	first = XENSTORE_RING_SIZE - off;
	if (first > space)
		first = space;
	memcpy(intf->rsp + off, buf, first);
	memcpy(intf->rsp, (const char *)buf + first, space - first);
	/* The data must be visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	store_idx(&intf->rsp_prod, prod + space);
	/* Writes also come from the deferred flush of watch events. */
	if (rc->arg != NULL)
		rc->ops->notify(rc->arg);
	rc->moved = false;
	return space;
}

/* The ring has no write readiness: every event retries output. */
static void
ring_want_write(void *priv, bool on)
{
	(void)priv;
	(void)on;
}

static void
ring_stop_read(void *priv)
{
	struct ring_conn *rc = priv;

	/* Closed: never touch the page again, it may be unmapped next. */
	rc->ring = NULL;
}

static void
ring_violation(void *priv)
{
	struct ring_conn *rc = priv;

	if (rc->ring != NULL)
		ring_set_error(rc->ring, XENSTORE_ERROR_PROTO);
}

static const struct conn_transport ring_transport = {
	.name = "ring",
	.read = ring_read,
	.write = ring_write,
	.want_write = ring_want_write,
	.stop_read = ring_stop_read,
	.violation = ring_violation,
	.in_pos = ring_in_pos,
	.consume = ring_consume,
	.out_pos = ring_out_pos,
	.set_in_pos = ring_set_in_pos,
};

static int
ring_conn_destroy(struct ring_conn *rc)
{
	if (rc->arg != NULL)
		rc->ops->gone(rc->arg);
	return 0;
}

void
ring_conn_forget(struct ring_conn *rc)
{
	rc->arg = NULL;
	rc->ring = NULL;
}

struct ring_conn *
ring_conn_new(TALLOC_CTX *ctx, void *ring, unsigned int domid,
    bool privileged, const struct ring_conn_ops *ops, void *arg,
    conn_frame_fn *fn, void *fn_arg)
{
	struct ring_conn *rc;

	rc = talloc_zero(NULL, struct ring_conn);
	if (rc == NULL)
		return NULL;
	rc->ring = ring;
	rc->ops = ops;
	rc->arg = arg;
	rc->conn = conn_new(ctx, &ring_transport, rc, domid, privileged, fn,
	    fn_arg);
	if (rc->conn == NULL) {
		talloc_free(rc);
		return NULL;
	}
	/* Now owned by the connection; gone() only once it exists. */
	talloc_set_destructor(rc, ring_conn_destroy);
	return rc;
}

struct connection *
ring_conn_connection(const struct ring_conn *rc)
{
	return rc->conn;
}

static bool
input_waiting(const struct ring_conn *rc)
{
	const struct xenstore_domain_interface *intf = rc->ring;

	return intf != NULL &&
	    load_idx(&intf->req_prod) != load_idx(&intf->req_cons);
}

bool
ring_conn_event(struct ring_conn *rc)
{
	struct connection *conn = rc->conn;
	bool more;
	int i;

	/* The guest may have made room for output we still hold. */
	conn_output(conn);
	for (i = 0; i < RING_READS_PER_EVENT; i++) {
		if (conn_closing(conn) || conn_input_paused(conn) ||
		    !input_waiting(rc))
			break;
		conn_input(conn);
	}
	more = !conn_closing(conn) && !conn_input_paused(conn) &&
	    input_waiting(rc);
	/* We consumed requests but wrote nothing: say there is room. */
	if (rc->moved && rc->ring != NULL && rc->arg != NULL) {
		rc->moved = false;
		rc->ops->notify(rc->arg);
	}
	return more;
}

bool
ring_reconnect_requested(const void *ring)
{
	const struct xenstore_domain_interface *intf = ring;

	return __atomic_load_n(&intf->connection, __ATOMIC_ACQUIRE) ==
	    XENSTORE_RECONNECT;
}

void
ring_advertise(void *ring, unsigned int features)
{
	struct xenstore_domain_interface *intf = ring;

	/* Bits are only ever added (xenstore-ring.txt). */
	__atomic_or_fetch(&intf->server_features, features, __ATOMIC_SEQ_CST);
}

void
ring_reset(void *ring, unsigned int features)
{
	struct xenstore_domain_interface *intf = ring;

	/* The guest ignores every field while connection is RECONNECT. */
	store_idx(&intf->req_cons, 0);
	store_idx(&intf->req_prod, 0);
	store_idx(&intf->rsp_cons, 0);
	store_idx(&intf->rsp_prod, 0);
	intf->error = XENSTORE_ERROR_NONE;
	intf->server_features |= features;
	__atomic_store_n(&intf->connection, XENSTORE_CONNECTED,
	    __ATOMIC_SEQ_CST);
}
