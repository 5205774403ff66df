/*
 * The operation table and the generic request checks.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "control.h"
#include "dispatch.h"
#include "framing.h"
#include "log.h"
#include "ops.h"
#include "ops_domain.h"
#include "request.h"
#include "txn.h"
#include "watch.h"

#define OP_PRIV		0x1	/* Only privileged (dom0) callers. */
#define OP_NOTID	0x2	/* tx_id is ignored. */
#define OP_DATA		0x4	/* One string, then raw data (WRITE). */

#define ANY		REQUEST_ARGS_MAX

struct op {
	int		(*fn)(struct request *req);
	unsigned int	 flags;
	unsigned int	 min_args;
	unsigned int	 max_args;	/* ANY: up to REQUEST_ARGS_MAX kept */
};

/* Per-connection state of this layer. */
struct session {
	struct txn_list		*txns;
	struct watch_list	*watches;
};

struct dispatch {
	struct store	*st;
};

static const struct op ops[XSD_TYPE_COUNT] = {
	[XS_CONTROL] = { op_control, OP_PRIV | OP_NOTID, 1, ANY },
	[XS_DIRECTORY] = { op_directory, 0, 1, 1 },
	[XS_READ] = { op_read, 0, 1, 1 },
	[XS_GET_PERMS] = { op_get_perms, 0, 1, 1 },
	[XS_WATCH] = { op_watch, OP_NOTID, 2, 3 },
	[XS_UNWATCH] = { op_unwatch, OP_NOTID, 2, 3 },
	[XS_TRANSACTION_START] = { op_transaction_start, 0, 0, 1 },
	[XS_TRANSACTION_END] = { op_transaction_end, 0, 1, 1 },
	[XS_INTRODUCE] = { op_introduce, OP_PRIV | OP_NOTID, 3, ANY },
	[XS_RELEASE] = { op_release, OP_PRIV | OP_NOTID, 1, 1 },
	[XS_GET_DOMAIN_PATH] = { op_get_domain_path, OP_NOTID, 1, 1 },
	[XS_WRITE] = { op_write, OP_DATA, 1, ANY },
	[XS_MKDIR] = { op_mkdir, 0, 1, 1 },
	[XS_RM] = { op_rm, 0, 1, 1 },
	[XS_SET_PERMS] = { op_set_perms, 0, 2, ANY },
	[XS_IS_DOMAIN_INTRODUCED] = { op_is_domain_introduced,
	    OP_PRIV | OP_NOTID, 1, 1 },
	[XS_RESUME] = { op_resume, OP_PRIV | OP_NOTID, 1, 1 },
	[XS_SET_TARGET] = { op_set_target, OP_PRIV | OP_NOTID, 2, 2 },
	[XS_RESET_WATCHES] = { op_reset_watches, OP_NOTID, 0, 1 },
	[XS_DIRECTORY_PART] = { op_directory_part, 0, 2, 2 },
	[XSD_GET_FEATURE] = { op_get_feature, OP_PRIV | OP_NOTID, 0, 1 },
	[XSD_SET_FEATURE] = { op_set_feature, OP_PRIV | OP_NOTID, 2, 2 },
	[XSD_GET_QUOTA] = { op_get_quota, OP_PRIV | OP_NOTID, 0, 2 },
	[XSD_SET_QUOTA] = { op_set_quota, OP_PRIV | OP_NOTID, 2, 3 },
};

struct dispatch *
dispatch_new(TALLOC_CTX *ctx, struct store *st)
{
	struct dispatch *d;

	d = talloc_zero(ctx, struct dispatch);
	if (d != NULL)
		d->st = st;
	return d;
}

static struct session *
session_get(struct connection *conn)
{
	struct session *s = conn_priv(conn);

	if (s != NULL)
		return s;
	/* Owned by the connection: freeing it aborts the transactions. */
	s = talloc_zero(conn, struct session);
	if (s == NULL || (s->txns = txn_list_new(s)) == NULL ||
	    (s->watches = watch_list_new(s)) == NULL) {
		talloc_free(s);
		return NULL;
	}
	conn_set_priv(conn, s);
	return s;
}

struct watch_list *
dispatch_watches(struct connection *conn)
{
	struct session *s = session_get(conn);

	return s == NULL ? NULL : s->watches;
}

struct txn_list *
dispatch_txns(struct connection *conn)
{
	struct session *s = session_get(conn);

	return s == NULL ? NULL : s->txns;
}

/* Argument checks of the table; 0 or EINVAL. */
static int
split_args(const struct op *op, struct request *req)
{
	size_t tail;
	unsigned int n;

	n = framing_split(req->payload, req->len, req->argv,
	    REQUEST_ARGS_MAX, &tail);
	req->argc = n < REQUEST_ARGS_MAX ? n : REQUEST_ARGS_MAX;
	if (op->flags & OP_DATA)
		return n >= 1 ? 0 : EINVAL;	/* data may hold nuls */
	if (tail != 0)
		return EINVAL;	/* every argument ends with a nul */
	if (n < op->min_args || (op->max_args != ANY && n > op->max_args))
		return EINVAL;
	return 0;
}

static int
run(const struct dispatch *d, struct connection *conn,
    const struct xsd_sockmsg *hdr, struct request *req)
{
	const struct op *op;
	struct session *s;
	int err;

	if (hdr->type >= XSD_TYPE_COUNT || ops[hdr->type].fn == NULL) {
		log_debug("conn %u: unknown type %u", conn_id(conn),
		    hdr->type);
		return ENOSYS;
	}
	op = &ops[hdr->type];
	if ((op->flags & OP_PRIV) && !conn_privileged(conn))
		return EACCES;
	if ((s = session_get(conn)) == NULL)
		return ENOMEM;
	req->st = d->st;
	req->txns = s->txns;
	req->watches = s->watches;
	if (!(op->flags & OP_NOTID) && hdr->tx_id != 0 &&
	    (req->tx = txn_find(s->txns, hdr->tx_id)) == NULL)
		return ENOENT;
	if ((err = split_args(op, req)) != 0)
		return err;
	return op->fn(req);
}

void
dispatch_frame(struct connection *conn, const struct xsd_sockmsg *hdr,
    char *payload, TALLOC_CTX *req_ctx, void *arg)
{
	const struct dispatch *d = arg;
	struct request req;
	int err;

	memset(&req, 0, sizeof(req));
	req.ctx = req_ctx;
	req.conn = conn;
	req.type = hdr->type;
	req.req_id = hdr->req_id;
	req.tx_id = hdr->tx_id;
	req.payload = payload;
	req.len = hdr->len;

	if ((err = run(d, conn, hdr, &req)) != REQUEST_HELD)
		dispatch_reply(&req, err);
}

void
dispatch_reply(const struct request *req, int err)
{
	const char *ename;

	if (err != 0) {
		if (!framing_error_known(err))
			log_warnx("conn %u: %s: error %d has no wire name",
			    conn_id(req->conn), framing_type_name(req->type),
			    err);
		ename = framing_error_name(err);
		conn_send(req->conn, XS_ERROR, req->req_id, req->tx_id, ename,
		    strlen(ename) + 1);
		return;
	}
	if (req->reply == NULL)
		conn_send(req->conn, req->type, req->req_id, req->tx_id, "OK",
		    3);
	else
		conn_send(req->conn, req->type, req->req_id, req->tx_id,
		    req->reply, req->reply_len);
	if (req->event_path != NULL)
		conn_send_event(req->conn, req->event_path, req->event_token);
}
