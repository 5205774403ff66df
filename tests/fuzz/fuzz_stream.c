/*
 * xenstored/stream.c: the migration stream's reader on arbitrary bytes,
 * and its writer on everything the reader accepts; xenstored/state.c's
 * check of a live update's state (state_load_buffer()) on the same.
 *
 * Input: a stream candidate (header, then records).  Every record the
 * reader decodes must lie inside the input, its strings ending there in
 * their nul; it is written again with the writer (which must accept it)
 * and read back, field for field the same.  state_load_buffer() must
 * accept the input exactly when it reads to END with one GLOBAL before
 * any CONN, no conn-id twice and every WATCH after its CONN, and then
 * give GLOBAL's descriptors.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "state.h"
#include "stream.h"

/* p..p+n lies inside the input. */
#define INSIDE(p, n) CHECK((const uint8_t *)(p) >= data && \
	    (size_t)((const uint8_t *)(p) - data) <= size && \
	    (n) <= size - (size_t)((const uint8_t *)(p) - data))

static void
check_string_inside(const uint8_t *data, size_t size, const char *s)
{
	INSIDE(s, 1);
	CHECK(memchr(s, '\0', size - ((const uint8_t *)s - data)) != NULL);
}

/* Write rec again into w; true if it is a record the writer takes. */
static bool
rewrite(struct stream_writer *w, const struct stream_reader *r,
    const struct stream_record *rec, TALLOC_CTX *ctx)
{
	const struct stream_quota *q = &rec->u.quota;
	struct stream_perm *perms;
	const char **names;
	uint32_t *vals;
	unsigned int i;

	switch (rec->type) {
	case STREAM_GLOBAL:
		CHECK(stream_put_global(w, &rec->u.global) == 0);
		return true;
	case STREAM_CONN:
		CHECK(stream_put_conn(w, &rec->u.conn) == 0);
		return true;
	case STREAM_WATCH:
	case STREAM_WATCH_EXT:
		if (rec->u.watch.path == NULL)
			return false;	/* WATCH_EXT in version 1 */
		CHECK(stream_put_watch(w, &rec->u.watch) == 0);
		return true;
	case STREAM_TA:
		CHECK(stream_put_ta(w, &rec->u.ta) == 0);
		return true;
	case STREAM_NODE:
		perms = talloc_array(ctx, struct stream_perm,
		    rec->u.node.n_perms + 1);
		CHECK(perms != NULL);
		for (i = 0; i < rec->u.node.n_perms; i++)
			perms[i] = stream_node_perm(r, &rec->u.node, i);
		CHECK(stream_put_node(w, &rec->u.node, perms) == 0);
		return true;
	case STREAM_GLOBAL_QUOTA:
	case STREAM_DOMAIN:
		vals = talloc_array(ctx, uint32_t, q->n_quota + 1);
		names = talloc_array(ctx, const char *, q->n_quota + 1);
		CHECK(vals != NULL && names != NULL);
		for (i = 0; i < q->n_quota; i++)
			vals[i] = stream_quota_get(r, q, i, &names[i]);
		CHECK(stream_put_quota(w, rec->type, q, vals, names) == 0);
		return true;
	case STREAM_END:
		CHECK(stream_put_end(w) == 0);
		return true;
	default:
		return false;
	}
}

