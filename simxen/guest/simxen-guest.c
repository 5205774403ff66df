/*
 * simxen-guest: a simulated guest on the simulated Xen.  Optionally
 * creates its domain and does the toolstack's part (INTRODUCE and the
 * xl-style nodes, through libxenstore as dom0), then runs a script of
 * xenstore requests over the ring, one result line per command, so the
 * transcripts of two daemons can be compared with diff.
 *
 * usage: simxen-guest [--create] [--domid N] [--introduce] [--setup]
 *            [--timeout MS] [--dom0] [-c SCRIPT]  (else the script is stdin)
 * --dom0 runs the script over $XENSTORED_PATH as dom0 instead.
 * With none of --create, --domid and --dom0 the script opens its own
 * connections (below) and names one at the start of each line.
 *
 * Script lines (results print as "LINE -> RESULT"; errors are results):
 *   read|write|mkdir|rm|dir|getperms|setperms|watch|unwatch|... ARGS
 *	one request (in the current transaction, if any; watch/unwatch
 *	never); "notx CMD" runs CMD outside it
 *   txstart, txend commit|abort	start/end the current transaction
 *   event [MS], events-drain [MS]	one watch event / all, sorted
 *   events-count [MS]		take every event, print how many
 *   raw HEX..., set-req-prod N, set-rsp-cons N, oversize [LEN],
 *   flood [MS], reset, features, error, sleep MS, # comment
 *   conn NAME dom0		a socket connection, privileged
 *   conn NAME guest DOMID [bare]	create DOMID on the simulated Xen,
 *	write xl's nodes and INTRODUCE it (not with "bare"), open its ring
 *   conn NAME ring DOMID	the ring of an existing domain
 *   NAME: LINE			LINE on connection NAME
 *   xen-shutdown DOMID [REASON], xen-resume DOMID, xen-destroy DOMID
 *				the hypervisor's part of a lifecycle
 *   repeat N [-e] [-u WORD] CMD	CMD N times, "%d" in it the round
 *	(0..N-1); prints each distinct result with its count ("OK*998,
 *	ERR ENOSPC*2"); -e stops at the first watch event queued, -u after
 *	the first result containing WORD (up to 4 of them)
 *   txretry MAX CMD; CMD...	the CMDs in a new transaction, committed,
 *	retried on EAGAIN up to MAX times: "OK tries=K" or "ERR ... tries=K"
 *   txsel K			the K-th transaction started on this
 *	connection becomes the current one (several open at once)
 *   burst N CMD		N requests (with "%d") put on the ring in one
 *	write, at most a ring's worth, then their replies, counted
 *   flood MS CMD		CMD (with "%d") sent until the ring stays full
 *	for MS, no reply ever read; prints the number sent
 *   set-req-cons N, set-rsp-prod N	scribble on the server's indexes
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include "guest.h"
#include "simxen.h"

static int timeout_ms = 5000;

static const struct {
	const char	*name;
	uint32_t	 type;
} ops[] = {
	{ "read", XS_READ }, { "write", XS_WRITE }, { "mkdir", XS_MKDIR },
	{ "rm", XS_RM }, { "dir", XS_DIRECTORY }, { "getperms", XS_GET_PERMS },
	{ "setperms", XS_SET_PERMS }, { "watch", XS_WATCH },
	{ "unwatch", XS_UNWATCH }, { "getdomainpath", XS_GET_DOMAIN_PATH },
	{ "isintroduced", XS_IS_DOMAIN_INTRODUCED },
	{ "introduce", XS_INTRODUCE }, { "release", XS_RELEASE },
	{ "resume", XS_RESUME }, { "settarget", XS_SET_TARGET },
	{ "control", XS_CONTROL }, { "reset-watches", XS_RESET_WATCHES },
	/* Numbers of Xen 4.19's xs_wire.h; 4.17's header lacks them. */
	{ "getfeature", 23 }, { "setfeature", 24 }, { "getquota", 25 },
	{ "setquota", 26 },
};

static void __attribute__((noreturn))
usage(void)
{
	fputs("usage: simxen-guest [--create] [--domid N] [--introduce] "
	    "[--setup] [--timeout MS] [--dom0] [-c SCRIPT]\n", stderr);
	exit(2);
}

static void
print_value(const char *s, size_t len)
{
	size_t i;

	putchar('"');
	for (i = 0; i < len; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
			putchar(s[i]);
		else
			printf("\\x%02x", (unsigned char)s[i]);
	}
	putchar('"');
}

