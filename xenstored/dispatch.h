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

/*
 * The list conn's watches are kept on (made with its session if it has
 * none yet), for a live update's WATCH records (state.c).  Owned by
 * conn.  NULL: ENOMEM.
 */
struct watch_list *dispatch_watches(struct connection *conn);

/* The same for conn's open transactions (TA records).  NULL: ENOMEM. */
struct txn_list *dispatch_txns(struct connection *conn);

#endif
