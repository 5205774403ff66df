/*
 * stream-print: every record of a xenstore migration stream (a
 * state_dump of Xen's C xenstored or of ours), one line each, for tests
 * and for people (docs/migration-stream.md); also our crash-restart
 * files (docs/crash-restart.md): a state_snapshot is a stream with a
 * generation record after GLOBAL, a state_journal a stream header, its
 * generation, then batches of records and no END.
 *
 * usage: stream-print FILE      ("-" is standard input)
 * Exit status: 0 when the stream reads to its END (a journal: to its
 * last whole batch), 1 when it is malformed (the reason and its offset
 * on standard error, after the records before it), 2 for a usage or I/O
 * error.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "stream.h"

/* Bytes as a C string literal: printable ASCII, else \xNN. */
static void
print_bytes(const uint8_t *p, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (isprint(p[i]))
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	putchar('"');
}

static void
print_string(const char *s)
{
	print_bytes((const uint8_t *)s, strlen(s));
}

static void
print_quotas(const struct stream_reader *r, const struct stream_quota *q,
    unsigned int first, unsigned int end)
{
	const char *name;
	unsigned int i;
	uint32_t v;

	for (i = first; i < end; i++) {
		v = stream_quota_get(r, q, i, &name);
		printf(" %s=%u", name, v);
	}
}

/* The nul-terminated string at *off in a body of len bytes, or NULL. */
static const char *
body_string(const struct stream_record *rec, size_t *off)
{
	const char *s = (const char *)rec->body + *off;
	size_t n;

	if (*off >= rec->len ||
	    (n = strnlen(s, rec->len - *off)) == rec->len - *off)
		return NULL;
	*off += n + 1;
	return s;
}

/* A journal-only record (journal.h's types); false if it is none. */
static bool
print_journal_record(const struct stream_reader *r,
    const struct stream_record *rec)
{
	const uint8_t *b = rec->body;
	const char *path, *token;
	size_t off;
	uint32_t n;

#define U32(i)	stream_get32(r, b + 4 * (i))
#define HAS(k)	(rec->len >= 4 * (size_t)(k))
	switch (rec->type) {
	case JOURNAL_GEN:
		if (!HAS(1))
			return false;
		printf("GEN %u\n", U32(0));
		return true;
	case JOURNAL_NODE_DEL:
		off = 0;
		if ((path = body_string(rec, &off)) == NULL)
			return false;
		printf("NODE_DEL ");
		print_string(path);
		putchar('\n');
		return true;
	case JOURNAL_WATCH_DEL:
		off = 4;
		if (!HAS(1) || (path = body_string(rec, &off)) == NULL ||
		    (token = body_string(rec, &off)) == NULL)
			return false;
		printf("WATCH_DEL conn %u path ", U32(0));
		print_string(path);
		printf(" token ");
		print_string(token);
		putchar('\n');
		return true;
	case JOURNAL_WATCH_RESET:
	case JOURNAL_CONN_DEL:
		if (!HAS(1))
			return false;
		printf("%s conn %u\n", rec->type == JOURNAL_CONN_DEL ?
		    "CONN_DEL" : "WATCH_RESET", U32(0));
		return true;
	case JOURNAL_TA_END:
		if (!HAS(2))
			return false;
		printf("TA_END conn %u tx %u\n", U32(0), U32(1));
		return true;
	case JOURNAL_RING_POS:
		if (!HAS(2))
			return false;
		printf("RING_POS conn %u pos %u\n", U32(0), U32(1));
		return true;
	case JOURNAL_RING_IN:
	case JOURNAL_RING_OUT:
		if (!HAS(3) || (n = U32(2)) > rec->len - 12)
			return false;
		printf("%s conn %u %s %u ", rec->type == JOURNAL_RING_IN ?
		    "RING_IN" : "RING_OUT", U32(0),
		    rec->type == JOURNAL_RING_IN ? "req_cons" : "pos", U32(1));
		print_bytes(b + 12, n);
		putchar('\n');
		return true;
	case JOURNAL_TARGET:
		if (!HAS(2))
			return false;
		printf("TARGET conn %u domid %u\n", U32(0), U32(1));
		return true;
	case JOURNAL_DOMAIN_END:
		if (!HAS(1))
			return false;
		printf("DOMAIN_END %u\n", U32(0));
		return true;
	default:
		return false;
	}
#undef U32
#undef HAS
}

