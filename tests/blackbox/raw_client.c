/*
 * raw_client: the xenstore wire protocol spoken by hand.
 *
 * Every case writes xsd_sockmsg frames straight onto the daemon's Unix
 * socket: valid requests at the edges of docs/misc/xenstore.txt, and
 * hostile frames a buggy or malicious client could send.  After each case
 * the daemon must still serve, both on a connection opened before the
 * case and on a fresh one.  Any daemon that serves dom0 on a socket can
 * be tested; the socket is $XENSTORED_PATH, as for libxenstore.
 *
 * usage: raw_client [-l] [case...]
 * Exits 0 when every selected case passed, 1 at the first failure.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

/* Operations newer than the xs_wire.h of Xen 4.17. */
#define OP_GET_FEATURE	23
#define OP_SET_FEATURE	24
#define OP_GET_QUOTA	25
#define OP_SET_QUOTA	26

#define REPLY_TIMEOUT_MS 5000	/* A reply later than this is a hang. */
#define QUIET_MS	250	/* How long "no event arrives" is watched. */
#define MAX_EVENTS	64	/* Watch events queued per connection. */
#define BAD_TX_ID	0xdeadbeefU

/* A frame as received, with its payload nul-terminated for convenience. */
struct msg {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

/* A connection and the watch events that arrived while awaiting replies. */
struct conn {
	int fd;
	uint32_t next_req_id;
	unsigned int nev;
	struct msg ev[MAX_EVENTS];
};

struct test_case {
	const char *name;
	void (*run)(void);
	const char *what;
};

/* For expect_error(): any error will do, the protocol leaves it open. */
#define ANY_ERROR	""

/* A string literal with embedded nuls, as pointer and length. */
#define LIT(s)	(s), (sizeof(s) - 1)

static const char *sock_path;
static const char *current_case = "setup";
static int at_line;		/* Line of the case step under way. */
static struct conn *bystander;

static void fail(const char *, ...) __attribute__((format(printf, 1, 2),
    noreturn));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s (raw_client.c:%d): ", current_case, at_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static const char *
type_name(uint32_t type)
{
	static const char *const names[] = {
		"CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH",
		"UNWATCH", "TRANSACTION_START", "TRANSACTION_END",
		"INTRODUCE", "RELEASE", "GET_DOMAIN_PATH", "WRITE", "MKDIR",
		"RM", "SET_PERMS", "WATCH_EVENT", "ERROR",
		"IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET", "(20)",
		"RESET_WATCHES", "DIRECTORY_PART", "GET_FEATURE",
		"SET_FEATURE", "GET_QUOTA", "SET_QUOTA",
	};

	if (type < sizeof(names) / sizeof(names[0]))
		return names[type];
	return "(unknown)";
}

/* Printable rendering of a payload: nuls as |, other bytes escaped. */
static const char *
show(const void *data, size_t len)
{
	static char out[4][512];
	static unsigned int slot;
	const unsigned char *p = data;
	char *o = out[slot++ % 4];
	size_t i, n = 0;

	for (i = 0; i < len && n < sizeof(out[0]) - 8; i++) {
		if (p[i] == 0)
			o[n++] = '|';
		else if (p[i] >= ' ' && p[i] <= '~' && p[i] != '\\')
			o[n++] = (char)p[i];
		else
			n += (size_t)sprintf(o + n, "\\x%02x", p[i]);
	}
	if (i < len)
		n += (size_t)sprintf(o + n, "...");
	o[n] = '\0';
	return o;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* --- transport ------------------------------------------------------ */

static int
connect_fd(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock_path) >= sizeof(sun.sun_path))
		fail("socket path too long: %s", sock_path);
	strcpy(sun.sun_path, sock_path);

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd == -1)
		fail("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fail("connect %s: %s", sock_path, strerror(errno));
	return fd;
}

static struct conn *
conn_open(void)
{
	struct conn *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		fail("out of memory");
	c->fd = connect_fd();
	/* Arbitrary, so that an echo of a constant is not taken for one. */
	c->next_req_id = 0x5150 + (uint32_t)rand() % 1000;
	return c;
}

static void
conn_close(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->fd != -1)
		close(c->fd);
	free(c);
}

/* False if the peer has gone; any other failure is fatal. */
static bool
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EPIPE || errno == ECONNRESET))
			return false;
		if (n == -1)
			fail("write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * Read exactly len bytes before the deadline.  Returns 1 when done, 0 at
 * end of file or reset (with *got set to what was read), -1 on timeout.
 */
static int
read_full(int fd, void *buf, size_t len, uint64_t deadline, size_t *got)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char *p = buf;
	size_t done = 0;
	ssize_t n;
	uint64_t t;

	while (done < len) {
		t = now_ms();
		if (t >= deadline)
			break;
		if (poll(&pfd, 1, (int)(deadline - t)) <= 0)
			continue;
		n = read(fd, p + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || (n == -1 && errno == ECONNRESET)) {
			if (got != NULL)
				*got = done;
			return 0;
		}
		if (n == -1)
			fail("read: %s", strerror(errno));
		done += (size_t)n;
	}
	if (got != NULL)
		*got = done;
	return done == len ? 1 : -1;
}

static bool
known_error(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (strcmp(s, xsd_errors[i].errstring) == 0)
			return true;
	return false;
}

/*
 * Receive one frame.  Returns 1, 0 at end of file, -1 on timeout.  Every
 * frame the daemon sends must respect the payload limit, and an error
 * must name an errno of xs_wire.h.
 */
static int
recv_msg(int fd, struct msg *m, int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	size_t got;
	int r;

	r = read_full(fd, &m->hdr, sizeof(m->hdr), deadline, &got);
	if (r == 0 && got != 0)
		fail("connection closed inside a reply header (%zu bytes)",
		    got);
	if (r != 1)
		return r;
	if (m->hdr.len > XENSTORE_PAYLOAD_MAX)
		fail("daemon sent a %s frame with a %" PRIu32 "-byte payload",
		    type_name(m->hdr.type), m->hdr.len);
	/* The header came; the payload must follow promptly. */
	r = read_full(fd, m->body, m->hdr.len, now_ms() + REPLY_TIMEOUT_MS,
	    NULL);
	if (r != 1)
		fail("%s frame truncated: %" PRIu32 "-byte payload %s",
		    type_name(m->hdr.type), m->hdr.len,
		    r == 0 ? "cut by end of file" : "never completed");
	m->body[m->hdr.len] = '\0';
	if (m->hdr.type == XS_ERROR &&
	    (m->hdr.len == 0 || m->body[m->hdr.len - 1] != '\0' ||
	    !known_error(m->body)))
		fail("malformed ERROR payload [%s]",
		    show(m->body, m->hdr.len));
	return 1;
}

static void
check_event(const struct msg *m)
{
	if (m->hdr.req_id != 0 || m->hdr.tx_id != 0)
		fail("WATCH_EVENT with req_id %" PRIu32 " tx_id %" PRIu32
		    " (both must be 0)", m->hdr.req_id, m->hdr.tx_id);
	if (m->hdr.len == 0 || m->body[m->hdr.len - 1] != '\0' ||
	    strlen(m->body) + 1 == m->hdr.len)
		fail("WATCH_EVENT payload is not path and token: [%s]",
		    show(m->body, m->hdr.len));
}

static void
queue_event(struct conn *c, const struct msg *m)
{
	check_event(m);
	if (c->nev == MAX_EVENTS)
		fail("more than %d unread watch events", MAX_EVENTS);
	c->ev[c->nev++] = *m;
}

static void
send_frame(int fd, uint32_t type, uint32_t req_id, uint32_t tx_id,
    const void *payload, size_t len)
{
	static char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg hdr = { type, req_id, tx_id, (uint32_t)len };

	if (len > sizeof(buf) - sizeof(hdr))
		fail("test bug: %zu-byte payload", len);
	memcpy(buf, &hdr, sizeof(hdr));
	if (len > 0)
		memcpy(buf + sizeof(hdr), payload, len);
	if (!write_all(fd, buf, sizeof(hdr) + len))
		fail("daemon closed the connection before %s", type_name(type));
}

/*
 * Send a request and wait for its reply, queueing watch events that come
 * first.  The reply must echo req_id and tx_id and have the request's
 * type or ERROR.
 */
static void
request(struct conn *c, uint32_t type, uint32_t tx_id, const void *p,
    size_t len, struct msg *r)
{
	uint32_t req_id = c->next_req_id++;
	int got;

	send_frame(c->fd, type, req_id, tx_id, p, len);
	for (;;) {
		got = recv_msg(c->fd, r, REPLY_TIMEOUT_MS);
		if (got == 0)
			fail("connection closed instead of replying to %s [%s]",
			    type_name(type), show(p, len));
		if (got < 0)
			fail("no reply to %s [%s] within %d ms",
			    type_name(type), show(p, len), REPLY_TIMEOUT_MS);
		if (r->hdr.type != XS_WATCH_EVENT)
			break;
		queue_event(c, r);
	}
	if (r->hdr.req_id != req_id || r->hdr.tx_id != tx_id)
		fail("reply to %s [%s] has req_id %" PRIu32 " tx_id %" PRIu32
		    ", sent %" PRIu32 " %" PRIu32, type_name(type),
		    show(p, len), r->hdr.req_id, r->hdr.tx_id, req_id, tx_id);
	if (r->hdr.type != type && r->hdr.type != XS_ERROR)
		fail("reply to %s [%s] has type %s", type_name(type),
		    show(p, len), type_name(r->hdr.type));
}

/* --- expectations ---------------------------------------------------- */

static void
expect_reply(struct conn *c, uint32_t type, uint32_t tx_id, const void *p,
    size_t len, const void *want, size_t want_len)
{
	struct msg r;

	request(c, type, tx_id, p, len, &r);
	if (r.hdr.type != type || r.hdr.len != want_len ||
	    memcmp(r.body, want, want_len) != 0)
		fail("%s [%s]: expected %s [%s], got %s [%s]",
		    type_name(type), show(p, len), type_name(type),
		    show(want, want_len), type_name(r.hdr.type),
		    show(r.body, r.hdr.len));
}

static void
expect_ok(struct conn *c, uint32_t type, uint32_t tx_id, const void *p,
    size_t len)
{
	expect_reply(c, type, tx_id, p, len, LIT("OK\0"));
}

static void
expect_error(struct conn *c, uint32_t type, uint32_t tx_id, const void *p,
    size_t len, const char *err)
{
	struct msg r;

	request(c, type, tx_id, p, len, &r);
	if (r.hdr.type != XS_ERROR)
		fail("%s [%s]: expected ERROR %s, got %s [%s]",
		    type_name(type), show(p, len), *err ? err : "(any)",
		    type_name(r.hdr.type), show(r.body, r.hdr.len));
	if (*err != '\0' && strcmp(r.body, err) != 0)
		fail("%s [%s]: expected ERROR %s, got ERROR %s",
		    type_name(type), show(p, len), err, r.body);
}

/* Join strings, each followed by its nul, into out; returns the length. */
static size_t
pack(char *out, size_t cap, ...)
{
	va_list ap;
	const char *s;
	size_t n = 0, l;

	va_start(ap, cap);
	while ((s = va_arg(ap, const char *)) != NULL) {
		l = strlen(s) + 1;
		if (n + l > cap)
			fail("test bug: pack overflow");
		memcpy(out + n, s, l);
		n += l;
	}
	va_end(ap);
	return n;
}

