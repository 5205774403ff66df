/*
 * domain.c over a fake libxs-stable, the test playing the guests: ring
 * pages in memory, event channels as a queue of fired ports behind an
 * eventfd, the real event loop turned one iteration at a time.  What one
 * guest cannot do to the daemon or the others (docs/domains.md):
 *
 *   - a ring with more input than one event reads is served to its end
 *     without another notification (the left-over work goes on the kick
 *     list), at most 16 reads per loop turn;
 *   - another guest asking meanwhile is served before the busy one is
 *     done;
 *   - watch events for a guest that does not read stop queuing at its
 *     memory quota, are counted, and CONTROL domains shows both.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <xs-stable.h>

#include "conn.h"
#include "conn_ring.h"
#include "cu_main.h"
#include "domain.h"
#include "loop.h"
#include "quota.h"
#include "watch.h"

#define NDOM		4	/* domids 1 .. NDOM - 1 are guests */
#define PORT_BASE	100	/* our local port for domid d: PORT_BASE + d */
/* One event reads a ring at most this often (docs/domains.md). */
#define READS_PER_EVENT	16
#define ORDER_MAX	1024

/*
 * The fake libxs-stable.
 */

struct xss_handle {
	int	unused;
};

static struct xss_handle xh;
static int evfd = -1;			/* readable while ports are fired */
static uint32_t fired[NDOM];		/* fired ports, oldest first */
static unsigned int nfired;
static struct xenstore_domain_interface *page[NDOM];
static unsigned int notifies[NDOM];	/* the daemon notified domid */
static unsigned int maps, unmaps;	/* ring mappings made, undone */

int
xss_evtchn_fd(const struct xss_handle *h)
{
	(void)h;
	return evfd;
}

int
xss_evtchn_bind(struct xss_handle *h, uint32_t domid, uint32_t remote_port,
    uint32_t *local_port)
{
	(void)h;
	(void)remote_port;
	if (domid >= NDOM)
		return ESRCH;
	*local_port = PORT_BASE + domid;
	return 0;
}

int
xss_evtchn_unbind(struct xss_handle *h, uint32_t local_port)
{
	(void)h;
	(void)local_port;
	return 0;
}

/* A live update's port (domain_restore()): taken as it is. */
int
xss_evtchn_adopt(struct xss_handle *h, uint32_t local_port)
{
	(void)h;
	(void)local_port;
	return 0;
}

int
xss_evtchn_notify(struct xss_handle *h, uint32_t local_port)
{
	(void)h;
	if (local_port - PORT_BASE >= NDOM)
		return EINVAL;
	notifies[local_port - PORT_BASE]++;
	return 0;
}

int
xss_evtchn_pending(struct xss_handle *h, uint32_t *port)
{
	uint64_t n;

	(void)h;
	if (nfired == 0) {
		if (read(evfd, &n, sizeof(n)) != sizeof(n))
			return EAGAIN;
		return EAGAIN;
	}
	*port = fired[0];
	nfired--;
	memmove(fired, fired + 1, nfired * sizeof(fired[0]));
	return 0;
}

void *
xss_ring_map(struct xss_handle *h, uint32_t domid, int *err)
{
	(void)h;
	maps++;
	if (domid >= NDOM) {
		*err = ESRCH;
		return NULL;
	}
	return page[domid];
}

void *
xss_ring_map_local(struct xss_handle *h, uint32_t *remote_port, int *err)
{
	(void)h;
	(void)remote_port;
	*err = ENOENT;
	return NULL;
}

int
xss_ring_unmap(struct xss_handle *h, void *ring)
{
	(void)h;
	(void)ring;
	unmaps++;
	return 0;
}

/*
 * The hypervisor's domain-state call: domids 0 .. NDOM - 1 exist while
 * alive[], with unique_id[]; others are ESRCH.
 */
struct xss_domstate {
	int	unused;
};

static struct xss_domstate ds;
static bool alive[NDOM];
static uint64_t unique_id[NDOM];
static unsigned int ds_calls;
static int ds_err;			/* the call fails with it, if set */

struct xss_domstate *
xss_domstate_open(int *err)
{
	(void)err;
	return &ds;
}

void
xss_domstate_close(struct xss_domstate *q)
{
	(void)q;
}