/* Print a reply: OK, ERR name, a list of strings, or a value. */
static void
print_reply(uint32_t type, const struct sg_reply *r)
{
	size_t off;

	if (r->hdr.type == XS_ERROR) {
		printf("ERR %s\n", r->body);
		return;
	}
	if (r->hdr.type != type) {
		printf("BAD reply type %u\n", r->hdr.type);
		return;
	}
	if (r->hdr.len == 3 && memcmp(r->body, "OK", 3) == 0) {
		puts("OK");
		return;
	}
	if (type == XS_DIRECTORY || type == XS_GET_PERMS) {
		putchar('[');
		for (off = 0; off < r->hdr.len; off += strlen(r->body + off) + 1)
			printf("%s%s", off ? " " : "", r->body + off);
		puts("]");
		return;
	}
	/* Strings replies carry their nul; READ's value does not. */
	print_value(r->body, r->hdr.len > 0 && r->body[r->hdr.len - 1] == '\0' &&
	    type != XS_READ ? r->hdr.len - 1 : r->hdr.len);
	putchar('\n');
}

static size_t
unhex(const char *s, char *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (n < max && sscanf(s, "%2x", &b) == 1) {
		out[n++] = b;
		s += 2;
		while (*s == ' ')
			s++;
	}
	return n;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * events-drain [MS]: take every event until none comes for ms; print
 * them sorted ("path token", "; " between), since one change reaches
 * several watches in no specified order.  Returns 0 or a transport
 * errno.
 */
static int
drain_events(struct sg_guest *g, int ms)
{
	char *list[256], *buf;
	const char *path, *token;
	size_t n = 0, i;
	int err = 0;

	while (n < sizeof(list) / sizeof(list[0]) &&
	    (err = sg_event(g, &buf, &path, &token, ms)) == 0) {
		if (asprintf(&list[n], "%s %s", path, token) < 0) {
			free(buf);
			err = ENOMEM;
			break;
		}
		n++;
		free(buf);
	}
	if (err == ETIMEDOUT || err == 0) {
		qsort(list, n, sizeof(list[0]), cmp_str);
		if (n == 0)
			fputs("NONE", stdout);
		for (i = 0; i < n; i++)
			printf("%s%s", i ? "; " : "", list[i]);
		putchar('\n');
		err = 0;
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	return err;
}

/*
 * events-count [MS]: take every event until none comes for ms and print
 * their number (a flood is too many to print).  Returns 0 or a
 * transport errno.
 */
static int
count_events(struct sg_guest *g, int ms)
{
	const char *path, *token;
	unsigned long n = 0;
	char *buf;
	int err;

	while ((err = sg_event(g, &buf, &path, &token, ms)) == 0) {
		free(buf);
		n++;
	}
	if (err != ETIMEDOUT)
		return err;
	printf("%lu\n", n);
	return 0;
}

/* A script's named connections, each with its current transaction. */
struct conn {
	char		 name[32];
	struct sg_guest	*g;
	uint32_t	 tx;
};
#define CONNS_MAX	32
static struct conn conns[CONNS_MAX];
static unsigned int nconns;
static struct simxen *sx;

static int toolstack(uint32_t domid, int introduce, int setup);
static int hostile_line(struct sg_guest *, char *, char *, uint32_t *, bool,
    bool *);
static void tx_remember(const uint32_t *, uint32_t);
static size_t build_payload(uint32_t, char *, char *, size_t);

/* Open the simulated Xen once, on first need; NULL if it fails. */
static struct simxen *
sim(void)
{
	int err;

	if (sx == NULL && (err = simxen_open(&sx)) != 0)
		fprintf(stderr, "simxen-guest: %s\n", strerror(err));
	return sx;
}

static struct conn *
conn_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < nconns; i++)
		if (strcmp(conns[i].name, name) == 0)
			return &conns[i];
	return NULL;
}

/* "conn NAME dom0", "conn NAME guest DOMID [bare]" or "conn NAME ring
 * DOMID"; prints a result. */