/* WRITE payload: path, nul, then the value without a nul of its own. */
static size_t
pack_write(char *out, size_t cap, const char *path, const void *val,
    size_t vlen)
{
	size_t n = strlen(path) + 1;

	if (n + vlen > cap)
		fail("test bug: pack_write overflow");
	memcpy(out, path, n);
	memcpy(out + n, val, vlen);
	return n + vlen;
}

static void
write_node(struct conn *c, uint32_t tx_id, const char *path, const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t n = pack_write(buf, sizeof(buf), path, val, strlen(val));

	expect_ok(c, XS_WRITE, tx_id, buf, n);
}

static void
expect_value(struct conn *c, uint32_t tx_id, const char *path,
    const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t n = pack(buf, sizeof(buf), path, NULL);

	expect_reply(c, XS_READ, tx_id, buf, n, val, strlen(val));
}

static void
expect_missing(struct conn *c, uint32_t tx_id, const char *path)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t n = pack(buf, sizeof(buf), path, NULL);

	expect_error(c, XS_READ, tx_id, buf, n, "ENOENT");
}

static void
one_arg(struct conn *c, uint32_t type, uint32_t tx_id, const char *arg,
    const char *err)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t n = pack(buf, sizeof(buf), arg, NULL);

	if (err == NULL)
		expect_ok(c, type, tx_id, buf, n);
	else
		expect_error(c, type, tx_id, buf, n, err);
}

/* Start a transaction; the reply is its id in decimal. */
static uint32_t
tx_start(struct conn *c)
{
	struct msg r;
	unsigned long id;
	char *end;

	request(c, XS_TRANSACTION_START, 0, LIT("\0"), &r);
	if (r.hdr.type != XS_TRANSACTION_START)
		fail("TRANSACTION_START failed: %s", show(r.body, r.hdr.len));
	errno = 0;
	id = strtoul(r.body, &end, 10);
	if (errno != 0 || end == r.body || *end != '\0' || id == 0 ||
	    id > UINT32_MAX || r.hdr.len != (size_t)(end - r.body) + 1)
		fail("TRANSACTION_START reply is not a tx_id: [%s]",
		    show(r.body, r.hdr.len));
	return (uint32_t)id;
}

static void
tx_end(struct conn *c, uint32_t tx_id, bool commit, const char *err)
{
	one_arg(c, XS_TRANSACTION_END, tx_id, commit ? "T" : "F", err);
}

/* Wait for the next watch event on c; false on timeout. */
static bool
next_event(struct conn *c, struct msg *ev, int timeout_ms)
{
	int got;

	if (c->nev > 0) {
		*ev = c->ev[0];
		memmove(&c->ev[0], &c->ev[1], --c->nev * sizeof(c->ev[0]));
		return true;
	}
	got = recv_msg(c->fd, ev, timeout_ms);
	if (got == 0)
		fail("connection closed while waiting for a watch event");
	if (got < 0)
		return false;
	if (ev->hdr.type != XS_WATCH_EVENT)
		fail("unsolicited %s [%s] while waiting for a watch event",
		    type_name(ev->hdr.type), show(ev->body, ev->hdr.len));
	check_event(ev);
	return true;
}

static void
expect_event(struct conn *c, const char *path, const char *token)
{
	char want[XENSTORE_PAYLOAD_MAX];
	size_t n = pack(want, sizeof(want), path, token, NULL);
	struct msg ev;

	if (!next_event(c, &ev, REPLY_TIMEOUT_MS))
		fail("no watch event [%s] within %d ms", show(want, n),
		    REPLY_TIMEOUT_MS);
	if (ev.hdr.len != n || memcmp(ev.body, want, n) != 0)
		fail("watch event [%s], expected [%s]",
		    show(ev.body, ev.hdr.len), show(want, n));
}

static void
expect_no_event(struct conn *c)
{
	struct msg ev;

	if (next_event(c, &ev, QUIET_MS))
		fail("unexpected watch event [%s]", show(ev.body, ev.hdr.len));
}

/*
 * Expect one event on path for each token in tokens (NULL-terminated), in
 * any order, and nothing more.
 */
static void
expect_event_set(struct conn *c, const char *path, const char *const *tokens)
{
	bool seen[16] = { false };
	struct msg ev;
	size_t i, ntok = 0, plen = strlen(path) + 1;

	while (tokens[ntok] != NULL)
		ntok++;
	for (i = 0; i < ntok; i++) {
		size_t t;

		if (!next_event(c, &ev, REPLY_TIMEOUT_MS))
			fail("only %zu of %zu watch events on %s arrived", i,
			    ntok, path);
		if (ev.hdr.len < plen || memcmp(ev.body, path, plen) != 0)
			fail("watch event [%s], expected path %s",
			    show(ev.body, ev.hdr.len), path);
		for (t = 0; t < ntok; t++)
			if (!seen[t] && ev.hdr.len == plen +
			    strlen(tokens[t]) + 1 &&
			    strcmp(ev.body + plen, tokens[t]) == 0)
				break;
		if (t == ntok)
			fail("unexpected or repeated watch event [%s]",
			    show(ev.body, ev.hdr.len));
		seen[t] = true;
	}
	expect_no_event(c);
}

/* The peer must close the connection; frames before that must be errors. */
static void
expect_disconnect(struct conn *c, const char *why)
{
	uint64_t deadline = now_ms() + REPLY_TIMEOUT_MS;
	struct msg m;
	int got;

	for (;;) {
		uint64_t t = now_ms();

		got = t < deadline ? recv_msg(c->fd, &m, (int)(deadline - t))
		    : -1;
		if (got == 0)
			return;
		if (got < 0)
			fail("still connected %d ms after %s", REPLY_TIMEOUT_MS,
			    why);
		if (m.hdr.type != XS_ERROR && m.hdr.type != XS_WATCH_EVENT)
			fail("%s [%s] after %s, expected disconnection",
			    type_name(m.hdr.type), show(m.body, m.hdr.len),
			    why);
	}
}

/* The daemon still serves old and new connections. */
static void
check_alive(void)
{
	struct conn *c = conn_open();

	expect_value(c, 0, "/tool/xenstored", "");
	conn_close(c);
	expect_value(bystander, 0, "/tool/xenstored", "");
	if (bystander->nev != 0)
		fail("the bystander connection got a watch event");
}

/*
 * From here on, the helpers note the line they are called from, so that a
 * failure names the step of the case that failed.
 */
#define AT(call)	(at_line = __LINE__, call)
#define request(...)		AT(request(__VA_ARGS__))
#define expect_reply(...)	AT(expect_reply(__VA_ARGS__))
#define expect_ok(...)		AT(expect_ok(__VA_ARGS__))
#define expect_error(...)	AT(expect_error(__VA_ARGS__))
#define write_node(...)		AT(write_node(__VA_ARGS__))
#define expect_value(...)	AT(expect_value(__VA_ARGS__))
#define expect_missing(...)	AT(expect_missing(__VA_ARGS__))
#define one_arg(...)		AT(one_arg(__VA_ARGS__))
#define tx_start(...)		AT(tx_start(__VA_ARGS__))
#define tx_end(...)		AT(tx_end(__VA_ARGS__))
#define expect_event(...)	AT(expect_event(__VA_ARGS__))
#define expect_no_event(...)	AT(expect_no_event(__VA_ARGS__))
#define expect_event_set(...)	AT(expect_event_set(__VA_ARGS__))
#define expect_disconnect(...)	AT(expect_disconnect(__VA_ARGS__))
#define check_alive()		AT(check_alive())

/* --- cases: ordinary operations ---------------------------------------- */

static void
case_basic_ops(void)
{
	struct conn *c = conn_open();

	write_node(c, 0, "/basic/rw", "hello");
	expect_value(c, 0, "/basic/rw", "hello");
	expect_value(c, 0, "/basic", "");
	/* Values are binary: embedded nuls, and no nul added on READ. */
	expect_ok(c, XS_WRITE, 0, LIT("/basic/bin\0a\0b\0"));
	expect_reply(c, XS_READ, 0, LIT("/basic/bin\0"), LIT("a\0b\0"));
	expect_ok(c, XS_WRITE, 0, LIT("/basic/empty\0"));
	expect_value(c, 0, "/basic/empty", "");
	expect_missing(c, 0, "/basic/none");

	/* MKDIR keeps an existing value and creates missing parents. */
	one_arg(c, XS_MKDIR, 0, "/basic/rw", NULL);
	expect_value(c, 0, "/basic/rw", "hello");
	one_arg(c, XS_MKDIR, 0, "/basic/mk/a/b", NULL);
	expect_value(c, 0, "/basic/mk/a", "");
	expect_reply(c, XS_DIRECTORY, 0, LIT("/basic/mk\0"), LIT("a\0"));
	expect_reply(c, XS_DIRECTORY, 0, LIT("/basic/mk/a/b\0"), "", 0);
	expect_error(c, XS_DIRECTORY, 0, LIT("/basic/none\0"), "ENOENT");

	/* RM takes the subtree; a missing node is fine if its parent is not. */
	one_arg(c, XS_RM, 0, "/basic/mk", NULL);
	expect_missing(c, 0, "/basic/mk/a/b");
	expect_missing(c, 0, "/basic/mk");
	one_arg(c, XS_RM, 0, "/basic/mk", NULL);
	one_arg(c, XS_RM, 0, "/basic/none/child", "ENOENT");
	one_arg(c, XS_RM, 0, "/", "EINVAL");
	expect_value(c, 0, "/tool/xenstored", "");

	expect_reply(c, XS_GET_PERMS, 0, LIT("/tool/xenstored\0"),
	    LIT("n0\0"));
	expect_error(c, XS_GET_PERMS, 0, LIT("/basic/none\0"), "ENOENT");
	expect_reply(c, XS_GET_DOMAIN_PATH, 0, LIT("0\0"),
	    LIT("/local/domain/0\0"));
	expect_reply(c, XS_GET_DOMAIN_PATH, 0, LIT("7\0"),
	    LIT("/local/domain/7\0"));

	/* Relative paths are dom0's: /local/domain/0. */
	write_node(c, 0, "basic-rel/x", "rel");
	expect_value(c, 0, "/local/domain/0/basic-rel/x", "rel");
	one_arg(c, XS_RM, 0, "basic-rel", NULL);
	expect_missing(c, 0, "/local/domain/0/basic-rel");

	one_arg(c, XS_RM, 0, "/basic", NULL);
	conn_close(c);
}

/* Too few or too many nul-terminated arguments. */
static void
case_arity(void)
{
	struct conn *c = conn_open();
	uint32_t tx;

	expect_error(c, XS_READ, 0, LIT("/tool\0extra\0"), "EINVAL");
	expect_error(c, XS_GET_PERMS, 0, LIT("/tool\0extra\0"), "EINVAL");
	expect_error(c, XS_DIRECTORY, 0, LIT("/tool\0extra\0"), "EINVAL");
	expect_error(c, XS_MKDIR, 0, LIT("/arity\0extra\0"), "EINVAL");
	expect_error(c, XS_RM, 0, LIT("/tool\0extra\0"), "EINVAL");
	expect_error(c, XS_DIRECTORY_PART, 0, LIT("/tool\0" "0\0x\0"),
	    "EINVAL");
	expect_error(c, XS_WATCH, 0, LIT("/arity\0"), "EINVAL");
	expect_error(c, XS_WATCH, 0, LIT("/arity\0t\0" "1\0x\0"), "EINVAL");
	expect_error(c, XS_UNWATCH, 0, LIT("/arity\0"), "EINVAL");
	expect_error(c, XS_GET_DOMAIN_PATH, 0, "", 0, "EINVAL");
	expect_error(c, XS_GET_DOMAIN_PATH, 0, LIT("0\0" "1\0"), "EINVAL");
	tx = tx_start(c);
	expect_error(c, XS_TRANSACTION_END, tx, "", 0, "EINVAL");
	expect_error(c, XS_TRANSACTION_END, tx, LIT("T\0T\0"), "EINVAL");
	tx_end(c, tx, false, NULL);
	/* None of it made a node. */
	expect_missing(c, 0, "/arity");
	conn_close(c);
}

