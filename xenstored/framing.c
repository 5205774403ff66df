/*
 * Frame encoding and decoding.  Everything a peer controls is checked here
 * before anything is allocated for it.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "framing.h"

int
framing_check_header(const struct xsd_sockmsg *hdr)
{
	return hdr->len > XENSTORE_PAYLOAD_MAX ? E2BIG : 0;
}

unsigned int
framing_split(const char *payload, size_t len, const char **argv,
    unsigned int max, size_t *tail_len)
{
	const char *p = payload, *end = payload + len, *nul;
	unsigned int n = 0;

	while (p < end && (nul = memchr(p, '\0', end - p)) != NULL) {
		if (n < max)
			argv[n] = p;
		n++;
		p = nul + 1;
	}
	if (tail_len != NULL)
		*tail_len = end - p;
	return n;
}

static int
error_index(int err)
{
	unsigned int i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			return i;
	return -1;
}

bool
framing_error_known(int err)
{
	return error_index(err) >= 0;
}

const char *
framing_error_name(int err)
{
	int i = error_index(err);

	return i >= 0 ? xsd_errors[i].errstring : "EIO";
}

void *
framing_encode(TALLOC_CTX *ctx, uint32_t type, uint32_t req_id,
    uint32_t tx_id, const void *payload, size_t len)
{
	struct xsd_sockmsg hdr;
	char *buf;

	buf = talloc_size(ctx, FRAME_HDR_LEN + len);
	if (buf == NULL)
		return NULL;
	hdr.type = type;
	hdr.req_id = req_id;
	hdr.tx_id = tx_id;
	hdr.len = len;
	memcpy(buf, &hdr, FRAME_HDR_LEN);
	if (len > 0)
		memcpy(buf + FRAME_HDR_LEN, payload, len);
	return buf;
}

static const char *const type_names[XSD_TYPE_COUNT] = {
	[XS_CONTROL] = "CONTROL",
	[XS_DIRECTORY] = "DIRECTORY",
	[XS_READ] = "READ",
	[XS_GET_PERMS] = "GET_PERMS",
	[XS_WATCH] = "WATCH",
	[XS_UNWATCH] = "UNWATCH",
	[XS_TRANSACTION_START] = "TRANSACTION_START",
	[XS_TRANSACTION_END] = "TRANSACTION_END",
	[XS_INTRODUCE] = "INTRODUCE",
	[XS_RELEASE] = "RELEASE",
	[XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
	[XS_WRITE] = "WRITE",
	[XS_MKDIR] = "MKDIR",
	[XS_RM] = "RM",
	[XS_SET_PERMS] = "SET_PERMS",
	[XS_WATCH_EVENT] = "WATCH_EVENT",
	[XS_ERROR] = "ERROR",
	[XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
	[XS_RESUME] = "RESUME",
	[XS_SET_TARGET] = "SET_TARGET",
	[XS_RESET_WATCHES] = "RESET_WATCHES",
	[XS_DIRECTORY_PART] = "DIRECTORY_PART",
	[XSD_GET_FEATURE] = "GET_FEATURE",
	[XSD_SET_FEATURE] = "SET_FEATURE",
	[XSD_GET_QUOTA] = "GET_QUOTA",
	[XSD_SET_QUOTA] = "SET_QUOTA",
};

const char *
framing_type_name(uint32_t type)
{
	if (type < XSD_TYPE_COUNT && type_names[type] != NULL)
		return type_names[type];
	return "UNKNOWN";
}
