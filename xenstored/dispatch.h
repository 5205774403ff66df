/*
 * Request dispatch: the operation table, the checks that run before any
 * handler (known type, privilege, argument count, tx_id), the per-request
 * talloc context, and the one place that sends the reply or the error.
 */
#ifndef XSD_DISPATCH_H
#define XSD_DISPATCH_H

#include <talloc.h>

#include "conn.h"

struct store;
struct dispatch;
struct watch_list;
struct txn_list;

/* Dispatcher for requests on st, allocated on ctx.  NULL: ENOMEM. */
struct dispatch *dispatch_new(TALLOC_CTX *ctx, struct store *st);

/*
 * The conn_frame_fn given to transports, with the dispatch as arg.  Sends
 * exactly one reply per frame: the result, or ERROR with the errno name
 * (xs_wire.h xsd_errors); unknown types get ENOSYS (as Xen's C xenstored).
 */
void	dispatch_frame(struct connection *conn, const struct xsd_sockmsg *hdr,
	    char *payload, TALLOC_CTX *req_ctx, void *arg);

struct request;
/*
 * Send req's reply as dispatch_frame() does: err's ERROR (an errno),
 * else req->reply (NULL: "OK") and any event req names.  For a held
 * request (REQUEST_HELD, request.h); req->conn, type, req_id and tx_id
 * must be set.  A reply that cannot be queued is lost as
 * conn_send() says (the connection closes on ENOSPC).
 */
void	dispatch_reply(const struct request *req, int err);

/*
 * The list conn's watches are kept on (made with its session if it has
 * none yet), for a live update's WATCH records (state.c).  Owned by
 * conn.  NULL: ENOMEM.
 */
struct watch_list *dispatch_watches(struct connection *conn);

/* The same for conn's open transactions (TA records).  NULL: ENOMEM. */
struct txn_list *dispatch_txns(struct connection *conn);

#endif