static void
case_payload_4096(void)
{
	static char buf[XENSTORE_PAYLOAD_MAX];
	struct conn *c = conn_open();
	const char path[] = "/payload-max";
	size_t vlen = sizeof(buf) - sizeof(path);
	struct msg r;

	memset(buf, 'p', sizeof(buf));
	memcpy(buf, path, sizeof(path));
	/*
	 * Exactly XENSTORE_PAYLOAD_MAX is legal framing.  The node may still
	 * be refused (a node-size quota), but with a reply, not by hanging
	 * up on us.
	 */
	request(c, XS_WRITE, 0, buf, sizeof(buf), &r);
	if (r.hdr.type == XS_WRITE) {
		request(c, XS_READ, 0, path, sizeof(path), &r);
		if (r.hdr.type != XS_READ || r.hdr.len != vlen ||
		    memcmp(r.body, buf + sizeof(path), vlen) != 0)
			fail("%zu-byte value did not read back: %s [%s]", vlen,
			    type_name(r.hdr.type), show(r.body, r.hdr.len));
		one_arg(c, XS_RM, 0, path, NULL);
	} else {
		printf("# %zu-byte value refused with %s\n", vlen, r.body);
	}
	expect_value(c, 0, "/tool/xenstored", "");
	conn_close(c);
}

/* --- cases: hostile framing -------------------------------------------- */

static void
case_payload_4097(void)
{
	static char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX + 1];
	struct conn *victim = conn_open(), *other = conn_open();
	struct xsd_sockmsg hdr = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

	memset(buf, 'q', sizeof(buf));
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), "/too-long", sizeof("/too-long"));
	/* The daemon may hang up before it has all of it. */
	(void)write_all(victim->fd, buf, sizeof(buf));
	expect_disconnect(victim, "a 4097-byte payload");
	expect_value(other, 0, "/tool/xenstored", "");
	expect_missing(other, 0, "/too-long");
	conn_close(victim);
	conn_close(other);
}

static void
case_huge_len_header_only(void)
{
	static const uint32_t lens[] = { XENSTORE_PAYLOAD_MAX + 1, 0x10000,
	    0x7fffffff, 0xffffffff };
	size_t i;

	/*
	 * The header alone condemns the frame: the daemon must not wait for
	 * (or allocate) a payload it will never accept.
	 */
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct conn *victim = conn_open();
		struct xsd_sockmsg hdr = { XS_READ, 2, 0, lens[i] };
		char why[64];

		snprintf(why, sizeof(why), "a header with len %" PRIu32,
		    lens[i]);
		(void)write_all(victim->fd, &hdr, sizeof(hdr));
		expect_disconnect(victim, why);
		conn_close(victim);
		check_alive();
	}
}

static void
case_truncated_header(void)
{
	struct xsd_sockmsg hdr = { XS_READ, 3, 0, 16 };
	size_t cut;

	for (cut = 1; cut < sizeof(hdr); cut += 3) {
		struct conn *c = conn_open();

		(void)write_all(c->fd, &hdr, cut);
		conn_close(c);
		check_alive();
	}
}

static void
case_truncated_payload(void)
{
	char frame[sizeof(struct xsd_sockmsg) + 10];
	struct xsd_sockmsg hdr = { XS_WRITE, 4, 0, 100 };
	struct conn *c = conn_open();

	memcpy(frame, &hdr, sizeof(hdr));
	memcpy(frame + sizeof(hdr), "/truncated", 10);
	(void)write_all(c->fd, frame, sizeof(frame));
	conn_close(c);
	check_alive();
	expect_missing(bystander, 0, "/truncated");

	/* The same, but the client stays and completes the frame later. */
	c = conn_open();
	hdr.len = 12;
	memcpy(frame, &hdr, sizeof(hdr));
	(void)write_all(c->fd, frame, sizeof(frame));
	check_alive();
	if (!write_all(c->fd, "\0x", 2))
		fail("daemon hung up on a client that was mid-frame");
	{
		struct msg r;

		if (recv_msg(c->fd, &r, REPLY_TIMEOUT_MS) != 1 ||
		    r.hdr.type != XS_WRITE || r.hdr.req_id != 4)
			fail("no WRITE reply to a frame completed late");
	}
	expect_value(c, 0, "/truncated", "x");
	one_arg(c, XS_RM, 0, "/truncated", NULL);
	conn_close(c);
}

static void
case_unknown_type(void)
{
	static const uint32_t types[] = { 9999, 27, 100, 0x10000, XS_INVALID,
	    0xffffffff, 20 };
	struct conn *c = conn_open();
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		expect_error(c, types[i], 0, LIT("/tool\0"), "ENOSYS");
		expect_value(c, 0, "/tool/xenstored", "");
	}
	/* Types that only the daemon sends are no requests either. */
	expect_error(c, XS_WATCH_EVENT, 0, LIT("/tool\0tok\0"), "ENOSYS");
	expect_error(c, XS_ERROR, 0, LIT("EINVAL\0"), "ENOSYS");
	expect_value(c, 0, "/tool/xenstored", "");
	conn_close(c);
}

static void
case_unknown_tx_id(void)
{
	struct conn *c = conn_open();

	expect_error(c, XS_READ, BAD_TX_ID, LIT("/tool/xenstored\0"),
	    "ENOENT");
	expect_error(c, XS_WRITE, BAD_TX_ID, LIT("/bad-tx\0v"), "ENOENT");
	expect_missing(c, 0, "/bad-tx");
	expect_error(c, XS_DIRECTORY, 1, LIT("/\0"), "ENOENT");
	tx_end(c, BAD_TX_ID, true, "ENOENT");
	/* No transaction at all, or starting one inside an unknown one. */
	tx_end(c, 0, true, ANY_ERROR);
	expect_error(c, XS_TRANSACTION_START, BAD_TX_ID, LIT("\0"), ANY_ERROR);
	conn_close(c);
}

static void
case_bad_paths(void)
{
	static const char *const bad[] = { "", "/a//b", "/a/", "//",
	    "/a b", "/a*b", "/a.b", "/a:b", "/a\\b", "/a\n", "/a\xff",
	    "rel/", "rel//x", "rel x", NULL };
	static const uint32_t ops[] = { XS_READ, XS_WRITE, XS_MKDIR, XS_RM,
	    XS_DIRECTORY, XS_DIRECTORY_PART, XS_GET_PERMS, XS_SET_PERMS,
	    XS_WATCH, XS_UNWATCH };
	static char path[XENSTORE_ABS_PATH_MAX + 8];
	char buf[XENSTORE_PAYLOAD_MAX];
	struct conn *c = conn_open();
	struct msg before, after;
	size_t i, j, n;

	request(c, XS_DIRECTORY, 0, LIT("/\0"), &before);
	for (i = 0; bad[i] != NULL; i++) {
		for (j = 0; j < sizeof(ops) / sizeof(ops[0]); j++) {
			switch (ops[j]) {
			case XS_WRITE:
				n = pack_write(buf, sizeof(buf), bad[i],
				    "v", 1);
				break;
			case XS_DIRECTORY_PART:
				n = pack(buf, sizeof(buf), bad[i], "0", NULL);
				break;
			case XS_SET_PERMS:
				n = pack(buf, sizeof(buf), bad[i], "n0", NULL);
				break;
			case XS_WATCH:
			case XS_UNWATCH:
				n = pack(buf, sizeof(buf), bad[i], "tok",
				    NULL);
				break;
			default:
				n = pack(buf, sizeof(buf), bad[i], NULL);
			}
			/* No such watch is as good an answer for UNWATCH. */
			expect_error(c, ops[j], 0, buf, n,
			    ops[j] == XS_UNWATCH ? ANY_ERROR : "EINVAL");
		}
	}
	/* Special names are for watches only. */
	expect_error(c, XS_READ, 0, LIT("@introduceDomain\0"), "EINVAL");
	expect_error(c, XS_WRITE, 0, LIT("@releaseDomain\0x"), "EINVAL");

	/* Malformed arguments: no terminating nul, nothing at all. */
	expect_error(c, XS_READ, 0, LIT("/tool"), "EINVAL");
	expect_error(c, XS_READ, 0, "", 0, "EINVAL");
	expect_error(c, XS_WRITE, 0, LIT("/no-nul-no-value"), "EINVAL");

	/*
	 * Absolute paths up to 3072 bytes, relative ones up to 2048 (with
	 * the path-max quota off, as raw_protocol.sh runs the daemon).
	 */
	memset(path, 'L', sizeof(path));
	memcpy(path, "/long/", 6);
	path[XENSTORE_ABS_PATH_MAX] = '\0';
	write_node(c, 0, path, "max");
	expect_value(c, 0, path, "max");
	path[XENSTORE_ABS_PATH_MAX] = 'L';
	path[XENSTORE_ABS_PATH_MAX + 1] = '\0';
	n = pack_write(buf, sizeof(buf), path, "over", 4);
	expect_error(c, XS_WRITE, 0, buf, n, "EINVAL");
	n = pack(buf, sizeof(buf), path, NULL);
	expect_error(c, XS_READ, 0, buf, n, "EINVAL");
	one_arg(c, XS_RM, 0, "/long", NULL);

	memset(path, 'R', sizeof(path));
	path[XENSTORE_REL_PATH_MAX] = '\0';
	write_node(c, 0, path, "max");
	expect_value(c, 0, path, "max");
	path[XENSTORE_REL_PATH_MAX] = 'R';
	path[XENSTORE_REL_PATH_MAX + 1] = '\0';
	n = pack_write(buf, sizeof(buf), path, "over", 4);
	expect_error(c, XS_WRITE, 0, buf, n, "EINVAL");
	path[XENSTORE_REL_PATH_MAX] = '\0';
	one_arg(c, XS_RM, 0, path, NULL);

	/* Nothing above left a node behind. */
	request(c, XS_DIRECTORY, 0, LIT("/\0"), &after);
	if (before.hdr.type != XS_DIRECTORY || after.hdr.len !=
	    before.hdr.len || memcmp(after.body, before.body,
	    before.hdr.len) != 0)
		fail("children of / were [%s] before, [%s] after",
		    show(before.body, before.hdr.len),
		    show(after.body, after.hdr.len));
	conn_close(c);
}

