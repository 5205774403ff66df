/*
 * The whole daemon in-process: every module of xenstored/ but main.c,
 * set up as main.c does it (quotas, store with its initial nodes, watch
 * index, dispatch, control, domain table on a hypervisor in memory
 * (fakexen.c), the domain-state feed, the event loop), then fed requests
 * decoded from the input (fuzz_daemon.h) on three dom0 socket clients
 * (an in-memory transport under conn.c), dom0's own ring, and the rings
 * of four guest domains that the requests INTRODUCE, RELEASE and end.
 *
 * Built with FUZZ_RESTART (fuzz_restart): the daemon instead starts as
 * a restart after a crash does (docs/crash-restart.md): the input's
 * first bytes after the configuration are a state_snapshot and a
 * state_journal (fuzz_daemon.h, FD_RESTART_*), written to a directory
 * and read back by state_recover_load() and state_recover(), with every
 * domain's store port bound as by the crashed daemon (fx_prebind());
 * then the same requests and invariants.  A state it refuses ends the
 * input (the daemon would exit): everything must still be freed.
 *
 * Invariants: CONTROL check's store_check() finds nothing; every node
 * is charged to its owner's quota (nodes and memory); a socket client
 * that reads gets exactly one reply per request, and no reply is over
 * the payload limit; the daemon maps, unmaps, binds and unbinds only
 * what it should (fakexen.c).  After each input everything is torn down
 * as main.c does at exit: no connection, watch or transaction may be
 * left, every talloc block is freed (and LeakSanitizer sees the rest).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/eventfd.h>
#include <syslog.h>
#include <unistd.h>

#include <xs-stable.h>

#include "conn.h"
#include "control.h"
#include "dispatch.h"
#include "domain.h"
#include "domain_feed.h"
#include "fakexen.h"
#include "framing.h"
#include "fuzz.h"
#include "fuzz_daemon.h"
#include "log.h"
#include "loop.h"
#include "quota.h"
#include "state.h"
#include "store.h"
#include "txn.h"
#include "watch.h"

#define TX_REMEMBER	8
#define RX_MAX		(4 * (FRAME_HDR_LEN + XENSTORE_PAYLOAD_MAX))
#define TURNS_MAX	32
#define SOCK_IN_MAX	(2 * (FRAME_HDR_LEN + XENSTORE_PAYLOAD_MAX + 64))

struct sock;

/* One client: a socket of dom0, or a guest (or dom0) on its ring. */
struct client {
	bool		 ring;
	unsigned int	 domid;		/* ring clients */
	struct sock	*s;		/* socket clients: NULL when none */
	bool		 reading;	/* takes its replies */
	bool		 tampered;	/* wrote bad frames or indexes */
	uint32_t	 txids[TX_REMEMBER];
	unsigned int	 ntx;
	uint32_t	 req_id;
	unsigned long	 requests, replies;
	unsigned long	 rx_total;	/* bytes received */
	char		 rx[RX_MAX];	/* replies being parsed */
	size_t		 rxlen;
	char		 out[RX_MAX];	/* ring: requests not yet on it */
	size_t		 outlen;
};

/* The socket transport's state (stolen by the connection). */
struct sock {
	struct client	 *cl;
	struct connection *conn;
	size_t		 inlen, inoff;
	bool		 eof;
	bool		 want_write;
	char		 in[SOCK_IN_MAX];	/* last: not zeroed */
};

static struct client	 clients[FD_CONNS];
static TALLOC_CTX	*root, *sock_ctx;
static struct store	*st;
static struct dispatch	*disp;
static struct xss_handle *xh;
static int		 tick_fd = -1;
static unsigned int	 turns, turns_min, idle_turns;
static bool		 exit_queued;
static bool		 verbose;
static size_t		 blocks_before;

static const uint8_t	*in;
static size_t		 in_left;

static unsigned int
take(unsigned int bytes)
{
	unsigned int v = 0, i;

	for (i = 0; i < bytes && in_left > 0; i++, in++, in_left--)
		v |= (unsigned int)*in << (8 * i);
	return v;
}

/*
 * The daemon logs to syslog (log_init(.., false, ..)); here that is
 * quiet unless FUZZ_VERBOSE is set.
 */
