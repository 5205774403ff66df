/*
 * Taking over from a replaced daemon's state file (state.h): two passes
 * over one buffer, the first only checks (nothing is adopted from a
 * stream that would fail half way), the second hands each record to
 * its module.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <uthash.h>

#include "conn.h"
#include "conn_socket.h"
#include "dispatch.h"
#include "domain.h"
#include "framing.h"
#include "journal.h"
#include "keeper.h"
#include "log.h"
#include "path.h"
#include "quota.h"
#include "state.h"
#include "store.h"
#include "stream.h"
#include "txn.h"
#include "watch.h"

/* The state file is at most this big (a full store is a few MB). */
#define STATE_MAX	(1024u * 1024 * 1024)

/* A restored connection, by the stream's conn-id. */
struct conn_entry {
	uint32_t		 id;
	struct connection	*conn;		/* NULL before pass 2 */
	const uint8_t		*in;		/* its saved input */
	size_t			 in_len;
	/* A restart's (docs/crash-restart.md): */
	bool			 live;		/* not closed since */
	bool			 socket;
	int			 socket_fd;
	bool			 has_req_cons;	/* a RING_IN moved it */
	uint32_t		 req_cons;
	uint8_t			*out;		/* unpublished ring output */
	size_t			 out_len;
	size_t			 out_first;	/* a message's tail first */
	uint32_t		 out_start;	/* rsp_prod at out[0] */
	UT_hash_handle		 hh;
};

struct state {
	char			*path;
	uint8_t			*buf;
	size_t			 len;
	struct conn_entry	*conns;
	/* A restart: the journal, and what the restart keeps. */
	bool			 recover;
	char			*dir;
	uint8_t			*jbuf;
	size_t			 jlen;
	uint32_t		 gen;
	int			*adopted;	/* fds taken over */
	unsigned int		 nadopted;
	int			*kept;		/* fds the keeper gave back */
	unsigned int		 nkept;
	int			 evtchn_fd;
};

static bool
in_list(const int *fds, unsigned int n, int fd)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (fds[i] == fd)
			return true;
	return false;
}

const char *
state_run_dir(void)
{
	const char *dir = getenv("XENSTORED_RUNDIR");

	return dir != NULL && *dir != '\0' ? dir : "/var/run/xenstored";
}

char *
state_default_path(TALLOC_CTX *ctx)
{
	return talloc_asprintf(ctx, "%s/state_dump", state_run_dir());
}

static struct conn_entry *
find_conn(struct state *s, uint32_t id)
{
	struct conn_entry *e;

	HASH_FIND(hh, s->conns, &id, sizeof(id), e);
	return e;
}

static int
state_destroy(struct state *s)
{
	struct conn_entry *e, *tmp;

	HASH_ITER(hh, s->conns, e, tmp) {
		HASH_DEL(s->conns, e);
		talloc_free(e->out);
		free(e);
	}
	return 0;
}

static int
read_file(struct state *s, char **why, TALLOC_CTX *ctx)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(s->path, O_RDONLY | O_CLOEXEC)) < 0) {
		*why = talloc_asprintf(ctx, "%s: %s", s->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > STATE_MAX) {
		*why = talloc_asprintf(ctx, "%s: not a regular file of at most "
		    "%u bytes", s->path, STATE_MAX);
		close(fd);
		return -1;
	}
	s->len = st.st_size;
	if ((s->buf = talloc_size(s, s->len + 1)) == NULL) {
		*why = talloc_strdup(ctx, "out of memory");
		close(fd);
		return -1;
	}
	while (got < s->len &&
	    ((n = read(fd, s->buf + got, s->len - got)) > 0 ||
	    (n < 0 && errno == EINTR)))
		if (n > 0)
			got += n;
	close(fd);
	if (got != s->len) {
		*why = talloc_asprintf(ctx, "%s: short read", s->path);
		return -1;
	}
	return 0;
}

/* state_load()'s checks, on s->buf; 0, or -1 with *why. */
static int
check_stream(struct state *s, int *socket_fd, int *evtchn_fd, char **why,
    TALLOC_CTX *ctx)
{
	struct stream_reader r;
	struct stream_record rec;
	struct conn_entry *e;
	const char *path = s->path;
	bool global = false;
	int err;

	if ((err = stream_open(&r, s->buf, s->len)) != 0)
		goto bad;
	while ((err = stream_next(&r, &rec)) == 0 && rec.type != STREAM_END) {
		switch (rec.type) {
		case STREAM_GLOBAL:
			if (global) {
				r.why = "a second GLOBAL";
				goto bad_record;
			}
			global = true;
			*socket_fd = rec.u.global.socket_fd;
			*evtchn_fd = rec.u.global.evtchn_fd;
			break;
		case STREAM_CONN:
			if (!global) {
				r.why = "a CONN before GLOBAL";
				goto bad_record;
			}
			if (find_conn(s, rec.u.conn.conn_id) != NULL) {
				r.why = "two CONNs with one conn-id";
				goto bad_record;
			}
			if ((e = calloc(1, sizeof(*e))) == NULL) {
				*why = talloc_strdup(ctx, "out of memory");
				return -1;
			}
			e->id = rec.u.conn.conn_id;
			e->in = rec.u.conn.in;
			e->in_len = rec.u.conn.in_len;
			HASH_ADD(hh, s->conns, id, sizeof(e->id), e);
			break;
		case STREAM_WATCH:
		case STREAM_WATCH_EXT:
			if (rec.u.watch.path != NULL &&
			    find_conn(s, rec.u.watch.conn_id) == NULL) {
				r.why = "a WATCH before its CONN";
				goto bad_record;
			}
			break;
		case STREAM_TA:
			if (find_conn(s, rec.u.ta.conn_id) == NULL) {
				r.why = "a TA before its CONN";
				goto bad_record;
			}
			break;
		default:
			break;
		}
	}
	if (err != 0)
		goto bad;
	if (!global) {
		*why = talloc_asprintf(ctx, "%s: no GLOBAL record", path);
		return -1;
	}
	return 0;
bad_record:
	err = EPROTO;
bad:
	*why = talloc_asprintf(ctx, "%s: offset %zu, record %u: %s", path,
	    r.off, r.records + 1, r.why != NULL ? r.why : strerror(err));
	return -1;
}