static void
case_bad_perms(void)
{
	static const struct {
		const char *payload;
		size_t len;
	} bad[] = {
		{ LIT("/perm\0x0\0") },
		{ LIT("/perm\0\0") },
		{ LIT("/perm\0r\0") },
		{ LIT("/perm\0rabc\0") },
		{ LIT("/perm\0") },
		{ LIT("/perm\0n0\0x1\0") },
		{ LIT("/perm\0n0\0r\0") },
		{ LIT("/perm\0 r1\0") },
		{ LIT("/perm\0r1x\0") },
		{ LIT("/perm\0r65536\0") },
		{ LIT("/perm\0r-1\0") },
		{ LIT("/perm\0R1\0") },
	};
	struct conn *c = conn_open();
	size_t i;

	write_node(c, 0, "/perm", "v");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_error(c, XS_SET_PERMS, 0, bad[i].payload, bad[i].len,
		    "EINVAL");
		expect_reply(c, XS_GET_PERMS, 0, LIT("/perm\0"), LIT("n0\0"));
	}
	expect_ok(c, XS_SET_PERMS, 0, LIT("/perm\0b0\0r1\0w2\0n3\0"));
	expect_reply(c, XS_GET_PERMS, 0, LIT("/perm\0"),
	    LIT("b0\0r1\0w2\0n3\0"));
	expect_ok(c, XS_SET_PERMS, 0, LIT("/perm\0n5\0"));
	expect_reply(c, XS_GET_PERMS, 0, LIT("/perm\0"), LIT("n5\0"));
	expect_ok(c, XS_SET_PERMS, 0, LIT("/perm\0n0\0r65535\0"));
	expect_reply(c, XS_GET_PERMS, 0, LIT("/perm\0"), LIT("n0\0r65535\0"));
	expect_error(c, XS_SET_PERMS, 0, LIT("/perm/none\0n0\0"), "ENOENT");
	/* The special watch paths have permissions, other @ names do not. */
	expect_reply(c, XS_GET_PERMS, 0, LIT("@introduceDomain\0"),
	    LIT("n0\0"));
	expect_ok(c, XS_SET_PERMS, 0, LIT("@introduceDomain\0n0\0r7\0"));
	expect_reply(c, XS_GET_PERMS, 0, LIT("@introduceDomain\0"),
	    LIT("n0\0r7\0"));
	expect_ok(c, XS_SET_PERMS, 0, LIT("@introduceDomain\0n0\0"));
	expect_ok(c, XS_SET_PERMS, 0, LIT("@releaseDomain\0n0\0"));
	expect_reply(c, XS_GET_PERMS, 0, LIT("@releaseDomain\0"),
	    LIT("n0\0"));
	/* No such special path: ENOENT, as C xenstored 4.17. */
	expect_error(c, XS_SET_PERMS, 0, LIT("@otherDomain\0n0\0"), "ENOENT");
	expect_error(c, XS_GET_PERMS, 0, LIT("@otherDomain\0"), "EINVAL");
	one_arg(c, XS_RM, 0, "/perm", NULL);
	conn_close(c);
}

/* --- cases: watches ------------------------------------------------------ */

static void
case_watch_basic(void)
{
	struct conn *w = conn_open(), *o = conn_open();

	write_node(o, 0, "/wb", "");
	expect_ok(w, XS_WATCH, 0, LIT("/wb\0tok\0"));
	expect_event(w, "/wb", "tok");
	write_node(o, 0, "/wb/x", "1");
	expect_event(w, "/wb/x", "tok");
	/* The watcher's own writes fire too. */
	write_node(w, 0, "/wb/y", "1");
	expect_event(w, "/wb/y", "tok");
	write_node(o, 0, "/wbx", "sibling, not child");
	expect_no_event(w);

	expect_error(w, XS_WATCH, 0, LIT("/wb\0tok\0"), "EEXIST");
	expect_ok(w, XS_WATCH, 0, LIT("/wb\0tok2\0"));
	expect_event(w, "/wb", "tok2");
	expect_ok(w, XS_UNWATCH, 0, LIT("/wb\0tok\0"));
	expect_error(w, XS_UNWATCH, 0, LIT("/wb\0tok\0"), "ENOENT");
	expect_error(w, XS_UNWATCH, 0, LIT("/nowhere\0tok2\0"), "ENOENT");
	write_node(o, 0, "/wb/z", "1");
	expect_event(w, "/wb/z", "tok2");
	expect_no_event(w);

	/* RM and SET_PERMS are changes as well. */
	one_arg(o, XS_RM, 0, "/wb/z", NULL);
	expect_event(w, "/wb/z", "tok2");
	expect_ok(o, XS_SET_PERMS, 0, LIT("/wb/x\0n0\0r1\0"));
	expect_event(w, "/wb/x", "tok2");

	/* WATCH and UNWATCH ignore tx_id, even one that does not exist. */
	expect_ok(w, XS_WATCH, BAD_TX_ID, LIT("/wb/t\0tx\0"));
	expect_event(w, "/wb/t", "tx");
	{
		static const char *const both[] = { "tx", "tok2", NULL };
		uint32_t tx = tx_start(o);

		/* Not a transactional watch: events come as usual. */
		expect_ok(o, XS_WATCH, tx, LIT("/wb/t\0tx2\0"));
		expect_event(o, "/wb/t", "tx2");
		write_node(w, 0, "/wb/t", "1");
		expect_event(o, "/wb/t", "tx2");
		expect_event_set(w, "/wb/t", both);
		expect_ok(o, XS_UNWATCH, tx, LIT("/wb/t\0tx2\0"));
		tx_end(o, tx, false, NULL);
	}
	expect_ok(w, XS_UNWATCH, BAD_TX_ID, LIT("/wb/t\0tx\0"));
	expect_no_event(w);
	expect_no_event(o);

	/*
	 * Depth must be a decimal number.  (An empty third string is the
	 * reserved "?" of xenstore.txt, which clients may send.)
	 */
	expect_error(w, XS_WATCH, 0, LIT("/wb\0bad\0x\0"), "EINVAL");
	expect_error(w, XS_WATCH, 0, LIT("/wb\0bad\0-1\0"), "EINVAL");
	expect_ok(w, XS_WATCH, 0, LIT("/wb/r\0reserved\0\0"));
	expect_event(w, "/wb/r", "reserved");
	expect_ok(w, XS_UNWATCH, 0, LIT("/wb/r\0reserved\0"));

	/* A watch dies with its connection; nobody else hears of it. */
	conn_close(w);
	write_node(o, 0, "/wb/after", "1");
	one_arg(o, XS_RM, 0, "/wb", NULL);
	one_arg(o, XS_RM, 0, "/wbx", NULL);
	expect_no_event(o);
	conn_close(o);
}

static void
case_watch_depth(void)
{
	static const char *const all4[] = { "d0", "d1", "d2", "dinf", NULL };
	static const char *const deep1[] = { "d1", "d2", "dinf", NULL };
	static const char *const deep2[] = { "d2", "dinf", NULL };
	static const char *const deep3[] = { "dinf", NULL };
	struct conn *w = conn_open(), *o = conn_open();

	write_node(o, 0, "/dd", "");
	expect_ok(w, XS_WATCH, 0, LIT("/dd\0d0\0" "0\0"));
	expect_ok(w, XS_WATCH, 0, LIT("/dd\0d1\0" "1\0"));
	expect_ok(w, XS_WATCH, 0, LIT("/dd\0d2\0" "2\0"));
	expect_ok(w, XS_WATCH, 0, LIT("/dd\0dinf\0"));
	expect_event_set(w, "/dd", all4);

	write_node(o, 0, "/dd", "x");
	expect_event_set(w, "/dd", all4);
	write_node(o, 0, "/dd/a", "");
	expect_event_set(w, "/dd/a", deep1);
	write_node(o, 0, "/dd/a/b", "");
	expect_event_set(w, "/dd/a/b", deep2);
	write_node(o, 0, "/dd/a/b/c", "");
	expect_event_set(w, "/dd/a/b/c", deep3);
	one_arg(o, XS_RM, 0, "/dd/a/b/c", NULL);
	expect_event_set(w, "/dd/a/b/c", deep3);

	/* Same path and token with another depth is still a duplicate. */
	expect_error(w, XS_WATCH, 0, LIT("/dd\0d1\0" "3\0"), "EEXIST");
	expect_ok(w, XS_UNWATCH, 0, LIT("/dd\0d1\0"));
	one_arg(o, XS_RM, 0, "/dd", NULL);
	conn_close(w);
	conn_close(o);
}

static void
case_watch_paths(void)
{
	struct conn *w = conn_open(), *o = conn_open();

	/* Relative watch, relative events, whoever writes and however. */
	expect_ok(w, XS_WATCH, 0, LIT("relw\0r\0"));
	expect_event(w, "relw", "r");
	write_node(o, 0, "relw/a", "1");
	expect_event(w, "relw/a", "r");
	write_node(o, 0, "/local/domain/0/relw/b", "1");
	expect_event(w, "relw/b", "r");
	expect_ok(w, XS_UNWATCH, 0, LIT("relw\0r\0"));

	/* Removing an ancestor reports the watched path itself. */
	write_node(o, 0, "/wp/a/b/c", "1");
	expect_ok(w, XS_WATCH, 0, LIT("/wp/a/b\0p\0"));
	expect_event(w, "/wp/a/b", "p");
	one_arg(o, XS_RM, 0, "/wp", NULL);
	expect_event(w, "/wp/a/b", "p");
	expect_no_event(w);
	/* And it is still there when the path comes back. */
	write_node(o, 0, "/wp/a/b", "again");
	expect_event(w, "/wp/a/b", "p");
	/* Watchers of the removed path and its ancestors get that path. */
	expect_ok(w, XS_WATCH, 0, LIT("/wp\0anc\0"));
	expect_event(w, "/wp", "anc");
	one_arg(o, XS_RM, 0, "/wp/a", NULL);
	{
		struct msg ev;

		/* p gets its own path, anc the removed one; either order. */
		if (!next_event(w, &ev, REPLY_TIMEOUT_MS))
			fail("no event for RM /wp/a");
		if (strcmp(ev.body, "/wp/a") == 0) {
			if (strcmp(ev.body + 6, "anc") != 0)
				fail("event [%s]", show(ev.body, ev.hdr.len));
			expect_event(w, "/wp/a/b", "p");
		} else {
			if (strcmp(ev.body, "/wp/a/b") != 0 ||
			    strcmp(ev.body + 8, "p") != 0)
				fail("event [%s]", show(ev.body, ev.hdr.len));
			expect_event(w, "/wp/a", "anc");
		}
	}
	expect_no_event(w);
	expect_ok(w, XS_UNWATCH, 0, LIT("/wp\0anc\0"));

	/* Special watches fire once when set, and not for ordinary writes. */
	expect_ok(w, XS_WATCH, 0, LIT("@introduceDomain\0i\0"));
	expect_event(w, "@introduceDomain", "i");
	expect_ok(w, XS_WATCH, 0, LIT("@releaseDomain\0r\0"));
	expect_event(w, "@releaseDomain", "r");
	write_node(o, 0, "/wp/x", "1");
	expect_no_event(w);

	one_arg(o, XS_RM, 0, "/wp", NULL);
	one_arg(o, XS_RM, 0, "relw", NULL);
	conn_close(w);
	conn_close(o);
}

static void
case_reset_watches(void)
{
	struct conn *w = conn_open(), *o = conn_open();
	uint32_t tx;

	expect_ok(w, XS_WATCH, 0, LIT("/rst\0t\0"));
	expect_event(w, "/rst", "t");
	tx = tx_start(w);
	expect_ok(w, XS_RESET_WATCHES, 0, LIT("\0"));
	write_node(o, 0, "/rst/x", "1");
	expect_no_event(w);
	/* Its transactions went with them. */
	expect_error(w, XS_READ, tx, LIT("/rst/x\0"), "ENOENT");
	tx_end(w, tx, true, "ENOENT");
	/* The connection itself goes on. */
	expect_ok(w, XS_WATCH, 0, LIT("/rst\0t\0"));
	expect_event(w, "/rst", "t");
	one_arg(o, XS_RM, 0, "/rst", NULL);
	expect_event(w, "/rst", "t");
	conn_close(w);
	conn_close(o);
}

