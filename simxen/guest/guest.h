/*
 * The simulated guest's xenbus: the xenstore protocol over a domain's
 * own ring page and store event channel, as a guest kernel speaks it
 * (docs/misc/xenstore-ring.txt), plus the hostile moves tests need.
 *
 * The ring side sits on a small transport (page + notify + wait), so the
 * same client runs on the simulated Xen (sg_open()) and, in unit tests,
 * against a fake server thread on a malloc'd page (sg_open_transport()).
 * A handle is not thread-safe: one thread drives it.
 */
#ifndef SIMXEN_GUEST_H
#define SIMXEN_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

struct simxen;
struct sg_guest;

/*
 * How the client reaches its server over a ring.  The callbacks get arg.
 * notify: signal the server (the store event channel), never blocks.
 * wait: block up to timeout_ms (>= 0) for a notification from the
 * server and consume it; returns true if one came, false on timeout.
 * A notification that fires between the client's last look at the ring
 * and wait() must still wake it (event channels latch), or the client
 * sleeps the full timeout.
 * close: release arg (may be NULL); called once by sg_close().
 */
struct sg_transport {
	struct xenstore_domain_interface *intf;	/* one page, shared */
	void	(*notify)(void *arg);
	bool	(*wait)(void *arg, int timeout_ms);
	void	(*close)(void *arg);
	void	*arg;
};

/* A reply: its header and payload (nul added after it; owned by the
 * caller, free()). */
struct sg_reply {
	struct xsd_sockmsg	 hdr;
	char			*body;
};

/*
 * Become a xenbus client over t (copied; the page and arg stay the
 * caller's until sg_close() calls t->close).  Returns 0 or ENOMEM (then
 * t->close is not called).
 */
int	sg_open_transport(const struct sg_transport *t, struct sg_guest **gp);

/*
 * Become domain domid's xenbus on the simulated Xen: map its ring page,
 * take its store event channel (the port the toolstack allocated).  *gp
 * is owned by the caller (sg_close()).  Returns 0, ESRCH (no such
 * domain), EBUSY (the port has a live owner), ENOMEM, or a simxen error.
 */
int	sg_open(struct simxen *sx, uint32_t domid, struct sg_guest **gp);

/*
 * The same client over a xenstored Unix socket at path, as dom0 (the
 * ring-only calls below must not be used on it).  Returns 0,
 * ENAMETOOLONG, ENOMEM or the errno of socket/connect.
 */
int	sg_open_socket(const char *path, struct sg_guest **gp);

/* Free g, its queued events and its transport.  NULL is a no-op. */
void	sg_close(struct sg_guest *g);

/*
 * Send one request (header + len bytes, len <= XENSTORE_PAYLOAD_MAX) and
 * wait up to timeout_ms for the reply with its req_id; replies with
 * other req_ids are dropped, watch events that arrive meanwhile are
 * queued for sg_event().  While a reconnection is in progress (the
 * connection field is XENSTORE_RECONNECT) it first waits for it to end.
 * Returns 0 (r filled), EINVAL (len too big), ETIMEDOUT (the request may
 * be partly sent: reconnect before relying on the ring again), EPROTO
 * (the server set the error indicator, with the feature offered: it
 * stopped serving us), EBADMSG (the server broke the response ring:
 * indexes more than a ring apart, or a reply header longer than
 * XENSTORE_PAYLOAD_MAX), ENOBUFS (more than SG_EVENTS_MAX events
 * queued), EPIPE (socket closed), ENOMEM.
 */
int	sg_request(struct sg_guest *g, uint32_t type, uint32_t tx_id,
	    const void *payload, size_t len, struct sg_reply *r,
	    int timeout_ms);

/*
 * The two halves of sg_request(), for clients that do not wait for each
 * reply (hostile moves: requests never read, bursts).  sg_send() puts one
 * whole request on the ring (or socket), waiting up to timeout_ms for
 * room on the server's notifications, and never consumes a reply;
 * *req_id gets its id.  Returns 0, EINVAL, ETIMEDOUT (the request may be
 * partly sent), EPROTO, EBADMSG, EPIPE.
 * sg_await() waits up to timeout_ms for the reply with req_id, consuming
 * replies (others are dropped) and queueing events as sg_request() does;
 * its errors are those of sg_request().
 */
int	sg_send(struct sg_guest *g, uint32_t type, uint32_t tx_id,
	    const void *payload, size_t len, uint32_t *req_id,
	    int timeout_ms);
int	sg_await(struct sg_guest *g, uint32_t req_id, struct sg_reply *r,
	    int timeout_ms);

/* Watch events a client queues before sg_request() gives ENOBUFS. */
#define SG_EVENTS_MAX	4096u

/*
 * Next watch event, waiting up to timeout_ms: *path and *token point
 * into *buf (owned by the caller, free()).  Returns 0, ETIMEDOUT, and
 * the errors of sg_request().
 */
int	sg_event(struct sg_guest *g, char **buf, const char **path,
	    const char **token, int timeout_ms);

/* Number of watch events queued (already read off the ring). */
size_t	sg_events_queued(const struct sg_guest *g);

/*
 * Ask for a ring reconnection (xenstore-ring.txt, "The ring reconnection
 * feature"): set connection to XENSTORE_RECONNECT, notify, wait up to
 * timeout_ms for the server to set it back to XENSTORE_CONNECTED.
 * Queued events and partial packets are dropped.  Returns 0, ENOTSUP
 * (feature not offered, or a socket client), ETIMEDOUT.
 */
int	sg_reconnect(struct sg_guest *g, int timeout_ms);

/*
 * Hostile moves (ring clients only).
 */

/* Write len raw bytes to the request ring (as much as fits), notify.
 * Returns the count written. */
size_t	sg_raw_write(struct sg_guest *g, const void *buf, size_t len);
/* Set req_prod to v and notify. */
void	sg_set_req_prod(struct sg_guest *g, uint32_t v);
/* Set rsp_cons to v and notify. */
void	sg_set_rsp_cons(struct sg_guest *g, uint32_t v);
/* Scribble on the server's indexes: set req_cons / rsp_prod, notify. */
void	sg_set_req_cons(struct sg_guest *g, uint32_t v);
void	sg_set_rsp_prod(struct sg_guest *g, uint32_t v);
/*
 * Send requests (READ of "/", req_ids from 1000000) without consuming
 * any reply, until the request ring stays full for wait_ms.  Returns the
 * number of whole requests sent.
 */
unsigned int sg_flood(struct sg_guest *g, int wait_ms);

/* True for a ring client, false for sg_open_socket(). */
bool	sg_on_ring(const struct sg_guest *g);

/* The ring's server_features and error fields as they are now. */
uint32_t sg_features(const struct sg_guest *g);
uint32_t sg_error(const struct sg_guest *g);

#endif