/* Two decodings of one record carry the same fields. */
static void
check_same(const struct stream_reader *ra, const struct stream_record *a,
    const struct stream_reader *rb, const struct stream_record *b)
{
	unsigned int i;

	/* A WATCH_EXT of unlimited depth comes back as a WATCH. */
	CHECK(a->type == b->type || (a->type == STREAM_WATCH_EXT &&
	    b->type == STREAM_WATCH &&
	    a->u.watch.depth == STREAM_DEPTH_UNLIMITED));
	switch (b->type) {
	case STREAM_GLOBAL:
		CHECK(memcmp(&a->u.global, &b->u.global, sizeof(a->u.global)) == 0);
		break;
	case STREAM_CONN:
		CHECK(a->u.conn.conn_id == b->u.conn.conn_id);
		CHECK(a->u.conn.conn_type == b->u.conn.conn_type);
		CHECK(a->u.conn.domid == b->u.conn.domid);
		CHECK(a->u.conn.tdomid == b->u.conn.tdomid);
		CHECK(a->u.conn.evtchn == b->u.conn.evtchn);
		CHECK(a->u.conn.socket_fd == b->u.conn.socket_fd);
		CHECK(a->u.conn.in_len == b->u.conn.in_len);
		CHECK(a->u.conn.out_len == b->u.conn.out_len);
		CHECK(a->u.conn.out_resp_len == b->u.conn.out_resp_len);
		CHECK(memcmp(a->u.conn.in, b->u.conn.in, a->u.conn.in_len) == 0);
		CHECK(memcmp(a->u.conn.out, b->u.conn.out, a->u.conn.out_len) == 0);
		break;
	case STREAM_WATCH:
	case STREAM_WATCH_EXT:
		CHECK(a->u.watch.conn_id == b->u.watch.conn_id);
		CHECK(a->u.watch.depth == b->u.watch.depth);
		CHECK(strcmp(a->u.watch.path, b->u.watch.path) == 0);
		CHECK(strcmp(a->u.watch.token, b->u.watch.token) == 0);
		break;
	case STREAM_TA:
		CHECK(a->u.ta.conn_id == b->u.ta.conn_id);
		CHECK(a->u.ta.tx_id == b->u.ta.tx_id);
		break;
	case STREAM_NODE:
		CHECK(a->u.node.conn_id == b->u.node.conn_id);
		CHECK(a->u.node.tx_id == b->u.node.tx_id);
		CHECK(a->u.node.access == b->u.node.access);
		CHECK(strcmp(a->u.node.path, b->u.node.path) == 0);
		CHECK(a->u.node.value_len == b->u.node.value_len);
		CHECK(memcmp(a->u.node.value, b->u.node.value,
		    a->u.node.value_len) == 0);
		CHECK(a->u.node.n_perms == b->u.node.n_perms);
		for (i = 0; i < a->u.node.n_perms; i++) {
			struct stream_perm pa = stream_node_perm(ra, &a->u.node, i);
			struct stream_perm pb = stream_node_perm(rb, &b->u.node, i);

			CHECK(pa.perm == pb.perm && pa.flags == pb.flags &&
			    pa.domid == pb.domid);
		}
		break;
	case STREAM_GLOBAL_QUOTA:
	case STREAM_DOMAIN:
		CHECK(a->u.quota.domid == b->u.quota.domid);
		CHECK(a->u.quota.n_dom == b->u.quota.n_dom);
		CHECK(a->u.quota.n_quota == b->u.quota.n_quota);
		CHECK(a->u.quota.features == b->u.quota.features);
		for (i = 0; i < a->u.quota.n_quota; i++) {
			const char *na, *nb;

			CHECK(stream_quota_get(ra, &a->u.quota, i, &na) ==
			    stream_quota_get(rb, &b->u.quota, i, &nb));
			CHECK(strcmp(na, nb) == 0);
		}
		break;
	default:
		break;
	}
}

static void
check_inside(const uint8_t *data, size_t size, const struct stream_reader *r,
    const struct stream_record *rec)
{
	const struct stream_quota *q = &rec->u.quota;
	const char *name;
	unsigned int i;

	INSIDE(rec->body, rec->len);
	CHECK(rec->len % 8 == 0);
	switch (rec->type) {
	case STREAM_CONN:
		INSIDE(rec->u.conn.in, rec->u.conn.in_len);
		INSIDE(rec->u.conn.out, rec->u.conn.out_len);
		CHECK(rec->u.conn.out_resp_len <= rec->u.conn.out_len);
		CHECK(rec->u.conn.conn_id != 0);
		break;
	case STREAM_WATCH:
	case STREAM_WATCH_EXT:
		if (rec->u.watch.path == NULL)
			break;
		check_string_inside(data, size, rec->u.watch.path);
		check_string_inside(data, size, rec->u.watch.token);
		break;
	case STREAM_NODE:
		check_string_inside(data, size, rec->u.node.path);
		INSIDE(rec->u.node.value, rec->u.node.value_len);
		INSIDE(rec->u.node.perms_raw, 4 * (size_t)rec->u.node.n_perms);
		for (i = 0; i < rec->u.node.n_perms; i++)
			CHECK(strchr("nrwb", stream_node_perm(r, &rec->u.node, i).perm));
		break;
	case STREAM_GLOBAL_QUOTA:
	case STREAM_DOMAIN:
		INSIDE(q->vals_raw, 4 * (size_t)q->n_quota);
		INSIDE(q->names, q->names_len);
		for (i = 0; i < q->n_quota; i++) {
			stream_quota_get(r, q, i, &name);
			check_string_inside(data, size, name);
			CHECK(name[0] != '\0');
			CHECK(name + strlen(name) < q->names + q->names_len);
		}
		break;
	default:
		break;
	}
}