static struct state *
new_state(TALLOC_CTX *ctx, const char *path, char **why)
{
	struct state *s;

	if ((s = talloc_zero(ctx, struct state)) == NULL ||
	    (s->path = talloc_strdup(s, path)) == NULL) {
		talloc_free(s);
		*why = talloc_strdup(ctx, "out of memory");
		return NULL;
	}
	talloc_set_destructor(s, state_destroy);
	return s;
}

struct state *
state_load(TALLOC_CTX *ctx, const char *path, int *socket_fd, int *evtchn_fd,
    char **why)
{
	struct state *s = new_state(ctx, path, why);

	if (s == NULL)
		return NULL;
	if (read_file(s, why, ctx) != 0 ||
	    check_stream(s, socket_fd, evtchn_fd, why, ctx) != 0) {
		talloc_free(s);
		return NULL;
	}
	return s;
}

struct state *
state_load_buffer(TALLOC_CTX *ctx, const void *buf, size_t len,
    int *socket_fd, int *evtchn_fd, char **why)
{
	struct state *s = new_state(ctx, "(buffer)", why);

	if (s == NULL)
		return NULL;
	if ((s->buf = talloc_size(s, len + 1)) == NULL) {
		*why = talloc_strdup(ctx, "out of memory");
		talloc_free(s);
		return NULL;
	}
	memcpy(s->buf, buf, len);
	s->len = len;
	if (check_stream(s, socket_fd, evtchn_fd, why, ctx) != 0) {
		talloc_free(s);
		return NULL;
	}
	return s;
}

/* A NODE's perms as ours, on ctx.  0 or ENOMEM. */
static int
node_perms_of(TALLOC_CTX *ctx, const struct stream_reader *r,
    const struct stream_node *n, struct perms *out)
{
	struct stream_perm sp;
	unsigned int i;

	out->num = n->n_perms;
	if ((out->p = talloc_zero_array(ctx, struct perm_entry,
	    n->n_perms)) == NULL)
		return ENOMEM;
	for (i = 0; i < n->n_perms; i++) {
		sp = stream_node_perm(r, n, i);
		out->p[i].domid = sp.domid;
		/* The reader let only n, r, w and b through. */
		(void)perms_from_letter(sp.perm, &out->p[i].perms);
		if (sp.flags & STREAM_PERM_STALE)
			out->p[i].perms |= PERM_IGNORE;
	}
	return 0;
}

static int
restore_node(struct store *st, const struct stream_reader *r,
    const struct stream_node *n, TALLOC_CTX *tmp, const char **why)
{
	struct node *node, *parent;
	struct perms perms;
	char *ppath;

	if (n->conn_id != 0) {
		log_debug("live update: %s of transaction %u not carried",
		    n->path, n->tx_id);
		return 0;
	}
	if (node_perms_of(tmp, r, n, &perms) != 0)
		return ENOMEM;
	if (n->path[0] == '@') {
		/* Only the two Xen names: others have nothing to carry. */
		if (domain_set_special_perms(n->path, &perms) != 0)
			log_warnx("live update: special node %s skipped",
			    n->path);
		return 0;
	}
	if (!path_valid(n->path)) {
		*why = "a NODE path that is not valid";
		return EPROTO;
	}
	if (strcmp(n->path, "/") == 0) {
		node = store_lookup(st, "/");
		return store_set_data(st, node, n->value, n->value_len) != 0 ||
		    store_set_perms(st, node, &perms) != 0 ? ENOMEM : 0;
	}
	if (store_lookup(st, n->path) != NULL) {
		*why = "a NODE twice";
		return EPROTO;
	}
	if ((ppath = path_parent(tmp, n->path)) == NULL)
		return ENOMEM;
	if ((parent = store_lookup(st, ppath)) == NULL) {
		*why = "a NODE before its parent";
		return EPROTO;
	}
	node = store_add(st, parent, path_basename(n->path), n->value,
	    n->value_len, &perms);
	if (node == NULL)
		return ENOMEM;
	/* As a commit charges it; the replaced daemon accepted it. */
	quota_charge(perms.p[0].domid, USAGE_NODES, 1);
	quota_charge(perms.p[0].domid, USAGE_MEMORY, store_node_bytes(node));
	return 0;
}

static int
restore_watch(struct connection *conn, const struct stream_watch *w,
    TALLOC_CTX *tmp)
{
	struct watch_list *list = dispatch_watches(conn);
	unsigned int domid = conn_domid(conn);
	const char *path;
	char *base = NULL;
	bool relative;
	int err;

	if (list == NULL)
		return ENOMEM;
	if ((err = path_watch_canonicalize(tmp, w->path, domid, &path,
	    &relative)) != 0 ||
	    (relative && (base = path_domain_base(tmp, domid)) == NULL) ||
	    (err = watch_add(list, conn, path, w->token, base,
	    w->depth == STREAM_DEPTH_UNLIMITED ? WATCH_DEPTH_ANY :
	    w->depth)) != 0) {
		/* Ours refused what the replaced daemon took: say so. */
		log_warnx("live update: domid %u's watch on %s (token %s) "
		    "not carried: %s", domid, w->path, w->token,
		    strerror(err ? err : ENOMEM));
		return err == ENOMEM || err == 0 ? ENOMEM : 0;
	}
	return 0;
}

