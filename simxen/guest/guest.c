/*
 * The simulated guest's xenbus client: framing of xsd_sockmsg requests
 * and replies over the store ring (or, for dom0, a Unix socket), the
 * watch-event queue, reconnection and the error indicator, and the
 * simulated-Xen transport (own ring page + store event channel).
 *
 * Ring rules (docs/misc/xenstore-ring.txt): the guest produces requests
 * (req_prod) and consumes responses (rsp_cons); indexes run free and are
 * masked with MASK_XENSTORE_IDX; data is written before the index that
 * publishes it, an index is read before the data it covers, and data is
 * consumed before the index that gives its space back.  The fields are
 * plain uint32_t in a page shared with another process, so they are
 * accessed with GCC's __atomic builtins (relaxed) and ordered with C11
 * fences.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"
#include "simxen.h"

#define FRAME_MAX	(sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

struct event {
	struct event	*next;
	char		*buf;	/* "path\0token\0" plus a spare nul */
};

struct sg_guest {
	int			 fd;		/* >= 0: dom0 over the socket */
	struct sg_transport	 t;		/* ring clients */
	uint32_t		 next_req_id;
	char			 in[FRAME_MAX];	/* a reply being read */
	size_t			 in_len;
	struct event		*events, **events_tail;
	size_t			 nevents;
};

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static uint32_t
idx_load(const XENSTORE_RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void
idx_store(XENSTORE_RING_IDX *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static void
notify(struct sg_guest *g)
{
	if (g->fd < 0)
		g->t.notify(g->t.arg);
}

/* Wait up to ms (clamped to >= 0) for the server; false on timeout. */
static bool
wait_server(struct sg_guest *g, long ms)
{
	struct pollfd pfd = { g->fd, POLLIN, 0 };

	if (ms < 0)
		ms = 0;
	if (ms > 60000)
		ms = 60000;
	if (g->fd >= 0)
		return poll(&pfd, 1, ms) > 0;
	return g->t.wait(g->t.arg, ms);
}

static void
drop_events(struct sg_guest *g)
{
	struct event *ev;

	while ((ev = g->events) != NULL) {
		g->events = ev->next;
		free(ev->buf);
		free(ev);
	}
	g->events_tail = &g->events;
	g->nevents = 0;
}

static int
alloc_guest(struct sg_guest **gp)
{
	struct sg_guest *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return ENOMEM;
	g->fd = -1;
	g->next_req_id = 1;
	g->events_tail = &g->events;
	*gp = g;
	return 0;
}

int
sg_open_transport(const struct sg_transport *t, struct sg_guest **gp)
{
	int err;

	if ((err = alloc_guest(gp)) != 0)
		return err;
	(*gp)->t = *t;
	return 0;
}

void
sg_close(struct sg_guest *g)
{
	if (g == NULL)
		return;
	drop_events(g);
	if (g->fd >= 0)
		close(g->fd);
	if (g->t.close != NULL)
		g->t.close(g->t.arg);
	free(g);
}

/*
 * The simulated-Xen transport.
 */

struct simring {
	struct simxen		*sx;
	struct simxen_evtchn	*e;
	uint32_t		 port;
	void			*page;
	bool			 claimed;
};

static void
simring_notify(void *arg)
{
	struct simring *s = arg;

	simxen_evtchn_notify(s->e, s->port);
}

/* Linux evtchn semantics: a fired port is masked until we unmask it. */
static bool
simring_wait(void *arg, int ms)
{
	struct simring *s = arg;
	struct pollfd pfd = { simxen_evtchn_fd(s->e), POLLIN, 0 };
	uint32_t port;
	bool fired = false;

	if (poll(&pfd, 1, ms) <= 0)
		return false;
	while (simxen_evtchn_pending(s->e, &port) == 0) {
		simxen_evtchn_unmask(s->e, port);
		fired = true;
	}
	return fired;
}

static void
simring_close(void *arg)
{
	struct simring *s = arg;

	/* The domain lives on: keep its store port bound for the next. */
	if (s->claimed)
		simxen_evtchn_disown(s->e, s->port);
	simxen_evtchn_close(s->e);
	if (s->page != NULL)
		simxen_ring_unmap(s->sx, s->page);
	free(s);
}

int
sg_open(struct simxen *sx, uint32_t domid, struct sg_guest **gp)
{
	struct simxen_dominfo info;
	struct sg_transport t;
	struct simring *s;
	int err;

	if ((err = simxen_domain_info(sx, domid, &info)) != 0)
		return err;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ENOMEM;
	s->sx = sx;
	s->port = info.store_port;
	if ((err = simxen_ring_map_own(sx, domid, &s->page)) != 0 ||
	    (err = simxen_evtchn_open(sx, domid, &s->e)) != 0 ||
	    (err = simxen_evtchn_claim(s->e, s->port)) != 0) {
		simring_close(s);
		return err;
	}
	s->claimed = true;
	t = (struct sg_transport){ s->page, simring_notify, simring_wait,
	    simring_close, s };
	if ((err = sg_open_transport(&t, gp)) != 0)
		simring_close(s);
	return err;
}

/*
 * The socket (dom0) side: same framing, blocking writes.
 */

int
sg_open_socket(const char *path, struct sg_guest **gp)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sg_guest *g;
	int err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	if ((err = alloc_guest(&g)) != 0)
		return err;
	g->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (g->fd < 0 ||
	    connect(g->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		err = errno;
		sg_close(g);
		return err;
	}
	*gp = g;
	return 0;
}

static int
sock_put(struct sg_guest *g, const char *buf, size_t len, size_t *done)
{
	ssize_t n = send(g->fd, buf, len, MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : EPIPE;
	*done = n;
	return 0;
}

static int
sock_get(struct sg_guest *g, size_t want, size_t *got)
{
	struct pollfd pfd = { g->fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	n = read(g->fd, g->in + g->in_len, want);
	if (n <= 0)
		return EPIPE;
	*got = n;
	return 0;
}

/*
 * Ring state checks, in the order the spec gives them weight.
 */

/* True while a reconnection is in progress: touch nothing else then. */
static bool
reconnecting(const struct sg_guest *g)
{
	const struct xenstore_domain_interface *intf = g->t.intf;

	return (idx_load(&intf->server_features) &
	    XENSTORE_SERVER_FEATURE_RECONNECTION) != 0 &&
	    idx_load(&intf->connection) != XENSTORE_CONNECTED;
}

/* EPROTO once the server has given up on us (feature offered only). */
static int
check_error(const struct sg_guest *g)
{
	const struct xenstore_domain_interface *intf = g->t.intf;

	if ((idx_load(&intf->server_features) &
	    XENSTORE_SERVER_FEATURE_ERROR) != 0 &&
	    idx_load(&intf->error) != XENSTORE_ERROR_NONE)
		return EPROTO;
	return 0;
}

/*
 * Put up to len bytes on the request ring; *done gets the count.  The
 * indexes are read once, checked, then the data written, then req_prod
 * published.  Returns 0 or EBADMSG (indexes more than a ring apart).
 */
static int
ring_put(struct sg_guest *g, const char *buf, size_t len, size_t *done)
{
	struct xenstore_domain_interface *intf = g->t.intf;
	uint32_t cons, prod, space, off, first;

	*done = 0;
	cons = idx_load(&intf->req_cons);
	prod = idx_load(&intf->req_prod);
	/* The server's cons before reusing the space it freed. */
	atomic_thread_fence(memory_order_acquire);
	if (prod - cons > XENSTORE_RING_SIZE)
		return EBADMSG;
	space = XENSTORE_RING_SIZE - (prod - cons);
	if (space > len)
		space = len;
	off = MASK_XENSTORE_IDX(prod);
	first = XENSTORE_RING_SIZE - off;
	if (first > space)
		first = space;
	memcpy(intf->req + off, buf, first);
	memcpy(intf->req, buf + first, space - first);
	/* Data before the index that publishes it. */
	atomic_thread_fence(memory_order_release);
	idx_store(&intf->req_prod, prod + space);
	*done = space;
	return 0;
}

/*
 * Take up to want bytes from the response ring into g->in; *got gets the
 * count.  Returns 0 or EBADMSG.
 */
static int
ring_get(struct sg_guest *g, size_t want, size_t *got)
{
	struct xenstore_domain_interface *intf = g->t.intf;
	uint32_t cons, prod, avail, off, first;

	*got = 0;
	prod = idx_load(&intf->rsp_prod);
	cons = idx_load(&intf->rsp_cons);
	/* The index before the data it covers. */
	atomic_thread_fence(memory_order_acquire);
	if (prod - cons > XENSTORE_RING_SIZE)
		return EBADMSG;
	avail = prod - cons;
	if (avail > want)
		avail = want;
	off = MASK_XENSTORE_IDX(cons);
	first = XENSTORE_RING_SIZE - off;
	if (first > avail)
		first = avail;
	memcpy(g->in + g->in_len, intf->rsp + off, first);
	memcpy(g->in + g->in_len + first, intf->rsp, avail - first);
	/* Done reading the bytes before giving their space back. */
	atomic_thread_fence(memory_order_release);
	idx_store(&intf->rsp_cons, cons + avail);
	*got = avail;
	return 0;
}

static int
put_bytes(struct sg_guest *g, const char *buf, size_t len, size_t *done)
{
	int err;

	*done = 0;
	if (g->fd >= 0)
		return sock_put(g, buf, len, done);
	if ((err = ring_put(g, buf, len, done)) == 0 && *done > 0)
		notify(g);
	return err;
}

/*
 * Read reply bytes into g->in up to one whole frame; *whole says if it
 * is there.  Returns 0, EBADMSG (a header longer than the payload limit
 * or broken indexes), EPIPE.
 */
static int
get_frame(struct sg_guest *g, bool *whole)
{
	struct xsd_sockmsg hdr;
	size_t need, got;
	int err;

	*whole = false;
	/* At most three rounds: part of a header, the rest, the payload. */
	for (;;) {
		need = sizeof(hdr);
		if (g->in_len >= sizeof(hdr)) {
			memcpy(&hdr, g->in, sizeof(hdr));
			if (hdr.len > XENSTORE_PAYLOAD_MAX)
				return EBADMSG;
			need += hdr.len;
		}
		if (g->in_len == need) {
			*whole = true;
			return 0;
		}
		got = 0;
		if (g->fd >= 0)
			err = sock_get(g, need - g->in_len, &got);
		else
			err = ring_get(g, need - g->in_len, &got);
		if (err != 0 || got == 0)
			return err;
		g->in_len += got;
		notify(g);
	}
}

static int
queue_event(struct sg_guest *g, const char *payload, size_t len)
{
	struct event *ev;

	if (g->nevents >= SG_EVENTS_MAX)
		return ENOBUFS;
	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return ENOMEM;
	/* Two nuls: a payload without its own still yields two strings. */
	if ((ev->buf = malloc(len + 2)) == NULL) {
		free(ev);
		return ENOMEM;
	}
	memcpy(ev->buf, payload, len);
	ev->buf[len] = ev->buf[len + 1] = '\0';
	*g->events_tail = ev;
	g->events_tail = &ev->next;
	g->nevents++;
	return 0;
}

/*
 * Move bytes until the reply to req_id is in (r filled) or, with r NULL,
 * until an event is queued.  out/out_len: request bytes still to send.
 * Bounded by timeout_ms; every wait is on the server's notification.
 */
static int
pump(struct sg_guest *g, const char **out, size_t *out_len, uint32_t req_id,
    struct sg_reply *r, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	struct xsd_sockmsg hdr;
	bool whole, moved;
	size_t n;
	int err;

	for (;;) {
		moved = false;
		if (g->fd < 0 && reconnecting(g))
			goto wait;	/* "ignore all fields" but this one */
		if (g->fd < 0 && (err = check_error(g)) != 0)
			return err;
		if (*out_len > 0) {
			if ((err = put_bytes(g, *out, *out_len, &n)) != 0)
				return err;
			*out += n;
			*out_len -= n;
			moved = n > 0;
		}
		if ((err = get_frame(g, &whole)) != 0)
			return err;
		if (whole) {
			memcpy(&hdr, g->in, sizeof(hdr));
			g->in_len = 0;
			if (hdr.type == XS_WATCH_EVENT) {
				if ((err = queue_event(g, g->in + sizeof(hdr),
				    hdr.len)) != 0)
					return err;
				if (r == NULL)
					return 0;
			} else if (r != NULL && hdr.req_id == req_id &&
			    *out_len == 0) {
				r->hdr = hdr;
				if ((r->body = malloc(hdr.len + 1)) == NULL)
					return ENOMEM;
				memcpy(r->body, g->in + sizeof(hdr), hdr.len);
				r->body[hdr.len] = '\0';
				return 0;
			}
			continue;	/* more may be waiting */
		}
		if (r == NULL && g->events != NULL)
			return 0;
		if (moved)
			continue;
wait:
		if (now_ms() >= deadline)
			return ETIMEDOUT;
		wait_server(g, deadline - now_ms());
	}
}

int
sg_request(struct sg_guest *g, uint32_t type, uint32_t tx_id,
    const void *payload, size_t len, struct sg_reply *r, int timeout_ms)
{
	struct xsd_sockmsg hdr;
	char frame[FRAME_MAX];
	const char *out = frame;
	size_t out_len = sizeof(hdr) + len;

	r->body = NULL;
	if (len > XENSTORE_PAYLOAD_MAX)
		return EINVAL;
	hdr = (struct xsd_sockmsg){ type, g->next_req_id++, tx_id, len };
	memcpy(frame, &hdr, sizeof(hdr));
	if (len > 0)
		memcpy(frame + sizeof(hdr), payload, len);
	return pump(g, &out, &out_len, hdr.req_id, r, timeout_ms);
}

int
sg_send(struct sg_guest *g, uint32_t type, uint32_t tx_id,
    const void *payload, size_t len, uint32_t *req_id, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	struct xsd_sockmsg hdr;
	char frame[FRAME_MAX];
	size_t off = 0, n;
	int err;

	if (len > XENSTORE_PAYLOAD_MAX)
		return EINVAL;
	hdr = (struct xsd_sockmsg){ type, g->next_req_id++, tx_id, len };
	*req_id = hdr.req_id;
	memcpy(frame, &hdr, sizeof(hdr));
	if (len > 0)
		memcpy(frame + sizeof(hdr), payload, len);
	len += sizeof(hdr);
	for (;;) {
		if (g->fd < 0 && !reconnecting(g) &&
		    (err = check_error(g)) != 0)
			return err;
		if (g->fd >= 0 || !reconnecting(g)) {
			if ((err = put_bytes(g, frame + off, len - off,
			    &n)) != 0)
				return err;
			if ((off += n) == len)
				return 0;
			if (n > 0)
				continue;
		}
		if (now_ms() >= deadline)
			return ETIMEDOUT;
		wait_server(g, deadline - now_ms());
	}
}

int
sg_await(struct sg_guest *g, uint32_t req_id, struct sg_reply *r,
    int timeout_ms)
{
	const char *out = NULL;
	size_t out_len = 0;

	r->body = NULL;
	return pump(g, &out, &out_len, req_id, r, timeout_ms);
}

int
sg_event(struct sg_guest *g, char **buf, const char **path,
    const char **token, int timeout_ms)
{
	struct event *ev;
	size_t out_len = 0;
	const char *out = NULL;
	int err;

	if (g->events == NULL &&
	    (err = pump(g, &out, &out_len, 0, NULL, timeout_ms)) != 0)
		return err;
	ev = g->events;
	if ((g->events = ev->next) == NULL)
		g->events_tail = &g->events;
	g->nevents--;
	*buf = ev->buf;
	*path = ev->buf;
	*token = ev->buf + strlen(ev->buf) + 1;
	free(ev);
	return 0;
}

size_t
sg_events_queued(const struct sg_guest *g)
{
	return g->nevents;
}

int
sg_reconnect(struct sg_guest *g, int timeout_ms)
{
	struct xenstore_domain_interface *intf = g->t.intf;
	long deadline = now_ms() + timeout_ms;

	if (g->fd >= 0 || (idx_load(&intf->server_features) &
	    XENSTORE_SERVER_FEATURE_RECONNECTION) == 0)
		return ENOTSUP;
	/* Whatever we wrote before goes first, then the request. */
	atomic_thread_fence(memory_order_seq_cst);
	idx_store(&intf->connection, XENSTORE_RECONNECT);
	notify(g);
	while (idx_load(&intf->connection) != XENSTORE_CONNECTED) {
		if (now_ms() >= deadline)
			return ETIMEDOUT;
		wait_server(g, deadline - now_ms());
	}
	/* The server's reset of the indexes before we use them. */
	atomic_thread_fence(memory_order_acquire);
	g->in_len = 0;
	drop_events(g);
	return 0;
}

size_t
sg_raw_write(struct sg_guest *g, const void *buf, size_t len)
{
	size_t n = 0;

	put_bytes(g, buf, len, &n);
	notify(g);
	return n;
}

void
sg_set_req_prod(struct sg_guest *g, uint32_t v)
{
	atomic_thread_fence(memory_order_release);
	idx_store(&g->t.intf->req_prod, v);
	notify(g);
}

void
sg_set_rsp_cons(struct sg_guest *g, uint32_t v)
{
	atomic_thread_fence(memory_order_release);
	idx_store(&g->t.intf->rsp_cons, v);
	notify(g);
}

void
sg_set_req_cons(struct sg_guest *g, uint32_t v)
{
	atomic_thread_fence(memory_order_release);
	idx_store(&g->t.intf->req_cons, v);
	notify(g);
}

void
sg_set_rsp_prod(struct sg_guest *g, uint32_t v)
{
	atomic_thread_fence(memory_order_release);
	idx_store(&g->t.intf->rsp_prod, v);
	notify(g);
}

unsigned int
sg_flood(struct sg_guest *g, int wait_ms)
{
	struct xsd_sockmsg hdr = { XS_READ, 0, 0, 2 };
	char frame[sizeof(hdr) + 2];
	unsigned int sent = 0;
	long deadline;
	size_t off, n;

	for (;;) {
		hdr.req_id = 1000000 + sent;
		memcpy(frame, &hdr, sizeof(hdr));
		memcpy(frame + sizeof(hdr), "/", 2);
		off = 0;
		deadline = now_ms() + wait_ms;
		while (off < sizeof(frame)) {
			if (put_bytes(g, frame + off, sizeof(frame) - off,
			    &n) != 0)
				return sent;
			off += n;
			if (off < sizeof(frame)) {
				if (now_ms() >= deadline)
					return sent;
				wait_server(g, deadline - now_ms());
			}
		}
		sent++;
	}
}

bool
sg_on_ring(const struct sg_guest *g)
{
	return g->fd < 0;
}

uint32_t
sg_features(const struct sg_guest *g)
{
	return idx_load(&g->t.intf->server_features);
}

uint32_t
sg_error(const struct sg_guest *g)
{
	return idx_load(&g->t.intf->error);
}
