/*
 * A client connection, whatever its transport: owner of its input buffer,
 * its bounded output queue and (through talloc) everything the upper
 * layers hang on it (watches, transactions).  Freed only at a safe point,
 * after the loop iteration that closed it.
 */
#ifndef XSD_CONN_H
#define XSD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <talloc.h>

#include "perms.h"

struct connection;
struct xsd_sockmsg;

/* Most bytes queued for a peer that does not read; then it is dropped. */
#define CONN_OUT_MAX	(16u * 1024 * 1024)

/* How a connection moves bytes.  priv is the transport's own state. */
struct conn_transport {
	const char	*name;
	/*
	 * Read or write up to len bytes.  Return the count (> 0), 0 when
	 * nothing can move now, or -1 with *err set when the peer is gone
	 * or broken (0 in *err for an orderly close).
	 */
	ssize_t		(*read)(void *priv, void *buf, size_t len, int *err);
	ssize_t		(*write)(void *priv, const void *buf, size_t len,
			    int *err);
	/* Ask for conn_output() calls while output is pending. */
	void		(*want_write)(void *priv, bool on);
	/* Stop reading (the connection is closing). */
	void		(*stop_read)(void *priv);
	/*
	 * Optional: the peer broke the protocol (payload over
	 * XENSTORE_PAYLOAD_MAX); called just before the close.
	 */
	void		(*violation)(void *priv);
	/*
	 * Optional, a ring's (docs/crash-restart.md): in_pos() is where
	 * req_cons goes once what read() gave is consumed(); with the
	 * journal on, read() leaves req_cons until then.  out_pos() is
	 * rsp_prod now; set_in_pos() moves req_cons (a restart).
	 */
	uint32_t	(*in_pos)(void *priv);
	void		(*consume)(void *priv);
	uint32_t	(*out_pos)(void *priv);
	void		(*set_in_pos)(void *priv, uint32_t pos);
	/* Optional: stop (on) or resume watching for input, so that a
	 * held connection's waiting bytes do not wake the loop. */
	void		(*pause_read)(void *priv, bool on);
	/* Optional, a socket's: the connection has work in flight. */
	void		(*busy)(void *priv, bool busy);
};

/*
 * Called for each complete frame.  payload holds hdr->len bytes followed
 * by a nul (so a string argument at the end is terminated), and is
 * allocated on req_ctx, which the connection frees after the call.  The
 * callback may call conn_close() but must not free conn.
 */
typedef void conn_frame_fn(struct connection *conn,
	    const struct xsd_sockmsg *hdr, char *payload, TALLOC_CTX *req_ctx,
	    void *arg);

/*
 * New connection for a client of domain domid.  tp_priv (a talloc object)
 * is stolen by the connection, so a destructor on it can close the
 * transport when the connection goes.  Allocated on ctx.  NULL: ENOMEM.
 */
struct connection *conn_new(TALLOC_CTX *ctx, const struct conn_transport *tp,
	    void *tp_priv, unsigned int domid, bool privileged,
	    conn_frame_fn *fn, void *arg);

/*
 * A restart (docs/crash-restart.md): a ring connection's rsp_prod now,
 * and moving its req_cons to where the crashed daemon had consumed.
 * 0 / no-op for a socket.
 */
uint32_t conn_ring_published(const struct connection *conn);
/* For a snapshot: the ring position of the first byte not yet sent. */
uint32_t conn_ring_out_start(const struct connection *conn);
void	conn_ring_set_req_cons(struct connection *conn, uint32_t req_cons);

/* The transport says: bytes can be read / written now. */
void	conn_input(struct connection *conn);
void	conn_output(struct connection *conn);

/*
 * Queue one message.  Returns 0; ENOSPC when the output queue would pass
 * CONN_OUT_MAX (the connection is then closed); ENOMEM; EPIPE when the
 * connection is already closing (the message is dropped).
 */