/*
 * GLOBAL_QUOTA: the limits; DOMAIN: a domain's features and own limits.
 * A name we do not have is logged and has no effect (the design).
 */
static int
restore_quota(const struct stream_reader *r, uint32_t type,
    const struct stream_quota *q)
{
	bool dom = type == STREAM_DOMAIN;
	enum quota_id id;
	const char *name;
	uint32_t i, v;
	int err;

	if (dom && q->domid > DOMAIN_ID_MAX) {
		/* Not a domain: skipped, as the daemon already serves. */
		log_warnx("live update: DOMAIN record for domid %u skipped",
		    q->domid);
		return 0;
	}
	if (dom && (err = domain_restore_feature(q->domid, q->features)) != 0)
		return err;
	for (i = 0; i < q->n_quota; i++) {
		v = stream_quota_get(r, q, i, &name);
		if (quota_lookup(name, &id) != 0) {
			log_info("live update: quota %s has no meaning here",
			    name);
			continue;
		}
		if (!dom)
			quota_set(id, v);
		else if ((err = quota_domain_set(q->domid, id, v)) != 0)
			return err;
	}
	return 0;
}

/* An open transaction: its commit will ask for a retry (EAGAIN). */
static int
restore_ta(struct connection *conn, struct store *st, uint32_t tx_id)
{
	struct txn_list *list = dispatch_txns(conn);
	int err;

	if (list == NULL)
		return ENOMEM;
	err = txn_restore(list, st, conn_domid(conn), conn_privileged(conn),
	    tx_id);
	if (err == EEXIST) {
		log_warnx("live update: domid %u's transaction %u twice",
		    conn_domid(conn), tx_id);
		return 0;
	}
	return err;
}

static int
restore_conn(struct state *s, struct socket_listener *listener,
    const struct stream_conn *c, const char **why)
{
	struct conn_entry *e = find_conn(s, c->conn_id);
	struct connection *conn = NULL;
	int err;

	if (c->conn_type == STREAM_CONN_RING) {
		err = domain_restore(c->domid, c->tdomid, c->evtchn, &conn);
		if (err != 0) {
			*why = "a ring that cannot be taken over";
			log_warnx("live update: domid %u's ring (port %u): %s",
			    c->domid, c->evtchn, strerror(err));
			return err;
		}
	} else {
		if (listener == NULL) {
			*why = "a socket connection where there is no socket";
			return EPROTO;
		}
		if ((conn = socket_adopt_conn(listener, c->socket_fd,
		    &err)) == NULL) {
			*why = "a socket connection that cannot be adopted";
			log_warnx("live update: socket fd %d: %s", c->socket_fd,
			    strerror(err));
			return err;
		}
	}
	e->conn = conn;
	if ((err = conn_restore_output(conn, c->out, c->out_len,
	    c->out_resp_len)) != 0) {
		*why = "unsent output that cannot be queued";
		return err;
	}
	return 0;
}

int
state_restore(struct state *s, struct store *st,
    struct socket_listener *listener, char **whyp)
{
	struct stream_reader r;
	struct stream_record rec;
	struct conn_entry *e;
	const char *why = NULL;
	TALLOC_CTX *tmp;
	int err = 0;

	/* Checked by state_load(): opens and reads to END. */
	(void)stream_open(&r, s->buf, s->len);
	while (err == 0 && stream_next(&r, &rec) == 0 &&
	    rec.type != STREAM_END) {
		if ((tmp = talloc_new(NULL)) == NULL) {
			err = ENOMEM;
			break;
		}
		switch (rec.type) {
		case STREAM_GLOBAL:
			break;	/* the caller's: state_load() */
		case STREAM_CONN:
			err = restore_conn(s, listener, &rec.u.conn, &why);
			break;
		case STREAM_WATCH:
		case STREAM_WATCH_EXT:
			if (rec.u.watch.path == NULL)
				goto unknown;
			e = find_conn(s, rec.u.watch.conn_id);
			err = restore_watch(e->conn, &rec.u.watch, tmp);
			break;
		case STREAM_NODE:
			err = restore_node(st, &r, &rec.u.node, tmp, &why);
			break;
		case STREAM_TA:
			e = find_conn(s, rec.u.ta.conn_id);
			err = restore_ta(e->conn, st, rec.u.ta.tx_id);
			break;
		case STREAM_GLOBAL_QUOTA:
		case STREAM_DOMAIN:
			err = restore_quota(&r, rec.type, &rec.u.quota);
			break;
		default:
		unknown:
			log_info("live update: %s record (type %u) skipped",
			    stream_type_name(rec.type), rec.type);
			break;
		}
		talloc_free(tmp);
	}
	if (err != 0)
		*whyp = talloc_asprintf(s, "%s: record %u: %s", s->path,
		    r.records, why != NULL ? why : strerror(err));
	return err;
}