/* A watcher that never reads while others make it thousands of events. */
static void
case_watcher_not_reading(void)
{
	char path[300], name[256];
	struct conn *w = conn_open(), *o = conn_open();
	uint64_t start = now_ms();
	int i;

	expect_ok(w, XS_WATCH, 0, LIT("/flood\0f\0"));
	memset(name, 'f', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	/* ~250 bytes per event, ~750 KB in all: more than a socket holds. */
	for (i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/flood/%.200s%d", name, i % 10);
		write_node(o, 0, path, "x");
	}
	printf("# 3000 writes with a stalled watcher took %" PRIu64 " ms\n",
	    now_ms() - start);
	check_alive();
	one_arg(o, XS_RM, 0, "/flood", NULL);
	conn_close(w);
	conn_close(o);
	check_alive();
}

/*
 * A watch token so long that an event for a long path would not fit one
 * payload.  The daemon may refuse the watch or drop or refuse the event,
 * but it must never send a frame over XENSTORE_PAYLOAD_MAX (recv_msg
 * checks) and the watcher must go on being served.
 */
static void
case_long_token(void)
{
	static char buf[XENSTORE_PAYLOAD_MAX], path[1600];
	struct conn *w = conn_open(), *o = conn_open();
	uint32_t req_id = 0x7070;
	struct msg r;
	size_t n;

	write_node(o, 0, "/lt", "");
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "/lt", 4);
	memset(buf + 4, 'k', 3000);
	n = 4 + 3000 + 1;
	request(w, XS_WATCH, 0, buf, n, &r);
	printf("# WATCH with a 3000-byte token: %s %s\n",
	    type_name(r.hdr.type), r.body);

	memcpy(path, "/lt/", 4);
	memset(path + 4, 'p', sizeof(path) - 5);
	path[sizeof(path) - 1] = '\0';
	write_node(o, 0, path, "x");

	/* Whatever came for the watch, a request still gets its reply. */
	send_frame(w->fd, XS_READ, req_id, 0, LIT("/lt\0"));
	for (;;) {
		int got = recv_msg(w->fd, &r, REPLY_TIMEOUT_MS);

		if (got <= 0)
			fail("watcher %s after an event too big to send",
			    got == 0 ? "disconnected" : "not answered");
		if (r.hdr.req_id == req_id && r.hdr.type == XS_READ)
			break;
		if (r.hdr.req_id != 0)
			fail("unexpected %s req_id %" PRIu32,
			    type_name(r.hdr.type), r.hdr.req_id);
	}
	one_arg(o, XS_RM, 0, "/lt", NULL);
	conn_close(w);
	conn_close(o);
}

/* --- cases: directories -------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the nul-separated names in buf[0..len) in place, as a new list. */
static void
sort_names(char *buf, size_t len, char *out)
{
	char *names[1024];
	size_t n = 0, off = 0, i;

	while (off < len) {
		if (n == 1024)
			fail("test bug: too many names");
		names[n++] = buf + off;
		off += strlen(buf + off) + 1;
	}
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0, off = 0; i < n; i++) {
		size_t l = strlen(names[i]) + 1;

		memcpy(out + off, names[i], l);
		off += l;
	}
}

static void
case_directory_part(void)
{
	enum { NCHILD = 300 };
	static char want[NCHILD * 40], got[NCHILD * 40 + XENSTORE_PAYLOAD_MAX];
	static char sorted_want[sizeof(want)], sorted_got[sizeof(got)];
	char gen[32], buf[XENSTORE_PAYLOAD_MAX], path[160], off_str[16];
	struct conn *c = conn_open();
	size_t want_len = 0, got_len = 0, n, glen;
	unsigned int page;
	struct msg r;
	int i;

	for (i = 0; i < NCHILD; i++) {
		n = (size_t)snprintf(want + want_len, 40,
		    "entry-%03d-padded-out-to-32-bytes", i);
		snprintf(path, sizeof(path), "/dp/%s", want + want_len);
		write_node(c, 0, path, "");
		want_len += n + 1;
	}
	if (want_len <= XENSTORE_PAYLOAD_MAX)
		fail("test bug: directory too small");
	expect_error(c, XS_DIRECTORY, 0, LIT("/dp\0"), "E2BIG");

	for (page = 0;; page++) {
		if (page > 20)
			fail("DIRECTORY_PART did not finish in 20 pages");
		snprintf(off_str, sizeof(off_str), "%zu", got_len);
		n = pack(buf, sizeof(buf), "/dp", off_str, NULL);
		request(c, XS_DIRECTORY_PART, 0, buf, n, &r);
		if (r.hdr.type != XS_DIRECTORY_PART)
			fail("DIRECTORY_PART at offset %zu: %s", got_len,
			    r.body);
		glen = strnlen(r.body, r.hdr.len);
		if (glen == 0 || glen == r.hdr.len || glen >= sizeof(gen) ||
		    strspn(r.body, "0123456789") != glen)
			fail("DIRECTORY_PART reply does not start with a"
			    " generation count: [%s]", show(r.body, r.hdr.len));
		if (page == 0)
			strcpy(gen, r.body);
		else if (strcmp(gen, r.body) != 0)
			fail("generation changed from %s to %s between pages"
			    " of an unchanged directory", gen, r.body);
		n = r.hdr.len - glen - 1;
		if (n == 0 || r.body[r.hdr.len - 1] != '\0')
			fail("DIRECTORY_PART page is not a list of names: [%s]",
			    show(r.body, r.hdr.len));
		/* The last page ends with an empty name. */
		if (n >= 2 && r.body[r.hdr.len - 2] == '\0') {
			memcpy(got + got_len, r.body + glen + 1, n - 1);
			got_len += n - 1;
			break;
		}
		if (n == 1)
			fail("DIRECTORY_PART at offset %zu returned no names"
			    " and no end marker", got_len);
		memcpy(got + got_len, r.body + glen + 1, n);
		got_len += n;
		if (got_len > want_len)
			fail("DIRECTORY_PART returned more than all names");
	}
	if (got_len != want_len)
		fail("DIRECTORY_PART pages hold %zu bytes of names, expected"
		    " %zu", got_len, want_len);
	sort_names(want, want_len, sorted_want);
	sort_names(got, got_len, sorted_got);
	if (memcmp(sorted_want, sorted_got, want_len) != 0)
		fail("DIRECTORY_PART pages do not list the %d children",
		    NCHILD);
	printf("# %d children in %u pages\n", NCHILD, page + 1);

	/* Past the end: the generation and no names. */
	n = pack(buf, sizeof(buf), "/dp", "999999", NULL);
	request(c, XS_DIRECTORY_PART, 0, buf, n, &r);
	glen = strlen(gen) + 1;
	if (r.hdr.type != XS_DIRECTORY_PART || r.hdr.len < glen ||
	    r.hdr.len > glen + 1 || strcmp(r.body, gen) != 0 ||
	    (r.hdr.len == glen + 1 && r.body[glen] != '\0'))
		fail("DIRECTORY_PART past the end: [%s]",
		    show(r.body, r.hdr.len));

	/* A change to the children changes the generation. */
	write_node(c, 0, "/dp/zz-new", "");
	n = pack(buf, sizeof(buf), "/dp", "0", NULL);
	request(c, XS_DIRECTORY_PART, 0, buf, n, &r);
	if (r.hdr.type != XS_DIRECTORY_PART || strcmp(r.body, gen) == 0)
		fail("generation %s unchanged after adding a child", gen);

	/*
	 * DIRECTORY at the limit: names of exactly XENSTORE_PAYLOAD_MAX
	 * bytes fit, one byte more does not.  32 names of 127 bytes plus
	 * their nuls make 4096.
	 */
	for (i = 0; i < 32; i++) {
		memset(path, 0, sizeof(path));
		n = (size_t)snprintf(path, sizeof(path), "/dl/%02d", i);
		memset(path + n, 'n', 127 - 2);
		write_node(c, 0, path, "");
	}
	request(c, XS_DIRECTORY, 0, LIT("/dl\0"), &r);
	if (r.hdr.type != XS_DIRECTORY || r.hdr.len != XENSTORE_PAYLOAD_MAX)
		fail("DIRECTORY of 4096 bytes of names: %s, %" PRIu32 " bytes",
		    type_name(r.hdr.type), r.hdr.len);
	write_node(c, 0, "/dl/x", "");
	expect_error(c, XS_DIRECTORY, 0, LIT("/dl\0"), "E2BIG");
	one_arg(c, XS_RM, 0, "/dl", NULL);

	/* A small directory fits one page, with the end marker. */
	request(c, XS_DIRECTORY_PART, 0, LIT("/tool\0" "0\0"), &r);
	glen = strnlen(r.body, r.hdr.len);
	if (r.hdr.type != XS_DIRECTORY_PART || glen == 0 ||
	    r.hdr.len != glen + 1 + sizeof("xenstored\0") ||
	    memcmp(r.body + glen + 1, "xenstored\0",
	    sizeof("xenstored\0")) != 0)
		fail("DIRECTORY_PART /tool 0: [%s]", show(r.body, r.hdr.len));
	expect_error(c, XS_DIRECTORY_PART, 0, LIT("/dp\0"), "EINVAL");
	expect_error(c, XS_DIRECTORY_PART, 0, LIT("/dp\0" "3\0"), "EINVAL");
	expect_error(c, XS_DIRECTORY_PART, 0, LIT("/dp\0zero\0"), "EINVAL");
	expect_error(c, XS_DIRECTORY_PART, 0, LIT("/none\0" "0\0"), "ENOENT");
	one_arg(c, XS_RM, 0, "/dp", NULL);
	conn_close(c);
}

/*
 * A path 1500 levels deep, the most 3072 bytes allow: created, watched
 * at both ends, listed and removed without recursion trouble.
 */
static void
case_deep_tree(void)
{
	static char deep[XENSTORE_ABS_PATH_MAX + 1], buf[XENSTORE_PAYLOAD_MAX];
	struct conn *c = conn_open(), *w = conn_open();
	size_t len = 0, n;

	memcpy(deep, "/deep", 5);
	len = 5;
	while (len + 2 <= XENSTORE_ABS_PATH_MAX) {
		memcpy(deep + len, "/d", 2);
		len += 2;
	}
	deep[len] = '\0';
	write_node(c, 0, deep, "bottom");
	expect_value(c, 0, deep, "bottom");
	n = pack(buf, sizeof(buf), deep, "bottom", NULL);
	expect_ok(w, XS_WATCH, 0, buf, n);
	expect_event(w, deep, "bottom");
	expect_ok(w, XS_WATCH, 0, LIT("/deep\0top\0"));
	expect_event(w, "/deep", "top");
	expect_reply(c, XS_DIRECTORY, 0, LIT("/deep/d/d/d\0"), LIT("d\0"));
	one_arg(c, XS_RM, 0, "/deep", NULL);
	{
		struct msg ev;
		bool top = false, bottom = false;
		int i;

		for (i = 0; i < 2; i++) {
			if (!next_event(w, &ev, REPLY_TIMEOUT_MS))
				fail("RM of a deep tree: %d of 2 events", i);
			if (strcmp(ev.body, "/deep") == 0 && !top)
				top = true;
			else if (strcmp(ev.body, deep) == 0 && !bottom)
				bottom = true;
			else
				fail("RM of a deep tree: event [%s]",
				    show(ev.body, ev.hdr.len));
		}
	}
	expect_no_event(w);
	expect_missing(c, 0, "/deep");
	conn_close(c);
	conn_close(w);
}