void
openlog(const char *ident, int option, int facility)
{
	(void)ident;
	(void)option;
	(void)facility;
}

void
closelog(void)
{
}

void
syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	(void)pri;
	if (!verbose)
		return;
	va_start(ap, fmt);
	fputs("xenstored: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/*
 * Replies.
 */

static void
remember_tx(struct client *cl, const char *body, size_t len)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < len && body[i] >= '0' && body[i] <= '9'; i++)
		v = v * 10 + (body[i] - '0');
	if (i == 0 || v == 0 || v > UINT32_MAX)
		return;
	cl->txids[cl->ntx++ % TX_REMEMBER] = v;
}

/* Take bytes the daemon sent cl: whole frames are looked at. */
static void
client_rx(struct client *cl, const char *p, size_t n)
{
	struct xsd_sockmsg h;
	size_t off = 0;

	cl->rx_total += n;
	if (n > sizeof(cl->rx) - cl->rxlen) {
		CHECK(cl->tampered);
		cl->rxlen = 0;
		return;
	}
	memcpy(cl->rx + cl->rxlen, p, n);
	cl->rxlen += n;
	while (cl->rxlen - off >= FRAME_HDR_LEN) {
		memcpy(&h, cl->rx + off, FRAME_HDR_LEN);
		if (h.len > XENSTORE_PAYLOAD_MAX) {
			/* We never send that; a tampered ring may. */
			CHECK(cl->tampered);
			off = cl->rxlen;
			break;
		}
		if (cl->rxlen - off < FRAME_HDR_LEN + h.len)
			break;
		if (verbose)
			fprintf(stderr, "client %u: reply type %u req %u tx %u "
			    "len %u: %.*s\n", (unsigned)(cl - clients), h.type,
			    h.req_id, h.tx_id, h.len,
			    (int)(h.len < 60 ? h.len : 60),
			    cl->rx + off + FRAME_HDR_LEN);
		if (h.type != XS_WATCH_EVENT)
			cl->replies++;
		if (h.type == XS_TRANSACTION_START)
			remember_tx(cl, cl->rx + off + FRAME_HDR_LEN, h.len);
		off += FRAME_HDR_LEN + h.len;
	}
	memmove(cl->rx, cl->rx + off, cl->rxlen - off);
	cl->rxlen -= off;
}

/*
 * The socket transport: what conn_socket.c does with a file descriptor,
 * done with buffers.
 */

static ssize_t
sock_read(void *priv, void *buf, size_t len, int *err)
{
	struct sock *s = priv;
	size_t n = s->inlen - s->inoff;

	if (n == 0) {
		if (!s->eof)
			return 0;
		*err = 0;
		return -1;
	}
	if (n > len)
		n = len;
	memcpy(buf, s->in + s->inoff, n);
	s->inoff += n;
	if (s->inoff == s->inlen)
		s->inoff = s->inlen = 0;
	return n;
}

static ssize_t
sock_write(void *priv, const void *buf, size_t len, int *err)
{
	struct sock *s = priv;

	(void)err;
	if (!s->cl->reading)
		return 0;
	client_rx(s->cl, buf, len);
	return len;
}

static void
sock_want_write(void *priv, bool on)
{
	struct sock *s = priv;

	s->want_write = on;
}

static void
sock_stop_read(void *priv)
{
	(void)priv;
}

static const struct conn_transport mem_transport = {
	.name = "socket",
	.read = sock_read,
	.write = sock_write,
	.want_write = sock_want_write,
	.stop_read = sock_stop_read,
};

static int
sock_destroy(struct sock *s)
{
	/* A closed one may go after its client has a new connection. */
	if (s->cl->s == s)
		s->cl->s = NULL;
	return 0;
}

static void
sock_open(struct client *cl)
{
	struct sock *s = talloc(NULL, struct sock);

	CHECK(s != NULL);
	memset(s, 0, offsetof(struct sock, in));
	s->inlen = s->inoff = 0;
	s->eof = s->want_write = false;
	s->cl = cl;
	talloc_set_destructor(s, sock_destroy);
	/* As accept_event(): dom0, privileged. */
	s->conn = conn_new(sock_ctx, &mem_transport, s, 0, true,
	    dispatch_frame, disp);
	CHECK(s->conn != NULL);
	cl->s = s;
	cl->rxlen = 0;
	cl->ntx = 0;
	cl->requests = cl->replies = 0;
	cl->tampered = false;
}

