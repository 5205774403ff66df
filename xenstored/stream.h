/*
 * The xenstore migration stream: the one format of the daemon's saved
 * state (live update, snapshots, restart after a crash).  Records are
 * encoded and decoded here; which records a state holds, and in which
 * order, is state.c's business.  Pure: no I/O, no global state; fuzzed.
 *
 * Format: docs/designs/xenstore-migration.md in Xen's source, with the
 * layout of tools/xenstore/include/xenstore_state.h (Xen 4.17), which
 * Xen's C xenstored writes and reads:
 * - an 8-byte ident "xenstore", then version and flags, both big-endian;
 *   flags bit 0 is the byte order of everything after (1: big-endian);
 * - records: type (u32), length (u32), then length bytes of body;
 *   length counts the body's padding to a multiple of 8, as
 *   xenstore_state.h has it ("All records have a length of a multiple
 *   of 8 bytes") and 4.17's reader steps by it;
 * - version 1 (4.17 writes and reads only it) has END, GLOBAL, CONN,
 *   WATCH, TA and NODE; version 2 adds WATCH_EXT and the DOMAIN
 *   record's features field.  GLOBAL_QUOTA and DOMAIN are in the
 *   design for both versions but 4.17 knows neither.
 */
#ifndef XSD_STREAM_H
#define XSD_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#define STREAM_IDENT		"xenstore"	/* without its nul */
#define STREAM_HEADER_LEN	16
#define STREAM_VERSION_1	1
#define STREAM_VERSION_2	2

/* Record types (the design's "type" field). */
#define STREAM_END		0
#define STREAM_GLOBAL		1
#define STREAM_CONN		2
#define STREAM_WATCH		3
#define STREAM_TA		4
#define STREAM_NODE		5
#define STREAM_GLOBAL_QUOTA	6
#define STREAM_DOMAIN		7
#define STREAM_WATCH_EXT	8	/* version 2 and later */

#define STREAM_CONN_RING	0
#define STREAM_CONN_SOCKET	1

/* WATCH_EXT depth meaning "every level below". */
#define STREAM_DEPTH_UNLIMITED	0xffff

/* NODE access bits (meaningful only in a transaction's NODE). */
#define STREAM_ACCESS_READ	0x0001
#define STREAM_ACCESS_WRITTEN	0x0002

/* A node permission's flag: stale, ignored when checking access. */
#define STREAM_PERM_STALE	0x01

struct stream_global {
	int32_t		socket_fd;	/* listening socket, or -1 */
	int32_t		evtchn_fd;	/* the event channel driver's fd */
};

struct stream_conn {
	uint32_t	conn_id;	/* non-zero */
	uint16_t	conn_type;	/* STREAM_CONN_RING or _SOCKET */
	uint16_t	domid;		/* ring: the page's owner */
	uint16_t	tdomid;		/* ring: SET_TARGET's target, or 0x7ff4 */
	uint32_t	evtchn;		/* ring: the daemon's local port */
	int32_t		socket_fd;	/* socket: the connected socket */
	const uint8_t	*in;		/* read, not yet processed */
	uint16_t	in_len;
	const uint8_t	*out;		/* written, not yet sent */
	uint32_t	out_len;
	uint16_t	out_resp_len;	/* of out: a partial reply's length */
};

struct stream_watch {
	uint32_t	conn_id;
	const char	*path;		/* nul-terminated, as WATCH gave it */
	const char	*token;		/* nul-terminated */
	uint16_t	depth;		/* STREAM_DEPTH_UNLIMITED in WATCH */
};

struct stream_ta {
	uint32_t	conn_id;
	uint32_t	tx_id;
};

struct stream_perm {
	char		perm;		/* 'n', 'r', 'w' or 'b' */
	uint8_t		flags;		/* STREAM_PERM_STALE */
	uint16_t	domid;
};

struct stream_node {
	uint32_t	conn_id;	/* 0: a committed node */
	uint32_t	tx_id;		/* with conn_id: its transaction */
	uint16_t	access;		/* STREAM_ACCESS_*; 0 deleted, in a TA */
	const char	*path;		/* nul-terminated, absolute */
	const uint8_t	*value;		/* value_len bytes, may hold nuls */
	uint16_t	value_len;
	uint16_t	n_perms;	/* 0 only for a node deleted in a TA */
	const uint8_t	*perms_raw;	/* read: stream_node_perm() */
};

/* GLOBAL_QUOTA (per-domain defaults, then global) and DOMAIN quotas. */
struct stream_quota {
	uint16_t	domid;		/* DOMAIN only */
	uint16_t	n_dom;		/* GLOBAL_QUOTA: the first n_dom apply
					   per domain; DOMAIN: all of them */
	uint32_t	n_quota;	/* values in all: GLOBAL_QUOTA up to
					   2 * 65535, DOMAIN up to 65535 */
	uint32_t	features;	/* DOMAIN, version 2 (ring page 2064) */
	const uint8_t	*vals_raw;	/* read: stream_quota_get() */
	const char	*names;		/* n_quota nul-terminated names */
	size_t		names_len;
};

