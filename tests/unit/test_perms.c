/*
 * perms.c: the "n r w b" + domid strings of xenstore.txt (GET_PERMS /
 * SET_PERMS) and the access rule of perms.h, as a table of callers.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cu_main.h"
#include "perms.h"

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

/* Parse one nul-terminated string. */
static int
parse1(const char *s, struct perms *out)
{
	return perms_parse(ctx, s, strlen(s) + 1, 1, out);
}

static void
test_parse_good(void)
{
	static const struct {
		const char	*s;
		unsigned int	 domid;
		unsigned int	 perms;
	} good[] = {
		{ "n0", 0, PERM_NONE },
		{ "r5", 5, PERM_READ },
		{ "w65535", 65535, PERM_WRITE },
		{ "b12", 12, PERM_READ | PERM_WRITE },
	};
	struct perms p;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&p, 0, sizeof(p));
		CU_ASSERT_EQUAL_FATAL(parse1(good[i].s, &p), 0);
		CU_ASSERT_EQUAL(p.num, 1);
		CU_ASSERT_EQUAL(p.p[0].domid, good[i].domid);
		CU_ASSERT_EQUAL(p.p[0].perms, good[i].perms);
	}
}

static void
test_parse_list(void)
{
	static const char s[] = "b0\0r5\0w7\0n65535";
	struct perms p;

	CU_ASSERT_EQUAL_FATAL(perms_parse(ctx, s, sizeof(s), 4, &p), 0);
	CU_ASSERT_EQUAL(p.num, 4);
	CU_ASSERT_EQUAL(p.p[0].domid, 0);
	CU_ASSERT_EQUAL(p.p[0].perms, PERM_READ | PERM_WRITE);
	CU_ASSERT_EQUAL(p.p[1].domid, 5);
	CU_ASSERT_EQUAL(p.p[1].perms, PERM_READ);
	CU_ASSERT_EQUAL(p.p[2].domid, 7);
	CU_ASSERT_EQUAL(p.p[2].perms, PERM_WRITE);
	CU_ASSERT_EQUAL(p.p[3].domid, 65535);
	CU_ASSERT_EQUAL(p.p[3].perms, PERM_NONE);
	/* Fewer entries than the strings present: the rest is ignored. */
	CU_ASSERT_EQUAL(perms_parse(ctx, s, sizeof(s), 2, &p), 0);
	CU_ASSERT_EQUAL(p.num, 2);
}

static void
test_parse_bad(void)
{
	static const char *const bad[] = {
		"x0",		/* unknown letter */
		"R0",		/* letters are lower case */
		"",		/* nothing */
		"r",		/* no domid */
		"rabc",
		"r-1",		/* no sign */
		"r+1",
		"r65536",	/* over DOMID_MASK */
		"r4294967296",
		"r99999999999999999999",
		"r 1",		/* no blanks */
		"r1 ",
		"r1x",		/* trailing junk */
		"rr1",
	};
	struct perms p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(parse1(bad[i], &p), EINVAL);
}

static void
test_parse_framing(void)
{
	static const char two[] = "r1\0w2";
	struct perms p;

	/* The last string must end in a nul inside len. */
	CU_ASSERT_EQUAL(perms_parse(ctx, "r5", 2, 1, &p), EINVAL);
	CU_ASSERT_EQUAL(perms_parse(ctx, two, sizeof(two) - 1, 2, &p),
	    EINVAL);
	/* num 0: a node always has an owner entry. */
	CU_ASSERT_EQUAL(perms_parse(ctx, "r5", 3, 0, &p), EINVAL);
	/* More entries claimed than present. */
	CU_ASSERT_EQUAL(perms_parse(ctx, two, sizeof(two), 3, &p), EINVAL);
	CU_ASSERT_EQUAL(perms_parse(ctx, "", 0, 1, &p), EINVAL);
}