/* The fd is readable: conn_input() until the bytes are taken. */
static void
sock_feed(struct client *cl)
{
	struct sock *s = cl->s;
	size_t before;

	while (cl->s == s && s != NULL && !conn_closing(s->conn) &&
	    !conn_input_paused(s->conn) && (s->inoff < s->inlen || s->eof)) {
		before = s->inoff;
		conn_input(s->conn);
		if (cl->s != s)
			break;
		if (!s->eof && s->inoff == before && s->inlen != 0)
			break;
	}
}

/*
 * Ring clients: the guest's side of xenstore-ring.txt.
 */

static bool
ring_service(struct client *cl)
{
	struct xenstore_domain_interface *r;
	uint32_t prod, cons, n, i;
	char buf[XENSTORE_RING_SIZE];
	bool moved = false;

	/* Nothing to write, nobody to read: leave its page unmade. */
	if (cl->outlen == 0 && !fx_bound(cl->domid))
		return false;
	if ((r = fx_guest_ring(cl->domid)) == NULL) {
		cl->outlen = 0;
		return false;
	}
	if (__atomic_load_n(&r->connection, __ATOMIC_ACQUIRE) !=
	    XENSTORE_CONNECTED)
		return false;	/* reconnecting: the daemon's move */
	/* Requests, as far as they fit. */
	prod = r->req_prod;
	cons = r->req_cons;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (prod - cons <= XENSTORE_RING_SIZE && cl->outlen > 0) {
		n = XENSTORE_RING_SIZE - (prod - cons);
		if (n > cl->outlen)
			n = cl->outlen;
		for (i = 0; i < n; i++)
			r->req[MASK_XENSTORE_IDX(prod + i)] = cl->out[i];
		memmove(cl->out, cl->out + n, cl->outlen - n);
		cl->outlen -= n;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		r->req_prod = prod + n;
		moved = n > 0;
	}
	/* Replies and events. */
	cons = r->rsp_cons;
	prod = r->rsp_prod;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (cl->reading && prod - cons <= XENSTORE_RING_SIZE &&
	    prod != cons) {
		n = prod - cons;
		for (i = 0; i < n; i++)
			buf[i] = r->rsp[MASK_XENSTORE_IDX(cons + i)];
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		r->rsp_cons = cons + n;
		client_rx(cl, buf, n);
		moved = true;
	}
	if (moved)
		fx_guest_notify(cl->domid);
	return moved;
}

static void
client_send(struct client *cl, uint32_t type, uint32_t tx_id,
    const void *payload, size_t len)
{
	struct xsd_sockmsg h = { type, ++cl->req_id, tx_id, len };
	char *dst;
	size_t room;

	if (cl->ring) {
		dst = cl->out + cl->outlen;
		room = sizeof(cl->out) - cl->outlen;
	} else {
		if (cl->s == NULL || conn_closing(cl->s->conn))
			sock_open(cl);
		dst = cl->s->in + cl->s->inlen;
		room = sizeof(cl->s->in) - cl->s->inlen;
	}
	if (FRAME_HDR_LEN + len > room)
		return;
	memcpy(dst, &h, FRAME_HDR_LEN);
	memcpy(dst + FRAME_HDR_LEN, payload, len);
	if (cl->ring)
		cl->outlen += FRAME_HDR_LEN + len;
	else
		cl->s->inlen += FRAME_HDR_LEN + len;
	/* Over-long frames close the connection: no reply is due. */
	if (len > XENSTORE_PAYLOAD_MAX)
		cl->tampered = true;
	cl->requests++;
	if (!cl->ring)
		sock_feed(cl);
}

/*
 * CONTROL subcommands that name a file (logfile, memreport) get
 * /dev/null instead: the fuzzer writes no file.
 */