static void
print_record(const struct stream_reader *r, const struct stream_record *rec)
{
	const struct stream_conn *c = &rec->u.conn;
	const struct stream_node *n = &rec->u.node;
	const struct stream_quota *q = &rec->u.quota;
	struct stream_perm p;
	unsigned int i;

	switch (rec->type) {
	case STREAM_END:
		printf("END\n");
		return;
	case STREAM_GLOBAL:
		printf("GLOBAL socket-fd %d evtchn-fd %d\n",
		    rec->u.global.socket_fd, rec->u.global.evtchn_fd);
		return;
	case STREAM_CONN:
		if (c->conn_type == STREAM_CONN_RING)
			printf("CONN %u ring domid %u tdomid %u evtchn %u",
			    c->conn_id, c->domid, c->tdomid, c->evtchn);
		else
			printf("CONN %u socket fd %d", c->conn_id, c->socket_fd);
		printf(" in ");
		print_bytes(c->in, c->in_len);
		printf(" out ");
		print_bytes(c->out, c->out_len);
		printf(" out-resp-len %u\n", c->out_resp_len);
		return;
	case STREAM_WATCH:
	case STREAM_WATCH_EXT:
		if (rec->u.watch.path == NULL)
			break;
		printf("%s conn %u", stream_type_name(rec->type),
		    rec->u.watch.conn_id);
		if (rec->type == STREAM_WATCH_EXT)
			printf(" depth %u", rec->u.watch.depth);
		printf(" path ");
		print_string(rec->u.watch.path);
		printf(" token ");
		print_string(rec->u.watch.token);
		putchar('\n');
		return;
	case STREAM_TA:
		printf("TA conn %u tx %u\n", rec->u.ta.conn_id, rec->u.ta.tx_id);
		return;
	case STREAM_NODE:
		printf("NODE ");
		if (n->conn_id != 0)
			printf("conn %u tx %u access%s%s%s ", n->conn_id,
			    n->tx_id, n->access & STREAM_ACCESS_READ ? " read" : "",
			    n->access & STREAM_ACCESS_WRITTEN ? " written" : "",
			    n->access == 0 ? " deleted" : "");
		print_string(n->path);
		printf(" perms");
		for (i = 0; i < n->n_perms; i++) {
			p = stream_node_perm(r, n, i);
			printf(" %c%u%s", p.perm, p.domid,
			    p.flags & STREAM_PERM_STALE ? "/stale" : "");
		}
		printf(" value ");
		print_bytes(n->value, n->value_len);
		putchar('\n');
		return;
	case STREAM_GLOBAL_QUOTA:
		printf("GLOBAL_QUOTA per-domain");
		print_quotas(r, q, 0, q->n_dom);
		printf(" global");
		print_quotas(r, q, q->n_dom, q->n_quota);
		putchar('\n');
		return;
	case STREAM_DOMAIN:
		printf("DOMAIN %u", q->domid);
		if (r->version >= STREAM_VERSION_2)
			printf(" features 0x%x", q->features);
		print_quotas(r, q, 0, q->n_quota);
		putchar('\n');
		return;
	default:
		if (print_journal_record(r, rec))
			return;
		break;
	}
	printf("skipped: type %u (%s), %u bytes\n", rec->type,
	    stream_type_name(rec->type), rec->len);
}

/* A journal batch: its records, indented under it. */
static int
print_batch(const char *file, const struct stream_reader *of,
    const struct stream_record *batch)
{
	struct stream_reader in;
	struct stream_record rec;
	int err;

	printf("BATCH %u bytes\n", batch->len);
	stream_open_records(&in, of, batch->body, batch->len);
	while ((err = stream_next(&in, &rec)) == 0) {
		printf("  ");
		print_record(&in, &rec);
	}
	if (err == ENODATA)
		return 0;
	fflush(stdout);
	fprintf(stderr, "stream-print: %s: the batch before offset %zu, "
	    "its record %u: %s\n", file, of->off, in.records + 1,
	    in.why != NULL ? in.why : strerror(err));
	return err;
}

int
main(int argc, char **argv)
{
	struct stream_reader r;
	struct stream_record rec;
	size_t len = 0, size = 0, got;
	bool journal = false;
	uint8_t *buf = NULL;
	FILE *f;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: stream-print FILE\n");
		return 2;
	}
	f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "rb");
	if (f == NULL) {
		fprintf(stderr, "stream-print: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	do {
		if (len == size) {
			size = size ? 2 * size : 65536;
			if ((buf = realloc(buf, size)) == NULL) {
				fprintf(stderr, "stream-print: out of memory\n");
				return 2;
			}
		}
		got = fread(buf + len, 1, size - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		fprintf(stderr, "stream-print: %s: read error\n", argv[1]);
		return 2;
	}
	err = stream_open(&r, buf, len);
	if (err == 0) {
		printf("xenstore migration stream, version %u, %s-endian\n",
		    r.version, r.big_endian ? "big" : "little");
		while ((err = stream_next(&r, &rec)) == 0) {
			if (r.records == 1 && rec.type == JOURNAL_GEN)
				journal = true;
			if (journal && rec.type == JOURNAL_BATCH) {
				if (print_batch(argv[1], &r, &rec) != 0) {
					free(buf);
					return 1;
				}
				continue;
			}
			print_record(&r, &rec);
			if (rec.type == STREAM_END)
				break;
		}
		/* A journal has no END: it ends after a whole batch, or
		 * with a batch a crash cut short (a header, or a record
		 * longer than what is left); anything else is damage. */
		if (journal && (r.off == len || len - r.off < 8 ||
		    stream_get32(&r, buf + r.off + 4) > len - r.off - 8)) {
			if (r.off < len)
				printf("(%zu bytes of a batch cut short)\n",
				    len - r.off);
			free(buf);
			return 0;
		}
	}
	if (err != 0) {
		fflush(stdout);
		fprintf(stderr, "stream-print: %s: offset %zu, record %u: %s\n",
		    argv[1], r.off, r.records + 1, r.why);
		free(buf);
		return 1;
	}
	if (r.off < len)
		printf("(%zu bytes after END, not read)\n", len - r.off);
	free(buf);
	return 0;
}
