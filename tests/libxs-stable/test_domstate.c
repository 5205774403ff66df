/*
 * The hypervisor's domain-state call (xss_domstate_*).  Without
 * $SIMXEN_DIR: on a host without Xen, open says ENOENT.  With it, run
 * on the simulated Xen (test_domstate.sh), each test on a fresh host:
 * the state of a named domain and its refusals, unique ids, the
 * changed-domain record (each change once, the dead reported as such,
 * only for the VIRQ_DOM_EXC handler, marked all at binding, round
 * robin), and a stock 4.17 host (ENOSYS).  With argument "stock": the
 * host in $SIMXEN_DIR was made by `simxen init --stock`.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/sched.h>

#include "cu_main.h"
#include "simxen.h"
#include "xs-stable.h"

static struct simxen *sx;	/* the fresh host of the current test */

static void
fresh_host(void)
{
	unsetenv("SIMXEN_DOMID");
	if (simxen_init(&sx) != 0) {
		fprintf(stderr, "simxen_init failed\n");
		exit(99);
	}
}

static void
close_host(void)
{
	unsetenv("SIMXEN_DOMID");
	simxen_close(sx);
	sx = NULL;
}

/* A domain-state handle of a process acting as domain domid. */
static struct xss_domstate *
open_as(uint32_t domid)
{
	struct xss_domstate *q;
	char buf[16];
	int err = 0;

	snprintf(buf, sizeof(buf), "%u", domid);
	setenv("SIMXEN_DOMID", buf, 1);
	q = xss_domstate_open(&err);
	unsetenv("SIMXEN_DOMID");
	if (q == NULL)
		fprintf(stderr, "\nxss_domstate_open as %u: %s\n", domid,
		    strerror(err));
	return q;
}

static uint32_t
create(uint32_t domid)
{
	struct simxen_dominfo info;

	CU_ASSERT_FATAL(simxen_domain_create(sx, domid, &info) == 0);
	return info.domid;
}

/* Bind VIRQ_DOM_EXC in domain domid; the handle stays open until freed. */
static struct simxen_evtchn *
bind_dom_exc(uint32_t domid)
{
	struct simxen_evtchn *e;
	uint32_t port;

	CU_ASSERT_FATAL(simxen_evtchn_open(sx, domid, &e) == 0);
	CU_ASSERT_FATAL(simxen_evtchn_bind_virq(e, VIRQ_DOM_EXC, &port) == 0);
	return e;
}

/*
 * Take changes until ENOENT (at most max), counting them per domid in
 * seen[] (domids below 16) and keeping the last info per domid in
 * last[].  Returns how many were taken; -1 on another error.
 */
static int
drain(struct xss_domstate *q, unsigned int seen[16],
    struct xss_domain_info last[16], int max)
{
	struct xss_domain_info info;
	int n, err;

	for (n = 0; n < max; n++) {
		err = xss_domstate_next(q, &info);
		if (err == ENOENT)
			return n;
		if (err != 0) {
			fprintf(stderr, "\nxss_domstate_next: %s\n",
			    strerror(err));
			return -1;
		}
		if (info.domid < 16) {
			seen[info.domid]++;
			last[info.domid] = info;
		}
	}
	return n;
}

static void
test_no_xen(void)
{
	struct xss_domstate *q;
	int err = 0;

	q = xss_domstate_open(&err);
	if (access("/dev/xen/privcmd", F_OK) != 0 &&
	    access("/proc/xen/privcmd", F_OK) != 0) {
		CU_ASSERT_PTR_NULL(q);
		CU_ASSERT_EQUAL(err, ENOENT);
	}
	xss_domstate_close(q);
	xss_domstate_close(NULL);
}

