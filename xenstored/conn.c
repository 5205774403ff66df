/*
 * Connections: framing on input, a bounded queue on output.  What an
 * unprivileged connection holds is charged to its domain's memory
 * quota: the connection itself (its input buffer) while open, and its
 * queued output until written.  Replies of
 * one batch of requests are coalesced into few write() calls: output is
 * flushed at the end of each input batch, and for connections that got
 * watch events, once after the current loop iteration.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "conn.h"
#include "framing.h"
#include "journal.h"
#include "log.h"
#include "loop.h"
#include "quota.h"

/* A request header and payload, twice, so a batch can be read at once. */
#define IN_BUF_SIZE	(2 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX))
#define OUT_CHUNK_SIZE	(64 * 1024)

/*
 * Messages never straddle two chunks, and the first one in a chunk
 * starts at "first" (0 but for a live update's restored output, which
 * may begin with the tail of a reply): so where the unsent bytes stop
 * being a partly sent reply can be found (conn_saved_output()).
 */
struct out_chunk {
	struct out_chunk	*next;
	size_t			 len;	/* bytes filled */
	size_t			 off;	/* bytes written */
	size_t			 cap;
	size_t			 first;	/* where the first message starts */
	char			 data[];
};

struct connection {
	unsigned int		 id;
	unsigned int		 domid;
	bool			 privileged;
	bool			 closing;
	bool			 dirty;		/* on dirty_list */
	bool			 has_target;	/* SET_TARGET given */
	unsigned int		 target;
	size_t			 pause_at;	/* stop reading past this */
	bool			 throttled;	/* not read: conflict credit */
	bool			 held;		/* a request's reply comes later */
	size_t			 event_max;	/* drop events past this */
	unsigned long		 events_dropped;
	const struct conn_transport *tp;
	void			*tp_priv;
	conn_frame_fn		*fn;
	void			*fn_arg;
	void			*priv;

	char			 in[IN_BUF_SIZE];
	size_t			 in_len;

	struct out_chunk	*out_head, *out_tail;
	size_t			 out_bytes;
	uint32_t		 out_pos;	/* a ring's: rsp_prod after
						   what is queued */
	long			 charged;	/* to domid's memory quota */

	struct connection	*prev, *next;		/* all connections */
	struct connection	*dprev, *dnext;		/* dirty list */
};

static struct connection	*conns;
static unsigned int		 nconns;
static unsigned int		 next_id = 1;
static struct connection	*dirty_list;
static bool			 dirty_flush_queued;

static void	conn_flush(struct connection *);

static void
dirty_del(struct connection *c)
{
	if (!c->dirty)
		return;
	if (c->dprev != NULL)
		c->dprev->dnext = c->dnext;
	else
		dirty_list = c->dnext;
	if (c->dnext != NULL)
		c->dnext->dprev = c->dprev;
	c->dirty = false;
	c->dprev = c->dnext = NULL;
}

/* What an output chunk of cap bytes costs (talloc's and malloc's headers). */
static long
chunk_cost(size_t cap)
{
	return sizeof(struct out_chunk) + cap + QUOTA_CHUNK_OVERHEAD;
}

/* Charge (or refund, delta < 0) what c holds, unless privileged. */
static void
charge(struct connection *c, long delta)
{
	if (c->privileged || delta == 0)
		return;
	if (delta < -c->charged)
		delta = -c->charged;
	if (quota_charge(c->domid, USAGE_MEMORY, delta) == 0)
		c->charged += delta;
}

static void
out_clear(struct connection *c)
{
	struct out_chunk *ch;

	while ((ch = c->out_head) != NULL) {
		c->out_head = ch->next;
		charge(c, -chunk_cost(ch->cap));
		talloc_free(ch);
	}
	c->out_tail = NULL;
	c->out_bytes = 0;
}

static int
conn_destroy(struct connection *c)
{
	/* Unlink and account only: the transport's destructor closes. */
	dirty_del(c);
	charge(c, -c->charged);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	nconns--;
	log_trace("DESTROY conn %u", c->id);
	return 0;
}

