/*
 * xenstored/framing.c: header checks, argument splitting, error names,
 * frame encoding, on arbitrary bytes.
 *
 * Input: a 16-byte header candidate, then a payload (any bytes).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "framing.h"
#include "fuzz.h"

static void
check_split(const char *payload, size_t len, unsigned int max)
{
	const char *argv[8];
	unsigned int n, i, all;
	size_t tail, used = 0;

	n = framing_split(payload, len, argv, max, &tail);
	CHECK(tail <= len);
	/* Every stored argument is a nul-terminated string of payload. */
	for (i = 0; i < n && i < max; i++) {
		CHECK(argv[i] >= payload && argv[i] < payload + len);
		CHECK(memchr(argv[i], '\0', payload + len - argv[i]) != NULL);
		/* Consecutive: each starts where the previous one ended. */
		CHECK(argv[i] == payload + used);
		used += strlen(argv[i]) + 1;
	}
	/* Total count does not depend on max. */
	all = framing_split(payload, len, NULL, 0, NULL);
	CHECK(all == n);
	/* The tail holds no nul and ends the payload. */
	CHECK(memchr(payload + len - tail, '\0', tail) == NULL);
	if (n <= max)
		CHECK(used + tail == len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xsd_sockmsg hdr;
	TALLOC_CTX *ctx;
	const char *name;
	char *payload, *frame;
	size_t len;
	int err;

	if (size < FRAME_HDR_LEN)
		return 0;
	memcpy(&hdr, data, FRAME_HDR_LEN);
	err = framing_check_header(&hdr);
	CHECK(err == 0 || err == E2BIG);
	CHECK((err == 0) == (hdr.len <= XENSTORE_PAYLOAD_MAX));
	name = framing_type_name(hdr.type);
	CHECK(name != NULL && name[0] != '\0');

	/* The payload in a buffer of its exact size: overreads are seen. */
	len = size - FRAME_HDR_LEN;
	if ((payload = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(payload, data + FRAME_HDR_LEN, len);
	check_split(payload, len, 8);
	check_split(payload, len, hdr.req_id % 9);

	/* Error names: every errno has one; known ones are not "EIO". */
	err = (int)hdr.tx_id;
	name = framing_error_name(err);
	CHECK(name != NULL && name[0] == 'E');
	if (!framing_error_known(err))
		CHECK(strcmp(name, "EIO") == 0);

	/* Encoding gives back header and payload. */
	ctx = talloc_new(NULL);
	if (len <= XENSTORE_PAYLOAD_MAX &&
	    (frame = framing_encode(ctx, hdr.type, hdr.req_id, hdr.tx_id,
	    payload, len)) != NULL) {
		struct xsd_sockmsg h2;

		CHECK(talloc_get_size(frame) == FRAME_HDR_LEN + len);
		memcpy(&h2, frame, FRAME_HDR_LEN);
		CHECK(h2.type == hdr.type && h2.req_id == hdr.req_id &&
		    h2.tx_id == hdr.tx_id && h2.len == len);
		CHECK(memcmp(frame + FRAME_HDR_LEN, payload, len) == 0);
		CHECK(framing_check_header(&h2) == 0);
	}
	talloc_free(ctx);
	free(payload);
	return 0;
}