struct stream_record {
	uint32_t	type;		/* STREAM_*; unknown types are kept */
	uint32_t	len;		/* body bytes, padding included */
	const uint8_t	*body;
	union {
		struct stream_global	global;
		struct stream_conn	conn;
		struct stream_watch	watch;	/* WATCH and WATCH_EXT */
		struct stream_ta	ta;
		struct stream_node	node;
		struct stream_quota	quota;	/* GLOBAL_QUOTA, DOMAIN */
	} u;
};

struct stream_reader {
	const uint8_t	*buf;
	size_t		len;
	size_t		off;		/* of the next record */
	uint32_t	version;
	bool		big_endian;	/* the stream's byte order (flags bit 0) */
	bool		swap;		/* ...which is not ours */
	bool		ended;		/* END was read */
	bool		records_only;	/* no header, no END: a record body */
	unsigned int	records;	/* decoded so far, END included */
	const char	*why;		/* after an error: a static reason */
};

/*
 * Start reading the len bytes at buf (kept, not copied: they must
 * outlive the reader and every record it gives).  Checks the header.
 * Returns 0; EPROTO (r->why says why) for a short buffer, a wrong ident
 * or reserved flags; EPROTONOSUPPORT for a version other than 1 and 2.
 */
int	stream_open(struct stream_reader *r, const void *buf, size_t len);

/*
 * Read the records packed in len bytes at buf (a record's body, as a
 * journal batch holds them) with of's version and byte order: no
 * header, and the end of the buffer ends them (stream_next() then
 * returns ENODATA).  Always returns 0.
 */
int	stream_open_records(struct stream_reader *r,
	    const struct stream_reader *of, const void *buf, size_t len);

/* A 32-bit field of a record body, in the reader's byte order. */
uint32_t stream_get32(const struct stream_reader *r, const void *p);

/*
 * Decode the next record into *rec, its strings and data pointing into
 * the buffer.  Every length is checked against the record and the
 * record against the buffer; strings must end in their nul and hold no
 * other; a CONN's type must be known.  A record of an unknown type (or
 * WATCH_EXT in version 1) is returned with only type, len and body set,
 * for the caller to log and skip, as the design says.  Returns 0, also
 * for END (after which it returns ENODATA); EPROTO (r->why) for a
 * malformed record or a stream ending without END.  Bytes after END
 * are not read.
 */
int	stream_next(struct stream_reader *r, struct stream_record *rec);

/* The i-th (0 <= i < node->n_perms) permission of a decoded NODE. */
struct stream_perm stream_node_perm(const struct stream_reader *r,
	    const struct stream_node *node, unsigned int i);

/*
 * The i-th (0 <= i < q->n_quota) value of a decoded quota record, and
 * its name in *name (nul-terminated, in the buffer).  0 is "unlimited".
 */
uint32_t stream_quota_get(const struct stream_reader *r,
	    const struct stream_quota *q, unsigned int i, const char **name);

/* The name of a record type ("NODE"), or "unknown". */
const char *stream_type_name(uint32_t type);

/*
 * The writer: one growing buffer, in the host's byte order, freed with
 * its talloc parent.  Returns NULL for ENOMEM or a version other than
 * 1 and 2.
 */
struct stream_writer;
struct stream_writer *stream_writer_new(TALLOC_CTX *ctx, uint32_t version);

/*
 * Append one record each.  Return 0; ENOMEM; EINVAL for what the
 * format cannot carry: a string (nul included) or value over 65535
 * bytes, a zero conn_id, an unknown conn_type, a perm not in "nrwb",
 * more quotas than the record's counts hold, an empty quota name, a
 * record over 4 GiB, or out_resp_len over out_len; ENOTSUP for a
 * record or field its version lacks (a watch with a depth, or a
 * DOMAIN's features, in version 1); EPROTO after END.  On error nothing
 * is appended.  A WATCH with depth STREAM_DEPTH_UNLIMITED is written as
 * WATCH, any other as WATCH_EXT.  names: n_quota nul-terminated names,
 * one per value; vals: n_quota values (q's vals_raw and names are not
 * read).
 */
int	stream_put_global(struct stream_writer *w, const struct stream_global *g);
int	stream_put_conn(struct stream_writer *w, const struct stream_conn *c);
int	stream_put_watch(struct stream_writer *w, const struct stream_watch *wa);
int	stream_put_ta(struct stream_writer *w, const struct stream_ta *ta);
int	stream_put_node(struct stream_writer *w, const struct stream_node *n,
	    const struct stream_perm *perms);
int	stream_put_quota(struct stream_writer *w, uint32_t type,
	    const struct stream_quota *q, const uint32_t *vals,
	    const char *const *names);
int	stream_put_end(struct stream_writer *w);

/*
 * A record of a type this format leaves to us (the journal's, above
 * 0x7f): its body is the n pieces of iov end to end, zero-padded to 8.
 * Returns 0; ENOMEM; EINVAL past 4 GiB; EPROTO after END.
 */
struct iovec;
int	stream_put_raw(struct stream_writer *w, uint32_t type,
	    const struct iovec *iov, unsigned int n);

/* Bytes written so far, header included. */
size_t	stream_writer_len(const struct stream_writer *w);

/* Drop what was written past len (>= the header, <= the length). */
void	stream_writer_truncate(struct stream_writer *w, size_t len);

/* The bytes written so far (owned by w) and their count in *len. */
const void *stream_writer_data(const struct stream_writer *w, size_t *len);

#endif
