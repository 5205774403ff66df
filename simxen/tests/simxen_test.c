/*
 * Tests of libsimxen through its API, each on a fresh host in its own
 * temporary $SIMXEN_DIR: cross-process notify with mask/latch, grant
 * a process killed inside a notify, grant mapping sees the guest's
 * bytes, a host refusing foreign mapping,
 * shutdown/dying states, VIRQ_DOM_EXC,
 * domain-state datagrams, zeroed page on domid reuse.  Exit 0 when all
 * pass; each failure prints its line.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/sched.h>

#include "simxen.h"

#define WAIT_MS	5000	/* bound on every wait for an event */

static int failures;

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__,		\
		    __LINE__, #c);					\
		failures++;						\
		return;							\
	}								\
} while (0)

static char topdir[] = "/tmp/simxen-test.XXXXXX";

static struct simxen *
fresh_host(const char *name)
{
	char dir[256];
	struct simxen *sx;

	snprintf(dir, sizeof(dir), "%s/%s", topdir, name);
	setenv("SIMXEN_DIR", dir, 1);
	if (simxen_init(&sx) != 0) {
		fprintf(stderr, "simxen_init(%s) failed\n", dir);
		exit(1);
	}
	return sx;
}

/* Whether fd becomes readable within ms. */
static int
readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1;
}

/*
 * A new domain, and dom0's handle bound to its store port (lport), the
 * bind's own event taken and the port unmasked.  0, or -1 on a failure.
 */
static int
dom0_bound(struct simxen *sx, struct simxen_dominfo *info,
    struct simxen_evtchn **e, uint32_t *lport)
{
	uint32_t port;

	if (simxen_domain_create(sx, SIMXEN_DOMID_ANY, info) != 0 ||
	    simxen_evtchn_open(sx, 0, e) != 0 ||
	    simxen_evtchn_bind_interdomain(*e, info->domid,
	    info->store_port, lport) != 0)
		return -1;
	/* Bind marks the new port pending (as Xen does): eat that. */
	if (!readable(simxen_evtchn_fd(*e), WAIT_MS) ||
	    simxen_evtchn_pending(*e, &port) != 0 || port != *lport ||
	    simxen_evtchn_unmask(*e, *lport) != 0)
		return -1;
	return 0;
}

/*
 * A child process (the "guest") claims its store port and notifies three
 * times while the parent (dom0) leaves the port masked: the parent must
 * see one event, then exactly one more at unmask, then none.
 */
static void
test_notify_mask_latch(void)
{
	struct simxen *sx = fresh_host("notify");
	struct simxen_evtchn *e, *g;
	struct simxen_dominfo info;
	uint32_t lport, port;
	int sync[2], hold[2], st;
	char c;
	pid_t pid;

	CHECK(dom0_bound(sx, &info, &e, &lport) == 0);
	CHECK(pipe(sync) == 0 && pipe(hold) == 0);

	if ((pid = fork()) == 0) {
		struct simxen *gsx;

		alarm(30);	/* never outlive a failed parent for long */
		if (simxen_open(&gsx) != 0 ||
		    simxen_evtchn_open(gsx, info.domid, &g) != 0 ||
		    simxen_evtchn_claim(g, info.store_port) != 0)
			_exit(1);
		if (simxen_evtchn_notify(g, info.store_port) != 0 ||
		    simxen_evtchn_notify(g, info.store_port) != 0 ||
		    simxen_evtchn_notify(g, info.store_port) != 0)
			_exit(1);
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		/* Stay alive until the parent has checked (EOF on hold). */
		close(hold[1]);
		if (read(hold[0], &c, 1) < 0)
			_exit(1);
		simxen_evtchn_close(g);
		simxen_close(gsx);
		_exit(0);
	}
	close(sync[1]);
	close(hold[0]);
	CHECK(read(sync[0], &c, 1) == 1);
	CHECK(readable(simxen_evtchn_fd(e), WAIT_MS));
	CHECK(simxen_evtchn_pending(e, &port) == 0 && port == lport);
	/* Masked: the two other notifies are latched, not queued. */
	CHECK(simxen_evtchn_pending(e, &port) == EAGAIN);
	CHECK(simxen_evtchn_unmask(e, lport) == 0);
	CHECK(readable(simxen_evtchn_fd(e), WAIT_MS));
	CHECK(simxen_evtchn_pending(e, &port) == 0 && port == lport);
	CHECK(simxen_evtchn_unmask(e, lport) == 0);
	CHECK(!readable(simxen_evtchn_fd(e), 100));
	close(sync[0]);
	close(hold[1]);	/* lets the child exit */
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	simxen_evtchn_close(e);
	simxen_close(sx);
}