int	conn_send(struct connection *conn, uint32_t type, uint32_t req_id,
	    uint32_t tx_id, const void *payload, size_t len);
/* Queue a WATCH_EVENT "path\0token\0" (req_id and tx_id 0).  As above. */
int	conn_send_event(struct connection *conn, const char *path,
	    const char *token);

/*
 * A live update (docs/migration-stream.md): queue len bytes the daemon
 * this one replaces had not yet sent on this connection (a CONN record's
 * output: the first resp_len bytes the tail of a reply, then whole
 * messages), as they are.  Returns 0; ENOSPC past CONN_OUT_MAX or for
 * resp_len over len; ENOMEM; EPIPE when closing.
 */
int	conn_restore_output(struct connection *conn, const void *buf,
	    size_t len, size_t resp_len);

/*
 * For a live update's CONN record: a copy on ctx of the bytes queued and
 * not yet sent (*len of them; NULL: ENOMEM), *resp_len of which, at the
 * start, are the rest of a reply sent in part.
 */
void	*conn_saved_output(const struct connection *conn, TALLOC_CTX *ctx,
	    size_t *len, size_t *resp_len);

/* The bytes read and not yet handled (a partial request); conn's own. */
const void *conn_saved_input(const struct connection *conn, size_t *len);

/*
 * The same for len bytes it had read and not handled (requests, the
 * last maybe partial): handled now, as if just read; a partial frame
 * waits for the rest from the peer.  Returns 0; EPIPE when the
 * connection closed meanwhile (e.g. a frame over XENSTORE_PAYLOAD_MAX).
 */
int	conn_restore_input(struct connection *conn, const void *buf,
	    size_t len);

/*
 * Close: stop reading, drop pending output, free the connection after
 * this loop iteration.  why is logged (verbose).  Idempotent.
 */
void	conn_close(struct connection *conn, const char *why);
bool	conn_closing(const struct connection *conn);

unsigned int conn_id(const struct connection *conn);
unsigned int conn_domid(const struct connection *conn);
bool	conn_privileged(const struct connection *conn);
/* Identity for permission checks. */
void	conn_caller(const struct connection *conn, struct perm_caller *out);

/*
 * Make conn act for domain target (SET_TARGET, xenstore.txt): it gets
 * the target's access on top of its own.
 */
void	conn_set_target(struct connection *conn, unsigned int target);

/*
 * Bound what a peer that does not read can cost us (domain connections):
 * input is not read while pause_at bytes or more are queued (0: never
 * pause), and watch events that would take the queue past event_max
 * bytes are dropped and counted (0: never drop).  Replies are never
 * dropped: pausing input bounds them.
 */
void	conn_set_limits(struct connection *conn, size_t pause_at,
	    size_t event_max);
/* True while input is paused by the limit above or throttled. */
bool	conn_input_paused(const struct connection *conn);
/*
 * Stop (on) or resume reading conn's requests, whatever its output; the
 * transport's owner must serve it again after resuming (conflict credit,
 * conflict.h).  Never fails.
 */
void	conn_set_throttled(struct connection *conn, bool on);
/*
 * Hold (on) conn's input for a request whose reply comes later
 * (REQUEST_HELD, request.h): no frame after it is handled and nothing
 * more is read.  Off: the frames already read are handled, then input
 * is read again.  No-op on a closing connection.  Never fails.
 */
void	conn_hold(struct connection *conn, bool on);
/* Bytes queued for the peer. */
size_t	conn_out_bytes(const struct connection *conn);
/* Watch events dropped by the event_max limit. */
unsigned long conn_events_dropped(const struct connection *conn);

/* One pointer for the layer that created the connection. */
void	*conn_priv(const struct connection *conn);
void	conn_set_priv(struct connection *conn, void *priv);

/* Number of open connections. */
unsigned int conn_count(void);
/* Free every connection now (shutdown). */
void	conn_free_all(void);

#endif