struct connection *
conn_new(TALLOC_CTX *ctx, const struct conn_transport *tp, void *tp_priv,
    unsigned int domid, bool privileged, conn_frame_fn *fn, void *arg)
{
	struct connection *c;

	c = talloc_zero(ctx, struct connection);
	if (c == NULL)
		return NULL;
	c->id = next_id++;
	c->domid = domid;
	c->privileged = privileged;
	c->tp = tp;
	c->tp_priv = talloc_steal(c, tp_priv);
	c->fn = fn;
	c->fn_arg = arg;
	if (tp->out_pos != NULL)
		c->out_pos = tp->out_pos(tp_priv);
	c->next = conns;
	if (conns != NULL)
		conns->prev = c;
	conns = c;
	nconns++;
	talloc_set_destructor(c, conn_destroy);
	/* Its buffers are the domain's, though dom0 made it (INTRODUCE). */
	charge(c, sizeof(*c));
	log_trace("CREATE conn %u %s domid %u", c->id, tp->name, domid);
	return c;
}

static void
free_closed(void *arg)
{
	talloc_free(arg);
}

void
conn_close(struct connection *c, const char *why)
{
	if (c->closing)
		return;
	log_debug("conn %u (%s): closing: %s", c->id, c->tp->name, why);
	log_trace("CLOSE conn %u: %s", c->id, why);
	journal_conn_del(c);
	c->closing = true;
	c->tp->stop_read(c->tp_priv);
	c->tp->want_write(c->tp_priv, false);
	out_clear(c);
	/* Now: the domain's account may go before the deferred free. */
	charge(c, -c->charged);
	dirty_del(c);
	if (loop_defer(free_closed, c) != 0) {
		/* Cannot defer: leak it rather than free under the caller. */
		log_warnx("conn %u: cannot schedule free", c->id);
	}
}

bool
conn_closing(const struct connection *c)
{
	return c->closing;
}

static void journal_input(struct connection *, bool);