/*
 * A guest killed inside its notify (SIMXEN_DIE_AT=fire, as a kill -9
 * may land): dom0 must still get that event, and, once another process
 * claims the guest's port, the next one.  A port left masked with no
 * event sent latched every later event, and a crash-restart test's
 * guest then waited out its timeout on every request.
 */
static void
test_killed_in_fire(void)
{
	struct simxen *sx = fresh_host("killed");
	struct simxen_evtchn *e, *g;
	struct simxen_dominfo info;
	uint32_t lport, port;
	int st;
	pid_t pid;

	CHECK(dom0_bound(sx, &info, &e, &lport) == 0);
	if ((pid = fork()) == 0) {
		struct simxen *gsx;

		alarm(30);
		if (simxen_open(&gsx) != 0 ||
		    simxen_evtchn_open(gsx, info.domid, &g) != 0 ||
		    simxen_evtchn_claim(g, info.store_port) != 0)
			_exit(1);
		setenv("SIMXEN_DIE_AT", "fire", 1);
		(void)simxen_evtchn_notify(g, info.store_port);
		_exit(2);	/* not killed: the hook is gone */
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	    WTERMSIG(st) == SIGKILL);
	CHECK(readable(simxen_evtchn_fd(e), WAIT_MS));
	CHECK(simxen_evtchn_pending(e, &port) == 0 && port == lport);
	CHECK(simxen_evtchn_unmask(e, lport) == 0);
	CHECK(simxen_evtchn_open(sx, info.domid, &g) == 0);
	CHECK(simxen_evtchn_claim(g, info.store_port) == 0);
	CHECK(simxen_evtchn_notify(g, info.store_port) == 0);
	CHECK(readable(simxen_evtchn_fd(e), WAIT_MS));
	CHECK(simxen_evtchn_pending(e, &port) == 0 && port == lport);
	simxen_evtchn_close(g);
	simxen_evtchn_close(e);
	simxen_close(sx);
}

/* dom0's grant mapping sees what the guest writes in its own page. */
static void
test_grant_map(void)
{
	struct simxen *sx = fresh_host("grant");
	struct simxen_dominfo info;
	void *own, *gnt;

	CHECK(simxen_domain_create(sx, SIMXEN_DOMID_ANY, &info) == 0);
	CHECK(simxen_ring_map_own(sx, info.domid, &own) == 0);
	CHECK(simxen_ring_map_grant(sx, 0, info.domid, 2, &gnt) == EINVAL);
	CHECK(simxen_ring_map_grant(sx, 5, info.domid, SIMXEN_GREF_XENSTORE,
	    &gnt) == EACCES);
	CHECK(simxen_ring_map_grant(sx, 0, info.domid, SIMXEN_GREF_XENSTORE,
	    &gnt) == 0);
	memcpy(own, "hello ring", 11);
	CHECK(memcmp(gnt, "hello ring", 11) == 0);
	CHECK(simxen_domain_info(sx, info.domid, &info) == 0 &&
	    info.map_count == 1);
	CHECK(simxen_ring_unmap(sx, gnt) == 0);
	CHECK(simxen_ring_unmap(sx, gnt) == EINVAL);
	CHECK(simxen_ring_unmap(sx, own) == 0);
	simxen_close(sx);
}

/*
 * A host made with SIMXEN_HOST_NO_FOREIGN_MAP refuses the foreign map of
 * a ring (EPERM) and still grants it; a default host allows both.
 */