/* --- cases: transactions ------------------------------------------------- */

static void
case_tx_basic(void)
{
	struct conn *c = conn_open(), *o = conn_open();
	uint32_t tx;

	tx = tx_start(c);
	write_node(c, tx, "/txb/a", "in-tx");
	expect_value(c, tx, "/txb/a", "in-tx");
	expect_missing(o, 0, "/txb/a");
	expect_missing(c, 0, "/txb/a");
	expect_reply(c, XS_DIRECTORY, tx, LIT("/txb\0"), LIT("a\0"));
	tx_end(c, tx, true, NULL);
	expect_value(o, 0, "/txb/a", "in-tx");
	/* The id is gone after END. */
	expect_error(c, XS_READ, tx, LIT("/txb/a\0"), "ENOENT");

	tx = tx_start(c);
	write_node(c, tx, "/txb/b", "aborted");
	one_arg(c, XS_RM, tx, "/txb/a", NULL);
	expect_missing(c, tx, "/txb/a");
	tx_end(c, tx, false, NULL);
	expect_missing(o, 0, "/txb/b");
	expect_value(o, 0, "/txb/a", "in-tx");

	/* Permissions are part of the view too. */
	tx = tx_start(c);
	expect_ok(c, XS_SET_PERMS, tx, LIT("/txb/a\0n0\0r4\0"));
	expect_reply(c, XS_GET_PERMS, tx, LIT("/txb/a\0"), LIT("n0\0r4\0"));
	expect_reply(c, XS_GET_PERMS, 0, LIT("/txb/a\0"), LIT("n0\0"));
	tx_end(c, tx, false, NULL);
	expect_reply(c, XS_GET_PERMS, 0, LIT("/txb/a\0"), LIT("n0\0"));

	/* Removed and re-created inside one transaction: a fresh node. */
	write_node(c, 0, "/txb/re/old", "1");
	tx = tx_start(c);
	one_arg(c, XS_RM, tx, "/txb/re", NULL);
	write_node(c, tx, "/txb/re/new", "2");
	expect_reply(c, XS_DIRECTORY, tx, LIT("/txb/re\0"), LIT("new\0"));
	tx_end(c, tx, true, NULL);
	expect_reply(c, XS_DIRECTORY, 0, LIT("/txb/re\0"), LIT("new\0"));
	expect_missing(o, 0, "/txb/re/old");

	/* A tx_id belongs to its connection. */
	tx = tx_start(c);
	write_node(c, tx, "/txb/mine", "1");
	expect_error(o, XS_READ, tx, LIT("/txb/mine\0"), "ENOENT");
	expect_error(o, XS_WRITE, tx, LIT("/txb/theirs\0" "1"), "ENOENT");
	tx_end(o, tx, true, "ENOENT");
	tx_end(c, tx, true, NULL);
	expect_value(o, 0, "/txb/mine", "1");
	expect_missing(o, 0, "/txb/theirs");

	/* Nested start: EBUSY, and the outer one carries on. */
	tx = tx_start(c);
	expect_error(c, XS_TRANSACTION_START, tx, LIT("\0"), "EBUSY");
	write_node(c, tx, "/txb/c", "outer");
	tx_end(c, tx, true, NULL);
	expect_value(o, 0, "/txb/c", "outer");

	/* END's argument is T or F. */
	tx = tx_start(c);
	expect_error(c, XS_TRANSACTION_END, tx, LIT("X\0"), ANY_ERROR);
	expect_value(c, 0, "/tool/xenstored", "");

	/* Two open transactions on one connection are independent. */
	{
		uint32_t t1 = tx_start(o), t2 = tx_start(o);

		if (t1 == t2)
			fail("two open transactions share tx_id %" PRIu32, t1);
		write_node(o, t1, "/txb/t1", "1");
		write_node(o, t2, "/txb/t2", "2");
		expect_missing(o, t1, "/txb/t2");
		tx_end(o, t1, true, NULL);
		tx_end(o, t2, true, NULL);
		expect_value(o, 0, "/txb/t1", "1");
		expect_value(o, 0, "/txb/t2", "2");
	}
	one_arg(o, XS_RM, 0, "/txb", NULL);
	conn_close(c);
	conn_close(o);
}

static void
case_tx_conflicts(void)
{
	struct conn *a = conn_open(), *b = conn_open();
	uint32_t ta, tb;
	struct msg r;

	write_node(a, 0, "/tc/read", "0");
	write_node(a, 0, "/tc/other", "0");

	/* Read, changed under us, then commit: EAGAIN, nothing applied. */
	ta = tx_start(a);
	expect_value(a, ta, "/tc/read", "0");
	write_node(b, 0, "/tc/read", "1");
	write_node(a, ta, "/tc/written", "lost");
	tx_end(a, ta, true, "EAGAIN");
	expect_missing(b, 0, "/tc/written");

	/* Both write one node: the second to commit loses. */
	ta = tx_start(a);
	tb = tx_start(b);
	write_node(a, ta, "/tc/both", "a");
	write_node(b, tb, "/tc/both", "b");
	tx_end(a, ta, true, NULL);
	tx_end(b, tb, true, "EAGAIN");
	expect_value(b, 0, "/tc/both", "a");

	/* Removed under us. */
	ta = tx_start(a);
	expect_value(a, ta, "/tc/other", "0");
	one_arg(b, XS_RM, 0, "/tc/other", NULL);
	write_node(a, ta, "/tc/x", "lost");
	tx_end(a, ta, true, "EAGAIN");
	expect_missing(b, 0, "/tc/x");

	/* We removed it, somebody wrote it meanwhile. */
	write_node(a, 0, "/tc/gone", "0");
	ta = tx_start(a);
	one_arg(a, XS_RM, ta, "/tc/gone", NULL);
	write_node(b, 0, "/tc/gone", "1");
	tx_end(a, ta, true, "EAGAIN");
	expect_value(b, 0, "/tc/gone", "1");

	/* Unrelated changes are no conflict. */
	write_node(a, 0, "/tc/u1", "0");
	write_node(a, 0, "/tc/u2", "0");
	ta = tx_start(a);
	expect_value(a, ta, "/tc/u1", "0");
	write_node(a, ta, "/tc/u1", "1");
	write_node(b, 0, "/tc/u2", "1");
	tx_end(a, ta, true, NULL);
	expect_value(b, 0, "/tc/u1", "1");

	/* New, different nodes under a common parent: both commit. */
	ta = tx_start(a);
	tb = tx_start(b);
	write_node(a, ta, "/tc/new-a", "a");
	write_node(b, tb, "/tc/new-b", "b");
	tx_end(a, ta, true, NULL);
	tx_end(b, tb, true, NULL);
	expect_value(a, 0, "/tc/new-a", "a");
	expect_value(a, 0, "/tc/new-b", "b");

	/* But a listing that has changed since is a conflict. */
	ta = tx_start(a);
	request(a, XS_DIRECTORY, ta, LIT("/tc\0"), &r);
	write_node(b, 0, "/tc/new-c", "c");
	write_node(a, ta, "/tc/u1", "2");
	tx_end(a, ta, true, "EAGAIN");
	expect_value(b, 0, "/tc/u1", "1");

	/* As is a child appearing under a node we removed. */
	ta = tx_start(a);
	one_arg(a, XS_RM, ta, "/tc/new-a", NULL);
	write_node(b, 0, "/tc/new-a/child", "c");
	tx_end(a, ta, true, "EAGAIN");
	expect_value(b, 0, "/tc/new-a/child", "c");

	one_arg(a, XS_RM, 0, "/tc", NULL);
	conn_close(a);
	conn_close(b);
}

static void
case_tx_watch_at_commit(void)
{
	struct conn *w = conn_open(), *t = conn_open();
	uint32_t tx;

	write_node(t, 0, "/tw", "");
	expect_ok(w, XS_WATCH, 0, LIT("/tw\0tok\0"));
	expect_event(w, "/tw", "tok");

	tx = tx_start(t);
	write_node(t, tx, "/tw/x", "1");
	expect_no_event(w);
	tx_end(t, tx, true, NULL);
	expect_event(w, "/tw/x", "tok");

	tx = tx_start(t);
	write_node(t, tx, "/tw/y", "1");
	tx_end(t, tx, false, NULL);
	expect_no_event(w);

	/* A failed commit fires nothing either. */
	tx = tx_start(t);
	expect_value(t, tx, "/tw/x", "1");
	write_node(t, 0, "/tw/x", "2");
	expect_event(w, "/tw/x", "tok");
	write_node(t, tx, "/tw/z", "1");
	tx_end(t, tx, true, "EAGAIN");
	expect_no_event(w);

	/*
	 * A removal inside a transaction: the events come at commit, also
	 * for a watch on an (existing) node below the removed one.
	 */
	write_node(t, 0, "/tw/x/deep", "1");
	expect_event(w, "/tw/x/deep", "tok");
	expect_ok(w, XS_WATCH, 0, LIT("/tw/x/deep\0deep\0"));
	expect_event(w, "/tw/x/deep", "deep");
	tx = tx_start(t);
	one_arg(t, XS_RM, tx, "/tw/x", NULL);
	expect_no_event(w);
	tx_end(t, tx, true, NULL);
	{
		struct msg ev;
		bool tok = false, deep = false;
		int i;

		for (i = 0; i < 2; i++) {
			if (!next_event(w, &ev, REPLY_TIMEOUT_MS))
				fail("RM in a transaction: %d of 2 events", i);
			if (memcmp(ev.body, "/tw/x\0tok\0", 10) == 0 &&
			    ev.hdr.len == 10 && !tok)
				tok = true;
			else if (memcmp(ev.body, "/tw/x/deep\0deep\0", 16) == 0
			    && ev.hdr.len == 16 && !deep)
				deep = true;
			else
				fail("RM in a transaction: event [%s]",
				    show(ev.body, ev.hdr.len));
		}
	}
	expect_no_event(w);

	one_arg(t, XS_RM, 0, "/tw", NULL);
	expect_event(w, "/tw", "tok");
	conn_close(w);
	conn_close(t);
}

/*
 * Like Xen's, the domain quotas do not bind dom0: the toolstack creates
 * nodes for every guest.  Each loop goes past a default of DESIGN.md.
 */
static void
case_dom0_unlimited(void)
{
	char path[64], tok[16], perms[256];
	struct conn *c = conn_open();
	uint32_t tx[12], t;
	size_t n = 0;
	int i;

	for (i = 0; i < 1100; i++) {
		snprintf(path, sizeof(path), "/many/n%d", i);
		write_node(c, 0, path, "x");
	}
	t = tx_start(c);
	for (i = 0; i < 1100; i++) {
		snprintf(path, sizeof(path), "/many/t%d", i);
		write_node(c, t, path, "x");
	}
	tx_end(c, t, true, NULL);
	for (i = 0; i < 12; i++)
		tx[i] = tx_start(c);
	for (i = 0; i < 12; i++)
		tx_end(c, tx[i], false, NULL);
	for (i = 0; i < 130; i++) {
		snprintf(path, sizeof(path), "/many/n%d", i);
		snprintf(tok, sizeof(tok), "t%d", i);
		n = pack(perms, sizeof(perms), path, tok, NULL);
		expect_ok(c, XS_WATCH, 0, perms, n);
		expect_event(c, path, tok);
	}
	n = pack(perms, sizeof(perms), "/many/n0", "n0", "r1", "r2", "r3",
	    "r4", "r5", "r6", "r7", NULL);
	expect_ok(c, XS_SET_PERMS, 0, perms, n);
	expect_reply(c, XS_GET_PERMS, 0, LIT("/many/n0\0"),
	    perms + sizeof("/many/n0"), n - sizeof("/many/n0"));
	expect_ok(c, XS_RESET_WATCHES, 0, LIT("\0"));
	one_arg(c, XS_RM, 0, "/many", NULL);
	conn_close(c);
}