static void
sandbox_control(char *payload, size_t *len, size_t size)
{
	const char *argv[3];
	unsigned int n;
	size_t tail;

	n = framing_split(payload, *len, argv, 3, &tail);
	if (n < 2 || (strcmp(argv[0], "logfile") != 0 &&
	    strcmp(argv[0], "memreport") != 0) || argv[1][0] == '\0')
		return;
	if ((size_t)(argv[1] - payload) + 10 > size)
		return;
	*len = argv[1] - payload;
	memcpy(payload + *len, "/dev/null", 10);
	*len += 10;
}

/*
 * The event loop: libevent runs the daemon's callbacks (event channel,
 * the domains' kick eventfd, the feed, deferred calls); the harness's
 * own fd is always readable, so that each turn of the loop also lets
 * the clients move and the harness count turns.
 */

static void
loop_quit(void *arg)
{
	(void)arg;
	loop_exit();
}

/* Let the clients move; true if any did. */
static bool
clients_move(void)
{
	unsigned long before[1 + FD_GUESTS];
	unsigned int i;
	bool moved = false;

	for (i = 0; i <= FD_GUESTS; i++)
		before[i] = fx_notified(i);
	for (i = 0; i < FD_CONNS; i++) {
		struct client *cl = &clients[i];
		unsigned long rx = cl->rx_total;
		size_t out = cl->outlen;

		if (cl->ring) {
			moved |= ring_service(cl);
			continue;
		}
		if (cl->s == NULL)
			continue;
		/* What libevent would say: readable, writable. */
		if (cl->s->inoff < cl->s->inlen || cl->s->eof)
			sock_feed(cl);
		if (cl->s != NULL && cl->s->want_write && cl->reading)
			conn_output(cl->s->conn);
		moved |= cl->rx_total != rx || cl->outlen != out;
	}
	for (i = 0; i <= FD_GUESTS; i++)
		moved |= fx_notified(i) != before[i];
	return moved;
}

static void
tick(int fd, bool writable, void *arg)
{
	bool busy;

	(void)fd;
	(void)writable;
	(void)arg;
	busy = clients_move() || fx_busy();
	idle_turns = busy ? 0 : idle_turns + 1;
	turns++;
	/*
	 * Stop once a turn moved nothing (or after many): the
	 * exit is deferred, after the callbacks of this turn.
	 */
	if (!exit_queued && turns >= turns_min &&
	    (idle_turns >= 1 || turns >= TURNS_MAX))
		exit_queued = loop_defer(loop_quit, NULL) == 0;
}

/* Turn the loop until everybody is done (at least min turns). */
static void
pump(unsigned int min)
{
	turns = idle_turns = 0;
	turns_min = min;
	exit_queued = false;
	CHECK(loop_run() == 0);
}

/*
 * Invariants.
 */

struct owner_count {
	unsigned long	nodes[FX_DOMS];
	unsigned long	mem[FX_DOMS];
	unsigned long	other;
};

static bool
count_node(struct node *n, void *arg)
{
	struct owner_count *oc = arg;
	const struct perms *p = node_perms(n);
	unsigned int owner = p->p[0].domid;
	size_t len;

	node_data(n, &len);
	if (owner < FX_DOMS) {
		oc->nodes[owner]++;
		/* What txn.c charges: what the store holds for it. */
		oc->mem[owner] += store_node_bytes(n);
	} else
		oc->other++;
	return true;
}

static void
check_invariants(void)
{
	struct owner_count oc;
	unsigned int d;

	CHECK(store_check(st) == 0);
	/*
	 * Quota accounting follows the store: each domain is charged for
	 * the nodes it owns (dom0's initial three included).
	 */
	memset(&oc, 0, sizeof(oc));
	store_walk(store_lookup(st, "/"), count_node, &oc);
	for (d = 0; d < FX_DOMS; d++) {
		unsigned long nodes = oc.nodes[d];

		if (quota_usage(d, USAGE_NODES) != nodes) {
			fprintf(stderr, "domid %u: %lu nodes charged, owns "
			    "%lu\n", d, quota_usage(d, USAGE_NODES), nodes);
			CHECK(quota_usage(d, USAGE_NODES) == nodes);
		}
	}
	(void)oc.mem;
}

