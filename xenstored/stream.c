/*
 * The xenstore migration stream's records (stream.h).  Fields are read
 * and written one at a time at their offsets in xenstore_state.h's
 * structures, never through a cast: a stream's bytes need not be
 * aligned, and its byte order need not be ours.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "stream.h"

#define PAD8(n)		(((n) + 7) & ~(size_t)7)
#define REC_HDR_LEN	8

static const char *const type_names[] = {
	[STREAM_END] = "END",
	[STREAM_GLOBAL] = "GLOBAL",
	[STREAM_CONN] = "CONN",
	[STREAM_WATCH] = "WATCH",
	[STREAM_TA] = "TA",
	[STREAM_NODE] = "NODE",
	[STREAM_GLOBAL_QUOTA] = "GLOBAL_QUOTA",
	[STREAM_DOMAIN] = "DOMAIN",
	[STREAM_WATCH_EXT] = "WATCH_EXT",
};

const char *
stream_type_name(uint32_t type)
{
	if (type < sizeof(type_names) / sizeof(type_names[0]))
		return type_names[type];
	return "unknown";
}

static bool
host_big_endian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 0;
}

/* Reading. */

static uint16_t
get16(const struct stream_reader *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return r->swap ? __builtin_bswap16(v) : v;
}

static uint32_t
get32(const struct stream_reader *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return r->swap ? __builtin_bswap32(v) : v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
bad(struct stream_reader *r, const char *why)
{
	r->why = why;
	return EPROTO;
}

int
stream_open(struct stream_reader *r, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint32_t flags;

	memset(r, 0, sizeof(*r));
	r->buf = b;
	r->len = len;
	if (len < STREAM_HEADER_LEN)
		return bad(r, "shorter than the 16-byte header");
	if (memcmp(b, STREAM_IDENT, 8) != 0)
		return bad(r, "no \"xenstore\" ident");
	r->version = get_be32(b + 8);
	flags = get_be32(b + 12);
	if (flags & ~(uint32_t)1)
		return bad(r, "reserved header flags set");
	if (r->version != STREAM_VERSION_1 && r->version != STREAM_VERSION_2) {
		r->why = "a version other than 1 and 2";
		return EPROTONOSUPPORT;
	}
	r->big_endian = flags & 1;
	r->swap = r->big_endian != host_big_endian();
	r->off = STREAM_HEADER_LEN;
	return 0;
}

int
stream_open_records(struct stream_reader *r, const struct stream_reader *of,
    const void *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->version = of->version;
	r->big_endian = of->big_endian;
	r->swap = of->swap;
	r->records_only = true;
	return 0;
}

uint32_t
stream_get32(const struct stream_reader *r, const void *p)
{
	return get32(r, p);
}

/*
 * A string of len bytes (nul included) at p, inside end: must be
 * non-empty, end in its nul and hold no other.
 */
static bool
good_string(const uint8_t *p, size_t len, const uint8_t *end)
{
	if (len == 0 || len > (size_t)(end - p))
		return false;
	return memchr(p, '\0', len) == p + len - 1;
}

static int
decode_conn(struct stream_reader *r, const uint8_t *b, size_t len,
    struct stream_conn *c)
{
	const uint8_t *end = b + len;

	if (len < 24)
		return bad(r, "CONN shorter than its 24 fixed bytes");
	c->conn_id = get32(r, b);
	c->conn_type = get16(r, b + 4);
	switch (c->conn_type) {
	case STREAM_CONN_RING:
		c->domid = get16(r, b + 8);
		c->tdomid = get16(r, b + 10);
		c->evtchn = get32(r, b + 12);
		break;
	case STREAM_CONN_SOCKET:
		c->socket_fd = (int32_t)get32(r, b + 8);
		break;
	default:
		return bad(r, "CONN of an unknown conn-type");
	}
	if (c->conn_id == 0)
		return bad(r, "CONN with conn-id 0");
	c->in_len = get16(r, b + 16);
	c->out_resp_len = get16(r, b + 18);
	c->out_len = get32(r, b + 20);
	if (c->out_resp_len > c->out_len)
		return bad(r, "CONN out-resp-len over out-data-len");
	if ((size_t)c->in_len + c->out_len > (size_t)(end - (b + 24)))
		return bad(r, "CONN data beyond its record");
	c->in = b + 24;
	c->out = c->in + c->in_len;
	return 0;
}

static int
decode_watch(struct stream_reader *r, const uint8_t *b, size_t len,
    bool ext, struct stream_watch *w)
{
	const uint8_t *end = b + len, *p;
	uint16_t plen, tlen;

	if (len < (ext ? 12u : 8u))
		return bad(r, "WATCH shorter than its fixed fields");
	w->conn_id = get32(r, b);
	plen = get16(r, b + 4);
	tlen = get16(r, b + 6);
	w->depth = ext ? get16(r, b + 8) : STREAM_DEPTH_UNLIMITED;
	p = b + (ext ? 12 : 8);
	if (!good_string(p, plen, end))
		return bad(r, "WATCH path not one nul-terminated string");
	w->path = (const char *)p;
	p += plen;
	if (!good_string(p, tlen, end))
		return bad(r, "WATCH token not one nul-terminated string");
	w->token = (const char *)p;
	return 0;
}

static int
decode_node(struct stream_reader *r, const uint8_t *b, size_t len,
    struct stream_node *n)
{
	const uint8_t *end = b + len, *p;
	uint16_t plen;
	unsigned int i;

	if (len < 16)
		return bad(r, "NODE shorter than its 16 fixed bytes");
	n->conn_id = get32(r, b);
	n->tx_id = get32(r, b + 4);
	plen = get16(r, b + 8);
	n->value_len = get16(r, b + 10);
	n->access = get16(r, b + 12);
	n->n_perms = get16(r, b + 14);
	if ((size_t)n->n_perms * 4 > len - 16)
		return bad(r, "NODE permissions beyond its record");
	n->perms_raw = b + 16;
	for (i = 0; i < n->n_perms; i++) {
		if (!strchr("nrwb", n->perms_raw[4 * i]) ||
		    n->perms_raw[4 * i] == '\0')
			return bad(r, "NODE permission not one of n, r, w, b");
	}
	if (n->n_perms == 0 && n->conn_id == 0)
		return bad(r, "committed NODE without an owner");
	p = n->perms_raw + 4 * n->n_perms;
	if (!good_string(p, plen, end))
		return bad(r, "NODE path not one nul-terminated string");
	n->path = (const char *)p;
	p += plen;
	if (n->value_len > (size_t)(end - p))
		return bad(r, "NODE value beyond its record");
	n->value = p;
	return 0;
}

static int
decode_quota(struct stream_reader *r, const uint8_t *b, size_t len,
    bool domain, struct stream_quota *q)
{
	const uint8_t *end = b + len, *p;
	size_t names_len;
	unsigned int i;

	if (len < (domain ? 8u : 4u))
		return bad(r, "quota record shorter than its fixed fields");
	if (domain) {
		q->domid = get16(r, b);
		q->n_quota = get16(r, b + 2);
		q->n_dom = q->n_quota;
		/* Written as zero in version 1, and to be ignored. */
		q->features = r->version >= STREAM_VERSION_2 ? get32(r, b + 4) : 0;
		p = b + 8;
	} else {
		q->n_dom = get16(r, b);
		q->n_quota = q->n_dom + get16(r, b + 2);
		p = b + 4;
	}
	if ((size_t)q->n_quota * 4 > (size_t)(end - p))
		return bad(r, "quota values beyond their record");
	q->vals_raw = p;
	p += (size_t)q->n_quota * 4;
	q->names = (const char *)p;
	/* n_quota non-empty names; what follows the last is padding. */
	for (i = 0; i < q->n_quota; i++) {
		const uint8_t *nul = memchr(p, '\0', end - p);

		if (nul == NULL || nul == p)
			return bad(r, "quota names fewer than their values");
		p = nul + 1;
	}
	names_len = p - (const uint8_t *)q->names;
	q->names_len = names_len;
	return 0;
}

int
stream_next(struct stream_reader *r, struct stream_record *rec)
{
	const uint8_t *b;
	size_t left;
	int err = 0;

	memset(rec, 0, sizeof(*rec));
	if (r->ended)
		return ENODATA;
	left = r->len - r->off;
	if (left == 0 && r->records_only)
		return ENODATA;
	if (left == 0)
		return bad(r, "the stream ends without an END record");
	if (left < REC_HDR_LEN)
		return bad(r, "a record header cut short");
	b = r->buf + r->off;
	rec->type = get32(r, b);
	rec->len = get32(r, b + 4);
	if (rec->len % 8 != 0)
		return bad(r, "a record length not a multiple of 8");
	if (rec->len > left - REC_HDR_LEN)
		return bad(r, "a record longer than the rest of the stream");
	rec->body = b + REC_HDR_LEN;

	switch (rec->type) {
	case STREAM_END:
		r->ended = true;
		break;
	case STREAM_GLOBAL:
		if (rec->len < 8)
			return bad(r, "GLOBAL shorter than 8 bytes");
		rec->u.global.socket_fd = (int32_t)get32(r, rec->body);
		rec->u.global.evtchn_fd = (int32_t)get32(r, rec->body + 4);
		break;
	case STREAM_CONN:
		err = decode_conn(r, rec->body, rec->len, &rec->u.conn);
		break;
	case STREAM_WATCH:
		err = decode_watch(r, rec->body, rec->len, false, &rec->u.watch);
		break;
	case STREAM_WATCH_EXT:
		if (r->version >= STREAM_VERSION_2)
			err = decode_watch(r, rec->body, rec->len, true,
			    &rec->u.watch);
		break;
	case STREAM_TA:
		if (rec->len < 8)
			return bad(r, "TA shorter than 8 bytes");
		rec->u.ta.conn_id = get32(r, rec->body);
		rec->u.ta.tx_id = get32(r, rec->body + 4);
		break;
	case STREAM_NODE:
		err = decode_node(r, rec->body, rec->len, &rec->u.node);
		break;
	case STREAM_GLOBAL_QUOTA:
	case STREAM_DOMAIN:
		err = decode_quota(r, rec->body, rec->len,
		    rec->type == STREAM_DOMAIN, &rec->u.quota);
		break;
	default:
		break;
	}
	if (err)
		return err;
	r->off += REC_HDR_LEN + rec->len;
	r->records++;
	return 0;
}

struct stream_perm
stream_node_perm(const struct stream_reader *r, const struct stream_node *n,
    unsigned int i)
{
	const uint8_t *p = n->perms_raw + 4 * (size_t)i;
	struct stream_perm perm;

	perm.perm = (char)p[0];
	perm.flags = p[1];
	perm.domid = get16(r, p + 2);
	return perm;
}

uint32_t
stream_quota_get(const struct stream_reader *r, const struct stream_quota *q,
    unsigned int i, const char **name)
{
	const char *s = q->names;
	unsigned int k;

	for (k = 0; k < i; k++)
		s += strlen(s) + 1;
	*name = s;
	return get32(r, q->vals_raw + 4 * (size_t)i);
}

/* Writing. */

struct stream_writer {
	uint8_t		*buf;
	size_t		len;
	size_t		size;
	uint32_t	version;
	bool		ended;
};

struct stream_writer *
stream_writer_new(TALLOC_CTX *ctx, uint32_t version)
{
	struct stream_writer *w;
	uint32_t flags = host_big_endian() ? 1 : 0;
	uint8_t *h;

	if (version != STREAM_VERSION_1 && version != STREAM_VERSION_2)
		return NULL;
	w = talloc_zero(ctx, struct stream_writer);
	if (w == NULL)
		return NULL;
	w->size = 4096;
	w->buf = talloc_array(w, uint8_t, w->size);
	if (w->buf == NULL) {
		talloc_free(w);
		return NULL;
	}
	w->version = version;
	h = w->buf;
	memcpy(h, STREAM_IDENT, 8);
	h[8] = h[9] = h[10] = 0;
	h[11] = (uint8_t)version;
	h[12] = h[13] = h[14] = 0;
	h[15] = (uint8_t)flags;
	w->len = STREAM_HEADER_LEN;
	return w;
}

const void *
stream_writer_data(const struct stream_writer *w, size_t *len)
{
	*len = w->len;
	return w->buf;
}

/*
 * Room for a record of body_len bytes (before padding): returns its
 * zeroed body, header written, or NULL for ENOMEM.  The caller fills
 * the body; nothing is counted in w->len until commit_record().
 */
static uint8_t *
begin_record(struct stream_writer *w, uint32_t type, size_t body_len)
{
	size_t need = REC_HDR_LEN + PAD8(body_len);
	uint32_t len32 = (uint32_t)PAD8(body_len);
	uint8_t *rec;

	if (w->size - w->len < need) {
		size_t size = w->size;
		uint8_t *nbuf;

		while (size - w->len < need)
			size *= 2;
		nbuf = talloc_realloc(w, w->buf, uint8_t, size);
		if (nbuf == NULL)
			return NULL;
		w->buf = nbuf;
		w->size = size;
	}
	rec = w->buf + w->len;
	memset(rec, 0, need);
	memcpy(rec, &type, 4);
	memcpy(rec + 4, &len32, 4);
	return rec + REC_HDR_LEN;
}

static void
commit_record(struct stream_writer *w)
{
	uint32_t len32;

	memcpy(&len32, w->buf + w->len + 4, 4);
	w->len += REC_HDR_LEN + len32;
}

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* A string's length with its nul, or 0 if it is over 65535 bytes. */
static uint16_t
string_len(const char *s)
{
	size_t n = strlen(s) + 1;

	return n > UINT16_MAX ? 0 : (uint16_t)n;
}

int
stream_put_raw(struct stream_writer *w, uint32_t type,
    const struct iovec *iov, unsigned int n)
{
	size_t len = 0, off = 0;
	unsigned int i;
	uint8_t *body;

	if (w->ended)
		return EPROTO;
	for (i = 0; i < n; i++) {
		if (iov[i].iov_len > UINT32_MAX - 8 - len)
			return EINVAL;
		len += iov[i].iov_len;
	}
	if ((body = begin_record(w, type, len)) == NULL)
		return ENOMEM;
	for (i = 0; i < n; i++) {
		if (iov[i].iov_len > 0)
			memcpy(body + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	commit_record(w);
	return 0;
}

size_t
stream_writer_len(const struct stream_writer *w)
{
	return w->len;
}

void
stream_writer_truncate(struct stream_writer *w, size_t len)
{
	if (len >= STREAM_HEADER_LEN && len <= w->len)
		w->len = len;
}

int
stream_put_global(struct stream_writer *w, const struct stream_global *g)
{
	uint8_t *b;

	if (w->ended)
		return EPROTO;
	if ((b = begin_record(w, STREAM_GLOBAL, 8)) == NULL)
		return ENOMEM;
	put32(b, (uint32_t)g->socket_fd);
	put32(b + 4, (uint32_t)g->evtchn_fd);
	commit_record(w);
	return 0;
}

int
stream_put_conn(struct stream_writer *w, const struct stream_conn *c)
{
	uint8_t *b;

	if (w->ended)
		return EPROTO;
	if (c->conn_id == 0 || c->out_resp_len > c->out_len ||
	    (c->conn_type != STREAM_CONN_RING &&
	    c->conn_type != STREAM_CONN_SOCKET) ||
	    c->out_len > UINT32_MAX - 31 - c->in_len)
		return EINVAL;
	b = begin_record(w, STREAM_CONN, 24 + (size_t)c->in_len + c->out_len);
	if (b == NULL)
		return ENOMEM;
	put32(b, c->conn_id);
	put16(b + 4, c->conn_type);
	if (c->conn_type == STREAM_CONN_RING) {
		put16(b + 8, c->domid);
		put16(b + 10, c->tdomid);
		put32(b + 12, c->evtchn);
	} else {
		put32(b + 8, (uint32_t)c->socket_fd);
	}
	put16(b + 16, c->in_len);
	put16(b + 18, c->out_resp_len);
	put32(b + 20, c->out_len);
	if (c->in_len)
		memcpy(b + 24, c->in, c->in_len);
	if (c->out_len)
		memcpy(b + 24 + c->in_len, c->out, c->out_len);
	commit_record(w);
	return 0;
}

int
stream_put_watch(struct stream_writer *w, const struct stream_watch *wa)
{
	bool ext = wa->depth != STREAM_DEPTH_UNLIMITED;
	uint16_t plen = string_len(wa->path), tlen = string_len(wa->token);
	size_t fixed = ext ? 12 : 8;
	uint8_t *b;

	if (w->ended)
		return EPROTO;
	if (plen == 0 || tlen == 0)
		return EINVAL;
	if (ext && w->version < STREAM_VERSION_2)
		return ENOTSUP;
	b = begin_record(w, ext ? STREAM_WATCH_EXT : STREAM_WATCH,
	    fixed + plen + tlen);
	if (b == NULL)
		return ENOMEM;
	put32(b, wa->conn_id);
	put16(b + 4, plen);
	put16(b + 6, tlen);
	if (ext)
		put16(b + 8, wa->depth);
	memcpy(b + fixed, wa->path, plen);
	memcpy(b + fixed + plen, wa->token, tlen);
	commit_record(w);
	return 0;
}

int
stream_put_ta(struct stream_writer *w, const struct stream_ta *ta)
{
	uint8_t *b;

	if (w->ended)
		return EPROTO;
	if ((b = begin_record(w, STREAM_TA, 8)) == NULL)
		return ENOMEM;
	put32(b, ta->conn_id);
	put32(b + 4, ta->tx_id);
	commit_record(w);
	return 0;
}

int
stream_put_node(struct stream_writer *w, const struct stream_node *n,
    const struct stream_perm *perms)
{
	uint16_t plen = string_len(n->path);
	size_t perms_len = 4 * (size_t)n->n_perms;
	unsigned int i;
	uint8_t *b, *p;

	if (w->ended)
		return EPROTO;
	if (plen == 0 || (n->n_perms == 0 && n->conn_id == 0))
		return EINVAL;
	for (i = 0; i < n->n_perms; i++)
		if (perms[i].perm == '\0' || !strchr("nrwb", perms[i].perm))
			return EINVAL;
	b = begin_record(w, STREAM_NODE, 16 + perms_len + plen + n->value_len);
	if (b == NULL)
		return ENOMEM;
	put32(b, n->conn_id);
	put32(b + 4, n->tx_id);
	put16(b + 8, plen);
	put16(b + 10, n->value_len);
	put16(b + 12, n->access);
	put16(b + 14, n->n_perms);
	p = b + 16;
	for (i = 0; i < n->n_perms; i++, p += 4) {
		p[0] = (uint8_t)perms[i].perm;
		p[1] = perms[i].flags;
		put16(p + 2, perms[i].domid);
	}
	memcpy(p, n->path, plen);
	if (n->value_len)
		memcpy(p + plen, n->value, n->value_len);
	commit_record(w);
	return 0;
}

int
stream_put_quota(struct stream_writer *w, uint32_t type,
    const struct stream_quota *q, const uint32_t *vals,
    const char *const *names)
{
	bool domain = type == STREAM_DOMAIN;
	size_t fixed = domain ? 8 : 4, names_len = 0;
	unsigned int i;
	uint8_t *b, *p;

	if (w->ended)
		return EPROTO;
	if ((type != STREAM_DOMAIN && type != STREAM_GLOBAL_QUOTA) ||
	    (domain && q->n_quota > UINT16_MAX) ||
	    (!domain && (q->n_dom > q->n_quota ||
	    q->n_quota - q->n_dom > UINT16_MAX)))
		return EINVAL;
	if (domain && q->features != 0 && w->version < STREAM_VERSION_2)
		return ENOTSUP;
	for (i = 0; i < q->n_quota; i++) {
		if (names[i][0] == '\0')
			return EINVAL;
		names_len += strlen(names[i]) + 1;
	}
	/* A record's length is a u32. */
	if (names_len > UINT32_MAX - 7 - fixed - 4 * (size_t)q->n_quota)
		return EINVAL;
	b = begin_record(w, type, fixed + 4 * (size_t)q->n_quota + names_len);
	if (b == NULL)
		return ENOMEM;
	if (domain) {
		put16(b, q->domid);
		put16(b + 2, q->n_quota);
		put32(b + 4, q->features);
	} else {
		put16(b, q->n_dom);
		put16(b + 2, (uint16_t)(q->n_quota - q->n_dom));
	}
	p = b + fixed;
	for (i = 0; i < q->n_quota; i++, p += 4)
		put32(p, vals[i]);
	for (i = 0; i < q->n_quota; i++) {
		size_t n = strlen(names[i]) + 1;

		memcpy(p, names[i], n);
		p += n;
	}
	commit_record(w);
	return 0;
}

int
stream_put_end(struct stream_writer *w)
{
	if (w->ended)
		return EPROTO;
	if (begin_record(w, STREAM_END, 0) == NULL)
		return ENOMEM;
	commit_record(w);
	w->ended = true;
	return 0;
}
