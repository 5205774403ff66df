/*
 * Ring transport: a connection over a domain's store ring page
 * (struct xenstore_domain_interface, docs/misc/xenstore-ring.txt).  The
 * ring mapping and the event channel belong to the caller (domain.c);
 * this module only moves bytes, checks indexes, and sets the
 * server_features / connection / error fields.
 */
#ifndef XSD_CONN_RING_H
#define XSD_CONN_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>

#include <xen/io/xs_wire.h>

#include "conn.h"

struct ring_conn;

/* Features we offer on every ring (xenstore-ring.txt, server_features). */
#define RING_FEATURES	(XENSTORE_SERVER_FEATURE_RECONNECTION | \
	    XENSTORE_SERVER_FEATURE_ERROR | RING_FEATURE_WATCH_DEPTH)
/* Bit 2: WATCH takes a depth (xenstore-ring.txt); xs_wire.h lacks it. */
#define RING_FEATURE_WATCH_DEPTH	4u

/* What the caller provides: signal the guest, and hear of the end. */
struct ring_conn_ops {
	/* Notify the guest's event channel.  Must not fail loudly. */
	void	(*notify)(void *arg);
	/*
	 * The connection is being freed (after a close by anyone); the
	 * caller drops its pointers.  Called from a destructor: unlink only.
	 */
	void	(*gone)(void *arg);
};

/*
 * Serve ring (one page, mapped read/write by the caller, valid until
 * ring_conn_detach() or the connection's end) as a connection of domain
 * domid.  Call ring_advertise() first.  The connection is allocated on ctx;
 * frames go to fn(.., fn_arg).  Returns NULL for ENOMEM.
 */
struct ring_conn *ring_conn_new(TALLOC_CTX *ctx, void *ring,
	    unsigned int domid, bool privileged,
	    const struct ring_conn_ops *ops, void *arg, conn_frame_fn *fn,
	    void *fn_arg);

/*
 * The caller forgets rc (it is tearing the domain down): no gone() or
 * notify() call will reach it any more.
 */
void	ring_conn_forget(struct ring_conn *rc);

/* The connection behind rc. */
struct connection *ring_conn_connection(const struct ring_conn *rc);

/*
 * The event channel fired (or work is left over): move what can move
 * both ways, notify the guest once if anything moved.  Returns true when
 * input is left in the ring that this call did not take (call again
 * after other peers had a turn), false otherwise.  May close the
 * connection (bad indexes: error indicator XENSTORE_ERROR_RINGIDX).
 */
bool	ring_conn_event(struct ring_conn *rc);

/*
 * Does the guest ask for a reconnection (connection field set to
 * XENSTORE_RECONNECT)?  ring is any mapped ring page.
 */
bool	ring_reconnect_requested(const void *ring);

/*
 * Offer features (server_features bits) on ring, before serving it: the
 * field must be set before any byte moves (xenstore-ring.txt).
 */
void	ring_advertise(void *ring, unsigned int features);

/*
 * Complete a reconnection on ring: empty both queues, clear the error
 * indicator, offer features, set the connection
 * field to XENSTORE_CONNECTED (xenstore-ring.txt, "The ring reconnection
 * feature").  The caller closes the old connection first and notifies
 * the guest after.
 */
void	ring_reset(void *ring, unsigned int features);

/* Set the error indicator of ring (XENSTORE_ERROR_*). */
void	ring_set_error(void *ring, unsigned int error);

#endif
