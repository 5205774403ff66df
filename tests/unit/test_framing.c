/*
 * framing.c: the xsd_sockmsg header limit, argument splitting, error
 * names (xs_wire.h xsd_errors) and the encoded frame layout.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cu_main.h"
#include "framing.h"

static TALLOC_CTX *ctx;

static void
setup(void)
{
	ctx = talloc_new(NULL);
}

static void
teardown(void)
{
	TALLOC_FREE(ctx);
}

static void
test_check_header(void)
{
	struct xsd_sockmsg hdr = { XS_READ, 1, 0, 0 };

	CU_ASSERT_EQUAL(framing_check_header(&hdr), 0);
	hdr.len = XENSTORE_PAYLOAD_MAX;
	CU_ASSERT_EQUAL(framing_check_header(&hdr), 0);
	hdr.len = XENSTORE_PAYLOAD_MAX + 1;
	CU_ASSERT_EQUAL(framing_check_header(&hdr), E2BIG);
	hdr.len = UINT32_MAX;
	CU_ASSERT_EQUAL(framing_check_header(&hdr), E2BIG);
}

static void
test_split_empty(void)
{
	const char *argv[4] = { NULL };
	size_t tail = 99;

	CU_ASSERT_EQUAL(framing_split("", 0, argv, 4, &tail), 0);
	CU_ASSERT_EQUAL(tail, 0);
	CU_ASSERT_PTR_NULL(argv[0]);
}

static void
test_split_strings(void)
{
	static const char p[] = "/a\0token\0";
	const char *argv[4] = { NULL };
	size_t tail = 99;

	/* sizeof(p) counts the literal's own final nul: a third string. */
	CU_ASSERT_EQUAL(framing_split(p, sizeof(p) - 1, argv, 4, &tail), 2);
	CU_ASSERT_EQUAL(tail, 0);
	CU_ASSERT_PTR_EQUAL(argv[0], p);
	CU_ASSERT_PTR_EQUAL(argv[1], p + 3);
	CU_ASSERT_STRING_EQUAL(argv[1], "token");
	CU_ASSERT_PTR_NULL(argv[2]);

	/* Empty strings are strings. */
	CU_ASSERT_EQUAL(framing_split("\0", 1, argv, 4, &tail), 1);
	CU_ASSERT_STRING_EQUAL(argv[0], "");
	CU_ASSERT_EQUAL(framing_split("\0\0\0", 3, argv, 4, &tail), 3);
	CU_ASSERT_EQUAL(tail, 0);
	/* tail_len may be NULL. */
	CU_ASSERT_EQUAL(framing_split("a\0b", 3, argv, 4, NULL), 1);
}

static void
test_split_tail(void)
{
	const char *argv[4] = { NULL };
	size_t tail = 0;

	/* WRITE's value is not nul-terminated: it is the tail. */
	CU_ASSERT_EQUAL(framing_split("/a\0value", 8, argv, 4, &tail), 1);
	CU_ASSERT_STRING_EQUAL(argv[0], "/a");
	CU_ASSERT_EQUAL(tail, 5);
	CU_ASSERT_EQUAL(framing_split("abc", 3, argv, 4, &tail), 0);
	CU_ASSERT_EQUAL(tail, 3);
	/* A nul beyond len is not looked at. */
	CU_ASSERT_EQUAL(framing_split("abc", 2, argv, 4, &tail), 0);
	CU_ASSERT_EQUAL(tail, 2);
}

static void
test_split_over_max(void)
{
	static const char p[] = "a\0b\0c\0d";
	const char *sentinel = "untouched";
	const char *argv[3] = { NULL, NULL, NULL };
	size_t tail = 99;

	argv[2] = sentinel;
	/* The count goes on past max; only max slots are written. */
	CU_ASSERT_EQUAL(framing_split(p, sizeof(p) - 1, argv, 2, &tail), 3);
	CU_ASSERT_EQUAL(tail, 1);
	CU_ASSERT_STRING_EQUAL(argv[0], "a");
	CU_ASSERT_STRING_EQUAL(argv[1], "b");
	CU_ASSERT_PTR_EQUAL(argv[2], sentinel);
	argv[0] = sentinel;
	CU_ASSERT_EQUAL(framing_split(p, sizeof(p), argv, 0, &tail), 4);
	CU_ASSERT_EQUAL(tail, 0);
	CU_ASSERT_PTR_EQUAL(argv[0], sentinel);
}