int
xss_domstate_get(struct xss_domstate *q, uint32_t domid,
    struct xss_domain_info *info)
{
	(void)q;
	ds_calls++;
	if (ds_err != 0)
		return ds_err;
	if (domid >= NDOM || !alive[domid])
		return ESRCH;
	info->domid = domid;
	info->state = XSS_DOMAIN_RUNNING;
	info->caps = 0;
	info->unique_id = unique_id[domid];
	return 0;
}

int
xss_domstate_next(struct xss_domstate *q, struct xss_domain_info *info)
{
	(void)q;
	(void)info;
	return EACCES;
}

/*
 * The guests.
 */

struct guest {
	unsigned int		 frames;	/* requests the daemon handled */
	unsigned int		 refills;	/* to write while it reads */
	struct connection	*conn;
};

static struct guest guests[NDOM];
static unsigned char order[ORDER_MAX];	/* domid of each request handled */
static unsigned int norder;
static TALLOC_CTX *ctx;

/* The guest writes a request to its ring; no notification. */
static void
guest_put(unsigned int domid, uint32_t req_id)
{
	struct xenstore_domain_interface *intf = page[domid];
	struct xsd_sockmsg h = { XS_READ, req_id, 0, 2 };
	char frame[sizeof(h) + 2];
	uint32_t prod = intf->req_prod, i;

	memcpy(frame, &h, sizeof(h));
	memcpy(frame + sizeof(h), "x", 2);
	CU_ASSERT_FATAL(XENSTORE_RING_SIZE - (prod - intf->req_cons) >=
	    sizeof(frame));
	for (i = 0; i < sizeof(frame); i++)
		intf->req[MASK_XENSTORE_IDX(prod + i)] = frame[i];
	__atomic_thread_fence(__ATOMIC_RELEASE);
	intf->req_prod = prod + sizeof(frame);
}

/* The guest notifies: its port fires once until the daemon takes it. */
static void
guest_notify(unsigned int domid)
{
	uint64_t one = 1;
	unsigned int i;

	for (i = 0; i < nfired; i++)
		if (fired[i] == PORT_BASE + domid)
			return;
	fired[nfired++] = PORT_BASE + domid;
	CU_ASSERT_FATAL(write(evfd, &one, sizeof(one)) == sizeof(one));
}

/* The daemon's request handler: count, and let a busy guest write on. */
static void
on_frame(struct connection *conn, const struct xsd_sockmsg *hdr,
    char *payload, TALLOC_CTX *req_ctx, void *arg)
{
	unsigned int d = conn_domid(conn);
	struct guest *g;

	(void)payload;
	(void)req_ctx;
	(void)arg;
	CU_ASSERT_FATAL(d > 0 && d < NDOM);
	g = &guests[d];
	g->conn = conn;
	g->frames++;
	if (norder < ORDER_MAX)
		order[norder++] = d;
	if (g->refills > 0) {
		g->refills--;
		guest_put(d, hdr->req_id + 1);
	}
}

/* The line of report that starts with prefix, or NULL. */
static char *
line_of(const char *report, const char *prefix)
{
	const char *p = report;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return talloc_strndup(ctx, p, strcspn(p, "\n"));
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return NULL;
}

/* One turn of the daemon's loop, with whatever is ready now. */
static void
turn(void)
{
	CU_ASSERT_FATAL(loop_run_once() == 0);
}

static void
setup(void)
{
	struct domain_config cfg = { 0, 0, false, false };
	unsigned int d;

	ctx = talloc_new(NULL);
	CU_ASSERT_FATAL(ctx != NULL);
	CU_ASSERT_FATAL(loop_init() == 0);
	quota_init();
	CU_ASSERT_FATAL(watch_init() == 0);
	evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CU_ASSERT_FATAL(evfd >= 0);
	nfired = norder = 0;
	memset(guests, 0, sizeof(guests));
	memset(notifies, 0, sizeof(notifies));
	for (d = 0; d < NDOM; d++) {
		alive[d] = true;
		unique_id[d] = 100 + d;
	}
	maps = unmaps = 0;
	ds_err = 0;
	for (d = 1; d < NDOM; d++)
		CU_ASSERT_FATAL((page[d] = calloc(1, XSS_RING_SIZE)) != NULL);
	CU_ASSERT_FATAL(domain_init(ctx, &xh, NULL, &cfg, on_frame, NULL) ==
	    0);
	for (d = 1; d < NDOM; d++)
		CU_ASSERT_FATAL(domain_introduce(d, 0, 7) == 0);
}