static void
conn_open(char *args)
{
	char name[32], kind[16], bare[16] = "";
	unsigned long domid = 0;
	struct simxen_dominfo info;
	struct conn *c;
	const char *p;
	int n, err;

	n = sscanf(args, "%31s %15s %lu %15s", name, kind, &domid, bare);
	if (n < 2 || conn_find(name) != NULL || nconns == CONNS_MAX ||
	    (strcmp(kind, "dom0") != 0 && ((strcmp(kind, "guest") != 0 &&
	    strcmp(kind, "ring") != 0) ||
	    n < 3 || domid == 0 || domid >= SIMXEN_DOMID_ANY))) {
		puts("BAD conn");
		return;
	}
	c = &conns[nconns];
	if (kind[0] == 'd') {
		p = getenv("XENSTORED_PATH");
		err = sg_open_socket(p != NULL ? p : "/run/xenstored/socket",
		    &c->g);
	} else if (sim() == NULL) {
		err = ENOENT;
	} else if (kind[0] == 'r') {
		err = sg_open(sx, domid, &c->g);
	} else if ((err = simxen_domain_create(sx, domid, &info)) == 0 &&
	    (strcmp(bare, "bare") == 0 ||
	    (err = toolstack(domid, 1, 1) ? EIO : 0) == 0)) {
		err = sg_open(sx, domid, &c->g);
	}
	if (err != 0) {
		printf("ERR %s\n", strerror(err));
		return;
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->tx = 0;
	nconns++;
	puts("OK");
}

/* xen-shutdown|xen-resume|xen-destroy DOMID [REASON]; prints a result. */
static void
xen_op(const char *cmd, const char *args)
{
	unsigned long domid = 0, reason = 0;
	int err;

	if (sscanf(args, "%lu %lu", &domid, &reason) < 1 || sim() == NULL) {
		puts("BAD xen op");
		return;
	}
	if (strcmp(cmd, "xen-shutdown") == 0)
		err = simxen_domain_shutdown(sx, domid, reason);
	else if (strcmp(cmd, "xen-resume") == 0)
		err = simxen_domain_resume(sx, domid);
	else
		err = simxen_domain_destroy(sx, domid);
	puts(err == 0 ? "OK" : strerror(err));
}

/* Run one script line; returns 0, or an errno that ends the script. */
static int
run_line(struct sg_guest *g, char *line, uint32_t *tx)
{
	char payload[XENSTORE_PAYLOAD_MAX], *cmd, *rest, *buf;
	const char *path, *token;
	struct sg_reply r;
	size_t len = 0, i, n;
	uint32_t type = 0;
	unsigned long v;
	bool outside = false, done = false;
	int err, ms;

	/* "notx CMD": CMD outside the current transaction. */
	if (strncmp(line, "notx ", 5) == 0) {
		line += 5;
		outside = true;
	}
	cmd = line;
	rest = strchr(line, ' ');
	if (rest != NULL)
		*rest++ = '\0';
	else
		rest = "";
	if (strcmp(cmd, "event") == 0) {
		ms = *rest ? atoi(rest) : timeout_ms;
		err = sg_event(g, &buf, &path, &token, ms);
		if (err == ETIMEDOUT) {
			puts("TIMEOUT");
			return 0;
		}
		if (err != 0)
			return err;
		printf("%s %s\n", path, token);
		free(buf);
		return 0;
	}
	if (strcmp(cmd, "events-drain") == 0)
		return drain_events(g, *rest ? atoi(rest) : 200);
	if (strcmp(cmd, "events-count") == 0)
		return count_events(g, *rest ? atoi(rest) : 200);
	if (strcmp(cmd, "txstart") == 0 || strcmp(cmd, "txend") == 0) {
		if (cmd[2] == 's') {
			err = sg_request(g, XS_TRANSACTION_START, 0, "", 1, &r,
			    timeout_ms);
		} else {
			err = sg_request(g, XS_TRANSACTION_END, *tx,
			    strcmp(rest, "abort") == 0 ? "F" : "T", 2, &r,
			    timeout_ms);
		}
		if (err != 0)
			return err;
		if (r.hdr.type == XS_TRANSACTION_START) {
			*tx = strtoul(r.body, NULL, 10);
			tx_remember(tx, *tx);
			puts("OK");	/* ids differ between daemons */
		} else {
			/* The id is void after any answer (xenstore.txt). */
			*tx = 0;
			print_reply(r.hdr.type, &r);
		}
		free(r.body);
		return 0;
	}
	if (!sg_on_ring(g) && (strcmp(cmd, "features") == 0 ||
	    strcmp(cmd, "error") == 0 || strcmp(cmd, "reset") == 0 ||
	    strcmp(cmd, "raw") == 0 || strncmp(cmd, "set-", 4) == 0 ||
	    strcmp(cmd, "oversize") == 0 || strcmp(cmd, "flood") == 0 ||
	    strcmp(cmd, "burst") == 0)) {
		puts("BAD ring only");
		return 0;
	}
	if (strcmp(cmd, "features") == 0 || strcmp(cmd, "error") == 0) {
		printf("%u\n", cmd[0] == 'f' ? sg_features(g) : sg_error(g));
		return 0;
	}
	if (strcmp(cmd, "reset") == 0) {
		err = sg_reconnect(g, timeout_ms);
		puts(err == 0 ? "OK" : strerror(err));
		*tx = 0;
		return 0;
	}
	if (strcmp(cmd, "raw") == 0) {
		n = unhex(rest, payload, sizeof(payload));
		printf("%zu\n", sg_raw_write(g, payload, n));
		return 0;
	}
	if (strncmp(cmd, "set-", 4) == 0) {
		v = strtoul(rest, NULL, 0);
		if (strcmp(cmd + 4, "req-prod") == 0)
			sg_set_req_prod(g, v);
		else if (strcmp(cmd + 4, "rsp-cons") == 0)
			sg_set_rsp_cons(g, v);
		else if (strcmp(cmd + 4, "req-cons") == 0)
			sg_set_req_cons(g, v);
		else if (strcmp(cmd + 4, "rsp-prod") == 0)
			sg_set_rsp_prod(g, v);
		else {
			puts("BAD command");
			return 0;
		}
		puts("OK");
		return 0;
	}
	if (strcmp(cmd, "oversize") == 0) {
		/* A header announcing more than a payload may hold. */
		struct xsd_sockmsg h = { XS_WRITE, 99, 0,
		    *rest ? strtoul(rest, NULL, 0) : 5000 };

		printf("%zu\n", sg_raw_write(g, &h, sizeof(h)));
		return 0;
	}
	if (strcmp(cmd, "flood") == 0 && strchr(rest, ' ') == NULL) {
		printf("%u\n", sg_flood(g, *rest ? atoi(rest) : 500));
		return 0;
	}
	if ((err = hostile_line(g, cmd, rest, tx, outside, &done)) != 0 ||
	    done)
		return err;
	if (strcmp(cmd, "sleep") == 0) {
		usleep(atoi(rest) * 1000);
		puts("OK");
		return 0;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(cmd, ops[i].name) == 0)
			break;
	if (i == sizeof(ops) / sizeof(ops[0])) {
		puts("BAD command");
		return 0;
	}
	type = ops[i].type;
	len = build_payload(type, rest, payload, sizeof(payload));
	err = sg_request(g, type, type == XS_WATCH || type == XS_UNWATCH ||
	    outside ? 0 : *tx, payload, len, &r, timeout_ms);
	if (err == ETIMEDOUT) {
		puts("TIMEOUT");
		return 0;
	}
	if (err != 0)
		return err;
	print_reply(type, &r);
	free(r.body);
	return 0;
}

/*
 * Loops and hostile moves for the XSA regression suite (tests/xsa/):
 * repeat, txretry, txsel, burst, flood with a request of one's choice.
 */

/* A request's payload from its script words (WRITE's value: the rest,
 * raw, no nul).  Returns its length. */
static size_t
build_payload(uint32_t type, char *rest, char *payload, size_t size)
{
	size_t len = 0, n;

	while (*rest != '\0') {
		n = type == XS_WRITE && len > 0 ? strlen(rest) :
		    strcspn(rest, " ");
		if (len + n + 1 > size)
			break;
		memcpy(payload + len, rest, n);
		len += n;
		rest += n;
		if (type == XS_WRITE && len > n)
			break;		/* the value: no nul after it */
		payload[len++] = '\0';
		while (*rest == ' ')
			rest++;
	}
	return len;
}

/* "CMD ARGS" (CMD one of ops[]) into a request; false if unknown. */
static bool
parse_request(char *line, uint32_t *type, char *payload, size_t *len)
{
	char *rest = line + strcspn(line, " ");
	size_t i, n = rest - line;

	if (*rest == ' ')
		rest++;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strlen(ops[i].name) == n &&
		    strncmp(line, ops[i].name, n) == 0)
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return false;
	*type = ops[i].type;
	*len = build_payload(*type, rest, payload, XENSTORE_PAYLOAD_MAX);
	return true;
}