static void
test_split_large(void)
{
	const char *argv[2];
	char *p;
	size_t tail = 99;

	/* A full payload of nuls: 4096 empty strings, bounded by len. */
	p = talloc_zero_size(ctx, XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(framing_split(p, XENSTORE_PAYLOAD_MAX, argv, 2,
	    &tail), XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_EQUAL(tail, 0);
}

static void
test_error_names(void)
{
	CU_ASSERT_STRING_EQUAL(framing_error_name(EINVAL), "EINVAL");
	CU_ASSERT_STRING_EQUAL(framing_error_name(EAGAIN), "EAGAIN");
	CU_ASSERT_STRING_EQUAL(framing_error_name(E2BIG), "E2BIG");
	CU_ASSERT_STRING_EQUAL(framing_error_name(ENOENT), "ENOENT");
	CU_ASSERT_STRING_EQUAL(framing_error_name(EACCES), "EACCES");
	CU_ASSERT_STRING_EQUAL(framing_error_name(EEXIST), "EEXIST");
	CU_ASSERT_STRING_EQUAL(framing_error_name(ENOSPC), "ENOSPC");
	CU_ASSERT_STRING_EQUAL(framing_error_name(ENOMEM), "ENOMEM");
	CU_ASSERT_STRING_EQUAL(framing_error_name(EPERM), "EPERM");
	CU_ASSERT_STRING_EQUAL(framing_error_name(EIO), "EIO");
	CU_ASSERT_TRUE(framing_error_known(EINVAL));
	CU_ASSERT_TRUE(framing_error_known(E2BIG));

	/* Not in xsd_errors: the wire gets "EIO". */
	CU_ASSERT_STRING_EQUAL(framing_error_name(ELOOP), "EIO");
	CU_ASSERT_STRING_EQUAL(framing_error_name(ETIMEDOUT), "EIO");
	CU_ASSERT_STRING_EQUAL(framing_error_name(9999), "EIO");
	CU_ASSERT_STRING_EQUAL(framing_error_name(0), "EIO");
	CU_ASSERT_FALSE(framing_error_known(ELOOP));
	CU_ASSERT_FALSE(framing_error_known(9999));
	CU_ASSERT_FALSE(framing_error_known(0));
}

static void
test_encode(void)
{
	static const char payload[] = "/a\0tok";
	/* The header is four host-order uint32_t: type, req_id, tx_id, len. */
	static const uint32_t want[4] = { XS_WATCH_EVENT, 7, 3,
	    sizeof(payload) };
	struct xsd_sockmsg hdr;
	char *buf;

	buf = framing_encode(ctx, XS_WATCH_EVENT, 7, 3, payload,
	    sizeof(payload));
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL(FRAME_HDR_LEN, 16);
	CU_ASSERT_EQUAL(talloc_get_size(buf), FRAME_HDR_LEN + sizeof(payload));
	memcpy(&hdr, buf, sizeof(hdr));
	CU_ASSERT_EQUAL(hdr.type, XS_WATCH_EVENT);
	CU_ASSERT_EQUAL(hdr.req_id, 7);
	CU_ASSERT_EQUAL(hdr.tx_id, 3);
	CU_ASSERT_EQUAL(hdr.len, sizeof(payload));
	CU_ASSERT_EQUAL(memcmp(buf + FRAME_HDR_LEN, payload,
	    sizeof(payload)), 0);
	CU_ASSERT_EQUAL(memcmp(buf, want, sizeof(want)), 0);
}

static void
test_encode_sizes(void)
{
	struct xsd_sockmsg hdr;
	char *big, *buf;

	buf = framing_encode(ctx, XS_ERROR, 1, 0, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL(talloc_get_size(buf), FRAME_HDR_LEN);
	memcpy(&hdr, buf, sizeof(hdr));
	CU_ASSERT_EQUAL(hdr.type, XS_ERROR);
	CU_ASSERT_EQUAL(hdr.len, 0);

	big = talloc_size(ctx, XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'x', XENSTORE_PAYLOAD_MAX);
	buf = framing_encode(ctx, XS_READ, UINT32_MAX, UINT32_MAX, big,
	    XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	memcpy(&hdr, buf, sizeof(hdr));
	CU_ASSERT_EQUAL(hdr.req_id, UINT32_MAX);
	CU_ASSERT_EQUAL(hdr.tx_id, UINT32_MAX);
	CU_ASSERT_EQUAL(hdr.len, XENSTORE_PAYLOAD_MAX);
	CU_ASSERT_EQUAL(framing_check_header(&hdr), 0);
	CU_ASSERT_EQUAL(memcmp(buf + FRAME_HDR_LEN, big,
	    XENSTORE_PAYLOAD_MAX), 0);
}

static void
test_type_names(void)
{
	CU_ASSERT_STRING_EQUAL(framing_type_name(XS_CONTROL), "CONTROL");
	CU_ASSERT_STRING_EQUAL(framing_type_name(XS_READ), "READ");
	CU_ASSERT_STRING_EQUAL(framing_type_name(XS_WATCH_EVENT),
	    "WATCH_EVENT");
	CU_ASSERT_STRING_EQUAL(framing_type_name(XS_DIRECTORY_PART),
	    "DIRECTORY_PART");
	CU_ASSERT_STRING_EQUAL(framing_type_name(XSD_SET_QUOTA), "SET_QUOTA");
	/* The slot of the removed XS_RESTRICT, past the end, invalid. */
	CU_ASSERT_STRING_EQUAL(framing_type_name(XS_SET_TARGET + 1),
	    "UNKNOWN");
	CU_ASSERT_STRING_EQUAL(framing_type_name(XSD_TYPE_COUNT), "UNKNOWN");
	CU_ASSERT_STRING_EQUAL(framing_type_name(XS_INVALID), "UNKNOWN");
	CU_ASSERT_STRING_EQUAL(framing_type_name(UINT32_MAX), "UNKNOWN");
}

static const struct cu_test tests[] = {
	TEST(test_check_header),
	TEST(test_split_empty),
	TEST(test_split_strings),
	TEST(test_split_tail),
	TEST(test_split_over_max),
	TEST(test_split_large),
	TEST(test_error_names),
	TEST(test_encode),
	TEST(test_encode_sizes),
	TEST(test_type_names),
	TEST_END
};

int
main(void)
{
	const struct cu_suite suites[] = {
		{ "framing", setup, teardown, tests },
	};

	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