/* Each socket client that reads has one reply per complete request. */
static void
check_replies(void)
{
	unsigned int i;

	for (i = 0; i < FD_CONN_SOCKETS; i++) {
		struct client *cl = &clients[i];

		if (cl->s == NULL || cl->tampered || !cl->reading ||
		    conn_closing(cl->s->conn) || cl->s->inlen != 0 ||
		    conn_out_bytes(cl->s->conn) != 0)
			continue;
		if (cl->requests != cl->replies)
			fprintf(stderr, "client %u: %lu requests, %lu "
			    "replies\n", i, cl->requests, cl->replies);
		CHECK(cl->requests == cl->replies);
	}
}

/*
 * Set-up and tear-down, as main.c.
 */

#ifndef FUZZ_RESTART
/* main.c's initial_store(): /, /tool, /tool/xenstored. */
static struct store *
initial_store(TALLOC_CTX *ctx, unsigned int dom0)
{
	struct perm_entry pe = { dom0, PERM_NONE };
	struct perms perms = { 1, &pe };
	struct store *s;
	struct node *tool;

	if ((s = store_new(ctx, &perms)) == NULL ||
	    (tool = store_add(s, store_lookup(s, "/"), "tool", NULL, 0,
	    &perms)) == NULL ||
	    store_add(s, tool, "xenstored", NULL, 0, &perms) == NULL)
		return NULL;
	quota_charge(dom0, USAGE_NODES, 3);
	return s;
}
#endif

#ifdef FUZZ_RESTART
static char	restart_dir[] = "/tmp/fuzz-restart.XXXXXX";
/* This input's snapshot and journal. */
static const uint8_t *snap_in, *jour_in;
static size_t	snap_len, jour_len;