/* tmpl with each "%d" replaced by i, into buf. */
static void
subst(const char *tmpl, unsigned long i, char *buf, size_t size)
{
	size_t len = 0;
	int n;

	while (*tmpl != '\0' && len + 1 < size) {
		if (tmpl[0] == '%' && tmpl[1] == 'd') {
			n = snprintf(buf + len, size - len, "%lu", i);
			if (n < 0 || (size_t)n >= size - len)
				break;
			len += n;
			tmpl += 2;
		} else
			buf[len++] = *tmpl++;
	}
	buf[len] = '\0';
}

/*
 * Run line as run_line() does, its result (without newline) into *res
 * (malloc'd, the caller frees it).  The result lines go to stdout, so it
 * is swapped for a memory stream meanwhile (glibc lets one assign
 * stdout).  Returns what run_line() returns, or ENOMEM.
 */
static int
run_captured(struct sg_guest *g, char *line, uint32_t *tx, char **res)
{
	FILE *saved = stdout, *mem;
	size_t size;
	int err;

	fflush(stdout);
	*res = NULL;
	if ((mem = open_memstream(res, &size)) == NULL)
		return ENOMEM;
	stdout = mem;
	err = run_line(g, line, tx);
	stdout = saved;
	fclose(mem);
	(*res)[strcspn(*res, "\n")] = '\0';
	return err;
}

