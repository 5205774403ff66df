/*
 * One client request as the operation handlers see it.  dispatch.c fills
 * it after the generic checks (type, privilege, arity, tx_id), calls the
 * handler, and sends exactly one reply: the handler's result or the error
 * it returned.  Handlers never send replies themselves, but for a held
 * request: a handler that returns REQUEST_HELD has held the connection
 * (conn_hold()) and later replies with dispatch_reply(), then lets go.
 */
#ifndef XSD_REQUEST_H
#define XSD_REQUEST_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <talloc.h>

struct connection;
struct store;
struct txn;
struct txn_list;
struct watch_list;

/* A handler's result: the reply comes later (see above). */
#define REQUEST_HELD	EINPROGRESS

/* Upper bound on string arguments any operation takes. */
#define REQUEST_ARGS_MAX	8

struct request {
	/* In: */
	TALLOC_CTX		*ctx;		/* freed after the reply */
	struct connection	*conn;
	struct store		*st;
	struct txn_list		*txns;		/* the client's transactions */
	struct watch_list	*watches;	/* the client's watches */
	struct txn		*tx;		/* NULL outside a transaction */
	uint32_t		 type;
	uint32_t		 req_id;
	uint32_t		 tx_id;
	const char		*argv[REQUEST_ARGS_MAX];
	unsigned int		 argc;
	const char		*payload;	/* whole payload, nul after */
	size_t			 len;
	/* Out (on success): reply payload; NULL means "OK". */
	const void		*reply;
	size_t			 reply_len;
	/* Out: a watch event to queue right after the reply. */
	const char		*event_path;
	const char		*event_token;
};

/* Reply with a nul-terminated string (nul included).  0 or ENOMEM. */
static inline int
request_reply_string(struct request *req, const char *s)
{
	req->reply = s;
	req->reply_len = s == NULL ? 0 : strlen(s) + 1;
	return s == NULL ? ENOMEM : 0;
}

#endif