static void
put_file(const char *name, const uint8_t *p, size_t n)
{
	char path[sizeof(restart_dir) + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", restart_dir, name);
	CHECK((f = fopen(path, "wb")) != NULL);
	CHECK(n == 0 || fwrite(p, 1, n, f) == n);
	CHECK(fclose(f) == 0);
}

/* The state, as a restart finds it (main.c's take_over()); false when
 * it is refused, where the daemon would exit. */
static bool
restart_recover(void)
{
	int socket_fd = -1, evtchn_fd = -1;
	struct state *state;
	char *why = NULL;

	put_file("state_snapshot", snap_in, snap_len);
	put_file("state_journal", jour_in, jour_len);
	if ((state = state_recover_load(root, restart_dir, &socket_fd,
	    &evtchn_fd, &why)) == NULL)
		return false;
	if (state_recover(state, st, NULL, &why) != 0) {
		talloc_free(state);
		return false;
	}
	state_finish(state);
	return true;
}
#endif

/* False for a restart whose state is refused (then only stop it). */
static bool
daemon_start(unsigned int cfgbyte)
{
	struct domain_config cfg = {
		.priv_domid = 0,
		.master_domid = 0,
		.keep_orphans = cfgbyte & FD_CFG_KEEP_ORPHANS,
	};
	unsigned int i;
	int err;

	root = talloc_named_const(NULL, 0, "xenstored");
	CHECK(root != NULL);
	quota_init();
	log_init("xenstored", false, verbose);
	log_trace_enable(true);
	CHECK(loop_init() == 0 && watch_init() == 0);
#ifdef FUZZ_RESTART
	{
		/* main.c's restored_store(). */
		struct perm_entry pe = { 0, PERM_NONE };
		struct perms perms = { 1, &pe };

		CHECK((st = store_new(root, &perms)) != NULL);
		quota_charge(0, USAGE_NODES, 1);
	}
#else
	CHECK((st = initial_store(root, 0)) != NULL);
#endif
	CHECK((disp = dispatch_new(root, st)) != NULL);
	control_init(root);
	/* The listener's connection context (conn_socket.c). */
	CHECK((sock_ctx = talloc_named_const(root, 0, "connections")) !=
	    NULL);
	fx_reset(1 + FD_GUESTS);
#ifdef FUZZ_RESTART
	fx_prebind();
#endif
	CHECK((xh = xss_open(&err)) != NULL);
	CHECK(domain_init(root, xh, st, &cfg, dispatch_frame, disp) == 0);
#ifndef FUZZ_RESTART
	CHECK(domain_introduce_local() == 0);
#endif
	CHECK(domain_feed_init(root, NULL) == 0);
	CHECK(loop_fd_add(root, tick_fd, tick, NULL) != NULL);
#ifdef FUZZ_RESTART
	if (!restart_recover())
		return false;
#endif

	for (i = 0; i < FD_CONNS; i++) {
		/* Not the buffers: zeroing them costs more than the rest. */
		memset(&clients[i], 0, offsetof(struct client, rx));
		clients[i].rxlen = clients[i].outlen = 0;
		clients[i].reading = true;
		if (i >= FD_CONN_LOCAL) {
			clients[i].ring = true;
			clients[i].domid = i - FD_CONN_LOCAL;
#ifdef FUZZ_RESTART
			/* A restored ring carries what the state says, from
			 * where it says: no frame boundary to expect. */
			clients[i].tampered = true;
#endif
		}
	}
	for (i = 0; i < FD_CONN_SOCKETS; i++)
		sock_open(&clients[i]);
	return true;
}

static void
daemon_stop(void)
{
	loop_run_deferred();
	domain_feed_fini();
	domain_fini();
	loop_run_deferred();
	conn_free_all();
	xss_close(xh);
	xh = NULL;
	talloc_free(sock_ctx);
	talloc_free(root);
	CHECK(conn_count() == 0);
	CHECK(txn_count() == 0);
	CHECK(watch_count() == 0);
	watch_fini();
	quota_fini();
	loop_fini();
	log_fini();
	fx_finish();
}

/*
 * Operations.
 */

static struct client *
guest_of(unsigned int b)
{
	return &clients[FD_CONN_LOCAL + b % (1 + FD_GUESTS)];
}

static void
do_request(unsigned int op)
{
	struct client *cl = &clients[op & 15];
	unsigned int sel = op >> 4, type;
	uint32_t tx_id = 0;
	char payload[XENSTORE_PAYLOAD_MAX + 64];
	size_t len, i;

	if (sel == FD_TXSEL_RAW)
		tx_id = take(4);
	else if (sel > 0 && cl->ntx > 0)
		tx_id = cl->txids[(cl->ntx - 1 - (sel - 1) % cl->ntx) %
		    TX_REMEMBER];
	type = take(1);
	len = in_left < sizeof(payload) ? in_left : sizeof(payload);
	for (i = 0; i < len; i++)
		payload[i] = take(1);
	if (type == XS_CONTROL)
		sandbox_control(payload, &len, sizeof(payload));
	client_send(cl, type, tx_id, payload, len);
}

static void
do_raw(void)
{
	struct client *cl = &clients[take(1) % FD_CONNS];
	size_t n = 256, i;
	char buf[256];

	for (i = 0; i < n && in_left > 0; i++)
		buf[i] = take(1);
	n = i;
	cl->tampered = true;
	if (cl->ring) {
		if (n <= sizeof(cl->out) - cl->outlen) {
			memcpy(cl->out + cl->outlen, buf, n);
			cl->outlen += n;
		}
		return;
	}
	if (cl->s == NULL || conn_closing(cl->s->conn))
		sock_open(cl);
	cl->tampered = true;
	if (n <= sizeof(cl->s->in) - cl->s->inlen) {
		memcpy(cl->s->in + cl->s->inlen, buf, n);
		cl->s->inlen += n;
	}
	sock_feed(cl);
}

static void
do_op(unsigned int op)
{
	struct xenstore_domain_interface *r;
	struct client *cl;
	unsigned int a, b, c;

	switch (op) {
	case FD_OP_PUMP:
		pump(1 + take(1) % 8);
		break;
	case FD_OP_DOMSTATE:
		a = take(1) % FX_DOMS;
		b = take(1) % 4;
		c = take(1);
		/* Xen first, then its word reaches the daemon. */
		if (b == XSS_DOMAIN_DYING || b == XSS_DOMAIN_DEAD)
			fx_domain_destroy(a);
		fx_feed_push(a, b, c);
		break;
	case FD_OP_CREATE:
		a = take(1) % FX_DOMS;
		if (a == 0 || fx_domain_exists(a))
			break;
		fx_domain_create(a);
		if (a <= FD_GUESTS) {
			/* A new guest: it knows nothing of the old one. */
			cl = &clients[FD_CONN_LOCAL + a];
			cl->outlen = cl->rxlen = 0;
			cl->ntx = 0;
			cl->tampered = false;
		}
		break;
	case FD_OP_IDX: {
		static const size_t off[4] = {
		    offsetof(struct xenstore_domain_interface, req_cons),
		    offsetof(struct xenstore_domain_interface, req_prod),
		    offsetof(struct xenstore_domain_interface, rsp_cons),
		    offsetof(struct xenstore_domain_interface, rsp_prod) };
		uint32_t v;

		cl = guest_of(take(1));
		a = take(1) % 4;
		v = take(4);
		cl->tampered = true;
		if ((r = fx_guest_ring(cl->domid)) != NULL)
			memcpy((char *)r + off[a], &v, sizeof(v));
		break;
	}
	case FD_OP_POKE:
		cl = guest_of(take(1));
		a = take(2) % sizeof(*r);
		b = take(1);
		cl->tampered = true;
		if ((r = fx_guest_ring(cl->domid)) != NULL)
			((uint8_t *)r)[a] = b;
		break;
	case FD_OP_RECONNECT:
		cl = guest_of(take(1));
		if ((r = fx_guest_ring(cl->domid)) != NULL) {
			/* xenstore-ring.txt: the guest's side of it. */
			__atomic_store_n(&r->connection, XENSTORE_RECONNECT,
			    __ATOMIC_SEQ_CST);
			cl->outlen = cl->rxlen = 0;
			cl->ntx = 0;
			fx_guest_notify(cl->domid);
		}
		break;
	case FD_OP_READING:
		cl = &clients[take(1) % FD_CONNS];
		cl->reading = take(1) & 1;
		break;
	case FD_OP_CLOSE:
		cl = &clients[take(1) % FD_CONNS];
		if (!cl->ring && cl->s != NULL) {
			cl->s->eof = true;
			sock_feed(cl);
		}
		break;
	case FD_OP_CHECK:
		check_invariants();
		break;
	case FD_OP_RAW:
		do_raw();
		break;
	case FD_OP_NOTIFY:
		cl = guest_of(take(1));
		fx_guest_notify(cl->domid);
		break;
	}
}

static void
untrack(void)
{
	talloc_disable_null_tracking();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	/* Every talloc block is then counted (the leak check below). */
	talloc_enable_null_tracking();
	atexit(untrack);
	fx_init();
#ifdef FUZZ_RESTART
	CHECK(mkdtemp(restart_dir) != NULL);
#endif
	tick_fd = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(tick_fd >= 0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p, *end = data + size, *sep, *first = data + 1;
	unsigned int op;

	if (size < 1)
		return 0;
#ifdef FUZZ_RESTART
	if (size < FD_RESTART_HDR)
		return 0;
	snap_len = data[1] | (size_t)data[2] << 8;
	jour_len = data[3] | (size_t)data[4] << 8;
	if (snap_len > size - FD_RESTART_HDR ||
	    jour_len > size - FD_RESTART_HDR - snap_len)
		return 0;
	snap_in = data + FD_RESTART_HDR;
	jour_in = snap_in + snap_len;
	first = jour_in + jour_len;
#endif
	blocks_before = talloc_total_blocks(NULL);
	if (!daemon_start(data[0])) {
		daemon_stop();
		CHECK(talloc_total_blocks(NULL) == blocks_before);
		return 0;
	}
	pump(1);
	for (p = first; p < end; p = sep == NULL ? end : sep + FD_SEP_LEN) {
		sep = memmem(p, end - p, FD_SEP, FD_SEP_LEN);
		in = p;
		in_left = (sep == NULL ? end : sep) - p;
		if (in_left == 0)
			continue;
		op = take(1);
		if (op < 0x80)
			do_request(op);
		else
			do_op((op - 0x80) % FD_OP_COUNT);
		pump(1);
	}
	/* Let everything settle, everybody reading. */
	for (op = 0; op < FD_CONNS; op++)
		clients[op].reading = true;
	pump(2);
	check_invariants();
	check_replies();
	daemon_stop();
	if (talloc_total_blocks(NULL) != blocks_before) {
		talloc_report_full(NULL, stderr);
		CHECK(talloc_total_blocks(NULL) == blocks_before);
	}
	return 0;
}
