/*
 * conflict.c: conflict credit (XSA-206).  Blame goes to the maker of the
 * change a commit failed on, never to the victim itself nor for a change
 * it does not remember; a domain is paused after CONFLICT_BURST blames
 * and served again once it regains a credit, from the event loop.
 */
#include "config.h"

#include <stdio.h>

#include "conflict.h"
#include "cu_main.h"
#include "loop.h"

static unsigned int	paused[8], resumed[8];

static void
throttle(unsigned int domid, bool on)
{
	if (domid < 8)
		(on ? paused : resumed)[domid]++;
}

static void
setup(void)
{
	memset(paused, 0, sizeof(paused));
	memset(resumed, 0, sizeof(resumed));
	if (loop_init() != 0) {
		fprintf(stderr, "setup: loop_init failed\n");
		exit(99);
	}
	conflict_init(throttle);
}

static void
teardown(void)
{
	conflict_fini();
	loop_fini();
}

static void
test_blame_maker(void)
{
	conflict_record(10, 12, 5);
	conflict_record(13, 13, 6);
	CU_ASSERT_EQUAL(conflict_blame(11, 0), 5);
	CU_ASSERT_EQUAL(conflict_blame(13, 0), 6);
	/* Not remembered, or the victim's own change: nobody. */
	CU_ASSERT_EQUAL(conflict_blame(9, 0), -1);
	CU_ASSERT_EQUAL(conflict_blame(14, 0), -1);
	CU_ASSERT_EQUAL(conflict_blame(12, 5), -1);
	CU_ASSERT(conflict_credit(5) < CONFLICT_BURST);
	CU_ASSERT(conflict_credit(7) == CONFLICT_BURST);
	CU_ASSERT_EQUAL(paused[5], 0);
}

static void
test_history_forgets(void)
{
	unsigned int i;

	conflict_record(100, 100, 5);
	for (i = 0; i < CONFLICT_HISTORY; i++)
		conflict_record(200 + i, 200 + i, 6);
	CU_ASSERT_EQUAL(conflict_blame(100, 0), -1);
	CU_ASSERT_EQUAL(conflict_blame(200 + CONFLICT_HISTORY - 1, 0), 6);
}

static void
stop_loop(void *arg)
{
	(void)arg;
	loop_exit();
}

static void
test_pause_and_resume(void)
{
	struct loop_timer *t;
	unsigned int i;

	conflict_record(10, 10, 5);
	for (i = 0; i < CONFLICT_BURST - 1; i++)
		conflict_blame(10, 0);
	CU_ASSERT_EQUAL(paused[5], 0);
	CU_ASSERT(!conflict_throttled(5));
	conflict_blame(10, 0);
	CU_ASSERT_EQUAL(paused[5], 1);
	CU_ASSERT(conflict_throttled(5));
	/* More blame while paused pauses no more. */
	conflict_blame(10, 0);
	CU_ASSERT_EQUAL(paused[5], 1);
	/* Two credits short at CONFLICT_RATE a second, and some slack. */
	t = loop_timer_new(NULL, stop_loop, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	loop_timer_start(t, 3 * 1000 / CONFLICT_RATE + 200);
	CU_ASSERT_EQUAL(loop_run(), 0);
	talloc_free(t);
	CU_ASSERT_EQUAL(resumed[5], 1);
	CU_ASSERT(!conflict_throttled(5));
}

static const struct cu_test tests[] = {
	TEST(test_blame_maker),
	TEST(test_history_forgets),
	TEST(test_pause_and_resume),
	TEST_END
};

int
main(void)
{
	const struct cu_suite suites[] = {
		{ "conflict", setup, teardown, tests },
	};

	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