/* Distinct results of a loop, in order of first appearance, counted. */
#define TALLY_MAX	16
struct tally {
	char		*res[TALLY_MAX];
	unsigned long	 n[TALLY_MAX];
	unsigned int	 k;
	unsigned long	 other;
};

/* Count res (taken over). */
static void
tally_add(struct tally *t, char *res)
{
	unsigned int i;

	for (i = 0; i < t->k; i++)
		if (strcmp(t->res[i], res) == 0) {
			t->n[i]++;
			free(res);
			return;
		}
	if (t->k == TALLY_MAX) {
		t->other++;
		free(res);
		return;
	}
	t->res[t->k] = res;
	t->n[t->k++] = 1;
}

/* Print "R*N, R*N" (", " and no newline if more is to come), free. */
static void
tally_print(struct tally *t, bool more)
{
	unsigned int i;

	for (i = 0; i < t->k; i++) {
		printf("%s%s*%lu", i ? ", " : "", t->res[i], t->n[i]);
		free(t->res[i]);
	}
	if (t->other > 0)
		printf("%sother*%lu", t->k ? ", " : "", t->other);
	if (more && (t->k > 0 || t->other > 0))
		fputs(", ", stdout);
	else if (!more)
		putchar('\n');
	t->k = 0;
	t->other = 0;
}

/* repeat N [-e] [-u WORD] CMD ("notx repeat": CMD outside the
 * current transaction) */
static int
repeat(struct sg_guest *g, char *rest, uint32_t *tx, bool outside)
{
	struct tally t = { .k = 0 };
	bool until_event = false, stop = false;
	char line[8192], words[4][256], *res;
	unsigned long n, i;
	unsigned int nw = 0, w;
	int err = 0, len;

	n = strtoul(rest, &rest, 10);
	for (;;) {
		while (*rest == ' ')
			rest++;
		if (strncmp(rest, "-e ", 3) == 0) {
			until_event = true;
			rest += 3;
		} else if (strncmp(rest, "-u ", 3) == 0 && nw < 4 &&
		    sscanf(rest + 3, "%255s%n", words[nw], &len) == 1) {
			rest += 3 + len;
			nw++;
		}
		else
			break;
	}
	if (*rest == '\0' || strncmp(rest, "repeat ", 7) == 0) {
		puts("BAD repeat");
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (until_event && sg_events_queued(g) > 0)
			break;
		len = snprintf(line, sizeof(line), "%s", outside ? "notx " : "");
		subst(rest, i, line + len, sizeof(line) - len);
		err = run_captured(g, line, tx, &res);
		if (res != NULL) {
			for (w = 0; w < nw; w++)
				stop |= strstr(res, words[w]) != NULL;
			tally_add(&t, res);
		}
		if (err != 0 || stop)
			break;
	}
	tally_print(&t, err != 0);
	return err;
}

/* Transactions started on each connection, in order, for txsel. */
#define TXS_MAX		64
static struct {
	const uint32_t	*tx;		/* the connection's current one */
	uint32_t	 ids[TXS_MAX];
	unsigned int	 n;
} started[CONNS_MAX];

static void
tx_remember(const uint32_t *tx, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < CONNS_MAX; i++)
		if (started[i].tx == tx || started[i].tx == NULL)
			break;
	if (i == CONNS_MAX)
		return;
	started[i].tx = tx;
	if (started[i].n < TXS_MAX)
		started[i].ids[started[i].n++] = id;
}

