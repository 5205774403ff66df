/*
 * The input of fuzz_ring: a sequence of steps, each an opcode byte
 * (% FR_OP_COUNT) and its operands (missing bytes read as zeros).
 */
#ifndef XSD_FUZZ_RING_H
#define XSD_FUZZ_RING_H

enum {
	FR_OP_BYTES,	/* n (1 byte), n bytes: the guest writes them */
	FR_OP_FRAME,	/* type, req_id (1 byte each), len (2 bytes, up to
			 * 4096 + 7), len bytes: a frame (tx_id 0) */
	FR_OP_EVENT,	/* the event channel fired: the daemon's turn */
	FR_OP_READ,	/* max (2 bytes): the guest takes responses */
	FR_OP_INDEX,	/* value (4 bytes), which (req_prod, req_cons,
			 * rsp_prod, rsp_cons): a hostile index */
	FR_OP_POKE,	/* offset (2 bytes), byte: any byte of the page */
	FR_OP_RECONNECT,/* the guest asks for a reconnection */
	FR_OP_DEFERRED,	/* the end of a loop turn: deferred calls */
	FR_OP_LIMITS,	/* pause_at, event_max (2 bytes each) */
	FR_OP_WATCH_EVENT, /* path, token (length byte, then letters) */
	FR_OP_REPLY_LEN,/* n (2 bytes): echo at most n payload bytes */
	FR_OP_CLOSE,	/* 0x5a: the daemon closes (the domain's end) */
	FR_OP_COUNT
};

#endif