/* Handle the frames complete in the input buffer; false: stop reading. */
static bool
parse_frames(struct connection *c)
{
	struct xsd_sockmsg hdr;
	size_t off = 0, total;
	TALLOC_CTX *req;
	char *payload;

	/* Work per call is bounded by the buffer: at most IN_BUF_SIZE / 16. */
	while (!c->closing && !c->held && c->in_len - off >= FRAME_HDR_LEN) {
		memcpy(&hdr, c->in + off, FRAME_HDR_LEN);
		if (framing_check_header(&hdr) != 0) {
			log_warnx("conn %u: payload of %u bytes is over %u: "
			    "disconnecting", c->id, hdr.len,
			    XENSTORE_PAYLOAD_MAX);
			if (c->tp->violation != NULL)
				c->tp->violation(c->tp_priv);
			conn_close(c, "payload too long");
			return false;
		}
		total = FRAME_HDR_LEN + hdr.len;
		if (c->in_len - off < total)
			break;
		req = talloc_new(NULL);
		payload = req == NULL ? NULL : talloc_size(req, hdr.len + 1);
		if (payload == NULL) {
			talloc_free(req);
			conn_close(c, "out of memory");
			return false;
		}
		memcpy(payload, c->in + off + FRAME_HDR_LEN, hdr.len);
		payload[hdr.len] = '\0';
		off += total;
		log_trace_msg(c->id, "IN", &hdr, payload);
		c->fn(c, &hdr, payload, req, c->fn_arg);
		talloc_free(req);
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	return !c->closing;
}

/* A socket's flag for a restart: idle only with nothing read or queued. */
static void
update_busy(struct connection *c)
{
	if (c->tp->busy != NULL && !c->closing)
		c->tp->busy(c->tp_priv, c->in_len > 0 || c->out_head != NULL);
}

void
conn_input(struct connection *c)
{
	ssize_t n;
	bool ok;
	int err = 0;

	if (c->closing || conn_input_paused(c))
		return;
	if (c->tp->busy != NULL)
		c->tp->busy(c->tp_priv, true);
	/*
	 * Read once per event: level-triggered polling brings us back if
	 * more is waiting, and other peers get their turn meanwhile.
	 */
	n = c->tp->read(c->tp_priv, c->in + c->in_len,
	    sizeof(c->in) - c->in_len, &err);
	if (n < 0) {
		if (c->in_len > 0)
			log_debug("conn %u: closed with %zu bytes of a "
			    "partial frame", c->id, c->in_len);
		conn_close(c, err == 0 ? "peer closed" : strerror(err));
		return;
	}
	c->in_len += n;
	ok = parse_frames(c);
	if (n > 0)
		journal_input(c, true);
	if (!ok)
		return;
	conn_flush(c);
}

/*
 * After frames were handled: a ring's requests' effects, then what is
 * left of its input, are journalled before the ring gets the bytes'
 * room back (consume: they were read anew).
 */
static void
journal_input(struct connection *c, bool consume)
{
	if (c->tp->consume == NULL)
		return;
	if (!c->closing)
		journal_ring_in(c, c->tp->in_pos(c->tp_priv), c->in, c->in_len);
	journal_flush();
	if (consume)
		c->tp->consume(c->tp_priv);
}

uint32_t
conn_ring_published(const struct connection *c)
{
	return c->tp->out_pos != NULL ? c->tp->out_pos(c->tp_priv) : 0;
}

uint32_t
conn_ring_out_start(const struct connection *c)
{
	return c->out_pos - (uint32_t)c->out_bytes;
}

void
conn_ring_set_req_cons(struct connection *c, uint32_t req_cons)
{
	if (c->tp->set_in_pos != NULL)
		c->tp->set_in_pos(c->tp_priv, req_cons);
}

static void
conn_flush(struct connection *c)
{
	struct out_chunk *ch;
	ssize_t n;
	int err = 0;

	dirty_del(c);
	/* Nothing leaves before what it acknowledges is journalled. */
	if (c->out_head != NULL)
		journal_flush();
	while ((ch = c->out_head) != NULL) {
		n = c->tp->write(c->tp_priv, ch->data + ch->off,
		    ch->len - ch->off, &err);
		if (n < 0) {
			conn_close(c, err == 0 ? "peer closed" :
			    strerror(err));
			return;
		}
		if (n == 0)
			break;
		ch->off += n;
		c->out_bytes -= n;
		if (ch->off < ch->len)
			break;
		c->out_head = ch->next;
		if (c->out_head == NULL)
			c->out_tail = NULL;
		charge(c, -chunk_cost(ch->cap));
		talloc_free(ch);
	}
	c->tp->want_write(c->tp_priv, c->out_head != NULL);
	update_busy(c);
}

void
conn_output(struct connection *c)
{
	if (!c->closing)
		conn_flush(c);
}

static void
flush_dirty(void *arg)
{
	(void)arg;
	dirty_flush_queued = false;
	while (dirty_list != NULL)
		conn_flush(dirty_list);
}

static void
mark_dirty(struct connection *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	c->dprev = NULL;
	c->dnext = dirty_list;
	if (dirty_list != NULL)
		dirty_list->dprev = c;
	dirty_list = c;
	if (!dirty_flush_queued && loop_defer(flush_dirty, NULL) == 0)
		dirty_flush_queued = true;
}

/*
 * Append len bytes; room (>= len) is what the chunk must still hold for
 * the rest of this message, so that it stays in one chunk.
 */
static int
queue_bytes(struct connection *c, const void *buf, size_t len, size_t room)
{
	struct out_chunk *ch = c->out_tail;
	size_t cap;

	if (ch == NULL || ch->cap - ch->len < room) {
		cap = room > OUT_CHUNK_SIZE ? room : OUT_CHUNK_SIZE;
		ch = talloc_size(c, sizeof(*ch) + cap);
		if (ch == NULL)
			return ENOMEM;
		talloc_set_name_const(ch, "struct out_chunk");
		ch->next = NULL;
		ch->len = ch->off = ch->first = 0;
		ch->cap = cap;
		charge(c, chunk_cost(cap));
		if (c->out_tail != NULL)
			c->out_tail->next = ch;
		else
			c->out_head = ch;
		c->out_tail = ch;
	}
	memcpy(ch->data + ch->len, buf, len);
	ch->len += len;
	c->out_bytes += len;
	return 0;
}

int
conn_send(struct connection *c, uint32_t type, uint32_t req_id,
    uint32_t tx_id, const void *payload, size_t len)
{
	struct xsd_sockmsg hdr;
	int err;

	if (c->closing)
		return EPIPE;
	if (c->out_bytes + FRAME_HDR_LEN + len > CONN_OUT_MAX) {
		log_warnx("conn %u: peer does not read its replies "
		    "(%zu bytes queued): disconnecting", c->id, c->out_bytes);
		conn_close(c, "output queue full");
		return ENOSPC;
	}
	hdr.type = type;
	hdr.req_id = req_id;
	hdr.tx_id = tx_id;
	hdr.len = len;
	log_trace_msg(c->id, "OUT", &hdr, payload);
	if (c->tp->out_pos != NULL) {
		journal_ring_out(c, c->out_pos, &hdr, FRAME_HDR_LEN, payload,
		    len);
		c->out_pos += FRAME_HDR_LEN + len;
	} else if (c->tp->busy != NULL)
		c->tp->busy(c->tp_priv, true);
	if ((err = queue_bytes(c, &hdr, FRAME_HDR_LEN,
	    FRAME_HDR_LEN + len)) != 0 ||
	    (len > 0 && (err = queue_bytes(c, payload, len, len)) != 0)) {
		conn_close(c, "out of memory");
		return err;
	}
	mark_dirty(c);
	return 0;
}

int
conn_restore_output(struct connection *c, const void *buf, size_t len,
    size_t resp_len)
{
	size_t room;

	if (c->closing)
		return EPIPE;
	if (len == 0)
		return 0;
	if (c->out_bytes + len > CONN_OUT_MAX || resp_len > len)
		return ENOSPC;
	/* A chunk of its own, begun by the tail of a reply: ask for more
	 * room than the current tail has. */
	room = len;
	if (c->out_tail != NULL && room <= c->out_tail->cap - c->out_tail->len)
		room = c->out_tail->cap - c->out_tail->len + 1;
	if (queue_bytes(c, buf, len, room) != 0)
		return ENOMEM;
	c->out_tail->first = resp_len;
	c->out_pos += len;
	mark_dirty(c);
	return 0;
}

void *
conn_saved_output(const struct connection *c, TALLOC_CTX *ctx, size_t *len,
    size_t *resp_len)
{
	const struct out_chunk *ch = c->out_head;
	struct xsd_sockmsg hdr;
	size_t pos, n = 0;
	char *buf;

	*len = c->out_bytes;
	*resp_len = 0;
	if ((buf = talloc_size(ctx, *len + 1)) == NULL)
		return NULL;
	for (; ch != NULL; ch = ch->next) {
		memcpy(buf + n, ch->data + ch->off, ch->len - ch->off);
		n += ch->len - ch->off;
	}
	/* The head message: sent in part if off falls inside it. */
	if ((ch = c->out_head) != NULL) {
		pos = ch->first;
		while (pos < ch->off && ch->len - pos >= FRAME_HDR_LEN) {
			memcpy(&hdr, ch->data + pos, FRAME_HDR_LEN);
			pos += FRAME_HDR_LEN + hdr.len;
		}
		if (pos > ch->len)
			pos = ch->len;
		if (pos > ch->off)
			*resp_len = pos - ch->off;
	}
	return buf;
}

const void *
conn_saved_input(const struct connection *c, size_t *len)
{
	*len = c->in_len;
	return c->in;
}

int
conn_restore_input(struct connection *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t n;

	/* In slices: the saved bytes may be more than the buffer holds
	 * (delayed requests, then a partial one). */
	while (len > 0 && !c->closing) {
		n = sizeof(c->in) - c->in_len;
		if (n == 0)
			return EPROTO;	/* a frame larger than any frame */
		if (n > len)
			n = len;
		memcpy(c->in + c->in_len, p, n);
		c->in_len += n;
		p += n;
		len -= n;
		if (!parse_frames(c))
			break;
	}
	if (!c->closing)
		conn_flush(c);
	return c->closing ? EPIPE : 0;
}

/* What queueing len more bytes would add to c's charge. */
static long
queue_cost(const struct connection *c, size_t len)
{
	const struct out_chunk *ch = c->out_tail;

	if (ch != NULL && ch->cap - ch->len >= len)
		return 0;
	return chunk_cost(len > OUT_CHUNK_SIZE ? len : OUT_CHUNK_SIZE);
}

int
conn_send_event(struct connection *c, const char *path, const char *token)
{
	size_t plen = strlen(path) + 1, tlen = strlen(token) + 1;
	char buf[XENSTORE_PAYLOAD_MAX];

	/* WATCH refuses tokens that could make this happen (watch.c). */
	if (plen + tlen > sizeof(buf)) {
		if (c->events_dropped++ == 0)
			log_warnx("conn %u (domid %u): a watch event of %zu "
			    "bytes is over %u: dropped", c->id, c->domid,
			    plen + tlen, XENSTORE_PAYLOAD_MAX);
		return EINVAL;
	}
	/*
	 * A guest that does not read loses events, not our memory: past
	 * event_max queued, or past its memory quota.
	 */
	if ((c->event_max != 0 &&
	    c->out_bytes + FRAME_HDR_LEN + plen + tlen > c->event_max) ||
	    (!c->privileged && quota_check(c->domid, false, USAGE_MEMORY,
	    queue_cost(c, FRAME_HDR_LEN + plen + tlen)) != 0)) {
		if (c->events_dropped++ == 0)
			log_warnx("conn %u (domid %u): output queue over %zu "
			    "bytes or memory quota reached: dropping watch "
			    "events", c->id, c->domid, c->event_max);
		return ENOSPC;
	}
	memcpy(buf, path, plen);
	memcpy(buf + plen, token, tlen);
	return conn_send(c, XS_WATCH_EVENT, 0, 0, buf, plen + tlen);
}

unsigned int
conn_id(const struct connection *c)
{
	return c->id;
}

unsigned int
conn_domid(const struct connection *c)
{
	return c->domid;
}

bool
conn_privileged(const struct connection *c)
{
	return c->privileged;
}

void
conn_caller(const struct connection *c, struct perm_caller *out)
{
	out->domid = c->domid;
	out->privileged = c->privileged;
	out->has_target = c->has_target;
	out->target = c->target;
}

void
conn_set_target(struct connection *c, unsigned int target)
{
	c->has_target = true;
	c->target = target;
}

void
conn_set_limits(struct connection *c, size_t pause_at, size_t event_max)
{
	c->pause_at = pause_at;
	c->event_max = event_max;
}

bool
conn_input_paused(const struct connection *c)
{
	return c->throttled || c->held ||
	    (c->pause_at != 0 && c->out_bytes >= c->pause_at);
}

void
conn_hold(struct connection *c, bool on)
{
	bool ok;

	if (c->held == on || c->closing)
		return;
	c->held = on;
	if (c->tp->pause_read != NULL)
		c->tp->pause_read(c->tp_priv, on);
	if (on)
		return;
	/* What came with or after the held request, then what waits. */
	if (c->in_len > 0) {
		ok = parse_frames(c);
		journal_input(c, false);
		if (!ok)
			return;
	}
	conn_input(c);
}

void
conn_set_throttled(struct connection *c, bool on)
{
	c->throttled = on;
}

size_t
conn_out_bytes(const struct connection *c)
{
	return c->out_bytes;
}

unsigned long
conn_events_dropped(const struct connection *c)
{
	return c->events_dropped;
}

void *
conn_priv(const struct connection *c)
{
	return c->priv;
}

void
conn_set_priv(struct connection *c, void *priv)
{
	c->priv = priv;
}

unsigned int
conn_count(void)
{
	return nconns;
}

void
conn_free_all(void)
{
	while (conns != NULL)
		talloc_free(conns);
}
