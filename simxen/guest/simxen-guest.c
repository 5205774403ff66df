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
 *   raw HEX..., set-req-prod N, set-rsp-cons N, oversize [LEN],
 *   flood [MS], reset, features, error, sleep MS, # comment
 *   conn NAME dom0		a socket connection, privileged
 *   conn NAME guest DOMID [bare]	create DOMID on the simulated Xen,
 *	write xl's nodes and INTRODUCE it (not with "bare"), open its ring
 *   NAME: LINE			LINE on connection NAME
 *   xen-shutdown DOMID [REASON], xen-resume DOMID, xen-destroy DOMID
 *				the hypervisor's part of a lifecycle
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

/* "conn NAME dom0" or "conn NAME guest DOMID [bare]"; prints a result. */
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
	    (strcmp(kind, "dom0") != 0 && (strcmp(kind, "guest") != 0 ||
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
	bool outside = false;
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
	    strcmp(cmd, "oversize") == 0 || strcmp(cmd, "flood") == 0)) {
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
	if (strcmp(cmd, "set-req-prod") == 0 || strcmp(cmd, "set-rsp-cons") == 0) {
		if (cmd[4] == 'r' && cmd[5] == 'e')
			sg_set_req_prod(g, strtoul(rest, NULL, 0));
		else
			sg_set_rsp_cons(g, strtoul(rest, NULL, 0));
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
	if (strcmp(cmd, "flood") == 0) {
		printf("%u\n", sg_flood(g, *rest ? atoi(rest) : 500));
		return 0;
	}
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
	/* Words, each nul-terminated; WRITE's value is the rest, raw. */
	while (*rest != '\0') {
		n = type == XS_WRITE && len > 0 ? strlen(rest) :
		    strcspn(rest, " ");
		if (len + n + 1 > sizeof(payload))
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
