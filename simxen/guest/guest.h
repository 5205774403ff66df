/*
 * The simulated guest's xenbus: the xenstore protocol over the domain's
 * own ring page and store event channel, as a guest kernel speaks it
 * (docs/misc/xenstore-ring.txt), plus the hostile moves tests need.
 */
#ifndef SIMXEN_GUEST_H
#define SIMXEN_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/xs_wire.h>

struct simxen;
struct sg_guest;

/* A reply: its header and payload (nul added after it; owned by the
 * caller, free()). */
struct sg_reply {
	struct xsd_sockmsg	 hdr;
	char			*body;
};

/*
 * Become domain domid's xenbus: map its ring page, take its store event
 * channel (the port the toolstack allocated).  *gp is owned by the
 * caller (sg_close()).  Returns 0, ESRCH (no such domain), EBUSY (the
 * port has a live owner), ENOMEM, or a simxen error.
 */
int	sg_open(struct simxen *sx, uint32_t domid, struct sg_guest **gp);
void	sg_close(struct sg_guest *g);

/*
 * The same client over a xenstored Unix socket at path, as dom0 (the
 * ring-only calls below must not be used on it).  Returns 0, ENOMEM or
 * the errno of socket/connect.
 */
int	sg_open_socket(const char *path, struct sg_guest **gp);

/*
 * Send one request (header + len bytes) and wait up to timeout_ms for
 * the reply with its req_id; watch events that arrive meanwhile are
 * queued for sg_event().  Returns 0 (r filled), ETIMEDOUT, EPROTO (the
 * server set the error indicator or broke the ring), ENOMEM.
 */
int	sg_request(struct sg_guest *g, uint32_t type, uint32_t tx_id,
	    const void *payload, size_t len, struct sg_reply *r,
	    int timeout_ms);

/*
 * Next watch event, waiting up to timeout_ms: *path and *token point
 * into *buf (owned by the caller, free()).  Returns 0, ETIMEDOUT,
 * EPROTO, ENOMEM.
 */
int	sg_event(struct sg_guest *g, char **buf, const char **path,
	    const char **token, int timeout_ms);

/*
 * Ask for a ring reconnection (xenstore-ring.txt) and wait up to
 * timeout_ms for the server to complete it; queued events and partial
 * packets are dropped.  Returns 0, ENOTSUP (feature not offered),
 * ETIMEDOUT.
 */
int	sg_reconnect(struct sg_guest *g, int timeout_ms);

/* Hostile moves. */
/* Write len raw bytes to the request ring (as much as fits), notify.
 * Returns the count written. */
size_t	sg_raw_write(struct sg_guest *g, const void *buf, size_t len);
/* Set req_prod to v and notify. */
void	sg_set_req_prod(struct sg_guest *g, uint32_t v);
/* Set rsp_cons to v and notify. */
void	sg_set_rsp_cons(struct sg_guest *g, uint32_t v);
/*
 * Send requests (READ of "/") without consuming any reply, until the
 * request ring stays full for wait_ms.  Returns the number sent.
 */
unsigned int sg_flood(struct sg_guest *g, int wait_ms);

/* True for a ring client, false for sg_open_socket(). */
bool	sg_on_ring(const struct sg_guest *g);

/* The ring's server_features, connection and error fields. */
uint32_t sg_features(const struct sg_guest *g);
uint32_t sg_error(const struct sg_guest *g);

#endif
