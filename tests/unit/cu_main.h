/*
 * The main() every unit test program shares: register a table of suites,
 * run it with CUnit's basic interface (which prints the usual summary)
 * and turn any failure into an exit status the automake harness sees.
 */
#ifndef CU_MAIN_H
#define CU_MAIN_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

struct cu_test {
	const char	*name;
	CU_TestFunc	 fn;
};

/* Name a test after its function; a table ends with TEST_END. */
#define TEST(fn)	{ #fn, fn }
#define TEST_END	{ NULL, NULL }

struct cu_suite {
	const char		*name;
	CU_SetUpFunc		 setup;		/* before each test, or NULL */
	CU_TearDownFunc		 teardown;	/* after each test, or NULL */
	const struct cu_test	*tests;
};

/*
 * Compare strings and, unlike CU_ASSERT_STRING_EQUAL, print both when
 * they differ: the summary alone names neither.
 */
#define EXPECT_STR(actual, want) do {					\
	const char *a_ = (actual), *w_ = (want);			\
	if (a_ == NULL || strcmp(a_, w_) != 0)				\
		fprintf(stderr, "\n%s:%d: got \"%s\", want \"%s\"\n",	\
		    __FILE__, __LINE__, a_ == NULL ? "(null)" : a_,	\
		    w_);						\
	CU_ASSERT(a_ != NULL && strcmp(a_, w_) == 0);			\
} while (0)

/* Exit status for the harness: 0 pass, 1 a test failed, 99 hard error. */
static int
cu_run(const struct cu_suite *suites, size_t nsuites)
{
	const struct cu_test *t;
	CU_pSuite s;
	size_t i;
	int failed;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		return 99;
	}
	for (i = 0; i < nsuites; i++) {
		s = CU_add_suite_with_setup_and_teardown(suites[i].name, NULL,
		    NULL, suites[i].setup, suites[i].teardown);
		if (s == NULL)
			goto hard;
		for (t = suites[i].tests; t->name != NULL; t++)
			if (CU_add_test(s, t->name, t->fn) == NULL)
				goto hard;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS)
		goto hard;
	/* Read the counts before the registry (and its summary) goes. */
	failed = CU_get_number_of_failures() != 0 ||
	    CU_get_number_of_tests_failed() != 0 ||
	    CU_get_number_of_suites_failed() != 0;
	printf("\n");
	CU_cleanup_registry();
	return failed ? 1 : 0;
hard:
	fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
	CU_cleanup_registry();
	return 99;
}

#endif