static void
test_no_foreign_map(void)
{
	char dir[256];
	struct simxen *sx;
	struct simxen_dominfo info;
	void *page;

	sx = fresh_host("foreign");
	CHECK(simxen_domain_create(sx, SIMXEN_DOMID_ANY, &info) == 0);
	CHECK(simxen_ring_map_gfn(sx, info.domid, info.ring_gfn, &page) == 0);
	CHECK(simxen_ring_unmap(sx, page) == 0);
	simxen_close(sx);

	snprintf(dir, sizeof(dir), "%s/no-foreign", topdir);
	setenv("SIMXEN_DIR", dir, 1);
	CHECK(simxen_init_host(&sx, SIMXEN_HOST_NO_FOREIGN_MAP) == 0);
	CHECK(simxen_host_flags(sx) == SIMXEN_HOST_NO_FOREIGN_MAP);
	CHECK(simxen_domain_create(sx, SIMXEN_DOMID_ANY, &info) == 0);
	CHECK(simxen_ring_map_gfn(sx, info.domid, info.ring_gfn, &page) ==
	    EPERM);
	CHECK(simxen_domain_info(sx, info.domid, &info) == 0 &&
	    info.map_count == 0);
	CHECK(simxen_ring_map_grant(sx, 0, info.domid, SIMXEN_GREF_XENSTORE,
	    &page) == 0);
	CHECK(simxen_ring_unmap(sx, page) == 0);
	CHECK(simxen_init_host(&sx, 0x80u) == EINVAL);
	simxen_close(sx);

	/* The flag is kept for libxenctrl (abi.sh); grants still work. */
	snprintf(dir, sizeof(dir), "%s/no-xenctrl", topdir);
	setenv("SIMXEN_DIR", dir, 1);
	CHECK(simxen_init_host(&sx, SIMXEN_HOST_NO_XENCTRL |
	    SIMXEN_HOST_NO_FOREIGN_MAP) == 0);
	CHECK(simxen_host_flags(sx) ==
	    (SIMXEN_HOST_NO_XENCTRL | SIMXEN_HOST_NO_FOREIGN_MAP));
	CHECK(simxen_domain_create(sx, SIMXEN_DOMID_ANY, &info) == 0);
	CHECK(simxen_ring_map_grant(sx, 0, info.domid, SIMXEN_GREF_XENSTORE,
	    &page) == 0);
	CHECK(simxen_ring_unmap(sx, page) == 0);
	simxen_close(sx);
}

/*
 * Lifecycle: shutdown reports its reason; destroy with a mapping held
 * leaves the domain dying until the unmap; VIRQ_DOM_EXC fires on each
 * change and a domain-state.d socket gets one 12-byte record per change.
 */
static void
test_lifecycle(void)
{
	struct simxen *sx = fresh_host("life");
	struct simxen_evtchn *e;
	struct simxen_dominfo info;
	struct sockaddr_un sun;
	uint32_t vport, port, rec[3];
	uint32_t domid;
	void *gnt;
	int s;

	CHECK(simxen_evtchn_open(sx, 0, &e) == 0);
	CHECK(simxen_evtchn_bind_virq(e, VIRQ_DOM_EXC, &vport) == 0);
	CHECK(simxen_evtchn_bind_virq(e, VIRQ_DOM_EXC, &port) == EEXIST);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path),
	    "%s/domain-state.d/test", simxen_dir(sx));
	CHECK((s = socket(AF_UNIX, SOCK_DGRAM, 0)) != -1);
	CHECK(bind(s, (struct sockaddr *)&sun, sizeof(sun)) == 0);

	CHECK(simxen_domain_create(sx, SIMXEN_DOMID_ANY, &info) == 0);
	domid = info.domid;
	CHECK(readable(s, WAIT_MS));
	CHECK(recv(s, rec, sizeof(rec), 0) == 12);
	CHECK(rec[0] == domid && rec[1] == SIMXEN_DOM_RUNNING);
	CHECK(readable(simxen_evtchn_fd(e), WAIT_MS));
	CHECK(simxen_evtchn_pending(e, &port) == 0 && port == vport);
	CHECK(simxen_evtchn_unmask(e, vport) == 0);

	CHECK(simxen_domain_shutdown(sx, domid, SHUTDOWN_crash) == 0);
	CHECK(simxen_domain_shutdown(sx, domid, SHUTDOWN_crash) == EINVAL);
	CHECK(simxen_domain_info(sx, domid, &info) == 0);
	CHECK(info.state == SIMXEN_DOM_SHUTDOWN &&
	    info.reason == SHUTDOWN_crash);
	CHECK(readable(s, WAIT_MS));
	CHECK(recv(s, rec, sizeof(rec), 0) == 12);
	CHECK(rec[0] == domid && rec[1] == SIMXEN_DOM_SHUTDOWN &&
	    rec[2] == SHUTDOWN_crash);
	CHECK(readable(simxen_evtchn_fd(e), WAIT_MS));
	CHECK(simxen_evtchn_pending(e, &port) == 0 && port == vport);
	CHECK(simxen_evtchn_unmask(e, vport) == 0);

	CHECK(simxen_ring_map_grant(sx, 0, domid, SIMXEN_GREF_XENSTORE,
	    &gnt) == 0);
	CHECK(simxen_domain_destroy(sx, domid) == 0);
	CHECK(simxen_domain_info(sx, domid, &info) == 0 &&
	    info.state == SIMXEN_DOM_DYING && info.map_count == 1);
	CHECK(simxen_domain_create(sx, domid, NULL) == EEXIST);
	CHECK(readable(s, WAIT_MS));
	CHECK(recv(s, rec, sizeof(rec), 0) == 12);
	CHECK(rec[0] == domid && rec[1] == SIMXEN_DOM_DYING);
	CHECK(readable(simxen_evtchn_fd(e), WAIT_MS));
	CHECK(simxen_evtchn_pending(e, &port) == 0 && port == vport);
	CHECK(simxen_evtchn_unmask(e, vport) == 0);

	CHECK(simxen_ring_unmap(sx, gnt) == 0);
	CHECK(simxen_domain_info(sx, domid, &info) == ESRCH);
	CHECK(readable(s, WAIT_MS));
	CHECK(recv(s, rec, sizeof(rec), 0) == 12);
	CHECK(rec[0] == domid && rec[1] == SIMXEN_DOM_DEAD);
	CHECK(readable(simxen_evtchn_fd(e), WAIT_MS));
	CHECK(simxen_evtchn_pending(e, &port) == 0 && port == vport);
	CHECK(simxen_domain_destroy(sx, 0) == EPERM);
	close(s);
	unlink(sun.sun_path);
	simxen_evtchn_close(e);
	simxen_close(sx);
}

