/*
 * The simulated guest's ring client.  The guest produces requests and
 * consumes responses; each index is published after the data it covers
 * and read before the data it covers (docs/misc/xenstore-ring.txt).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
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
	char		*buf;	/* "path\0token\0" */
	size_t		 len;
};

struct sg_guest {
	int			 fd;		/* >= 0: dom0 over the socket */
	struct simxen		*sx;
	struct simxen_evtchn	*e;
	uint32_t		 port;
	struct xenstore_domain_interface *intf;
	uint32_t		 next_req_id;
	char			 in[FRAME_MAX];	/* a response being read */
	size_t			 in_len;
	struct event		*events, **events_tail;
};

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
notify(struct sg_guest *g)
{
	if (g->fd < 0)
		simxen_evtchn_notify(g->e, g->port);
}

/* Wait for the event channel up to ms; false on timeout. */
static bool
wait_event(struct sg_guest *g, int ms)
{
	struct pollfd pfd = { g->fd, POLLIN, 0 };
	uint32_t port;
	bool fired = false;

	if (ms < 0)
		ms = 0;
	if (g->fd < 0)
		pfd.fd = simxen_evtchn_fd(g->e);
	if (poll(&pfd, 1, ms) <= 0)
		return false;
	if (g->fd >= 0)
		return true;
	while (simxen_evtchn_pending(g->e, &port) == 0) {
		simxen_evtchn_unmask(g->e, port);
		fired = true;
	}
	return fired;
}

int
sg_open(struct simxen *sx, uint32_t domid, struct sg_guest **gp)
{
	struct simxen_dominfo info;
	struct sg_guest *g;
	void *page;
	int err;

	if ((err = simxen_domain_info(sx, domid, &info)) != 0)
		return err;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return ENOMEM;
	g->fd = -1;
	g->sx = sx;
	g->port = info.store_port;
	g->next_req_id = 1;
	g->events_tail = &g->events;
	if ((err = simxen_ring_map_own(sx, domid, &page)) != 0 ||
	    (err = simxen_evtchn_open(sx, domid, &g->e)) != 0 ||
	    (err = simxen_evtchn_claim(g->e, g->port)) != 0) {
		sg_close(g);
		return err;
	}
	g->intf = page;
	*gp = g;
	return 0;
}

void
sg_close(struct sg_guest *g)
{
	struct event *ev;

	if (g == NULL)
		return;
	while ((ev = g->events) != NULL) {
		g->events = ev->next;
		free(ev->buf);
		free(ev);
	}
	if (g->fd >= 0)
		close(g->fd);
	/* The domain lives on: keep its store port bound for the next. */
	if (g->e != NULL)
		simxen_evtchn_disown(g->e, g->port);
	simxen_evtchn_close(g->e);
	if (g->intf != NULL)
		simxen_ring_unmap(g->sx, g->intf);
	free(g);
}

int
sg_open_socket(const char *path, struct sg_guest **gp)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sg_guest *g;
	int err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return ENOMEM;
	g->next_req_id = 1;
	g->events_tail = &g->events;
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

/* Socket versions of put_bytes() and get_frame() (blocking writes). */
static size_t
sock_put(struct sg_guest *g, const char *buf, size_t len)
{
	ssize_t n = send(g->fd, buf, len, MSG_NOSIGNAL);

	return n > 0 ? (size_t)n : 0;
}

static int
sock_get(struct sg_guest *g, bool *whole)
{
	struct pollfd pfd = { g->fd, POLLIN, 0 };
	struct xsd_sockmsg hdr;
	size_t need = sizeof(hdr);
	ssize_t n;

	*whole = false;
	if (g->in_len >= sizeof(hdr)) {
		memcpy(&hdr, g->in, sizeof(hdr));
		if (hdr.len > XENSTORE_PAYLOAD_MAX)
			return EPROTO;
		need += hdr.len;
	}
	if (g->in_len < need && poll(&pfd, 1, 0) > 0) {
		n = read(g->fd, g->in + g->in_len, need - g->in_len);
		if (n <= 0)
			return EPIPE;
		g->in_len += n;
		if (g->in_len == sizeof(hdr))
			return sock_get(g, whole);
	}
	*whole = g->in_len == need && g->in_len >= sizeof(hdr);
	return 0;
}

/* Put up to len bytes on the request ring; returns the count. */
static size_t
put_bytes(struct sg_guest *g, const char *buf, size_t len)
{
	struct xenstore_domain_interface *intf = g->intf;
	uint32_t cons, prod, space, i;

	if (g->fd >= 0)
		return sock_put(g, buf, len);
	cons = __atomic_load_n(&intf->req_cons, __ATOMIC_ACQUIRE);
	prod = intf->req_prod;
	space = XENSTORE_RING_SIZE - (prod - cons);
	if (space > XENSTORE_RING_SIZE)
		return 0;	/* the server broke the indexes */
	if (space > len)
		space = len;
	for (i = 0; i < space; i++)
		intf->req[MASK_XENSTORE_IDX(prod + i)] = buf[i];
	/* Data before the index that publishes it. */
	__atomic_store_n(&intf->req_prod, prod + space, __ATOMIC_RELEASE);
	return space;
}

/* Take response bytes into g->in up to a full frame; true if a whole
 * frame is there. */