/* --- cases: optional and domain operations ------------------------------- */

static bool
is_decimal(const struct msg *r)
{
	size_t l = strnlen(r->body, r->hdr.len);

	return l > 0 && l + 1 == r->hdr.len &&
	    strspn(r->body, "0123456789") == l;
}

static void
case_quota_feature(void)
{
	char saved[32], buf[64];
	struct conn *c = conn_open();
	struct msg r;
	size_t n;

	request(c, OP_GET_QUOTA, 0, "", 0, &r);
	if (r.hdr.type != OP_GET_QUOTA || r.hdr.len == 0 ||
	    r.body[r.hdr.len - 1] != '\0' ||
	    strlen(r.body) + 1 != r.hdr.len)
		fail("GET_QUOTA list: %s [%s]", type_name(r.hdr.type),
		    show(r.body, r.hdr.len));
	{
		static const char *const names[] = { "nodes", "watches",
		    "transactions", "node-size", "permissions", NULL };
		char list[XENSTORE_PAYLOAD_MAX + 3], word[64];
		size_t i;

		snprintf(list, sizeof(list), " %s ", r.body);
		for (i = 0; names[i] != NULL; i++) {
			snprintf(word, sizeof(word), " %s ", names[i]);
			if (strstr(list, word) == NULL)
				fail("GET_QUOTA list [%s] lacks %s", r.body,
				    names[i]);
		}
	}

	request(c, OP_GET_QUOTA, 0, LIT("nodes\0"), &r);
	if (r.hdr.type != OP_GET_QUOTA || !is_decimal(&r))
		fail("GET_QUOTA nodes: %s [%s]", type_name(r.hdr.type),
		    show(r.body, r.hdr.len));
	if (r.hdr.len > sizeof(saved))
		fail("GET_QUOTA nodes: absurd value [%s]", r.body);
	memcpy(saved, r.body, r.hdr.len);
	expect_ok(c, OP_SET_QUOTA, 0, LIT("nodes\0" "1500\0"));
	expect_reply(c, OP_GET_QUOTA, 0, LIT("nodes\0"), LIT("1500\0"));
	n = pack(buf, sizeof(buf), "nodes", saved, NULL);
	expect_ok(c, OP_SET_QUOTA, 0, buf, n);
	expect_reply(c, OP_GET_QUOTA, 0, LIT("nodes\0"), saved,
	    strlen(saved) + 1);
	expect_error(c, OP_SET_QUOTA, 0, LIT("nodes\0lots\0"), ANY_ERROR);
	expect_error(c, OP_GET_QUOTA, 0, LIT("no-such-quota\0"), ANY_ERROR);
	expect_error(c, OP_SET_QUOTA, 0, LIT("no-such-quota\0" "5\0"),
	    ANY_ERROR);
	expect_reply(c, OP_GET_QUOTA, 0, LIT("nodes\0"), saved,
	    strlen(saved) + 1);

	/* One domain's quota: its own value, the others keep the global. */
	expect_ok(c, OP_SET_QUOTA, 0, LIT("1\0nodes\0" "5\0"));
	expect_reply(c, OP_GET_QUOTA, 0, LIT("1\0nodes\0"), LIT("5\0"));
	expect_reply(c, OP_GET_QUOTA, 0, LIT("2\0nodes\0"), saved,
	    strlen(saved) + 1);
	expect_error(c, OP_GET_QUOTA, 0, LIT("x\0nodes\0"), "EINVAL");
	expect_error(c, OP_GET_QUOTA, 0, LIT("32752\0nodes\0"), "EINVAL");
	expect_error(c, OP_SET_QUOTA, 0, LIT("1\0bogus\0" "5\0"), "EINVAL");

	/* Features: reconnection, error indicator, watch depth. */
	expect_reply(c, OP_GET_FEATURE, 0, "", 0, LIT("7\0"));
	expect_reply(c, OP_GET_FEATURE, 0, LIT("3\0"), LIT("7\0"));
	expect_ok(c, OP_SET_FEATURE, 0, LIT("3\0" "1\0"));
	expect_reply(c, OP_GET_FEATURE, 0, LIT("3\0"), LIT("1\0"));
	expect_error(c, OP_SET_FEATURE, 0, LIT("3\0" "8\0"), "EINVAL");
	expect_error(c, OP_SET_FEATURE, 0, LIT("3\0"), "EINVAL");
	conn_close(c);
}

static void
case_domain_ops(void)
{
	/* Without a hypervisor: what each one answers for domain 1. */
	static const struct {
		uint32_t type;
		const char *payload;
		size_t len;
		const char *error;	/* NULL: the reply below */
		const char *reply;
		size_t rlen;
	} ops[] = {
		{ XS_INTRODUCE, LIT("1\0" "4096\0" "5\0"), "ENOSYS", NULL, 0 },
		{ XS_INTRODUCE, LIT("1\0" "-4096\0" "5\0"), "ENOSYS", NULL,
		    0 },
		{ XS_INTRODUCE, LIT("0\0" "4096\0" "5\0"), "EINVAL", NULL, 0 },
		{ XS_INTRODUCE, LIT("1\0" "4096\0"), "EINVAL", NULL, 0 },
		{ XS_RELEASE, LIT("1\0"), "ENOENT", NULL, 0 },
		{ XS_RELEASE, LIT("0\0"), "EINVAL", NULL, 0 },
		{ XS_IS_DOMAIN_INTRODUCED, LIT("1\0"), NULL, LIT("F\0") },
		{ XS_RESUME, LIT("1\0"), "ENOENT", NULL, 0 },
		{ XS_SET_TARGET, LIT("1\0" "2\0"), "ENOENT", NULL, 0 },
		{ XS_SET_TARGET, LIT("1\0" "1\0"), "EINVAL", NULL, 0 },
		{ XS_SET_TARGET, LIT("1\0" "99999\0"), "EINVAL", NULL, 0 },
	};
	struct conn *c = conn_open();
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (ops[i].error != NULL)
			expect_error(c, ops[i].type, 0, ops[i].payload,
			    ops[i].len, ops[i].error);
		else
			expect_reply(c, ops[i].type, 0, ops[i].payload,
			    ops[i].len, ops[i].reply, ops[i].rlen);
		/* Junk arguments must not matter more than good ones. */
		expect_error(c, ops[i].type, 0, "", 0, ANY_ERROR);
		expect_error(c, ops[i].type, 0, LIT("junk\0\0\0"), ANY_ERROR);
		expect_value(c, 0, "/tool/xenstored", "");
	}
	conn_close(c);
}

static void
case_control(void)
{
	struct conn *c = conn_open();
	struct msg r;

	expect_reply(c, XS_CONTROL, 0, LIT("check\0"), LIT("OK\0"));
	request(c, XS_CONTROL, 0, LIT("help\0"), &r);
	if (r.hdr.type != XS_CONTROL || strstr(r.body, "check") == NULL ||
	    strstr(r.body, "quota") == NULL)
		fail("CONTROL help: %s [%s]", type_name(r.hdr.type),
		    show(r.body, r.hdr.len));
	expect_error(c, XS_CONTROL, 0, LIT("no-such-command\0"), ANY_ERROR);
	expect_error(c, XS_CONTROL, 0, "", 0, ANY_ERROR);
	expect_ok(c, XS_CONTROL, 0, LIT("print\0raw_client was here\0"));
	conn_close(c);
}

/* --- cases: framing under load ------------------------------------------- */

static void
case_byte_at_a_time(void)
{
	char frames[2 * sizeof(struct xsd_sockmsg) + 64];
	struct xsd_sockmsg h1 = { XS_WRITE, 77, 0, sizeof("/slow\0value") - 1 };
	struct xsd_sockmsg h2 = { XS_READ, 78, 0, sizeof("/slow") };
	struct conn *c = conn_open();
	size_t len = 0, i, cuts[] = { 5, 20, 30 };
	struct msg r;

	memcpy(frames, &h1, sizeof(h1));
	len += sizeof(h1);
	memcpy(frames + len, "/slow\0value", h1.len);
	len += h1.len;
	memcpy(frames + len, &h2, sizeof(h2));
	len += sizeof(h2);
	memcpy(frames + len, "/slow", h2.len);
	len += h2.len;

	/* One byte per write, with pauses the daemon will see. */
	for (i = 0; i < len; i++) {
		if (!write_all(c->fd, frames + i, 1))
			fail("daemon hung up after %zu bytes sent singly", i);
		sleep_ms(1);
	}
	if (recv_msg(c->fd, &r, REPLY_TIMEOUT_MS) != 1 ||
	    r.hdr.type != XS_WRITE || r.hdr.req_id != 77)
		fail("no WRITE reply to a frame sent a byte at a time");
	if (recv_msg(c->fd, &r, REPLY_TIMEOUT_MS) != 1 ||
	    r.hdr.type != XS_READ || r.hdr.req_id != 78 ||
	    r.hdr.len != 5 || memcmp(r.body, "value", 5) != 0)
		fail("wrong READ reply to a frame sent a byte at a time");

	/* The same two frames cut at odd places, headers split. */
	h1.req_id = 79;
	h2.req_id = 80;
	memcpy(frames, &h1, sizeof(h1));
	memcpy(frames + sizeof(h1) + h1.len, &h2, sizeof(h2));
	for (i = 0; i <= 3; i++) {
		size_t from = i == 0 ? 0 : cuts[i - 1];
		size_t to = i == 3 ? len : cuts[i];

		if (!write_all(c->fd, frames + from, to - from))
			fail("daemon hung up on a split frame");
		sleep_ms(20);
	}
	if (recv_msg(c->fd, &r, REPLY_TIMEOUT_MS) != 1 || r.hdr.req_id != 79 ||
	    recv_msg(c->fd, &r, REPLY_TIMEOUT_MS) != 1 || r.hdr.req_id != 80 ||
	    r.hdr.len != 5)
		fail("wrong replies to frames split across writes");
	one_arg(c, XS_RM, 0, "/slow", NULL);
	conn_close(c);
}