/* A named domain, as the control domain sees it. */
static void
test_get(void)
{
	struct xss_domain_info info, d0;
	struct xss_domstate *q;
	uint32_t a, b;
	void *page;

	CU_ASSERT_FATAL((q = open_as(0)) != NULL);
	CU_ASSERT_EQUAL(xss_domstate_get(q, 0, &d0), 0);
	CU_ASSERT_EQUAL(d0.domid, 0);
	CU_ASSERT_EQUAL(d0.state, XSS_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL(d0.caps, XSS_DOMAIN_CAP_CONTROL |
	    XSS_DOMAIN_CAP_HARDWARE);
	CU_ASSERT_NOT_EQUAL(d0.unique_id, 0);

	a = create(SIMXEN_DOMID_ANY);
	CU_ASSERT_EQUAL(xss_domstate_get(q, a, &info), 0);
	CU_ASSERT_EQUAL(info.domid, a);
	CU_ASSERT_EQUAL(info.state, XSS_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL(info.caps, 0);
	CU_ASSERT_NOT_EQUAL(info.unique_id, 0);
	CU_ASSERT_NOT_EQUAL(info.unique_id, d0.unique_id);

	CU_ASSERT_FATAL(simxen_domain_shutdown(sx, a, SHUTDOWN_crash) == 0);
	CU_ASSERT_EQUAL(xss_domstate_get(q, a, &info), 0);
	CU_ASSERT_EQUAL(info.state, XSS_DOMAIN_SHUTDOWN);
	CU_ASSERT_FATAL(simxen_domain_destroy(sx, a) == 0);
	CU_ASSERT_EQUAL(xss_domstate_get(q, a, &info), ESRCH);

	/* Dying while dom0 still maps its ring, then gone. */
	b = create(SIMXEN_DOMID_ANY);
	CU_ASSERT_FATAL(simxen_ring_map_grant(sx, 0, b, SIMXEN_GREF_XENSTORE,
	    &page) == 0);
	CU_ASSERT_FATAL(simxen_domain_destroy(sx, b) == 0);
	CU_ASSERT_EQUAL(xss_domstate_get(q, b, &info), 0);
	CU_ASSERT_EQUAL(info.state, XSS_DOMAIN_DYING);
	CU_ASSERT_EQUAL(simxen_ring_unmap(sx, page), 0);
	CU_ASSERT_EQUAL(xss_domstate_get(q, b, &info), ESRCH);

	CU_ASSERT_EQUAL(xss_domstate_get(q, 999, &info), ESRCH);
	CU_ASSERT_EQUAL(xss_domstate_get(q, 5000, &info), ESRCH);
	CU_ASSERT_EQUAL(xss_domstate_get(q, 0x7ff0, &info), EINVAL);
	CU_ASSERT_EQUAL(xss_domstate_get(q, 0x7ff4, &info), EINVAL);
	xss_domstate_close(q);
}

/* A caller that is not the control domain: EPERM for no such domain. */
static void
test_get_unprivileged(void)
{
	struct xss_domain_info info;
	struct xss_domstate *q;
	uint32_t a, b;

	a = create(SIMXEN_DOMID_ANY);
	b = create(SIMXEN_DOMID_ANY);
	CU_ASSERT_FATAL(simxen_domain_destroy(sx, b) == 0);
	CU_ASSERT_FATAL((q = open_as(a)) != NULL);
	CU_ASSERT_EQUAL(xss_domstate_get(q, 999, &info), EPERM);
	CU_ASSERT_EQUAL(xss_domstate_get(q, b, &info), EPERM);
	CU_ASSERT_EQUAL(xss_domstate_get(q, a, &info), 0);
	CU_ASSERT_EQUAL(info.state, XSS_DOMAIN_RUNNING);
	xss_domstate_close(q);
}

/* A domid destroyed and created again is another domain. */
static void
test_unique_id_reuse(void)
{
	struct xss_domain_info first, second;
	struct xss_domstate *q;

	CU_ASSERT_FATAL((q = open_as(0)) != NULL);
	create(7);
	CU_ASSERT_EQUAL(xss_domstate_get(q, 7, &first), 0);
	CU_ASSERT_FATAL(simxen_domain_destroy(sx, 7) == 0);
	create(7);
	CU_ASSERT_EQUAL(xss_domstate_get(q, 7, &second), 0);
	CU_ASSERT_NOT_EQUAL(first.unique_id, 0);
	CU_ASSERT_NOT_EQUAL(second.unique_id, 0);
	CU_ASSERT_NOT_EQUAL(first.unique_id, second.unique_id);
	xss_domstate_close(q);
}

/* Every domain that changed comes once, however often it changed. */
static void
test_next_each_once(void)
{
	struct xss_domain_info last[16], info;
	struct simxen_evtchn *e;
	struct xss_domstate *q;
	unsigned int seen[16] = { 0 };
	uint32_t a, b, c;
	uint64_t uid_a;

	CU_ASSERT_FATAL((q = open_as(0)) != NULL);
	e = bind_dom_exc(0);
	CU_ASSERT_EQUAL(drain(q, seen, last, 10), 1);	/* dom0, at binding */
	CU_ASSERT_EQUAL(seen[0], 1);
	memset(seen, 0, sizeof(seen));

	a = create(SIMXEN_DOMID_ANY);
	b = create(SIMXEN_DOMID_ANY);
	c = create(SIMXEN_DOMID_ANY);
	CU_ASSERT_FATAL(a < 16 && b < 16 && c < 16);
	/* A named query leaves the record alone. */
	CU_ASSERT_EQUAL(xss_domstate_get(q, a, &info), 0);
	uid_a = info.unique_id;
	CU_ASSERT_FATAL(simxen_domain_shutdown(sx, b, SHUTDOWN_poweroff) ==
	    0);
	CU_ASSERT_FATAL(simxen_domain_destroy(sx, c) == 0);

	CU_ASSERT_EQUAL(drain(q, seen, last, 10), 3);
	CU_ASSERT_EQUAL(seen[a], 1);
	CU_ASSERT_EQUAL(seen[b], 1);
	CU_ASSERT_EQUAL(seen[c], 1);
	CU_ASSERT_EQUAL(seen[0], 0);
	CU_ASSERT_EQUAL(last[a].state, XSS_DOMAIN_RUNNING);
	CU_ASSERT_EQUAL(last[a].unique_id, uid_a);
	CU_ASSERT_EQUAL(last[b].state, XSS_DOMAIN_SHUTDOWN);
	CU_ASSERT_NOT_EQUAL(last[b].unique_id, 0);
	/* Gone: dead, no caps, no unique id. */
	CU_ASSERT_EQUAL(last[c].state, XSS_DOMAIN_DEAD);
	CU_ASSERT_EQUAL(last[c].caps, 0);
	CU_ASSERT_EQUAL(last[c].unique_id, 0);
	CU_ASSERT_EQUAL(xss_domstate_next(q, &info), ENOENT);
	simxen_evtchn_close(e);
	xss_domstate_close(q);
}

/* Only the VIRQ_DOM_EXC handler may take changes. */
static void
test_not_handler(void)
{
	struct xss_domain_info last[16], info;
	struct simxen_evtchn *e;
	struct xss_domstate *q0, *qa;
	unsigned int seen[16] = { 0 };
	uint32_t a;

	a = create(SIMXEN_DOMID_ANY);
	CU_ASSERT_FATAL(a < 16);
	CU_ASSERT_FATAL((q0 = open_as(0)) != NULL);
	CU_ASSERT_FATAL((qa = open_as(a)) != NULL);
	/* Nobody bound it: the hardware domain handles, with no record. */
	CU_ASSERT_EQUAL(xss_domstate_next(qa, &info), EACCES);
	CU_ASSERT_EQUAL(xss_domstate_next(q0, &info), ENOENT);
	e = bind_dom_exc(0);
	CU_ASSERT_EQUAL(xss_domstate_next(qa, &info), EACCES);
	simxen_evtchn_close(e);

	/* Domain a binds it: a takes the changes, dom0 may not. */
	e = bind_dom_exc(a);
	CU_ASSERT_EQUAL(xss_domstate_next(q0, &info), EACCES);
	CU_ASSERT_EQUAL(drain(qa, seen, last, 10), 2);
	CU_ASSERT_EQUAL(seen[0], 1);
	CU_ASSERT_EQUAL(seen[a], 1);
	simxen_evtchn_close(e);
	xss_domstate_close(qa);
	xss_domstate_close(q0);
}

/* Binding VIRQ_DOM_EXC marks every domain that exists then. */
static void
test_bind_marks_all(void)
{
	struct xss_domain_info last[16];
	struct simxen_evtchn *e;
	struct xss_domstate *q;
	unsigned int seen[16] = { 0 };

	create(1);
	create(2);
	create(3);
	CU_ASSERT_FATAL((q = open_as(0)) != NULL);
	CU_ASSERT_EQUAL(drain(q, seen, last, 10), 0);
	e = bind_dom_exc(0);
	CU_ASSERT_EQUAL(drain(q, seen, last, 10), 4);
	CU_ASSERT(seen[0] == 1 && seen[1] == 1 && seen[2] == 1 &&
	    seen[3] == 1);
	simxen_evtchn_close(e);
	xss_domstate_close(q);
}

/* Shut down and resume: two changes, one mark. */
static void
churn(uint32_t domid)
{
	CU_ASSERT_FATAL(simxen_domain_shutdown(sx, domid, SHUTDOWN_suspend) ==
	    0);
	CU_ASSERT_FATAL(simxen_domain_resume(sx, domid) == 0);
}

/* A domain that changes all the time does not starve the others. */
static void
test_round_robin(void)
{
	struct xss_domain_info last[16], x, y;
	struct simxen_evtchn *e;
	struct xss_domstate *q;
	unsigned int seen[16] = { 0 };
	int round;

	create(1);
	create(5);
	CU_ASSERT_FATAL((q = open_as(0)) != NULL);
	e = bind_dom_exc(0);
	(void)drain(q, seen, last, 10);
	for (round = 0; round < 4; round++) {
		churn(1);
		churn(5);
		CU_ASSERT_FATAL(xss_domstate_next(q, &x) == 0);
		churn(1);
		CU_ASSERT_FATAL(xss_domstate_next(q, &y) == 0);
		CU_ASSERT(x.domid == 5 || y.domid == 5);
		(void)drain(q, seen, last, 10);
	}
	simxen_evtchn_close(e);
	xss_domstate_close(q);
}

/* Stock Xen 4.17 has no such call. */
static void
test_stock(void)
{
	struct xss_domstate *q;
	int err = 0;

	close_host();
	CU_ASSERT_FATAL(simxen_init_host(&sx, SIMXEN_HOST_STOCK) == 0);
	q = xss_domstate_open(&err);
	CU_ASSERT_PTR_NULL(q);
	CU_ASSERT_EQUAL(err, ENOSYS);
	xss_domstate_close(q);
}

/* The host in $SIMXEN_DIR came from `simxen init --stock`. */
static void
test_stock_cli(void)
{
	struct xss_domstate *q;
	int err = 0;

	q = xss_domstate_open(&err);
	CU_ASSERT_PTR_NULL(q);
	CU_ASSERT_EQUAL(err, ENOSYS);
	xss_domstate_close(q);
}

static const struct cu_test no_xen_tests[] = {
	TEST(test_no_xen),
	TEST_END
};

static const struct cu_test sim_tests[] = {
	TEST(test_get),
	TEST(test_get_unprivileged),
	TEST(test_unique_id_reuse),
	TEST(test_next_each_once),
	TEST(test_not_handler),
	TEST(test_bind_marks_all),
	TEST(test_round_robin),
	TEST(test_stock),
	TEST_END
};

static const struct cu_test stock_tests[] = {
	TEST(test_stock_cli),
	TEST_END
};

int
main(int argc, char **argv)
{
	static const struct cu_suite no_xen[] = {
		{ "domain state without Xen", NULL, NULL, no_xen_tests },
	};
	static const struct cu_suite sim[] = {
		{ "domain state on the simulated Xen", fresh_host,
		    close_host, sim_tests },
	};
	static const struct cu_suite stock[] = {
		{ "domain state on a stock 4.17 host", NULL, NULL,
		    stock_tests },
	};

	if (argc == 2 && strcmp(argv[1], "stock") == 0)
		return cu_run(stock, 1);
	if (getenv("SIMXEN_DIR") != NULL)
		return cu_run(sim, 1);
	return cu_run(no_xen, 1);
}