static int
get_frame(struct sg_guest *g, bool *whole)
{
	struct xenstore_domain_interface *intf = g->intf;
	struct xsd_sockmsg hdr;
	uint32_t cons, prod, avail, want, i;
	size_t need;

	if (g->fd >= 0)
		return sock_get(g, whole);
	*whole = false;
	if (__atomic_load_n(&intf->error, __ATOMIC_ACQUIRE) != 0)
		return EPROTO;
	need = sizeof(hdr);
	if (g->in_len >= sizeof(hdr)) {
		memcpy(&hdr, g->in, sizeof(hdr));
		if (hdr.len > XENSTORE_PAYLOAD_MAX)
			return EPROTO;
		need += hdr.len;
	}
	prod = __atomic_load_n(&intf->rsp_prod, __ATOMIC_ACQUIRE);
	cons = intf->rsp_cons;
	avail = prod - cons;
	if (avail > XENSTORE_RING_SIZE)
		return EPROTO;
	want = need - g->in_len;
	if (avail > want)
		avail = want;
	for (i = 0; i < avail; i++)
		g->in[g->in_len++] = intf->rsp[MASK_XENSTORE_IDX(cons + i)];
	/* Done with the bytes before giving their space back. */
	__atomic_store_n(&intf->rsp_cons, cons + avail, __ATOMIC_RELEASE);
	if (avail > 0)
		notify(g);
	if (g->in_len == sizeof(hdr) && avail > 0)
		return get_frame(g, whole);	/* now read the payload */
	*whole = g->in_len == need && g->in_len >= sizeof(hdr);
	return 0;
}

static int
queue_event(struct sg_guest *g, const char *payload, size_t len)
{
	struct event *ev = calloc(1, sizeof(*ev));

	if (ev == NULL || (ev->buf = malloc(len + 2)) == NULL) {
		free(ev);
		return ENOMEM;
	}
	memcpy(ev->buf, payload, len);
	ev->buf[len] = ev->buf[len + 1] = '\0';
	ev->len = len;
	*g->events_tail = ev;
	g->events_tail = &ev->next;
	return 0;
}

/*
 * Move bytes until the reply to req_id is in (r filled) or, with r NULL,
 * until an event is queued.  out/out_len: request bytes still to send.
 */
static int
pump(struct sg_guest *g, const char **out, size_t *out_len, uint32_t req_id,
    struct sg_reply *r, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	struct xsd_sockmsg hdr;
	bool whole;
	size_t n;
	int err;

	for (;;) {
		if (*out_len > 0 && (n = put_bytes(g, *out, *out_len)) > 0) {
			*out += n;
			*out_len -= n;
			notify(g);
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
		if (now_ms() >= deadline)
			return ETIMEDOUT;
		wait_event(g, deadline - now_ms());
	}
}

int
sg_request(struct sg_guest *g, uint32_t type, uint32_t tx_id,
    const void *payload, size_t len, struct sg_reply *r, int timeout_ms)
{
	struct xsd_sockmsg hdr = { type, g->next_req_id++, tx_id, len };
	char frame[FRAME_MAX];
	const char *out = frame;
	size_t out_len = sizeof(hdr) + len;

	if (len > XENSTORE_PAYLOAD_MAX)
		return EINVAL;
	memcpy(frame, &hdr, sizeof(hdr));
	memcpy(frame + sizeof(hdr), payload, len);
	r->body = NULL;
	return pump(g, &out, &out_len, hdr.req_id, r, timeout_ms);
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
	*buf = ev->buf;
	*path = ev->buf;
	*token = ev->buf + strlen(ev->buf) + 1;
	free(ev);
	return 0;
}

int
sg_reconnect(struct sg_guest *g, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	struct event *ev;

	if (!(g->intf->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION))
		return ENOTSUP;
	__atomic_store_n(&g->intf->connection, XENSTORE_RECONNECT,
	    __ATOMIC_SEQ_CST);
	notify(g);
	while (__atomic_load_n(&g->intf->connection, __ATOMIC_ACQUIRE) !=
	    XENSTORE_CONNECTED) {
		if (now_ms() >= deadline)
			return ETIMEDOUT;
		wait_event(g, deadline - now_ms());
	}
	g->in_len = 0;
	while ((ev = g->events) != NULL) {
		g->events = ev->next;
		free(ev->buf);
		free(ev);
	}
	g->events_tail = &g->events;
	return 0;
}

size_t
sg_raw_write(struct sg_guest *g, const void *buf, size_t len)
{
	size_t n = put_bytes(g, buf, len);

	notify(g);
	return n;
}

void
sg_set_req_prod(struct sg_guest *g, uint32_t v)
{
	__atomic_store_n(&g->intf->req_prod, v, __ATOMIC_RELEASE);
	notify(g);
}

void
sg_set_rsp_cons(struct sg_guest *g, uint32_t v)
{
	__atomic_store_n(&g->intf->rsp_cons, v, __ATOMIC_RELEASE);
	notify(g);
}

unsigned int
sg_flood(struct sg_guest *g, int wait_ms)
{
	struct xsd_sockmsg hdr = { XS_READ, 0, 0, 2 };
	char frame[sizeof(hdr) + 2];
	unsigned int sent = 0;
	long deadline;
	size_t off;

	for (;;) {
		hdr.req_id = 1000000 + sent;
		memcpy(frame, &hdr, sizeof(hdr));
		memcpy(frame + sizeof(hdr), "/", 2);
		off = 0;
		deadline = now_ms() + wait_ms;
		while (off < sizeof(frame)) {
			off += put_bytes(g, frame + off, sizeof(frame) - off);
			notify(g);
			if (off < sizeof(frame)) {
				if (now_ms() >= deadline)
					return sent;
				wait_event(g, 10);
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
	return g->intf->server_features;
}

uint32_t
sg_error(const struct sg_guest *g)
{
	return g->intf->error;
}
