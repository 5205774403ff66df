/*
 * mkseeds: seed corpora for the harnesses, from the conformance cases
 * (the .t files of tests/conformance/cases, docs/testing.md).  Each case file's
 * script, as simxen-guest would send it, becomes:
 *   daemon/   the whole file, and each case alone (after the file's
 *             set-up and connections), as fuzz_daemon.h operations;
 *             "conn NAME guest N" does the toolstack's part as
 *             simxen-guest does (xl's nodes, INTRODUCE), xen-shutdown,
 *             -resume and -destroy go through the domain-state feed;
 *   framing/  the request frames;
 *   path/     the paths (domid of the client + path);
 *   perms/    the SET_PERMS perm strings;
 *   ring/     each guest's requests as fuzz_ring.h frames and events.
 * Files are named by a hash of their content, so a second run writes
 * the same files and duplicates collapse.
 *
 * Besides the conformance cases' commands it takes "opN ARGS" (a request
 * of type N) and "fuzz-config N" (fuzz_daemon's configuration byte), for
 * tests/fuzz/seeds.t.
 *
 * usage: mkseeds OUTDIR CASEFILE...
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_daemon.h"
#include "fuzz_ring.h"

/* xs_wire.h's numbers (the seeds must not depend on the header). */
enum {
	T_CONTROL = 0, T_DIRECTORY = 1, T_READ = 2, T_GET_PERMS = 3,
	T_WATCH = 4, T_UNWATCH = 5, T_TX_START = 6, T_TX_END = 7,
	T_INTRODUCE = 8, T_RELEASE = 9, T_GET_DOMAIN_PATH = 10, T_WRITE = 11,
	T_MKDIR = 12, T_RM = 13, T_SET_PERMS = 14, T_IS_INTRODUCED = 17,
	T_RESUME = 18, T_SET_TARGET = 19, T_RESET_WATCHES = 21,
};

static const struct {
	const char	*name;
	unsigned int	 type;
} ops[] = {
	{ "read", T_READ }, { "write", T_WRITE }, { "mkdir", T_MKDIR },
	{ "rm", T_RM }, { "dir", T_DIRECTORY }, { "getperms", T_GET_PERMS },
	{ "setperms", T_SET_PERMS }, { "watch", T_WATCH },
	{ "unwatch", T_UNWATCH }, { "getdomainpath", T_GET_DOMAIN_PATH },
	{ "isintroduced", T_IS_INTRODUCED }, { "introduce", T_INTRODUCE },
	{ "release", T_RELEASE }, { "resume", T_RESUME },
	{ "settarget", T_SET_TARGET }, { "control", T_CONTROL },
	{ "reset-watches", T_RESET_WATCHES },
	{ "getfeature", 23 }, { "setfeature", 24 }, { "getquota", 25 },
	{ "setquota", 26 },
};

#define LINES_MAX	4096
#define SMALL_MAX	16	/* seeds per small harness and file */