static void
teardown(void)
{
	unsigned int d;

	domain_fini();
	loop_run_deferred();
	TALLOC_FREE(ctx);
	watch_fini();
	quota_fini();
	loop_fini();
	close(evfd);
	evfd = -1;
	for (d = 1; d < NDOM; d++) {
		free(page[d]);
		page[d] = NULL;
	}
}

/*
 * Guest 1 notifies once and then keeps its ring busy: 100 requests, each
 * written while the daemon handles the one before.  One loop turn takes
 * READS_PER_EVENT of them; the rest are served on the next turns without
 * any port firing again.
 */
static void
test_left_over_served(void)
{
	unsigned int i, before;

	guests[1].refills = 99;
	guest_put(1, 0);
	guest_notify(1);
	turn();
	CU_ASSERT_EQUAL(guests[1].frames, READS_PER_EVENT);
	for (i = 0; i < 50 && guests[1].frames < 100; i++) {
		before = guests[1].frames;
		turn();
		CU_ASSERT(guests[1].frames - before <= READS_PER_EVENT);
		CU_ASSERT_EQUAL(nfired, 0);
	}
	CU_ASSERT_EQUAL(guests[1].frames, 100);
	CU_ASSERT(notifies[1] > 0);	/* "there is room": once per event */
	turn();
	CU_ASSERT_EQUAL(guests[1].frames, 100);
	CU_ASSERT_EQUAL(guests[2].frames, 0);
}

/*
 * While guest 1 keeps its ring busy, guest 2 asks once: it is served
 * after at most two of guest 1's events, long before guest 1 is done,
 * and guest 1 still gets everything.
 */
static void
test_other_guest_served_between(void)
{
	unsigned int i, before, pos;

	guests[1].refills = 99;
	guest_put(1, 0);
	guest_notify(1);
	turn();
	CU_ASSERT_EQUAL(guests[1].frames, READS_PER_EVENT);
	guest_put(2, 0);
	guest_notify(2);
	for (i = 0; i < 50 && (guests[1].frames < 100 ||
	    guests[2].frames < 1); i++) {
		before = guests[1].frames;
		turn();
		CU_ASSERT(guests[1].frames - before <= READS_PER_EVENT);
	}
	CU_ASSERT_EQUAL(guests[1].frames, 100);
	CU_ASSERT_EQUAL(guests[2].frames, 1);
	for (pos = 0; pos < norder && order[pos] != 2; pos++)
		;
	CU_ASSERT(pos <= 2 * READS_PER_EVENT);
	CU_ASSERT_EQUAL(norder, 101);
}

/*
 * Watch events for guest 1, which never reads its ring: its queue stops
 * at its memory quota (the limit domain.c gives a guest's connection),
 * the rest are dropped and counted, the connection stays up, and
 * CONTROL domains reports the backlog and the count.  Guest 2 is served
 * as before.
 */
static void
test_guest_event_limit(void)
{
	static char token[3000];
	const char *path = "/local/domain/1/data/x";
	struct connection *conn;
	unsigned int i, sent = 0, tries;
	size_t limit;
	char *report, *line, want[128];

	guest_put(1, 0);
	guest_notify(1);
	turn();
	CU_ASSERT_FATAL((conn = guests[1].conn) != NULL);
	limit = quota_limit(1, QUOTA_MEMORY);
	CU_ASSERT_FATAL(limit > 0);
	memset(token, 't', sizeof(token) - 1);
	tries = 3 * limit / sizeof(token);
	for (i = 0; i < tries; i++) {
		if (conn_send_event(conn, path, token) == 0)
			sent++;
		if (i % 64 == 0)
			turn();		/* the flush fills the ring */
	}
	turn();
	CU_ASSERT(!conn_closing(conn));
	CU_ASSERT(conn_out_bytes(conn) <= limit);
	/*
	 * What the guest is charged (its queue, its connection) comes to
	 * its memory quota: short of it by less than an event and the
	 * 64 KiB output chunk it would need.
	 */
	CU_ASSERT(quota_usage(1, USAGE_MEMORY) <= limit);
	CU_ASSERT(quota_usage(1, USAGE_MEMORY) >
	    limit - sizeof(token) - 64 * 1024 - 256);
	CU_ASSERT(conn_out_bytes(conn) > limit - 256 * 1024);
	CU_ASSERT(sent > 0 && sent < tries);
	CU_ASSERT_EQUAL(conn_events_dropped(conn), tries - sent);
	report = talloc_strdup(ctx, "");
	CU_ASSERT_FATAL(report != NULL && domain_report(&report) == 0);
	snprintf(want, sizeof(want), "domid 1 port %u conn %u queued %zu "
	    "dropped %u\n", PORT_BASE + 1, conn_id(conn), conn_out_bytes(conn),
	    tries - sent);
	if (strstr(report, want) == NULL)
		fprintf(stderr, "\nreport:\n%swant: %s", report, want);
	CU_ASSERT(strstr(report, want) != NULL);
	/* The others' lines carry neither. */
	line = line_of(report, "domid 2 ");
	CU_ASSERT(line != NULL && strstr(line, "queued") == NULL &&
	    strstr(line, "dropped") == NULL);
	guest_put(2, 0);
	guest_notify(2);
	turn();
	CU_ASSERT_EQUAL(guests[2].frames, 1);
}