/* txsel K */
static void
txsel(char *rest, uint32_t *tx)
{
	unsigned long k = strtoul(rest, NULL, 10);
	unsigned int i;

	for (i = 0; i < CONNS_MAX; i++)
		if (started[i].tx == tx)
			break;
	if (i == CONNS_MAX || k == 0 || k > started[i].n) {
		puts("BAD txsel");
		return;
	}
	*tx = started[i].ids[k - 1];
	puts("OK");
}

/* txretry MAX CMD; CMD... */
static int
txretry(struct sg_guest *g, char *rest, uint32_t *tx)
{
	char line[8192], *p, *next, *res;
	unsigned long max, tries;
	struct sg_reply r;
	int err;

	max = strtoul(rest, &rest, 10);
	if (*tx != 0 || max == 0) {
		puts("BAD txretry");
		return 0;
	}
	for (tries = 1;; tries++) {
		err = sg_request(g, XS_TRANSACTION_START, 0, "", 1, &r,
		    timeout_ms);
		if (err != 0)
			return err;
		if (r.hdr.type != XS_TRANSACTION_START) {
			printf("ERR %s tries=%lu\n", r.body, tries);
			free(r.body);
			return 0;
		}
		*tx = strtoul(r.body, NULL, 10);
		free(r.body);
		snprintf(line, sizeof(line), "%s", rest);
		for (p = line; p != NULL; p = next) {
			if ((next = strchr(p, ';')) != NULL)
				*next++ = '\0';
			while (*p == ' ')
				p++;
			if (*p == '\0')
				continue;
			err = run_captured(g, p, tx, &res);
			free(res);
			if (err != 0) {
				*tx = 0;
				return err;
			}
		}
		err = sg_request(g, XS_TRANSACTION_END, *tx, "T", 2, &r,
		    timeout_ms);
		*tx = 0;
		if (err != 0)
			return err;
		if (r.hdr.type == XS_ERROR && strcmp(r.body, "EAGAIN") == 0 &&
		    tries < max) {
			free(r.body);
			continue;
		}
		if (r.hdr.type == XS_ERROR)
			printf("ERR %s tries=%lu\n", r.body, tries);
		else
			printf("OK tries=%lu\n", tries);
		free(r.body);
		return 0;
	}
}

/* burst N CMD: at most a ring's worth of requests in one write. */
static int
burst(struct sg_guest *g, char *rest, uint32_t tx)
{
	static uint32_t next_id = 3000000;
	char frames[XENSTORE_RING_SIZE], line[8192];
	char payload[XENSTORE_PAYLOAD_MAX], *res;
	uint32_t ids[XENSTORE_RING_SIZE / sizeof(struct xsd_sockmsg)];
	uint32_t types[XENSTORE_RING_SIZE / sizeof(struct xsd_sockmsg)];
	struct tally t = { .k = 0 };
	struct xsd_sockmsg hdr;
	unsigned long n, i;
	struct sg_reply r;
	FILE *saved, *mem;
	size_t total = 0, len, size;
	uint32_t type;
	int err = 0;

	n = strtoul(rest, &rest, 10);
	while (*rest == ' ')
		rest++;
	if (n == 0 || n > sizeof(ids) / sizeof(ids[0])) {
		puts("BAD burst");
		return 0;
	}
	for (i = 0; i < n; i++) {
		subst(rest, i, line, sizeof(line));
		if (!parse_request(line, &type, payload, &len) ||
		    total + sizeof(hdr) + len > sizeof(frames)) {
			puts("BAD burst");
			return 0;
		}
		types[i] = type;
		hdr = (struct xsd_sockmsg){ type, ids[i] = next_id++, tx,
		    len };
		memcpy(frames + total, &hdr, sizeof(hdr));
		memcpy(frames + total + sizeof(hdr), payload, len);
		total += sizeof(hdr) + len;
	}
	if ((len = sg_raw_write(g, frames, total)) != total) {
		printf("BAD ring busy: %zu of %zu bytes\n", len, total);
		return 0;
	}
	printf("%zu bytes: ", total);
	for (i = 0; i < n; i++) {
		if ((err = sg_await(g, ids[i], &r, timeout_ms)) == ETIMEDOUT) {
			tally_add(&t, strdup("TIMEOUT"));
			err = 0;
			continue;
		}
		if (err != 0)
			break;
		fflush(stdout);
		saved = stdout;
		if ((mem = open_memstream(&res, &size)) == NULL) {
			free(r.body);
			err = ENOMEM;
			break;
		}
		stdout = mem;
		print_reply(types[i], &r);
		stdout = saved;
		fclose(mem);
		free(r.body);
		res[strcspn(res, "\n")] = '\0';
		tally_add(&t, res);
	}
	tally_print(&t, err != 0);
	return err;
}

