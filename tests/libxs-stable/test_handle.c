/*
 * The libxs-stable handle.  Without $SIMXEN_DIR: on a host without Xen
 * xss_open() says ENOENT (on a Xen host it opens).  With it, run on the
 * simulated Xen (test_handle.sh): a simulated domain's ring through its
 * reserved grant, its store event channel both ways, dom0's own ring
 * through /proc/xen, and the refusals of what the handle does not own.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cu_main.h"
#include "simxen.h"
#include "xs-stable.h"

static bool
fd_fires(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 2000) == 1;
}

static void
test_no_xen(void)
{
	struct xss_handle *h;
	int err = 0;

	h = xss_open(&err);
	if (access("/dev/xen/evtchn", F_OK) != 0) {
		CU_ASSERT_PTR_NULL(h);
		CU_ASSERT_EQUAL(err, ENOENT);
	} else {
		CU_ASSERT_PTR_NOT_NULL(h);	/* a real Xen host */
	}
	xss_close(h);
}

static void
test_sim_domain(void)
{
	struct simxen_dominfo info;
	struct simxen_evtchn *ge;
	struct simxen *sx;
	struct xss_handle *h;
	uint32_t lp, p, port0;
	char *own, *ring, path[512];
	void *page, *local;
	int err = 0, fd;
	FILE *fp;

	CU_ASSERT_FATAL(simxen_open(&sx) == 0);
	CU_ASSERT_FATAL(simxen_domain_create(sx, SIMXEN_DOMID_ANY, &info) ==
	    0);
	CU_ASSERT_FATAL(simxen_ring_map_own(sx, info.domid, &page) == 0);
	own = page;
	CU_ASSERT_FATAL(simxen_evtchn_open(sx, info.domid, &ge) == 0);
	CU_ASSERT_FATAL(simxen_evtchn_claim(ge, info.store_port) == 0);

	h = xss_open(&err);
	CU_ASSERT_FATAL(h != NULL);
	/* The ring, through the grant: the guest's bytes both ways. */
	strcpy(own, "from the guest");
	ring = xss_ring_map(h, info.domid, &err);
	CU_ASSERT_FATAL(ring != NULL);
	CU_ASSERT_STRING_EQUAL(ring, "from the guest");
	strcpy(ring + 1024, "from xenstored");
	CU_ASSERT_STRING_EQUAL(own + 1024, "from xenstored");
	CU_ASSERT_PTR_NULL(xss_ring_map(h, 999, &err));
	CU_ASSERT_EQUAL(err, ESRCH);

	/* The store event channel, both ways. */
	CU_ASSERT_FATAL(xss_evtchn_bind(h, info.domid, info.store_port,
	    &lp) == 0);
	/* Binding raises the new port once, as Xen does. */
	if (fd_fires(xss_evtchn_fd(h)))
		CU_ASSERT_EQUAL(xss_evtchn_pending(h, &p), 0);
	CU_ASSERT_EQUAL(xss_evtchn_pending(h, &p), EAGAIN);
	CU_ASSERT_EQUAL(xss_evtchn_notify(h, lp), 0);
	CU_ASSERT(fd_fires(simxen_evtchn_fd(ge)));
	CU_ASSERT_EQUAL(simxen_evtchn_pending(ge, &p), 0);
	CU_ASSERT_EQUAL(p, info.store_port);
	CU_ASSERT_EQUAL(simxen_evtchn_notify(ge, info.store_port), 0);
	CU_ASSERT(fd_fires(xss_evtchn_fd(h)));
	CU_ASSERT_EQUAL(xss_evtchn_pending(h, &p), 0);
	CU_ASSERT_EQUAL(p, lp);
	CU_ASSERT_EQUAL(xss_evtchn_pending(h, &p), EAGAIN);
	/* Unmasked again by pending(): a second notify gets through. */
	CU_ASSERT_EQUAL(simxen_evtchn_notify(ge, info.store_port), 0);
	CU_ASSERT(fd_fires(xss_evtchn_fd(h)));
	CU_ASSERT_EQUAL(xss_evtchn_pending(h, &p), 0);

	/* Not ours: refused. */
	CU_ASSERT_EQUAL(xss_evtchn_unbind(h, lp + 100), EINVAL);
	CU_ASSERT_EQUAL(xss_ring_unmap(h, own), EINVAL);

	/* Dom0's own ring, the Linux way (redirected by the simulator). */
	local = xss_ring_map_local(h, &port0, &err);
	CU_ASSERT_PTR_NOT_NULL(local);
	snprintf(path, sizeof(path), "%s/xsd_port", simxen_dir(sx));
	fp = fopen(path, "r");
	CU_ASSERT_FATAL(fp != NULL);
	CU_ASSERT(fscanf(fp, "%d", &fd) == 1);
	CU_ASSERT_EQUAL(port0, (uint32_t)fd);
	fclose(fp);

	CU_ASSERT_EQUAL(xss_evtchn_unbind(h, lp), 0);
	CU_ASSERT_EQUAL(xss_evtchn_unbind(h, lp), EINVAL);
	CU_ASSERT_EQUAL(xss_ring_unmap(h, ring), 0);
	CU_ASSERT_EQUAL(xss_ring_unmap(h, ring), EINVAL);
	xss_close(h);	/* frees the local ring too */
	simxen_evtchn_close(ge);
	simxen_close(sx);
}

static const struct cu_test no_xen_tests[] = {
	TEST(test_no_xen),
	TEST_END
};

static const struct cu_test sim_tests[] = {
	TEST(test_sim_domain),
	TEST_END
};

int
main(void)
{
	static const struct cu_suite no_xen[] = {
		{ "handle without Xen", NULL, NULL, no_xen_tests },
	};
	static const struct cu_suite sim[] = {
		{ "handle on the simulated Xen", NULL, NULL, sim_tests },
	};

	if (getenv("SIMXEN_DIR") != NULL)
		return cu_run(sim, 1);
	return cu_run(no_xen, 1);
}