static void
test_format_round_trip(void)
{
	static const char s[] = "b0\0r5\0w65535\0n12";
	struct perms p, q;
	char *out;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(perms_parse(ctx, s, sizeof(s), 4, &p), 0);
	out = perms_format(ctx, &p, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL_FATAL(len, sizeof(s));
	CU_ASSERT_EQUAL(memcmp(out, s, len), 0);
	CU_ASSERT_EQUAL_FATAL(perms_parse(ctx, out, len, 4, &q), 0);
	CU_ASSERT_TRUE(perms_equal(&p, &q));

	CU_ASSERT_EQUAL_FATAL(parse1("n0", &p), 0);
	out = perms_format(ctx, &p, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT_EQUAL(memcmp(out, "n0", 3), 0);
}

static void
test_copy_equal(void)
{
	static const char s[] = "w3\0r5";
	struct perms p, q, r;

	CU_ASSERT_EQUAL_FATAL(perms_parse(ctx, s, sizeof(s), 2, &p), 0);
	CU_ASSERT_EQUAL_FATAL(perms_copy(ctx, &p, &q), 0);
	CU_ASSERT_TRUE(perms_equal(&p, &q));
	CU_ASSERT_PTR_NOT_EQUAL(p.p, q.p);
	/* Deep copy: changing the copy leaves the original alone. */
	q.p[1].perms = PERM_WRITE;
	CU_ASSERT_FALSE(perms_equal(&p, &q));
	CU_ASSERT_EQUAL(p.p[1].perms, PERM_READ);
	CU_ASSERT_EQUAL_FATAL(perms_parse(ctx, s, sizeof(s), 1, &r), 0);
	CU_ASSERT_FALSE(perms_equal(&p, &r));
}

static void
test_perms_for(void)
{
	/* Owner 3 gives "w" to the unlisted; 7 is listed twice. */
	static const char s[] = "w3\0r5\0n7\0b9\0b7";
	static const unsigned int all = PERM_READ | PERM_WRITE | PERM_OWNER;
	static const struct {
		struct perm_caller	caller;
		unsigned int		want;
	} cases[] = {
		/* domid, privileged, has_target, target */
		{ { 0, true, false, 0 }, all },		/* privileged */
		{ { 42, true, false, 0 }, all },
		{ { 3, false, false, 0 }, all },	/* owner */
		{ { 5, false, false, 0 }, PERM_READ },	/* listed */
		{ { 9, false, false, 0 }, PERM_READ | PERM_WRITE },
		{ { 7, false, false, 0 }, PERM_NONE },	/* first entry wins */
		{ { 11, false, false, 0 }, PERM_WRITE }, /* entry 0 */
		{ { 0, false, false, 0 }, PERM_WRITE },	/* dom0 unprivileged */
		/* Acting for the owner (SET_TARGET) makes one the owner. */
		{ { 20, false, true, 3 }, all },
		{ { 20, false, true, 5 }, PERM_READ },
		{ { 20, false, true, 11 }, PERM_WRITE },
		/* The first entry naming the caller or its target. */
		{ { 9, false, true, 5 }, PERM_READ },
		{ { 5, false, true, 9 }, PERM_READ },
		{ { 11, false, true, 9 }, PERM_READ | PERM_WRITE },
		/* target is ignored without has_target. */
		{ { 20, false, false, 3 }, PERM_WRITE },
	};
	struct perms p;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(perms_parse(ctx, s, sizeof(s), 5, &p), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (perms_for(&cases[i].caller, &p) != cases[i].want)
			fprintf(stderr, "perms_for case %zu: got %u, want "
			    "%u\n", i, perms_for(&cases[i].caller, &p),
			    cases[i].want);
		CU_ASSERT_EQUAL(perms_for(&cases[i].caller, &p),
		    cases[i].want);
	}
}

static void
test_perms_for_owner_only(void)
{
	struct perm_caller c = { 1, false, false, 0 };
	struct perms p;

	CU_ASSERT_EQUAL_FATAL(parse1("n0", &p), 0);
	CU_ASSERT_EQUAL(perms_for(&c, &p), PERM_NONE);
	CU_ASSERT_EQUAL_FATAL(parse1("r0", &p), 0);
	CU_ASSERT_EQUAL(perms_for(&c, &p), PERM_READ);
	CU_ASSERT_EQUAL_FATAL(parse1("b1", &p), 0);
	CU_ASSERT_EQUAL(perms_for(&c, &p),
	    PERM_READ | PERM_WRITE | PERM_OWNER);
}

/*
 * An entry naming a domid that did not exist grants nothing; the next
 * entry naming the caller, or entry 0, decides (XSA-417); GET_PERMS
 * shows it as it was set.
 */
static void
test_perms_for_ignored(void)
{
	static const char s[] = "n3\0b6\0r6\0w8";
	struct perm_caller six = { 6, false, false, 0 };
	struct perm_caller eight = { 8, false, false, 0 };
	struct perm_caller for8 = { 20, false, true, 8 };
	struct perms p;
	char *out;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(perms_parse(ctx, s, sizeof(s), 4, &p), 0);
	CU_ASSERT_EQUAL(perms_for(&six, &p), PERM_READ | PERM_WRITE);
	p.p[1].perms |= PERM_IGNORE;
	CU_ASSERT_EQUAL(perms_for(&six, &p), PERM_READ);
	p.p[2].perms |= PERM_IGNORE;
	CU_ASSERT_EQUAL(perms_for(&six, &p), PERM_NONE);
	p.p[3].perms |= PERM_IGNORE;
	CU_ASSERT_EQUAL(perms_for(&eight, &p), PERM_NONE);
	CU_ASSERT_EQUAL(perms_for(&for8, &p), PERM_NONE);
	/* The owner's letter is what the unlisted get, never the flag. */
	p.p[0].perms = PERM_READ;
	CU_ASSERT_EQUAL(perms_for(&eight, &p), PERM_READ);
	out = perms_format(ctx, &p, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL_FATAL(len, sizeof(s));
	CU_ASSERT_EQUAL(memcmp(out, "r3\0b6\0r6\0w8", len), 0);
}

/* A dead domain: its owner entry goes to the new owner, others go. */
static void
test_forget_domid(void)
{
	struct perm_entry e[4] = { { 5, PERM_READ }, { 3, PERM_WRITE },
	    { 5, PERM_READ | PERM_WRITE }, { 7, PERM_READ } };
	struct perms p = { 4, e };

	CU_ASSERT(perms_names(&p, 5));
	CU_ASSERT(perms_names(&p, 7));
	CU_ASSERT(!perms_names(&p, 9));
	CU_ASSERT(!perms_forget_domid(&p, 9, 0));
	CU_ASSERT_EQUAL(p.num, 4);
	CU_ASSERT(perms_forget_domid(&p, 5, 0));
	CU_ASSERT_EQUAL(p.num, 3);
	CU_ASSERT_EQUAL(e[0].domid, 0);
	CU_ASSERT_EQUAL(e[0].perms, PERM_READ);	/* its letter stays */
	CU_ASSERT_EQUAL(e[1].domid, 3);
	CU_ASSERT_EQUAL(e[2].domid, 7);
	CU_ASSERT(!perms_names(&p, 5));
	CU_ASSERT(perms_forget_domid(&p, 3, 0));
	CU_ASSERT_EQUAL(p.num, 2);
	CU_ASSERT_EQUAL(e[1].domid, 7);
}

static const struct cu_test tests[] = {
	TEST(test_parse_good),
	TEST(test_parse_list),
	TEST(test_parse_bad),
	TEST(test_parse_framing),
	TEST(test_format_round_trip),
	TEST(test_copy_equal),
	TEST(test_perms_for),
	TEST(test_perms_for_owner_only),
	TEST(test_perms_for_ignored),
	TEST(test_forget_domid),
	TEST_END
};

int
main(void)
{
	const struct cu_suite suites[] = {
		{ "perms", setup, teardown, tests },
	};

	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
