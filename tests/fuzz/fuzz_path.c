/*
 * xenstored/path.c: validation, canonicalisation (absolute, relative,
 * watch paths), parent / basename / join / depth, on arbitrary strings.
 *
 * Input: 2 bytes of domid, then one or two strings separated by a nul.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <xen/io/xs_wire.h>

#include "fuzz.h"
#include "path.h"

/* Properties of any valid canonical path p. */
static void
check_valid(TALLOC_CTX *ctx, const char *p)
{
	const char *base, *again;
	char *parent, *joined;
	bool rel;

	CHECK(path_valid(p));
	CHECK(strlen(p) <= XENSTORE_ABS_PATH_MAX);
	/* Canonical already: absolute canonicalisation is the identity. */
	CHECK(path_canonicalize(ctx, p, 0, &again) == 0 && again == p);
	CHECK(path_watch_canonicalize(ctx, p, 7, &again, &rel) == 0 &&
	    again == p && !rel);
	CHECK(path_is_child(p, "/"));
	CHECK(path_is_child(p, p));
	CHECK(path_depth_below(p, p) == 0);
	CHECK(path_len_below_domain(p) <= strlen(p));
	if (strcmp(p, "/") == 0)
		return;
	parent = path_parent(ctx, p);
	CHECK(parent != NULL);
	CHECK(path_valid(parent));
	CHECK(strlen(parent) < strlen(p));
	CHECK(path_is_child(p, parent));
	CHECK(!path_is_child(parent, p));
	CHECK(path_depth_below(p, parent) == 1);
	base = path_basename(p);
	CHECK(base[0] != '\0' && strchr(base, '/') == NULL);
	joined = path_join(ctx, parent, base);
	CHECK(joined != NULL && strcmp(joined, p) == 0);
	/* Depth below the root: one per component. */
	{
		unsigned int slashes = 0;
		const char *s;

		for (s = p; *s; s++)
			slashes += *s == '/';
		CHECK(path_depth_below(p, "/") == slashes);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *ctx;
	const char *out, *out2;
	unsigned int domid;
	char *a, *b;
	size_t alen;
	bool rel;
	int err;

	if (size < 2)
		return 0;
	domid = (data[0] | data[1] << 8) & 0xffff;
	data += 2;
	size -= 2;
	/* Exact-size copies, so that reading past a nul is seen. */
	alen = strnlen((const char *)data, size);
	if ((a = malloc(alen + 1)) == NULL)
		return 0;
	memcpy(a, data, alen);
	a[alen] = '\0';
	b = NULL;
	if (alen + 1 < size) {
		size_t blen = strnlen((const char *)data + alen + 1,
		    size - alen - 1);

		if ((b = malloc(blen + 1)) != NULL) {
			memcpy(b, data + alen + 1, blen);
			b[blen] = '\0';
		}
	}
	ctx = talloc_new(NULL);

	err = path_canonicalize(ctx, a, domid, &out);
	CHECK(err == 0 || err == EINVAL);
	if (err == 0) {
		check_valid(ctx, out);
		if (a[0] == '/')
			CHECK(out == a);
		else {
			char *base = path_domain_base(ctx, domid);

			CHECK(base != NULL);
			CHECK(path_is_child(out, base) && strcmp(out, base));
			CHECK(strlen(a) <= XENSTORE_REL_PATH_MAX);
			CHECK(strcmp(out + strlen(base) + 1, a) == 0);
		}
	} else if (a[0] == '/')
		CHECK(!path_valid(a));

	err = path_watch_canonicalize(ctx, a, domid, &out2, &rel);
	CHECK(err == 0 || err == EINVAL);
	if (a[0] == '@') {
		CHECK((err == 0) == (alen <= XENSTORE_REL_PATH_MAX));
		if (err == 0)
			CHECK(out2 == a && !rel);
	} else {
		/* The same answer as for a node path. */
		CHECK((err == 0) == (path_canonicalize(ctx, a, domid,
		    &out) == 0));
		if (err == 0) {
			CHECK(strcmp(out, out2) == 0);
			CHECK(rel == (a[0] != '/'));
		}
	}

	/* Two paths: the child relation is a partial order. */
	if (b != NULL && path_valid(a) && path_valid(b)) {
		check_valid(ctx, b);
		if (path_is_child(a, b) && path_is_child(b, a))
			CHECK(strcmp(a, b) == 0);
		if (path_is_child(a, b))
			CHECK(path_depth_below(a, b) <=
			    path_depth_below(a, "/"));
	}
	/* '@' paths: "@x/3" is below "@x" (special watches). */
	if (b != NULL && a[0] == '@' && path_is_child(a, b) &&
	    strcmp(b, "/") != 0)
		CHECK(strncmp(a, b, strlen(b)) == 0);

	talloc_free(ctx);
	free(a);
	free(b);
	return 0;
}