void
state_finish(struct state *s)
{
	struct conn_entry *e;

	for (e = s->conns; e != NULL; e = e->hh.next)
		if (e->conn != NULL && e->in_len > 0 &&
		    conn_restore_input(e->conn, e->in, e->in_len) != 0)
			log_warnx("live update: conn %u closed on its saved "
			    "input", e->id);
	domain_restore_done();
	if (s->recover) {
		unsigned int n = 0;

		for (e = s->conns; e != NULL; e = e->hh.next)
			n += e->live && e->conn != NULL;
		log_info("restart: %u connections taken over from %s and "
		    "its journal", n, s->path);
		talloc_free(s);
		return;
	}
	if (unlink(s->path) != 0)
		log_warn("live update: cannot remove %s", s->path);
	log_info("live update: %u connections taken over from %s",
	    HASH_COUNT(s->conns), s->path);
	talloc_free(s);
}

/* Writing: the state this daemon hands over (state_save()). */

struct save {
	struct stream_writer	*w;
	TALLOC_CTX		*tmp;
	uint32_t		 id;		/* of the CONN just written */
	struct connection	*requester;
	const struct xsd_sockmsg *req;
	const char		*why;
	bool			 v2;	/* TA, GLOBAL_QUOTA, DOMAIN */
	bool			 snapshot;	/* a restart's: our conn ids */
};

static int
save_watch(const char *path, const char *token, unsigned int depth,
    void *arg)
{
	struct save *sv = arg;
	struct stream_watch w = { sv->id, path, token,
	    depth == WATCH_DEPTH_ANY ? STREAM_DEPTH_UNLIMITED : depth };
	int err = stream_put_watch(sv->w, &w);

	if (err == ENOTSUP)
		sv->why = "a watch with a depth, which stream version 1 "
		    "cannot carry";
	return err;
}

static int
save_ta(uint32_t tx_id, void *arg)
{
	struct save *sv = arg;

	return stream_put_ta(sv->w, &(struct stream_ta){ sv->id, tx_id });
}

/*
 * conn's CONN record (c filled with its kind), then its watches and, in
 * version 2, its open transactions (without their views: the new daemon
 * makes their commit fail with EAGAIN).
 */
static int
save_conn(struct save *sv, struct stream_conn *c, struct connection *conn)
{
	struct watch_list *list;
	struct txn_list *txns;
	size_t out_len, resp_len, in_len;
	const void *in;
	char *out;
	int err;

	if ((out = conn_saved_output(conn, sv->tmp, &out_len,
	    &resp_len)) == NULL)
		return ENOMEM;
	if (conn == sv->requester) {
		/* The reply to live-update -s, which the new daemon sends
		 * (the design: "the response for the live update command
		 * in the pending not yet written data"). */
		struct xsd_sockmsg h = { XS_CONTROL, sv->req->req_id,
		    sv->req->tx_id, 3 };

		if ((out = talloc_realloc(sv->tmp, out, char,
		    out_len + sizeof(h) + 3)) == NULL)
			return ENOMEM;
		memcpy(out + out_len, &h, sizeof(h));
		memcpy(out + out_len + sizeof(h), "OK", 3);
		out_len += sizeof(h) + 3;
	}
	in = conn_saved_input(conn, &in_len);
	if (in_len > UINT16_MAX) {
		sv->why = "more unhandled input than the stream carries";
		return EINVAL;
	}
	c->conn_id = sv->snapshot ? conn_id(conn) : ++sv->id;
	sv->id = c->conn_id;
	c->in = in;
	c->in_len = (uint16_t)in_len;
	c->out = (const uint8_t *)out;
	c->out_len = (uint32_t)out_len;
	c->out_resp_len = (uint16_t)(resp_len > UINT16_MAX ? 0 : resp_len);
	if ((err = stream_put_conn(sv->w, c)) != 0)
		return err;
	if ((list = dispatch_watches(conn)) == NULL)
		return ENOMEM;
	if ((err = watch_list_foreach(list, sv->tmp, save_watch, sv)) != 0)
		return err;
	if (!sv->v2)
		return 0;
	if ((txns = dispatch_txns(conn)) == NULL)
		return ENOMEM;
	return txn_list_foreach(txns, save_ta, sv);
}

/*
 * Version 2: the limits (GLOBAL_QUOTA, all per domain by default), and
 * a ring's DOMAIN record: its features and the limits set for it alone.
 */
int
state_put_quotas(struct stream_writer *w, bool dom, unsigned int domid)
{
	const char *names[QUOTA_COUNT];
	uint32_t vals[QUOTA_COUNT];
	struct stream_quota q = { 0 };
	unsigned int n = 0, v, f;
	enum quota_id id;

	for (id = 0; id < QUOTA_COUNT; id++) {
		if (dom && !quota_domain_own(domid, id, &v))
			continue;
		names[n] = quota_name(id);
		vals[n++] = dom ? v : quota_get(id);
	}
	q.n_dom = q.n_quota = n;
	if (dom) {
		(void)domain_get_feature(domid, &f);
		q.domid = (uint16_t)domid;
		q.features = f;
	}
	return stream_put_quota(w, dom ? STREAM_DOMAIN : STREAM_GLOBAL_QUOTA,
	    &q, vals, names);
}

static int
save_quotas(struct save *sv, bool dom, unsigned int domid)
{
	return state_put_quotas(sv->w, dom, domid);
}

static int
save_ring(unsigned int domid, unsigned int tdomid, uint32_t local_port,
    struct connection *conn, void *arg)
{
	struct stream_conn c = { .conn_type = STREAM_CONN_RING,
	    .domid = domid, .tdomid = tdomid, .evtchn = local_port };
	struct save *sv = arg;
	int err = save_conn(sv, &c, conn);
	uint32_t pos[2] = { sv->id, conn_ring_out_start(conn) };

	if (err == 0 && sv->snapshot)
		err = stream_put_raw(sv->w, JOURNAL_RING_POS,
		    &(struct iovec){ pos, sizeof(pos) }, 1);
	return err != 0 || !sv->v2 ? err : save_quotas(sv, true, domid);
}