/* What state_load_buffer() must decide, worked out here on its own. */
struct order {
	unsigned int	 globals;
	bool		 bad;		/* a CONN before GLOBAL, or a
					   second GLOBAL, or ids... */
	int32_t		 socket_fd, evtchn_fd;
	uint32_t	*ids;
	size_t		 nids;
};

static bool
seen_id(const struct order *o, uint32_t id)
{
	size_t i;

	for (i = 0; i < o->nids; i++)
		if (o->ids[i] == id)
			return true;
	return false;
}

static void
track(struct order *o, const struct stream_record *rec, TALLOC_CTX *ctx)
{
	switch (rec->type) {
	case STREAM_GLOBAL:
		if (o->globals++ > 0)
			o->bad = true;
		o->socket_fd = rec->u.global.socket_fd;
		o->evtchn_fd = rec->u.global.evtchn_fd;
		break;
	case STREAM_CONN:
		if (o->globals == 0 || seen_id(o, rec->u.conn.conn_id))
			o->bad = true;
		o->ids = talloc_realloc(ctx, o->ids, uint32_t, o->nids + 1);
		CHECK(o->ids != NULL);
		o->ids[o->nids++] = rec->u.conn.conn_id;
		break;
	case STREAM_WATCH:
	case STREAM_WATCH_EXT:
		if (rec->u.watch.path != NULL &&
		    !seen_id(o, rec->u.watch.conn_id))
			o->bad = true;
		break;
	case STREAM_TA:
		if (!seen_id(o, rec->u.ta.conn_id))
			o->bad = true;
		break;
	default:
		break;
	}
}

static void
check_state(const uint8_t *data, size_t size, bool ended,
    const struct order *o)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	int socket_fd = -2, evtchn_fd = -2;
	struct state *s;
	char *why = NULL;
	bool want = ended && !o->bad && o->globals == 1;

	s = state_load_buffer(ctx, data, size, &socket_fd, &evtchn_fd, &why);
	CHECK((s != NULL) == want);
	if (s != NULL) {
		CHECK(socket_fd == o->socket_fd && evtchn_fd == o->evtchn_fd);
	} else {
		CHECK(why != NULL && why[0] != '\0');
	}
	talloc_free(ctx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream_reader r, r2;
	struct stream_record rec, rec2;
	struct stream_writer *w;
	struct order order = { 0 };
	TALLOC_CTX *ctx;
	const void *out;
	size_t out_len, off;
	int err;

	err = stream_open(&r, data, size);
	if (err != 0) {
		CHECK(err == EPROTO || err == EPROTONOSUPPORT);
		CHECK(r.why != NULL);
		check_state(data, size, false, &order);
		return 0;
	}
	ctx = talloc_new(NULL);
	w = stream_writer_new(ctx, r.version);
	CHECK(w != NULL);
	while ((err = stream_next(&r, &rec)) == 0) {
		check_inside(data, size, &r, &rec);
		track(&order, &rec, ctx);
		stream_writer_data(w, &off);
		if (rewrite(w, &r, &rec, ctx)) {
			/* The record just written, read back on its own. */
			out = stream_writer_data(w, &out_len);
			CHECK(out_len > off && (out_len - off) % 8 == 0);
			r2 = r;
			r2.buf = out;
			r2.len = out_len;
			r2.off = off;
			r2.swap = false;
			r2.ended = false;
			CHECK(stream_next(&r2, &rec2) == 0);
			CHECK(r2.off == out_len);
			check_same(&r, &rec, &r2, &rec2);
		}
		if (rec.type == STREAM_END)
			break;
	}
	if (err != 0)
		CHECK(err == EPROTO && r.why != NULL && !r.ended);
	else
		CHECK(r.ended && stream_next(&r, &rec) == ENODATA);
	check_state(data, size, err == 0, &order);
	talloc_free(ctx);
	return 0;
}
