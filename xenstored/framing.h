/*
 * The xsd_sockmsg frame (xen/io/xs_wire.h): header checks, argument
 * splitting and reply encoding.  Pure: no I/O, no global state; fuzzed.
 */
#ifndef XSD_FRAMING_H
#define XSD_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include <xen/io/xs_wire.h>

/*
 * Message types added after Xen 4.17's xs_wire.h (the values Xen 4.19
 * assigns); the installed header may not have them.
 */
#define XSD_GET_FEATURE		23
#define XSD_SET_FEATURE		24
#define XSD_GET_QUOTA		25
#define XSD_SET_QUOTA		26
#define XSD_TYPE_COUNT		27

#define FRAME_HDR_LEN	((size_t)sizeof(struct xsd_sockmsg))

/*
 * Check a received header.  Returns 0, or E2BIG when hdr->len exceeds
 * XENSTORE_PAYLOAD_MAX (4096): the peer must then be disconnected
 * (xenstore.txt, "payload length ... limited to 4096").
 */
int	framing_check_header(const struct xsd_sockmsg *hdr);

/*
 * Split a payload of len bytes into nul-terminated strings.  Up to max
 * pointers into payload are stored in argv; the return value is the total
 * number of strings, which may exceed max.  Bytes after the last nul are
 * not a string: *tail_len (if not NULL) gets their count, so callers can
 * reject a payload that does not end in nul.
 */
unsigned int framing_split(const char *payload, size_t len,
	    const char **argv, unsigned int max, size_t *tail_len);

/*
 * Wire name ("EINVAL") of a positive errno value.  Values without a name
 * in xs_wire.h's xsd_errors map to "EIO" and are logged by the caller.
 * The result is a static string.
 */
const char *framing_error_name(int err);
bool	framing_error_known(int err);

/*
 * Build one frame: header (type, req_id, tx_id, len) followed by len
 * payload bytes, allocated on ctx.  len must be at most
 * XENSTORE_PAYLOAD_MAX.  Returns NULL only for ENOMEM.
 */
void	*framing_encode(TALLOC_CTX *ctx, uint32_t type, uint32_t req_id,
	    uint32_t tx_id, const void *payload, size_t len);

/* Name of a message type for logs and traces ("READ"), or "UNKNOWN". */
const char *framing_type_name(uint32_t type);

#endif