/* A reused domid gets a fresh, zeroed page and a new gfn. */
static void
test_reuse_zeroed(void)
{
	struct simxen *sx = fresh_host("reuse");
	struct simxen_dominfo a, b;
	static const char zero[SIMXEN_PAGE_SIZE];
	void *own;

	CHECK(simxen_domain_create(sx, 7, &a) == 0 && a.domid == 7);
	CHECK(simxen_ring_map_own(sx, 7, &own) == 0);
	memset(own, 0xa5, SIMXEN_PAGE_SIZE);
	CHECK(simxen_ring_unmap(sx, own) == 0);
	CHECK(simxen_domain_destroy(sx, 7) == 0);
	CHECK(simxen_domain_create(sx, SIMXEN_DOMID_ANY, &b) == 0 &&
	    b.domid == 1);
	CHECK(simxen_domain_create(sx, 7, &b) == 0);
	CHECK(b.generation == a.generation + 1 && b.ring_gfn != a.ring_gfn);
	CHECK(simxen_ring_map_own(sx, 7, &own) == 0);
	CHECK(memcmp(own, zero, sizeof(zero)) == 0);
	CHECK(simxen_ring_unmap(sx, own) == 0);
	simxen_close(sx);
}

/*
 * Many guests that each hold one undrained event must not stop the
 * next one reaching its guest.  Linux's evtchn device never loses an
 * event; a Unix datagram socket charges each record still queued to
 * its sender, so one shared send socket ran out of room once a few
 * hundred idle guests held one each, and the next guest (polling an
 * empty queue) waited for ever.
 */
static void
test_idle_guests_starve_none(void)
{
	enum { N = 800 };
	struct simxen *sx = fresh_host("idle");
	static struct simxen_evtchn *g[N];
	static uint32_t lport[N];
	struct simxen_evtchn *e;
	struct simxen_dominfo info;
	struct rlimit rl;
	uint32_t port;
	int i;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	rl.rlim_cur = rl.rlim_max;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > N + 64);
	CHECK(simxen_evtchn_open(sx, 0, &e) == 0);
	for (i = 0; i < N; i++) {
		CHECK(simxen_domain_create(sx, SIMXEN_DOMID_ANY, &info) == 0);
		CHECK(simxen_evtchn_open(sx, info.domid, &g[i]) == 0);
		CHECK(simxen_evtchn_claim(g[i], info.store_port) == 0);
		CHECK(simxen_evtchn_bind_interdomain(e, info.domid,
		    info.store_port, &lport[i]) == 0);
		/* The bind's own event, so dom0's queue stays short. */
		while (simxen_evtchn_pending(e, &port) == 0)
			CHECK(simxen_evtchn_unmask(e, port) == 0);
	}
	/* Every guest but the last is idle: its event stays queued. */
	for (i = 0; i < N; i++)
		CHECK(simxen_evtchn_notify(e, lport[i]) == 0);
	CHECK(readable(simxen_evtchn_fd(g[N - 1]), WAIT_MS));
	CHECK(simxen_evtchn_pending(g[N - 1], &port) == 0);
	for (i = 0; i < N; i++)
		simxen_evtchn_close(g[i]);
	simxen_evtchn_close(e);
	simxen_close(sx);
}

int
main(void)
{
	char cmd[64];

	alarm(120);	/* a hang is a failure */
	if (mkdtemp(topdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_notify_mask_latch();
	test_killed_in_fire();
	test_grant_map();
	test_no_foreign_map();
	test_lifecycle();
	test_reuse_zeroed();
	test_idle_guests_starve_none();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", topdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", topdir);
	if (failures == 0)
		printf("simxen_test: all passed\n");
	return failures ? 1 : 0;
}