/*
 * SET_PERMS: entries naming a domid no domain has are marked ignored
 * (XSA-417); an owner no domain has is ENOENT.  The privileged domid and
 * introduced domains are not asked about.
 */
static void
test_perms_unknown_domids(void)
{
	struct perm_entry e[5] = { { 1, PERM_NONE }, { 2, PERM_READ },
	    { 9, PERM_READ }, { 0, PERM_WRITE }, { 3, PERM_READ } };
	struct perms p = { 5, e };
	unsigned int i;

	alive[1] = alive[0] = false;	/* introduced / privileged anyway */
	ds_calls = 0;
	CU_ASSERT_EQUAL(domain_check_perms(&p), 0);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(!!(e[i].perms & PERM_IGNORE), e[i].domid == 9);
	CU_ASSERT_EQUAL(ds_calls, 1);
	/* Domain 3 released and gone: a new entry naming it grants nothing. */
	CU_ASSERT_EQUAL(domain_release(3), 0);
	alive[3] = false;
	e[4].perms = PERM_READ;
	CU_ASSERT_EQUAL(domain_check_perms(&p), 0);
	CU_ASSERT(e[4].perms & PERM_IGNORE);
	e[0].domid = 7;
	e[0].perms = PERM_NONE;
	CU_ASSERT_EQUAL(domain_check_perms(&p), ENOENT);
}

/*
 * INTRODUCE: no such domain is ESRCH; the same domain again is a no-op;
 * a new domain on a reused domid (another unique_id) ends the old one
 * and serves the new.
 */
static void
test_introduce_unique_id(void)
{
	CU_ASSERT_EQUAL(domain_release(3), 0);
	alive[3] = false;
	CU_ASSERT_EQUAL(domain_introduce(3, 0, 7), ESRCH);
	CU_ASSERT(!domain_is_introduced(3));
	maps = unmaps = 0;
	CU_ASSERT_EQUAL(domain_introduce(2, 0, 7), 0);
	CU_ASSERT_EQUAL(maps, 0);
	CU_ASSERT_EQUAL(unmaps, 0);
	unique_id[2]++;
	CU_ASSERT_EQUAL(domain_introduce(2, 0, 7), 0);
	CU_ASSERT_EQUAL(unmaps, 1);
	CU_ASSERT_EQUAL(maps, 1);
	CU_ASSERT(domain_is_introduced(2));
	CU_ASSERT_EQUAL(domain_count(), 2);
	/* The new one is served. */
	guest_put(2, 0);
	guest_notify(2);
	turn();
	CU_ASSERT_EQUAL(guests[2].frames, 1);
	/* A call that fails for another reason does not keep a guest out. */
	alive[3] = true;
	ds_err = EIO;
	CU_ASSERT_EQUAL(domain_introduce(3, 0, 7), 0);
	CU_ASSERT(domain_is_introduced(3));
}

static const struct cu_test domain_tests[] = {
	TEST(test_left_over_served),
	TEST(test_other_guest_served_between),
	TEST(test_guest_event_limit),
	TEST(test_perms_unknown_domids),
	TEST(test_introduce_unique_id),
	TEST_END
};

static const struct cu_suite suites[] = {
	{ "domain", setup, teardown, domain_tests },
};

int
main(void)
{
	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
