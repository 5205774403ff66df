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
#include <unistd.h>

#include <uthash.h>

#include "conn.h"
#include "conn_socket.h"
#include "dispatch.h"
#include "domain.h"
#include "log.h"
#include "path.h"
#include "quota.h"
#include "state.h"
#include "store.h"
#include "stream.h"
#include "watch.h"

/* The state file is at most this big (a full store is a few MB). */
#define STATE_MAX	(1024u * 1024 * 1024)

/* A restored connection, by the stream's conn-id. */
struct conn_entry {
	uint32_t		 id;
	struct connection	*conn;		/* NULL before pass 2 */
	const uint8_t		*in;		/* its saved input */
	size_t			 in_len;
	UT_hash_handle		 hh;
};

struct state {
	char			*path;
	uint8_t			*buf;
	size_t			 len;
	struct conn_entry	*conns;
};

char *
state_default_path(TALLOC_CTX *ctx)
{
	const char *dir = getenv("XENSTORED_RUNDIR");

	return talloc_asprintf(ctx, "%s/state_dump",
	    dir != NULL && *dir != '\0' ? dir : "/var/run/xenstored");
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
		out->p[i].perms = (sp.perm == 'r' || sp.perm == 'b' ?
		    PERM_READ : 0) | (sp.perm == 'w' || sp.perm == 'b' ?
		    PERM_WRITE : 0) |
		    (sp.flags & STREAM_PERM_STALE ? PERM_IGNORE : 0);
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
	if ((err = conn_restore_output(conn, c->out, c->out_len)) != 0) {
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
			log_info("live update: transaction %u not carried",
			    rec.u.ta.tx_id);
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
	if (unlink(s->path) != 0)
		log_warn("live update: cannot remove %s", s->path);
	log_info("live update: %u connections taken over from %s",
	    HASH_COUNT(s->conns), s->path);
	talloc_free(s);
}