/* flood MS CMD: requests until the ring stays full for MS. */
static void
flood_cmd(struct sg_guest *g, char *rest, uint32_t tx)
{
	char line[8192], payload[XENSTORE_PAYLOAD_MAX];
	unsigned long sent;
	uint32_t type, id;
	size_t len;
	int ms, err;

	ms = strtol(rest, &rest, 10);
	while (*rest == ' ')
		rest++;
	for (sent = 0;; sent++) {
		subst(rest, sent, line, sizeof(line));
		if (!parse_request(line, &type, payload, &len)) {
			puts("BAD flood");
			return;
		}
		if ((err = sg_send(g, type, tx, payload, len, &id, ms)) != 0)
			break;
	}
	if (err == ETIMEDOUT)
		printf("%lu\n", sent);
	else
		printf("%lu %s\n", sent, strerror(err));
}

/* One of the moves above, if cmd names one (*done then); outside: it
 * came with "notx". */
static int
hostile_line(struct sg_guest *g, char *cmd, char *rest, uint32_t *tx,
    bool outside, bool *done)
{
	*done = true;
	if (strcmp(cmd, "repeat") == 0)
		return repeat(g, rest, tx, outside);
	if (outside && (strcmp(cmd, "txretry") == 0 ||
	    strcmp(cmd, "txsel") == 0)) {
		puts("BAD notx");
		return 0;
	}
	if (strcmp(cmd, "txretry") == 0)
		return txretry(g, rest, tx);
	if (strcmp(cmd, "txsel") == 0) {
		txsel(rest, tx);
		return 0;
	}
	if (strcmp(cmd, "burst") == 0)
		return burst(g, rest, outside ? 0 : *tx);
	if (strcmp(cmd, "flood") == 0) {
		flood_cmd(g, rest, outside ? 0 : *tx);
		return 0;
	}
	*done = false;
	return 0;
}

/*
 * Print and run one script line on its connection (a "NAME: " prefix,
 * else deflt).  Returns 0, or an errno that ends the script.
 */
static int
script_line(char *line, struct conn *deflt)
{
	struct conn *c = deflt;
	char *colon, *sp;
	int err;

	line[strcspn(line, "\n")] = '\0';
	while (*line == ' ')
		line++;
	if (*line == '\0' || *line == '#')
		return 0;
	printf("%s -> ", line);
	if (strncmp(line, "conn ", 5) == 0) {
		conn_open(line + 5);
		return 0;
	}
	if (strncmp(line, "xen-", 4) == 0) {
		sp = line + strcspn(line, " ");
		if (*sp != '\0')
			*sp++ = '\0';
		xen_op(line, sp);
		return 0;
	}
	colon = strchr(line, ':');
	sp = strchr(line, ' ');
	if (colon != NULL && colon[1] == ' ' && (sp == NULL || colon < sp)) {
		*colon = '\0';
		c = conn_find(line);
		line = colon + 2;
		while (*line == ' ')
			line++;
	}
	if (c == NULL || c->g == NULL) {
		puts(c == NULL ? "BAD no such connection" : "CLOSED");
		return 0;
	}
	err = run_line(c->g, line, &c->tx);
	if (err != 0 && deflt == NULL) {
		/* Only this connection is over; the script goes on. */
		printf("TRANSPORT %s\n", strerror(err));
		sg_close(c->g);
		c->g = NULL;
		return 0;
	}
	return err;
}