struct buf {
	unsigned char	*p;
	size_t		 len, cap;
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		if ((b->p = realloc(b->p, b->cap)) == NULL) {
			perror("mkseeds");
			exit(1);
		}
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put1(struct buf *b, unsigned int v)
{
	unsigned char c = v;

	put(b, &c, 1);
}

static void
put2(struct buf *b, unsigned int v)
{
	put1(b, v & 0xff);
	put1(b, v >> 8 & 0xff);
}

static void
put4(struct buf *b, uint32_t v)
{
	put2(b, v & 0xffff);
	put2(b, v >> 16);
}

static const char *outdir;
static unsigned int written[5];

/* Write b as OUTDIR/kind/<hash>; at most SMALL_MAX per kind and file. */
static void
emit(const char *kind, unsigned int k, const struct buf *b, bool limit)
{
	char path[4096];
	uint64_t h = 1469598103934665603ull;
	size_t i;
	FILE *fp;

	if (limit && written[k]++ >= SMALL_MAX)
		return;
	for (i = 0; i < b->len; i++)
		h = (h ^ b->p[i]) * 1099511628211ull;
	snprintf(path, sizeof(path), "%s/%s", outdir, kind);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%016llx", outdir, kind,
	    (unsigned long long)h);
	if ((fp = fopen(path, "wb")) == NULL ||
	    fwrite(b->p, 1, b->len, fp) != b->len || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

/* One script line, as run.sh's split() reads it. */
struct line {
	char	*text;		/* without " -> RESULT" */
	int	 kase;		/* index of its case, -1 for set-up */
	bool	 conn;		/* a "conn" line */
};

static struct line lines[LINES_MAX];
static unsigned int nlines, ncases;

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* {STR*N}: N copies of STR. */
static char *
expand(const char *s)
{
	struct buf b = { 0 };
	const char *o, *star, *c;
	unsigned long n;

	while ((o = strchr(s, '{')) != NULL &&
	    (c = strchr(o, '}')) != NULL &&
	    (star = memchr(o, '*', c - o)) != NULL) {
		n = strtoul(star + 1, NULL, 10);
		put(&b, s, o - s);
		while (n-- > 0)
			put(&b, o + 1, star - o - 1);
		s = c + 1;
	}
	put(&b, s, strlen(s) + 1);
	return (char *)b.p;
}

static void
read_cases(const char *file)
{
	char raw[65536], *l, *arrow, *last;
	int kase = -1;
	FILE *fp;

	if ((fp = fopen(file, "r")) == NULL) {
		perror(file);
		exit(1);
	}
	nlines = ncases = 0;
	while (fgets(raw, sizeof(raw), fp) != NULL && nlines < LINES_MAX) {
		l = expand(trim(raw));
		if (*l == '\0' || *l == '#' || strncmp(l, "allow ", 6) == 0) {
			free(l);
			continue;
		}
		if (strncmp(l, "case ", 5) == 0) {
			kase = ncases++;
			free(l);
			continue;
		}
		/* The last " -> " separates the request from its result. */
		for (last = NULL, arrow = l;
		    (arrow = strstr(arrow, " -> ")) != NULL; arrow += 4)
			last = arrow;
		if (last != NULL)
			*last = '\0';
		lines[nlines].text = l;
		lines[nlines].kase = kase;
		lines[nlines].conn = strncmp(l, "conn ", 5) == 0;
		nlines++;
	}
	fclose(fp);
}

/* The state of one seed being written. */
struct conn {
	char		 name[32];
	int		 slot;		/* FD_CONN_*, -1: not modelled */
	unsigned int	 domid;
	bool		 intx;
};

struct seed {
	struct buf	 d;		/* daemon ops */
	struct conn	 conns[64];
	unsigned int	 nconns, nsock;
	bool		 destroyed[FD_GUESTS + 1];
	struct buf	 ring;		/* one guest's frames (fuzz_ring) */
	bool		 small;		/* also write framing/path/perms */
};

static void
request(struct seed *s, int slot, unsigned int sel, unsigned int type,
    const void *payload, size_t len)
{
	put(&s->d, FD_SEP, FD_SEP_LEN);
	put1(&s->d, FD_REQ(slot, sel));
	put1(&s->d, type);
	put(&s->d, payload, len);
	if (slot >= FD_CONN_LOCAL && s->ring.len < 8192) {
		put1(&s->ring, FR_OP_FRAME);
		put1(&s->ring, type);
		put1(&s->ring, 1);
		put2(&s->ring, len);
		put(&s->ring, payload, len);
		put1(&s->ring, FR_OP_EVENT);
		put1(&s->ring, FR_OP_READ);
		put2(&s->ring, 0xffff);
	}
}

static void
op(struct seed *s, unsigned int o)
{
	put(&s->d, FD_SEP, FD_SEP_LEN);
	put1(&s->d, FD_OP(o));
}

/* Request text as simxen-guest's run_line() encodes it. */
static size_t
words(unsigned int type, const char *rest, char *payload, size_t max)
{
	size_t len = 0, n;

	while (*rest != '\0') {
		n = type == T_WRITE && len > 0 ? strlen(rest) :
		    strcspn(rest, " ");
		if (len + n + 1 > max)
			break;
		memcpy(payload + len, rest, n);
		len += n;
		rest += n;
		if (type == T_WRITE && len > n)
			break;
		payload[len++] = '\0';
		while (*rest == ' ')
			rest++;
	}
	return len;
}

/* What simxen-guest's toolstack() does for "conn NAME guest N". */
static void
toolstack(struct seed *s, unsigned int domid)
{
	static const char *const rw_dirs[] = { "device", "control", "data",
	    "memory", "error", "drivers", "attr" };
	const int ts = FD_CONN_SOCKETS - 1;
	char p[256], v[64];
	size_t n;
	unsigned int i;

	request(s, ts, 0, T_TX_START, "", 1);
	n = snprintf(p, sizeof(p), "/local/domain/%u", domid) + 1;
	request(s, ts, 1, T_MKDIR, p, n);
	n += snprintf(p + n, sizeof(p) - n, "n0") + 1;
	n += snprintf(p + n, sizeof(p) - n, "r%u", domid) + 1;
	request(s, ts, 1, T_SET_PERMS, p, n);
	for (i = 0; i < sizeof(rw_dirs) / sizeof(rw_dirs[0]); i++) {
		n = snprintf(p, sizeof(p), "/local/domain/%u/%s", domid,
		    rw_dirs[i]) + 1;
		request(s, ts, 1, T_MKDIR, p, n);
		n += snprintf(p + n, sizeof(p) - n, "n%u", domid) + 1;
		request(s, ts, 1, T_SET_PERMS, p, n);
	}
	for (i = 0; i < 2; i++) {
		n = snprintf(p, sizeof(p), "/local/domain/%u/%s", domid,
		    i == 0 ? "name" : "domid") + 1;
		if (i == 0)
			snprintf(v, sizeof(v), "guest%u", domid);
		else
			snprintf(v, sizeof(v), "%u", domid);
		memcpy(p + n, v, strlen(v));
		request(s, ts, 1, T_WRITE, p, n + strlen(v));
		n += snprintf(p + n, sizeof(p) - n, "n0") + 1;
		n += snprintf(p + n, sizeof(p) - n, "r%u", domid) + 1;
		request(s, ts, 1, T_SET_PERMS, p, n);
	}
	request(s, ts, 1, T_TX_END, "T", 2);
	n = snprintf(p, sizeof(p), "%u", domid) + 1;
	n += snprintf(p + n, sizeof(p) - n, "%u", 0xfeff0 + domid) + 1;
	n += snprintf(p + n, sizeof(p) - n, "%u", FD_STORE_PORT) + 1;
	request(s, ts, 0, T_INTRODUCE, p, n);
}

static struct conn *
find_conn(struct seed *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nconns; i++)
		if (strcmp(s->conns[i].name, name) == 0)
			return &s->conns[i];
	return NULL;
}

static void
conn_line(struct seed *s, const char *args)
{
	char name[32], kind[16], bare[16] = "";
	unsigned long domid = 0;
	struct conn *c;
	int n;

	n = sscanf(args, "%31s %15s %lu %15s", name, kind, &domid, bare);
	if (n < 2 || s->nconns == sizeof(s->conns) / sizeof(s->conns[0]) ||
	    find_conn(s, name) != NULL)
		return;
	c = &s->conns[s->nconns++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->intx = false;
	c->slot = -1;
	if (strcmp(kind, "dom0") == 0) {
		c->slot = s->nsock < FD_CONN_SOCKETS ? s->nsock++ :
		    FD_CONN_SOCKETS - 1;
		c->domid = 0;
		return;
	}
	if (n < 3 || domid == 0 || domid > FD_GUESTS)
		return;
	c->slot = FD_CONN_LOCAL + domid;
	c->domid = domid;
	if (s->destroyed[domid]) {
		op(s, FD_OP_CREATE);
		put1(&s->d, domid);
		s->destroyed[domid] = false;
	}
	if (strcmp(bare, "bare") != 0)
		toolstack(s, domid);
}

static void
xen_line(struct seed *s, const char *l)
{
	unsigned long domid = 0, reason = 0;
	unsigned int state;

	sscanf(l + strcspn(l, " "), "%lu %lu", &domid, &reason);
	if (strncmp(l, "xen-shutdown", 12) == 0)
		state = 1;
	else if (strncmp(l, "xen-resume", 10) == 0)
		state = 0;
	else
		state = 3;
	op(s, FD_OP_DOMSTATE);
	put1(&s->d, domid);
	put1(&s->d, state);
	put1(&s->d, reason);
	if (state == 3 && domid <= FD_GUESTS)
		s->destroyed[domid] = true;
}

static void
small_seeds(struct seed *s, const struct conn *c, unsigned int type,
    const char *payload, size_t len)
{
	struct buf b = { 0 };
	size_t plen = strnlen(payload, len);

	if (!s->small || len == 0)
		return;
	/* The frame as it goes on the wire. */
	put4(&b, type);
	put4(&b, 1);
	put4(&b, c->intx);
	put4(&b, len);
	put(&b, payload, len);
	emit("framing", 0, &b, true);
	b.len = 0;
	if (type != T_GET_DOMAIN_PATH && type != T_CONTROL &&
	    type != T_INTRODUCE && type != T_RELEASE && type < 21) {
		put2(&b, c->domid);
		put(&b, payload, plen);
		emit("path", 1, &b, true);
		b.len = 0;
	}
	if (type == T_SET_PERMS && plen + 1 < len) {
		put2(&b, c->domid);
		put2(&b, 0);
		put1(&b, c->domid == 0);
		put2(&b, 1);
		put2(&b, 0);
		put(&b, payload + plen + 1, len - plen - 1);
		emit("perms", 2, &b, true);
	}
	free(b.p);
}

static void
script_line(struct seed *s, const char *l)
{
	char payload[8192], name[32];
	const char *colon = strchr(l, ':'), *sp = strchr(l, ' '), *rest;
	struct conn *c;
	bool outside = false;
	unsigned int i, type, g;
	size_t len;

	if (strncmp(l, "conn ", 5) == 0) {
		conn_line(s, l + 5);
		return;
	}
	if (strncmp(l, "xen-", 4) == 0) {
		xen_line(s, l);
		return;
	}
	if (strncmp(l, "fuzz-config ", 12) == 0) {
		s->d.p[0] = strtoul(l + 12, NULL, 0);
		return;
	}
	if (colon == NULL || colon[1] != ' ' || (sp != NULL && sp < colon) ||
	    (size_t)(colon - l) >= sizeof(name))
		return;
	memcpy(name, l, colon - l);
	name[colon - l] = '\0';
	if ((c = find_conn(s, name)) == NULL || c->slot < 0)
		return;
	l = colon + 2;
	while (*l == ' ')
		l++;
	if (strncmp(l, "notx ", 5) == 0) {
		outside = true;
		l += 5;
	}
	rest = l + strcspn(l, " ");
	while (*rest == ' ')
		rest++;
	g = c->slot - FD_CONN_LOCAL;
#define IS(w)	(strncmp(l, w, strlen(w)) == 0 && \
	    (l[strlen(w)] == '\0' || l[strlen(w)] == ' '))
	if (IS("event") || IS("events-drain") || IS("sleep")) {
		op(s, FD_OP_PUMP);
		put1(&s->d, 3);
	} else if (IS("txstart")) {
		request(s, c->slot, 0, T_TX_START, "", 1);
		c->intx = true;
	} else if (IS("txend")) {
		request(s, c->slot, 1, T_TX_END,
		    strcmp(rest, "abort") == 0 ? "F" : "T", 2);
		c->intx = false;
	} else if (IS("features") || IS("error")) {
		return;
	} else if (c->slot < FD_CONN_LOCAL && (IS("reset") || IS("raw") ||
	    IS("set-req-prod") || IS("set-rsp-cons") || IS("oversize") ||
	    IS("flood"))) {
		return;		/* ring only */
	} else if (IS("reset")) {
		op(s, FD_OP_RECONNECT);
		put1(&s->d, g);
	} else if (IS("raw")) {
		unsigned int b;
		struct buf r = { 0 };

		while (sscanf(rest, "%2x", &b) == 1 && r.len < 255) {
			put1(&r, b);
			rest += 2;
			while (*rest == ' ')
				rest++;
		}
		op(s, FD_OP_RAW);
		put1(&s->d, c->slot);
		put(&s->d, r.p, r.len);
		free(r.p);
	} else if (IS("set-req-prod") || IS("set-rsp-cons")) {
		op(s, FD_OP_IDX);
		put1(&s->d, g);
		put1(&s->d, l[4] == 'r' && l[5] == 'e' ? 1 : 2);
		put4(&s->d, strtoul(rest, NULL, 0));
	} else if (IS("oversize")) {
		op(s, FD_OP_RAW);
		put1(&s->d, c->slot);
		put4(&s->d, T_WRITE);
		put4(&s->d, 99);
		put4(&s->d, 0);
		put4(&s->d, *rest ? strtoul(rest, NULL, 0) : 5000);
	} else if (IS("flood")) {
		op(s, FD_OP_READING);
		put1(&s->d, c->slot);
		put1(&s->d, 0);
		for (i = 0; i < 64; i++)
			request(s, c->slot, 0, T_READ, "/", 2);
		op(s, FD_OP_READING);
		put1(&s->d, c->slot);
		put1(&s->d, 1);
	} else {
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (IS(ops[i].name))
				break;
		if (i < sizeof(ops) / sizeof(ops[0]))
			type = ops[i].type;
		else if (l[0] == 'o' && l[1] == 'p' && isdigit(l[2]))
			type = strtoul(l + 2, NULL, 10);	/* opN */
		else
			return;
		len = words(type, rest, payload, sizeof(payload));
		request(s, c->slot, c->intx && !outside && type != T_WATCH &&
		    type != T_UNWATCH ? 1 : 0, type, payload, len);
		small_seeds(s, c, type, payload, len);
	}
#undef IS
}

static void
seed_begin(struct seed *s, bool small)
{
	memset(s, 0, sizeof(*s));
	put1(&s->d, 0);		/* configuration */
	s->small = small;
}

static void
seed_end(struct seed *s)
{
	emit("daemon", 4, &s->d, false);
	if (s->ring.len > 0)
		emit("ring", 3, &s->ring, true);
	free(s->d.p);
	free(s->ring.p);
}

int
main(int argc, char **argv)
{
	struct seed s;
	unsigned int i, k;
	int f;

	if (argc < 3) {
		fputs("usage: mkseeds OUTDIR CASEFILE...\n", stderr);
		return 2;
	}
	outdir = argv[1];
	mkdir(outdir, 0755);
	for (f = 2; f < argc; f++) {
		memset(written, 0, sizeof(written));
		read_cases(argv[f]);
		/* The whole file. */
		seed_begin(&s, true);
		for (i = 0; i < nlines; i++)
			script_line(&s, lines[i].text);
		seed_end(&s);
		/* Each case after the set-up and every earlier connection. */
		for (k = 0; k < ncases; k++) {
			seed_begin(&s, false);
			for (i = 0; i < nlines; i++)
				if (lines[i].kase == (int)k ||
				    lines[i].kase < 0 ||
				    (lines[i].conn && lines[i].kase < (int)k))
					script_line(&s, lines[i].text);
			seed_end(&s);
		}
		for (i = 0; i < nlines; i++)
			free(lines[i].text);
	}
	return 0;
}