static void
case_pipeline(void)
{
	enum { NREQ = 60 };
	static char buf[NREQ * (sizeof(struct xsd_sockmsg) + 64)];
	char payload[64], path[32], value[32];
	struct conn *c = conn_open();
	uint32_t tx = tx_start(c), req_id[NREQ], tx_id[NREQ];
	size_t len = 0, n;
	struct msg r;
	int i;

	/* Writes, reads of them, errors, transactional writes, bad tx_ids. */
	for (i = 0; i < NREQ; i++) {
		struct xsd_sockmsg h;

		req_id[i] = 0x10000 + (uint32_t)i * 7919;
		switch (i % 5) {
		case 0:
			snprintf(path, sizeof(path), "/pipe/%d", i);
			snprintf(value, sizeof(value), "v%d", i);
			n = pack_write(payload, sizeof(payload), path,
			    value, strlen(value));
			h.type = XS_WRITE;
			tx_id[i] = 0;
			break;
		case 1:
			n = (size_t)snprintf(payload, sizeof(payload),
			    "/pipe/%d", i - 1) + 1;
			h.type = XS_READ;
			tx_id[i] = 0;
			break;
		case 2:
			n = pack(payload, sizeof(payload), "/pipe/missing",
			    NULL);
			h.type = XS_READ;
			tx_id[i] = 0;
			break;
		case 3:
			snprintf(path, sizeof(path), "/pipe/t%d", i);
			n = pack_write(payload, sizeof(payload), path, "t", 1);
			h.type = XS_WRITE;
			tx_id[i] = tx;
			break;
		default:
			n = pack(payload, sizeof(payload), "/tool", NULL);
			h.type = XS_READ;
			tx_id[i] = BAD_TX_ID;
			break;
		}
		h.req_id = req_id[i];
		h.tx_id = tx_id[i];
		h.len = (uint32_t)n;
		memcpy(buf + len, &h, sizeof(h));
		memcpy(buf + len + sizeof(h), payload, n);
		len += sizeof(h) + n;
	}
	if (!write_all(c->fd, buf, len))
		fail("daemon hung up on %d pipelined requests", NREQ);

	for (i = 0; i < NREQ; i++) {
		if (recv_msg(c->fd, &r, REPLY_TIMEOUT_MS) != 1)
			fail("reply %d of %d pipelined requests missing", i,
			    NREQ);
		if (r.hdr.req_id != req_id[i] || r.hdr.tx_id != tx_id[i])
			fail("reply %d: req_id %" PRIu32 " tx_id %" PRIu32
			    ", expected %" PRIu32 " %" PRIu32 " (in order)",
			    i, r.hdr.req_id, r.hdr.tx_id, req_id[i],
			    tx_id[i]);
		switch (i % 5) {
		case 0:
		case 3:
			if (r.hdr.type != XS_WRITE)
				fail("reply %d: %s %s", i,
				    type_name(r.hdr.type), r.body);
			break;
		case 1:
			snprintf(value, sizeof(value), "v%d", i - 1);
			if (r.hdr.type != XS_READ ||
			    strcmp(r.body, value) != 0)
				fail("reply %d: %s [%s], expected %s", i,
				    type_name(r.hdr.type),
				    show(r.body, r.hdr.len), value);
			break;
		default:
			if (r.hdr.type != XS_ERROR ||
			    strcmp(r.body, "ENOENT") != 0)
				fail("reply %d: %s [%s], expected ENOENT", i,
				    type_name(r.hdr.type),
				    show(r.body, r.hdr.len));
		}
	}
	expect_missing(c, 0, "/pipe/t3");
	tx_end(c, tx, true, NULL);
	expect_value(c, 0, "/pipe/t3", "t");
	expect_value(c, 0, "/pipe/55", "v55");
	one_arg(c, XS_RM, 0, "/pipe", NULL);
	conn_close(c);
}

/* Requests sent, then the client vanishes before reading the replies. */
static void
case_client_gone(void)
{
	static char big[2001];
	char buf[XENSTORE_PAYLOAD_MAX];
	struct conn *c = conn_open();
	size_t n;
	int i;

	memset(big, 'g', sizeof(big) - 1);
	write_node(c, 0, "/gone", big);
	n = pack(buf, sizeof(buf), "/gone", NULL);
	for (i = 0; i < 100; i++)
		send_frame(c->fd, XS_READ, (uint32_t)i, 0, buf, n);
	send_frame(c->fd, XS_WATCH, 200, 0, LIT("/gone\0t\0"));
	conn_close(c);
	check_alive();
	one_arg(bystander, XS_RM, 0, "/gone", NULL);
}

/* Peak resident memory of the daemon in KiB, or 0 if it is not known. */
static long
daemon_hwm_kib(void)
{
	const char *pid = getenv("XENSTORED_PID");
	char path[64], line[256];
	long kib = 0;
	FILE *f;

	if (pid == NULL || *pid == '\0')
		return 0;
	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "r");
	if (f == NULL)
		fail("cannot read %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * A client that sends requests for 36 MB of replies and reads none.  The
 * daemon must bound what it queues for one client (by disconnecting it or
 * by not reading its requests) and keep serving everyone else.  If it
 * took every request and still has every reply for us, it queued them
 * all: unbounded.
 */
static void
case_unread_replies(void)
{
	enum { NREQ = 12000, VLEN = 3000 };
	static char frames[NREQ * (sizeof(struct xsd_sockmsg) + 8)];
	struct pollfd pfd;
	struct conn *c = conn_open(), *hog = conn_open();
	char *val = malloc(VLEN + 1);
	size_t len = 0, sent = 0, got = 0;
	long before, after;
	uint64_t deadline;
	int i, replies;

	if (val == NULL)
		fail("out of memory");
	memset(val, 'u', VLEN);
	val[VLEN] = '\0';
	write_node(c, 0, "/unread", val);
	free(val);
	for (i = 0; i < NREQ; i++) {
		struct xsd_sockmsg h = { XS_READ, (uint32_t)i, 0, 8 };

		memcpy(frames + len, &h, sizeof(h));
		memcpy(frames + len + sizeof(h), "/unread", 8);
		len += sizeof(h) + 8;
	}
	before = daemon_hwm_kib();

	/* Send without blocking for good: the daemon may stop reading. */
	pfd.fd = hog->fd;
	pfd.events = POLLOUT;
	deadline = now_ms() + 3000;
	while (sent < len && now_ms() < deadline) {
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = send(hog->fd, frames + sent, len - sent, MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == -1)
			break;		/* Disconnected: bounded. */
		sent += (size_t)n;
	}
	sleep_ms(300);
	check_alive();
	after = daemon_hwm_kib();

	/*
	 * Now read what is there until the daemon hangs up or goes quiet.
	 * A daemon that gives up on the client may cut a reply short, so
	 * count bytes, not frames.
	 */
	pfd.events = POLLIN;
	for (;;) {
		static char sink[65536];
		ssize_t n;

		if (poll(&pfd, 1, 1000) <= 0)
			break;
		n = read(hog->fd, sink, sizeof(sink));
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	replies = (int)(got / (sizeof(struct xsd_sockmsg) + VLEN));
	printf("# took %zu of %zu bytes of requests, %d replies waiting;"
	    " daemon peak RSS %ld -> %ld KiB\n", sent, len, replies, before,
	    after);
	if (sent == len && replies == NREQ)
		fail("all %d replies (%d MB) were queued for a client that"
		    " read nothing", NREQ, NREQ * VLEN / 1000000);
	conn_close(hog);
	one_arg(c, XS_RM, 0, "/unread", NULL);
	conn_close(c);
}

static void
case_many_connections(void)
{
	enum { NCONN = 200 };
	static int fds[NCONN];
	struct msg r;
	int i;

	for (i = 0; i < NCONN; i++) {
		fds[i] = connect_fd();
		send_frame(fds[i], XS_READ, (uint32_t)i, 0,
		    LIT("/tool/xenstored\0"));
	}
	for (i = NCONN - 1; i >= 0; i--) {
		if (recv_msg(fds[i], &r, REPLY_TIMEOUT_MS) != 1 ||
		    r.hdr.type != XS_READ || r.hdr.req_id != (uint32_t)i)
			fail("connection %d of %d got no proper reply", i,
			    NCONN);
	}
	for (i = 0; i < NCONN; i++)
		close(fds[i]);
}

static const struct test_case cases[] = {
	{ "basic-ops", case_basic_ops,
	    "READ WRITE MKDIR RM DIRECTORY GET_PERMS GET_DOMAIN_PATH" },
	{ "arity", case_arity,
	    "too few or too many arguments get EINVAL" },
	{ "payload-4096", case_payload_4096,
	    "a payload of exactly 4096 bytes is served" },
	{ "payload-4097", case_payload_4097,
	    "a 4097-byte payload disconnects that client only" },
	{ "huge-len-header", case_huge_len_header_only,
	    "a header claiming a huge payload disconnects at once" },
	{ "truncated-header", case_truncated_header,
	    "client closes inside a header" },
	{ "truncated-payload", case_truncated_payload,
	    "client closes or pauses inside a payload" },
	{ "unknown-type", case_unknown_type,
	    "unknown message types get ENOSYS" },
	{ "unknown-tx-id", case_unknown_tx_id,
	    "requests in a transaction that does not exist get ENOENT" },
	{ "bad-paths", case_bad_paths,
	    "invalid paths get EINVAL from every path operation" },
	{ "bad-perms", case_bad_perms,
	    "invalid permission strings get EINVAL and change nothing" },
	{ "watch-basic", case_watch_basic,
	    "WATCH UNWATCH, initial event, EEXIST, ENOENT" },
	{ "watch-depth", case_watch_depth,
	    "WATCH with a depth argument" },
	{ "watch-paths", case_watch_paths,
	    "relative, removed-ancestor and special watch paths" },
	{ "reset-watches", case_reset_watches,
	    "RESET_WATCHES drops watches and transactions" },
	{ "watcher-not-reading", case_watcher_not_reading,
	    "a watcher that never reads cannot stall the daemon" },
	{ "long-token", case_long_token,
	    "a watch event too big for one frame is never sent as one" },
	{ "directory-part", case_directory_part,
	    "E2BIG from DIRECTORY and paging with DIRECTORY_PART" },
	{ "deep-tree", case_deep_tree,
	    "a tree 1500 levels deep" },
	{ "tx-basic", case_tx_basic,
	    "transaction view, commit, abort, EBUSY when nested" },
	{ "tx-conflicts", case_tx_conflicts,
	    "EAGAIN for real conflicts only" },
	{ "tx-watch-at-commit", case_tx_watch_at_commit,
	    "watch events of a transaction fire at commit, not before" },
	{ "dom0-unlimited", case_dom0_unlimited,
	    "domain quotas do not limit dom0" },
	{ "quota-feature", case_quota_feature,
	    "GET_QUOTA SET_QUOTA GET_FEATURE (global)" },
	{ "domain-ops", case_domain_ops,
	    "domain operations without a hypervisor" },
	{ "control", case_control, "CONTROL check help print" },
	{ "byte-at-a-time", case_byte_at_a_time,
	    "frames written a byte at a time or split anywhere" },
	{ "pipeline", case_pipeline,
	    "pipelined requests: replies in order, req_id and tx_id echoed" },
	{ "client-gone", case_client_gone,
	    "client closes with replies and events still to be sent" },
	{ "unread-replies", case_unread_replies,
	    "a client that never reads its replies gets a bounded queue" },
	{ "many-connections", case_many_connections,
	    "200 connections with a request outstanding on each" },
};

static void
run_case(const struct test_case *tc)
{
	current_case = tc->name;
	tc->run();
	check_alive();
	printf("ok - %s: %s\n", tc->name, tc->what);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	size_t i;
	int a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A daemon closing on us is a result, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned int)getpid());
	sock_path = getenv("XENSTORED_PATH");
	if (sock_path == NULL)
		sock_path = "/run/xenstored/socket";

	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			printf("%-20s %s\n", cases[i].name, cases[i].what);
		return 0;
	}

	bystander = conn_open();
	if (argc == 1) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			run_case(&cases[i]);
	}
	for (a = 1; a < argc; a++) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			if (strcmp(argv[a], cases[i].name) == 0)
				break;
		if (i == sizeof(cases) / sizeof(cases[0])) {
			fprintf(stderr, "raw_client: no case %s (try -l)\n",
			    argv[a]);
			return 2;
		}
		run_case(&cases[i]);
	}
	conn_close(bystander);
	return 0;
}
