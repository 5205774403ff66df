/*
 * The input of fuzz_daemon, as the harness decodes it and mkseeds
 * writes it.
 *
 * Byte 0: configuration (FD_CFG_*).  Then records, each after the
 * separator FD_SEP (which no record contains), so that bytes inserted
 * into or cut from one record leave the others whole: an opcode byte
 * and its operands; a missing operand reads as zeros, extra bytes are
 * ignored unless the record takes "the rest".
 *
 * Opcode below 0x80: one request, FD_REQ(conn, txsel):
 *   conn   = opcode & 15: the client (FD_CONN_*)
 *   txsel  = opcode >> 4 (0..7): tx_id 0; 1..6: the client's txsel-th
 *            most recent transaction (from TRANSACTION_START replies; 0
 *            if it has none); 7: a raw 4-byte tx_id follows
 *   then:  type (1 byte, any value), the payload: the rest of the
 *          record (up to XENSTORE_PAYLOAD_MAX + 64 bytes).
 * Opcode 0x80 and above: (opcode - 0x80) % FD_OP_COUNT is one of FD_OP_*;
 * a "guest" operand names domid (byte % (FD_GUESTS + 1)), 0 being dom0's
 * own ring.
 * Every operation is followed by a turn of the event loop (guests read,
 * write and notify; the daemon serves them), FD_OP_PUMP by more.
 */
#ifndef XSD_FUZZ_DAEMON_H
#define XSD_FUZZ_DAEMON_H

/* Configuration byte. */
#define FD_CFG_KEEP_ORPHANS	0x01	/* xenstored -K */

/* Clients. */
#define FD_CONN_SOCKETS		3	/* 0..2: dom0 over the Unix socket */
#define FD_CONN_LOCAL		3	/* dom0's own ring (xsd_kva) */
#define FD_CONN_GUEST0		4	/* 4..15: domains 1..12 over rings */
#define FD_CONNS		16
#define FD_GUESTS		12

/* The store port every guest leaves unbound for xenstored (INTRODUCE). */
#define FD_STORE_PORT		1

#define FD_REQ(conn, txsel)	((unsigned)(conn) | (unsigned)(txsel) << 4)
#define FD_TXSEL_RAW		7

enum {
	FD_OP_PUMP,	/* n: 1 + n % 8 more turns of the loop */
	FD_OP_DOMSTATE,	/* domid, state, reason: the domain-state feed
			 * (dying and dead also end the domain on Xen) */
	FD_OP_CREATE,	/* domid: create it on Xen (a fresh ring page) */
	FD_OP_IDX,	/* guest, which (0 req_cons, 1 req_prod, 2 rsp_cons,
			 * 3 rsp_prod), 4-byte value: a hostile index */
	FD_OP_POKE,	/* guest, 2-byte offset, byte: any byte of the page */
	FD_OP_RECONNECT,/* guest: ask for a ring reconnection */
	FD_OP_READING,	/* conn, on: does the client read its replies */
	FD_OP_CLOSE,	/* conn: a socket client hangs up (a new one takes
			 * its place at its next request) */
	FD_OP_CHECK,	/* check the invariants now */
	FD_OP_RAW,	/* conn, bytes (the rest, up to 256): raw bytes on
			 * the client's stream (partial or bad frames) */
	FD_OP_NOTIFY,	/* guest: a spurious event */
	FD_OP_COUNT
};

#define FD_OP(op)	(0x80 + (op))

/*
 * fuzz_restart (fuzz_daemon.c built with FUZZ_RESTART): after byte 0,
 * the lengths of a state_snapshot and of a state_journal (16 bits
 * each, little-endian), then their bytes, then the records as above.
 */
#define FD_RESTART_HDR	5

#define FD_SEP		"\xfe\xff"
#define FD_SEP_LEN	2

#endif
