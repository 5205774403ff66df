/*
 * path.c against docs/misc/xenstore.txt "Paths" and path.h: the character
 * set, the length limits (XENSTORE_ABS_PATH_MAX / XENSTORE_REL_PATH_MAX),
 * relative paths, '@' watch paths and the helpers.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "cu_main.h"
#include "path.h"

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

/* prefix followed by 'a's up to len bytes, on ctx. */
static char *
padded(const char *prefix, size_t len)
{
	size_t plen = strlen(prefix);
	char *s;

	s = talloc_array(ctx, char, len + 1);
	CU_ASSERT_FATAL(s != NULL && plen <= len);
	memcpy(s, prefix, plen);
	memset(s + plen, 'a', len - plen);
	s[len] = '\0';
	return s;
}

static void
test_valid_paths(void)
{
	static const char *const good[] = {
		"/",
		"/a",
		"/a/b/c",
		"/local/domain/0/device-model",
		"/ABCDEFGHIJKLMNOPQRSTUVWXYZ/abcdefghijklmnopqrstuvwxyz",
		"/0123456789",
		"/-/_/@",
		"/a-b_c@d",
		"/@",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT_TRUE(path_valid(good[i]));
}

static void
test_invalid_paths(void)
{
	static const char *const bad[] = {
		"",		/* empty */
		"a",		/* not absolute */
		"a/b",
		"@releaseDomain", /* special, not a node */
		"//",
		"//a",
		"/a//b",
		"/a/",		/* trailing slash */
		"/a/b/",
		"/a b",		/* outside -/_@ and alnum */
		"/a.b",
		"/a:b",
		"/a+b",
		"/a\\b",
		"/a\tb",
		"/a\nb",
		"/a*",
		"/\xc3\xa9",	/* non-ASCII */
		"/\x7f",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_FALSE(path_valid(bad[i]));
}

static void
test_abs_length(void)
{
	const char *out;

	/* "Paths longer than 3072 bytes are forbidden." */
	CU_ASSERT_TRUE(path_valid(padded("/", XENSTORE_ABS_PATH_MAX)));
	CU_ASSERT_FALSE(path_valid(padded("/", XENSTORE_ABS_PATH_MAX + 1)));
	CU_ASSERT_TRUE(path_valid(padded("/x/", XENSTORE_ABS_PATH_MAX)));
	CU_ASSERT_FALSE(path_valid(padded("/x/", XENSTORE_ABS_PATH_MAX + 1)));
	CU_ASSERT_EQUAL(path_canonicalize(ctx,
	    padded("/", XENSTORE_ABS_PATH_MAX), 0, &out), 0);
	CU_ASSERT_EQUAL(path_canonicalize(ctx,
	    padded("/", XENSTORE_ABS_PATH_MAX + 1), 0, &out), EINVAL);
}

static void
test_canonicalize_absolute(void)
{
	const char *out = NULL;

	CU_ASSERT_EQUAL(path_canonicalize(ctx, "/a/b", 3, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "/a/b");
	CU_ASSERT_EQUAL(path_canonicalize(ctx, "/", 3, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "/");
	CU_ASSERT_EQUAL(path_canonicalize(ctx, "/a/", 3, &out), EINVAL);
	CU_ASSERT_EQUAL(path_canonicalize(ctx, "/a//b", 3, &out), EINVAL);
	CU_ASSERT_EQUAL(path_canonicalize(ctx, "/a.b", 3, &out), EINVAL);
}

static void
test_canonicalize_relative(void)
{
	const char *out = NULL;

	/* xenstore.txt: "x/y" sent by domain 3 means /local/domain/3/x/y. */
	CU_ASSERT_EQUAL(path_canonicalize(ctx, "x/y", 3, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "/local/domain/3/x/y");
	CU_ASSERT_EQUAL(path_canonicalize(ctx, "device", 0, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "/local/domain/0/device");
	CU_ASSERT_EQUAL(path_canonicalize(ctx, "a", 65535, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "/local/domain/65535/a");

	CU_ASSERT_EQUAL(path_canonicalize(ctx, "", 3, &out), EINVAL);
	CU_ASSERT_EQUAL(path_canonicalize(ctx, "a/", 3, &out), EINVAL);
	CU_ASSERT_EQUAL(path_canonicalize(ctx, "a//b", 3, &out), EINVAL);
	CU_ASSERT_EQUAL(path_canonicalize(ctx, "a b", 3, &out), EINVAL);
	/* '@' names a special watch, never a node. */
	CU_ASSERT_EQUAL(path_canonicalize(ctx, "@releaseDomain", 3, &out),
	    EINVAL);
}

static void
test_relative_length(void)
{
	const char *out = NULL;
	char *in;

	in = padded("", XENSTORE_REL_PATH_MAX);
	CU_ASSERT_EQUAL(path_canonicalize(ctx, in, 7, &out), 0);
	CU_ASSERT_EQUAL(strlen(out),
	    strlen("/local/domain/7/") + XENSTORE_REL_PATH_MAX);
	CU_ASSERT_EQUAL(strncmp(out, "/local/domain/7/", 16), 0);
	in = padded("", XENSTORE_REL_PATH_MAX + 1);
	CU_ASSERT_EQUAL(path_canonicalize(ctx, in, 7, &out), EINVAL);
	/* The limit is on what the client sent, components included. */
	in = padded("d/", XENSTORE_REL_PATH_MAX);
	CU_ASSERT_EQUAL(path_canonicalize(ctx, in, 7, &out), 0);
	in = padded("d/", XENSTORE_REL_PATH_MAX + 1);
	CU_ASSERT_EQUAL(path_canonicalize(ctx, in, 7, &out), EINVAL);
}

static void
test_watch_paths(void)
{
	const char *out = NULL;
	bool rel = true;

	CU_ASSERT_EQUAL(path_watch_canonicalize(ctx, "@releaseDomain", 3,
	    &out, &rel), 0);
	CU_ASSERT_STRING_EQUAL(out, "@releaseDomain");
	CU_ASSERT_FALSE(rel);
	CU_ASSERT_EQUAL(path_watch_canonicalize(ctx, "@introduceDomain", 3,
	    &out, &rel), 0);
	CU_ASSERT_STRING_EQUAL(out, "@introduceDomain");
	/* "<wspecial> may have any syntax". */
	CU_ASSERT_EQUAL(path_watch_canonicalize(ctx, "@releaseDomain/3", 0,
	    &out, &rel), 0);
	CU_ASSERT_STRING_EQUAL(out, "@releaseDomain/3");
	CU_ASSERT_EQUAL(path_watch_canonicalize(ctx,
	    padded("@", XENSTORE_REL_PATH_MAX), 0, &out, &rel), 0);
	CU_ASSERT_EQUAL(path_watch_canonicalize(ctx,
	    padded("@", XENSTORE_REL_PATH_MAX + 1), 0, &out, &rel), EINVAL);

	rel = true;
	CU_ASSERT_EQUAL(path_watch_canonicalize(ctx, "/a/b", 3, &out, &rel),
	    0);
	CU_ASSERT_STRING_EQUAL(out, "/a/b");
	CU_ASSERT_FALSE(rel);
	rel = false;
	CU_ASSERT_EQUAL(path_watch_canonicalize(ctx, "dev/vif", 3, &out,
	    &rel), 0);
	CU_ASSERT_STRING_EQUAL(out, "/local/domain/3/dev/vif");
	CU_ASSERT_TRUE(rel);

	CU_ASSERT_EQUAL(path_watch_canonicalize(ctx, "", 3, &out, &rel),
	    EINVAL);
	CU_ASSERT_EQUAL(path_watch_canonicalize(ctx, "/a/", 3, &out, &rel),
	    EINVAL);
	CU_ASSERT_EQUAL(path_watch_canonicalize(ctx, "a//b", 3, &out, &rel),
	    EINVAL);
}

static void
test_domain_base(void)
{
	CU_ASSERT_STRING_EQUAL(path_domain_base(ctx, 0), "/local/domain/0");
	CU_ASSERT_STRING_EQUAL(path_domain_base(ctx, 65535),
	    "/local/domain/65535");
}

static void
test_parent_basename(void)
{
	CU_ASSERT_STRING_EQUAL(path_parent(ctx, "/a"), "/");
	CU_ASSERT_STRING_EQUAL(path_parent(ctx, "/a/b"), "/a");
	CU_ASSERT_STRING_EQUAL(path_parent(ctx, "/a/b/c"), "/a/b");
	CU_ASSERT_STRING_EQUAL(path_basename("/a"), "a");
	CU_ASSERT_STRING_EQUAL(path_basename("/a/b/cd"), "cd");
	CU_ASSERT_STRING_EQUAL(path_basename("/local/domain/0"), "0");
}

static void
test_is_child(void)
{
	/* xenstore.txt: identical paths, "/" and "<parent>/" prefixes. */
	CU_ASSERT_TRUE(path_is_child("/a", "/a"));
	CU_ASSERT_TRUE(path_is_child("/a/b", "/a"));
	CU_ASSERT_TRUE(path_is_child("/a/b/c", "/a"));
	CU_ASSERT_TRUE(path_is_child("/a", "/"));
	CU_ASSERT_TRUE(path_is_child("/a/b", "/"));
	CU_ASSERT_TRUE(path_is_child("/", "/"));
	CU_ASSERT_FALSE(path_is_child("/ab", "/a"));
	CU_ASSERT_FALSE(path_is_child("/a", "/a/b"));
	CU_ASSERT_FALSE(path_is_child("/", "/a"));
	CU_ASSERT_FALSE(path_is_child("/b/a", "/a"));
	CU_ASSERT_TRUE(path_is_child("@releaseDomain", "@releaseDomain"));
	CU_ASSERT_TRUE(path_is_child("@releaseDomain/3", "@releaseDomain"));
	CU_ASSERT_FALSE(path_is_child("@releaseDomainX", "@releaseDomain"));
	CU_ASSERT_FALSE(path_is_child("@releaseDomain", "@releaseDomain/3"));
}

static void
test_depth_below(void)
{
	CU_ASSERT_EQUAL(path_depth_below("/a", "/a"), 0);
	CU_ASSERT_EQUAL(path_depth_below("/a/b", "/a"), 1);
	CU_ASSERT_EQUAL(path_depth_below("/a/b/c", "/a"), 2);
	CU_ASSERT_EQUAL(path_depth_below("/", "/"), 0);
	CU_ASSERT_EQUAL(path_depth_below("/a", "/"), 1);
	CU_ASSERT_EQUAL(path_depth_below("/a/b/c", "/"), 3);
	CU_ASSERT_EQUAL(path_depth_below("@releaseDomain",
	    "@releaseDomain"), 0);
	CU_ASSERT_EQUAL(path_depth_below("@releaseDomain/3",
	    "@releaseDomain"), 1);
}

static void
test_join(void)
{
	CU_ASSERT_STRING_EQUAL(path_join(ctx, "/", "a"), "/a");
	CU_ASSERT_STRING_EQUAL(path_join(ctx, "/a", "b"), "/a/b");
	CU_ASSERT_STRING_EQUAL(path_join(ctx, "/a/b", "c-d"), "/a/b/c-d");
}

/* path_push() and path_pop() undo each other, at the root as below. */
static void
test_push_pop(void)
{
	char buf[64] = "/";
	size_t len = 1;

	path_push(buf, &len, "a");
	CU_ASSERT_STRING_EQUAL(buf, "/a");
	path_push(buf, &len, "bc");
	CU_ASSERT_STRING_EQUAL(buf, "/a/bc");
	CU_ASSERT_EQUAL(len, 5);
	path_pop(buf, &len, "bc");
	CU_ASSERT_STRING_EQUAL(buf, "/a");
	path_pop(buf, &len, "a");
	CU_ASSERT_STRING_EQUAL(buf, "/");
	CU_ASSERT_EQUAL(len, 1);
	strcpy(buf, "@releaseDomain");
	len = strlen(buf);
	path_push(buf, &len, "3");
	CU_ASSERT_STRING_EQUAL(buf, "@releaseDomain/3");
	path_pop(buf, &len, "3");
	CU_ASSERT_STRING_EQUAL(buf, "@releaseDomain");
}

static const struct cu_test tests[] = {
	TEST(test_push_pop),
	TEST(test_valid_paths),
	TEST(test_invalid_paths),
	TEST(test_abs_length),
	TEST(test_canonicalize_absolute),
	TEST(test_canonicalize_relative),
	TEST(test_relative_length),
	TEST(test_watch_paths),
	TEST(test_domain_base),
	TEST(test_parent_basename),
	TEST(test_is_child),
	TEST(test_depth_below),
	TEST(test_join),
	TEST_END
};

int
main(void)
{
	const struct cu_suite suites[] = {
		{ "path", setup, teardown, tests },
	};

	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