static int
save_socket(int fd, struct connection *conn, void *arg)
{
	struct stream_conn c = { .conn_type = STREAM_CONN_SOCKET,
	    .socket_fd = fd };

	return save_conn(arg, &c, conn);
}

int
state_put_node(struct stream_writer *w, TALLOC_CTX *tmp, const char *path,
    const void *value, size_t len, const struct perms *perms)
{
	return journal_put_node(w, tmp, path, value, len, perms);
}

static int
save_node_perms(struct save *sv, const char *path, const void *value,
    size_t len, const struct perms *perms)
{
	return state_put_node(sv->w, sv->tmp, path, value, len, perms);
}

struct save_walk {
	struct save	*sv;
	int		 err;
};

static bool
save_node(struct node *node, void *arg)
{
	struct save_walk *sw = arg;
	const void *value;
	size_t len;
	char *path;

	if (sw->err != 0)
		return false;
	value = node_data(node, &len);
	if ((path = node_path_dup(sw->sv->tmp, node)) == NULL)
		sw->err = ENOMEM;
	else
		sw->err = save_node_perms(sw->sv, path, value, len,
		    node_perms(node));
	talloc_free(path);
	return sw->err == 0;
}

static int
save_to(const char *path, uint32_t version, int evtchn_fd,
    struct socket_listener *listener, struct store *st,
    struct connection *requester, const struct xsd_sockmsg *req,
    bool snapshot, uint32_t gen, size_t *lenp, const char **why)
{
	static const char *const special[] = { "@releaseDomain",
	    "@introduceDomain" };
	struct stream_global g = { listener != NULL ?
	    socket_listener_fd(listener) : -1, evtchn_fd };
	struct save sv = { .requester = requester, .req = req,
	    .v2 = version >= STREAM_VERSION_2, .snapshot = snapshot };
	struct save_walk sw = { &sv, 0 };
	const void *data;
	size_t len, i;
	int err, fd;

	*why = NULL;
	if ((sv.tmp = talloc_new(NULL)) == NULL ||
	    (sv.w = stream_writer_new(sv.tmp, version)) == NULL) {
		talloc_free(sv.tmp);
		return ENOMEM;
	}
	err = stream_put_global(sv.w, &g);
	if (err == 0 && snapshot)
		err = stream_put_raw(sv.w, JOURNAL_GEN,
		    &(struct iovec){ &gen, sizeof(gen) }, 1);
	if (err == 0 && sv.v2)
		err = save_quotas(&sv, false, 0);
	if (err == 0)
		err = domain_foreach_ring(save_ring, &sv);
	if (err == 0 && listener != NULL)
		err = socket_foreach_conn(listener, save_socket, &sv);
	for (i = 0; err == 0 && i < 2; i++)
		err = save_node_perms(&sv, special[i], "", 0,
		    domain_special_perms(special[i]));
	if (err == 0) {
		store_walk(store_lookup(st, "/"), save_node, &sw);
		err = sw.err;
	}
	if (err == 0)
		err = stream_put_end(sv.w);
	if (err != 0) {
		*why = sv.why;
		talloc_free(sv.tmp);
		return err;
	}
	data = stream_writer_data(sv.w, &len);
	/* A snapshot needs no fsync: it must outlive us, not the host. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len ||
	    (!snapshot && fsync(fd) != 0)) {
		err = errno ? errno : EIO;
		*why = "the state file cannot be written";
		if (fd >= 0)
			close(fd);
		unlink(path);
		talloc_free(sv.tmp);
		return err;
	}
	close(fd);
	if (!snapshot)
		log_info("live update: state written to %s (%zu bytes, "
		    "version %u, %u connections)", path, len, version, sv.id);
	if (lenp != NULL)
		*lenp = len;
	talloc_free(sv.tmp);
	return 0;
}

int
state_save(const char *path, uint32_t version, int evtchn_fd,
    struct socket_listener *listener, struct store *st,
    struct connection *requester, const struct xsd_sockmsg *req,
    const char **why)
{
	return save_to(path, version, evtchn_fd, listener, st, requester, req,
	    false, 0, NULL, why);
}

int
state_snapshot(const char *path, uint32_t gen, int evtchn_fd,
    struct socket_listener *listener, struct store *st, size_t *len,
    const char **why)
{
	return save_to(path, STREAM_VERSION_2, evtchn_fd, listener, st, NULL,
	    NULL, true, gen, len, why);
}

/*
 * A restart (docs/crash-restart.md): the snapshot, then the journal's
 * whole batches.  A first pass over both finds which connections are
 * still open at the end, so that nothing is adopted only to be closed
 * again (a socket's number may have been reused meanwhile).
 */

typedef int record_fn(struct state *s, const struct stream_reader *r,
    const struct stream_record *rec, void *arg);

/* fn on each record of each whole batch; a torn last batch is dropped. */
static int
journal_foreach(struct state *s, record_fn *fn, void *arg)
{
	struct stream_reader r, in;
	struct stream_record rec, irec;
	int err;

	if (s->jbuf == NULL)
		return 0;
	(void)stream_open(&r, s->jbuf, s->jlen);
	while ((err = stream_next(&r, &rec)) == 0) {
		if (rec.type != JOURNAL_BATCH)
			continue;	/* the GEN record */
		stream_open_records(&in, &r, rec.body, rec.len);
		while ((err = stream_next(&in, &irec)) == 0)
			if ((err = fn(s, &in, &irec, arg)) != 0)
				return err;
		if (err != ENODATA) {
			log_warnx("restart: %s: a malformed batch (%s): "
			    "the journal is read up to it", s->dir,
			    in.why != NULL ? in.why : strerror(err));
			return 0;
		}
	}
	if (r.off < r.len)
		log_info("restart: %zu bytes of a write cut short by the "
		    "crash dropped", r.len - r.off);
	return 0;
}

static struct conn_entry *
new_entry(struct state *s, uint32_t id)
{
	struct conn_entry *e;

	if ((e = find_conn(s, id)) != NULL)
		return e;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->id = id;
	HASH_ADD(hh, s->conns, id, sizeof(e->id), e);
	return e;
}

/* Pass 1: which connections are open at the end. */
static int
mark_live(struct state *s, const struct stream_reader *r,
    const struct stream_record *rec, void *arg)
{
	struct conn_entry *e;

	(void)arg;
	if (rec->type == STREAM_CONN) {
		if ((e = new_entry(s, rec->u.conn.conn_id)) == NULL)
			return ENOMEM;
		e->live = true;
		e->socket = rec->u.conn.conn_type == STREAM_CONN_SOCKET;
		e->socket_fd = rec->u.conn.socket_fd;
		/* A ring's output is queued later, trimmed first. */
		if (!e->socket)
			e->out_first = rec->u.conn.out_resp_len;
	} else if (rec->type == JOURNAL_CONN_DEL && rec->len >= 4 &&
	    (e = find_conn(s, stream_get32(r, rec->body))) != NULL)
		e->live = false;
	return 0;
}

static void
refund(struct node *n, void *arg)
{
	(void)arg;
	txn_refund_node(n);
}

/* A journalled NODE: the node as it now is, made or changed. */
static int
replay_node(struct store *st, const struct stream_reader *r,
    const struct stream_node *n, TALLOC_CTX *tmp)
{
	struct node *node;
	struct perms perms;

	if (n->path[0] == '@' || n->conn_id != 0 ||
	    (node = store_lookup(st, n->path)) == NULL) {
		const char *why = NULL;
		int err = restore_node(st, r, n, tmp, &why);

		if (err == EPROTO)
			log_warnx("restart: node %s: %s: skipped", n->path,
			    why);
		return err == EPROTO ? 0 : err;
	}
	if (node_perms_of(tmp, r, n, &perms) != 0)
		return ENOMEM;
	if (txn_store_set_data(st, node, n->value, n->value_len) != 0)
		return ENOMEM;
	return txn_store_set_perms(st, node, &perms);
}

struct replay {
	struct store		*st;
	struct socket_listener	*listener;
	const char		*why;
};

static struct conn_entry *
live_entry(struct state *s, const struct stream_reader *r,
    const uint8_t *body)
{
	struct conn_entry *e = find_conn(s, stream_get32(r, body));

	return e != NULL && e->live && e->conn != NULL ? e : NULL;
}

/* 0, or ENOMEM (then the restart fails: an fd not listed as taken
 * would be closed under its connection). */
static int
adopted(struct state *s, int fd)
{
	int *a = talloc_realloc(s, s->adopted, int, s->nadopted + 1);

	if (a == NULL)
		return ENOMEM;
	s->adopted = a;
	a[s->nadopted++] = fd;
	return 0;
}

/* Output for a ring, as it would have been queued: whole messages
 * already published (rsp_prod past them) are dropped at once. */
static int
append_out(struct conn_entry *e, uint32_t pos, const uint8_t *msg,
    uint32_t len)
{
	uint32_t published = conn_ring_published(e->conn);
	uint8_t *n;

	if ((int32_t)(published - (pos + len)) >= 0 ||
	    (e->out_len > 0 && e->out_start + (uint32_t)e->out_len != pos)) {
		if ((int32_t)(published - (pos + len)) < 0)
			log_warnx("restart: conn %u: output at %u after %u: "
			    "the earlier output dropped", e->id, pos,
			    e->out_start + (uint32_t)e->out_len);
		TALLOC_FREE(e->out);
		e->out_len = e->out_first = 0;
	}
	if (e->out_len == 0)
		e->out_start = pos;
	if ((int32_t)(published - (pos + len)) >= 0) {
		e->out_start = pos + len;	/* all of it read already */
		return 0;
	}
	if ((n = talloc_realloc(NULL, e->out, uint8_t,
	    e->out_len + len)) == NULL)
		return ENOMEM;
	memcpy(n + e->out_len, msg, len);
	e->out = n;
	e->out_len += len;
	return 0;
}

/* Pass 2: one record of the snapshot or of the journal. */
static int
replay_record(struct state *s, const struct stream_reader *r,
    const struct stream_record *rec, void *arg)
{
	struct replay *rp = arg;
	const uint8_t *b = rec->body;
	struct conn_entry *e;
	TALLOC_CTX *tmp;
	const char *path;
	bool relative;
	struct txn *tx;
	int err = 0;

	if ((tmp = talloc_new(NULL)) == NULL)
		return ENOMEM;
	switch (rec->type) {
	case STREAM_CONN:
		e = find_conn(s, rec->u.conn.conn_id);
		if (e == NULL || !e->live || e->conn != NULL)
			break;
		/* Only a descriptor the keeper kept is that socket (a
		 * number may be the new daemon's own file meanwhile). */
		if (e->socket && (!in_list(s->kept, s->nkept,
		    rec->u.conn.socket_fd) || in_list(s->adopted, s->nadopted,
		    rec->u.conn.socket_fd))) {
			log_warnx("restart: socket fd %d was not kept, or is "
			    "taken: conn %u dropped", rec->u.conn.socket_fd,
			    e->id);
			e->live = false;
			break;
		}
		if (e->socket && journal_socket_was_busy(s->dir,
		    rec->u.conn.socket_fd)) {
			log_info("restart: socket fd %d was in the middle of "
			    "a request: closed", rec->u.conn.socket_fd);
			e->live = false;
			break;
		}
		if (restore_conn(s, rp->listener, &rec->u.conn, &rp->why) != 0) {
			/* Gone meanwhile (a dead domain, a closed fd). */
			log_warnx("restart: conn %u not taken over: %s", e->id,
			    rp->why);
			e->live = false;
			e->conn = NULL;
			break;
		}
		if (e->socket) {
			err = adopted(s, rec->u.conn.socket_fd);
			e->in_len = 0;	/* idle: nothing of it is pending */
		}
		break;
	case STREAM_WATCH:
	case STREAM_WATCH_EXT:
		if (rec->u.watch.path != NULL &&
		    (e = live_entry(s, r, b)) != NULL)
			err = restore_watch(e->conn, &rec->u.watch, tmp);
		break;
	case STREAM_NODE:
		err = replay_node(rp->st, r, &rec->u.node, tmp);
		break;
	case STREAM_TA:
		if ((e = live_entry(s, r, b)) != NULL)
			err = restore_ta(e->conn, rp->st, rec->u.ta.tx_id);
		break;
	case STREAM_GLOBAL_QUOTA:
	case STREAM_DOMAIN:
		err = restore_quota(r, rec->type, &rec->u.quota);
		break;
	case JOURNAL_NODE_DEL: {
		struct node *n;

		if (memchr(b, '\0', rec->len) == NULL)
			break;
		if ((n = store_lookup(rp->st, (const char *)b)) != NULL &&
		    node_parent(n) != NULL)
			store_remove(rp->st, n, refund, NULL);
		break;
	}
	case JOURNAL_WATCH_DEL:
		if (rec->len < 6 || (e = live_entry(s, r, b)) == NULL)
			break;
		{
			const char *p = (const char *)b + 4, *t;
			const char *end = (const char *)b + rec->len;

			if ((t = memchr(p, '\0', end - p)) == NULL ||
			    memchr(t + 1, '\0', end - t - 1) == NULL)
				break;
			t++;
			if (path_watch_canonicalize(tmp, p,
			    conn_domid(e->conn), &path, &relative) == 0)
				(void)watch_remove(e->conn, path, t);
		}
		break;
	case JOURNAL_WATCH_RESET:
		if (rec->len >= 4 && (e = live_entry(s, r, b)) != NULL &&
		    dispatch_watches(e->conn) != NULL) {
			watch_remove_all(dispatch_watches(e->conn));
			txn_list_clear(dispatch_txns(e->conn));
		}
		break;
	case JOURNAL_TA_END:
		if (rec->len >= 8 && (e = live_entry(s, r, b)) != NULL &&
		    dispatch_txns(e->conn) != NULL &&
		    (tx = txn_find(dispatch_txns(e->conn),
		    stream_get32(r, b + 4))) != NULL)
			(void)txn_end(tx, false);
		break;
	case JOURNAL_TARGET:
		if (rec->len >= 8 && (e = live_entry(s, r, b)) != NULL)
			(void)domain_set_target(conn_domid(e->conn),
			    stream_get32(r, b + 4));
		break;
	case JOURNAL_DOMAIN_END:
		if (rec->len >= 4)
			domain_replay_end(stream_get32(r, b));
		break;
	case JOURNAL_RING_POS:
		if (rec->len >= 8 && (e = live_entry(s, r, b)) != NULL &&
		    !e->socket)
			e->out_start = stream_get32(r, b + 4);
		break;
	case JOURNAL_RING_IN:
		if (rec->len >= 12 && (e = live_entry(s, r, b)) != NULL &&
		    !e->socket && stream_get32(r, b + 8) <= rec->len - 12) {
			e->has_req_cons = true;
			e->req_cons = stream_get32(r, b + 4);
			e->in = b + 12;
			e->in_len = stream_get32(r, b + 8);
		}
		break;
	case JOURNAL_RING_OUT:
		if (rec->len >= 12 && (e = live_entry(s, r, b)) != NULL &&
		    !e->socket && stream_get32(r, b + 8) <= rec->len - 12)
			err = append_out(e, stream_get32(r, b + 4), b + 12,
			    stream_get32(r, b + 8));
		break;
	default:
		break;	/* GLOBAL (the caller's), GEN, END */
	}
	talloc_free(tmp);
	return err;
}

struct state *
state_recover_load(TALLOC_CTX *ctx, const char *dir, int *socket_fd,
    int *evtchn_fd, char **why)
{
	struct stream_reader r;
	struct stream_record rec;
	struct state *s;
	char *snap, *jpath;
	uint32_t jgen = 0;

	if ((snap = journal_snapshot_path(ctx, dir)) == NULL ||
	    (jpath = journal_journal_path(ctx, dir)) == NULL) {
		*why = talloc_strdup(ctx, "out of memory");
		return NULL;
	}
	if ((s = state_load(ctx, snap, socket_fd, evtchn_fd, why)) == NULL) {
		talloc_free(snap);
		talloc_free(jpath);
		return NULL;
	}
	/* Freed with the state (state_finish()). */
	talloc_steal(s, snap);
	talloc_steal(s, jpath);
	s->recover = true;
	{
		bool oom;

		s->kept = keeper_restart_fds(s, &s->nkept, &oom);
		if (oom) {
			*why = talloc_strdup(ctx, "out of memory");
			talloc_free(s);
			return NULL;
		}
	}
	/* The state's own descriptors are only what the keeper kept. */
	if (*socket_fd >= 0 && !in_list(s->kept, s->nkept, *socket_fd)) {
		log_warnx("restart: the listening socket (fd %d) was not "
		    "kept: listening anew", *socket_fd);
		*socket_fd = -1;
	}
	if (*evtchn_fd >= 0 && !in_list(s->kept, s->nkept, *evtchn_fd)) {
		log_warnx("restart: the event-channel fd %d was not kept: "
		    "no ring can be taken over", *evtchn_fd);
		*evtchn_fd = -1;
	}
	s->evtchn_fd = *evtchn_fd;
	s->dir = talloc_strdup(s, dir);
	/* The snapshot's generation (after GLOBAL). */
	(void)stream_open(&r, s->buf, s->len);
	while (stream_next(&r, &rec) == 0 && rec.type != STREAM_END)
		if (rec.type == JOURNAL_GEN && rec.len >= 4)
			s->gen = stream_get32(&r, rec.body);
	/* The journal: read whole, checked as it is replayed. */
	{
		struct state *j = new_state(s, jpath, why);

		if (j != NULL && read_file(j, why, s) == 0 &&
		    stream_open(&r, j->buf, j->len) == 0 &&
		    stream_next(&r, &rec) == 0 && rec.type == JOURNAL_GEN &&
		    rec.len >= 4 && (jgen = stream_get32(&r, rec.body)) ==
		    s->gen && s->gen != 0) {
			s->jbuf = talloc_steal(s, j->buf);
			s->jlen = j->len;
		} else
			log_warnx("restart: %s: %s", jpath, j == NULL ?
			    "out of memory" : jgen != 0 ? "of another "
			    "snapshot: not replayed (the snapshot has it)" :
			    "none or unreadable: the snapshot alone");
		talloc_free(j);
	}
	/* Pass 1: the snapshot's connections, then the journal's. */
	(void)stream_open(&r, s->buf, s->len);
	while (stream_next(&r, &rec) == 0 && rec.type != STREAM_END)
		(void)mark_live(s, &r, &rec, NULL);	/* entries exist */
	if (journal_foreach(s, mark_live, NULL) != 0) {
		*why = talloc_strdup(ctx, "out of memory");
		talloc_free(s);
		return NULL;
	}
	return s;
}

/* The ring output left to send: from rsp_prod on, and which of it is
 * the tail of a message the guest has begun to read. */
static int
finish_ring(struct conn_entry *e)
{
	uint32_t published = conn_ring_published(e->conn);
	size_t skip = (uint32_t)(published - e->out_start), b;
	struct xsd_sockmsg h;

	if (e->has_req_cons)
		conn_ring_set_req_cons(e->conn, e->req_cons);
	if (e->out_len == 0)
		return 0;
	if (skip > e->out_len) {
		log_warnx("restart: conn %u: rsp_prod %u is not in the "
		    "output kept (%u, %zu bytes): all of it sent again",
		    e->id, published, e->out_start, e->out_len);
		skip = 0;
	}
	for (b = e->out_first; b < skip && b + sizeof(h) <= e->out_len;) {
		memcpy(&h, e->out + b, sizeof(h));
		b += sizeof(h) + h.len;
	}
	return conn_restore_output(e->conn, e->out + skip, e->out_len - skip,
	    b > skip ? b - skip : 0);
}

int
state_recover(struct state *s, struct store *st,
    struct socket_listener *listener, char **whyp)
{
	struct replay rp = { st, listener, NULL };
	struct stream_reader r;
	struct stream_record rec;
	struct conn_entry *e, *t;
	unsigned int i;
	int err = 0, fd;

	(void)stream_open(&r, s->buf, s->len);
	while (err == 0 && stream_next(&r, &rec) == 0 &&
	    rec.type != STREAM_END) {
		const uint8_t *out;
		uint32_t olen;

		if (rec.type != STREAM_CONN ||
		    rec.u.conn.conn_type != STREAM_CONN_RING) {
			err = replay_record(s, &r, &rec, &rp);
			continue;
		}
		out = rec.u.conn.out;
		olen = rec.u.conn.out_len;
		/* A ring's unsent output waits to be trimmed at rsp_prod
		 * (finish_ring()): restore_conn() must not queue it. */
		rec.u.conn.out_len = 0;
		rec.u.conn.out_resp_len = 0;
		err = replay_record(s, &r, &rec, &rp);
		e = find_conn(s, rec.u.conn.conn_id);
		if (err == 0 && e != NULL && e->live && e->conn != NULL &&
		    olen > 0) {
			if ((e->out = talloc_memdup(NULL, out, olen)) == NULL)
				err = ENOMEM;
			else
				e->out_len = olen;
		}
	}
	if (err == 0)
		err = journal_foreach(s, replay_record, &rp);
	HASH_ITER(hh, s->conns, e, t)
		if (err == 0 && e->live && e->conn != NULL && !e->socket)
			err = finish_ring(e);
	/* Descriptors the keeper gave back that no connection took. */
	for (i = 0; i < s->nkept; i++) {
		fd = s->kept[i];
		if (!in_list(s->adopted, s->nadopted, fd) &&
		    (listener == NULL || socket_listener_fd(listener) != fd) &&
		    fd != s->evtchn_fd) {
			keeper_fd_del(fd);
			close(fd);
		}
	}
	if (err != 0)
		*whyp = talloc_asprintf(s, "%s: %s", s->path,
		    rp.why != NULL ? rp.why : strerror(err));
	return err;
}

uint32_t
state_generation(const struct state *s)
{
	return s->gen;
}