/* The toolstack's part, as dom0 through libxenstore. */
static int
toolstack(uint32_t domid, int introduce, int setup)
{
	struct xs_permissions ro[2] = {
		{ 0, XS_PERM_NONE }, { domid, XS_PERM_READ } };
	struct xs_permissions rw[1] = { { domid, XS_PERM_NONE } };
	static const char *const rw_dirs[] = { "device", "control", "data",
	    "memory", "error", "drivers", "attr" };
	struct simxen_dominfo info;
	char path[64], val[32];
	struct xs_handle *xs;
	xs_transaction_t t;
	unsigned int i;
	int ok = 1;

	if (simxen_domain_info(sx, domid, &info) != 0 ||
	    (xs = xs_open(0)) == NULL) {
		fprintf(stderr, "simxen-guest: no domain %u or no xenstored\n",
		    domid);
		return 1;
	}
	if (setup) {
		/* What xl writes before the guest runs (libxl_create.c). */
		t = xs_transaction_start(xs);
		snprintf(path, sizeof(path), "/local/domain/%u", domid);
		ok &= xs_mkdir(xs, t, path);
		ok &= xs_set_permissions(xs, t, path, ro, 2);
		for (i = 0; i < sizeof(rw_dirs) / sizeof(rw_dirs[0]); i++) {
			snprintf(path, sizeof(path), "/local/domain/%u/%s",
			    domid, rw_dirs[i]);
			ok &= xs_mkdir(xs, t, path);
			ok &= xs_set_permissions(xs, t, path, rw, 1);
		}
		snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
		snprintf(val, sizeof(val), "guest%u", domid);
		ok &= xs_write(xs, t, path, val, strlen(val));
		ok &= xs_set_permissions(xs, t, path, ro, 2);
		snprintf(path, sizeof(path), "/local/domain/%u/domid", domid);
		snprintf(val, sizeof(val), "%u", domid);
		ok &= xs_write(xs, t, path, val, strlen(val));
		ok &= xs_set_permissions(xs, t, path, ro, 2);
		ok &= xs_transaction_end(xs, t, !ok);
	}
	if (ok && introduce)
		ok = xs_introduce_domain(xs, domid, info.ring_gfn,
		    info.store_port);
	if (!ok)
		perror("simxen-guest: toolstack");
	xs_close(xs);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "create", no_argument, NULL, 'C' },
		{ "domid", required_argument, NULL, 'd' },
		{ "introduce", no_argument, NULL, 'i' },
		{ "setup", no_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "dom0", no_argument, NULL, '0' },
		{ NULL, 0, NULL, 0 }
	};
	struct simxen_dominfo info;
	uint32_t domid = SIMXEN_DOMID_ANY;
	int c, create = 0, introduce = 0, setup = 0, dom0 = 0, err;
	struct conn *deflt = NULL;
	struct sg_guest *g;
	FILE *in = stdin;
	unsigned int i;
	char line[8192];

	while ((c = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': create = 1; break;
		case 'd': domid = strtoul(optarg, NULL, 10); break;
		case 'i': introduce = 1; break;
		case 's': setup = 1; break;
		case 't': timeout_ms = atoi(optarg); break;
		case '0': dom0 = 1; break;
		case 'c':
			if ((in = fopen(optarg, "r")) == NULL) {
				perror(optarg);
				return 2;
			}
			break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (!dom0 && !create && domid == SIMXEN_DOMID_ANY)
		goto run;	/* the script opens its connections */
	if (dom0) {
		/* The script as dom0 over the socket: no simulated host. */
		const char *p = getenv("XENSTORED_PATH");

		if ((err = sg_open_socket(p != NULL ? p :
		    "/run/xenstored/socket", &g)) != 0) {
			fprintf(stderr, "simxen-guest: socket: %s\n",
			    strerror(err));
			return 1;
		}
		goto one;
	}
	if ((err = simxen_open(&sx)) != 0) {
		fprintf(stderr, "simxen-guest: %s\n", strerror(err));
		return 1;
	}
	if (create) {
		if ((err = simxen_domain_create(sx, domid, &info)) != 0) {
			fprintf(stderr, "simxen-guest: create: %s\n",
			    strerror(err));
			return 1;
		}
		domid = info.domid;
		printf("# domid %u\n", domid);
	}
	if ((setup || introduce) && toolstack(domid, introduce, setup))
		return 1;
	if ((err = sg_open(sx, domid, &g)) != 0) {
		fprintf(stderr, "simxen-guest: domain %u: %s\n", domid,
		    strerror(err));
		return 1;
	}
one:
	snprintf(conns[0].name, sizeof(conns[0].name), "default");
	conns[0].g = g;
	nconns = 1;
	deflt = &conns[0];
run:
	setvbuf(stdout, NULL, _IOLBF, 0);
	err = 0;
	while (fgets(line, sizeof(line), in) != NULL)
		if ((err = script_line(line, deflt)) != 0) {
			printf("TRANSPORT %s\n", strerror(err));
			break;
		}
	for (i = 0; i < nconns; i++)
		sg_close(conns[i].g);
	if (sx != NULL)
		simxen_close(sx);
	return err != 0 ? 1 : 0;
}
