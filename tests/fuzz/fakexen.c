/*
 * libxs-stable's API over memory: see fakexen.h.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sanitizer/asan_interface.h>

#include <xen/io/xs_wire.h>

#include "fakexen.h"
#include "fuzz.h"

#define FX_BINDS	64
#define FX_PENDING	256
#define FX_FEED		256

/*
 * Ring pages: a pool made once (no mmap or munmap per input: in a VM
 * their TLB shootdowns cost more than the rest of an input).  Each page
 * has two views of one memfd: the guest's, and the daemon's, which is
 * poisoned for AddressSanitizer while the daemon has not mapped it, so
 * that touching a ring after xss_ring_unmap() is reported.
 */
#define FX_POOL		48

struct fx_page {
	void		*guest;
	void		*daemon;
	int		 owner;		/* domid whose page it is, or -1 */
	bool		 mapped;	/* by the daemon */
};

struct fx_domain {
	bool		 exists;
	int		 page;		/* in pool, -1 until first use */
	unsigned int	 gen;		/* which life of the domid */
	bool		 port_bound;
	unsigned long	 notified;
};

struct fx_bind {
	bool		 used;
	bool		 prebound;	/* an earlier daemon's, not yet adopted */
	uint32_t	 local;
	unsigned int	 domid;
	unsigned int	 gen;		/* of the domain when bound */
};

struct xss_handle {
	int		 open;
};

struct xss_domstate {
	int		 open;
};

struct xss_feed {
	int			 fd;
	struct xss_domain_event	 q[FX_FEED];
	unsigned int		 head, n;
};

static struct fx_domain	 doms[FX_DOMS];
static struct fx_page	 pool[FX_POOL];
static struct fx_bind	 binds[FX_BINDS];
static uint32_t		 next_port;
static uint32_t		 pending[FX_PENDING];
static unsigned int	 pending_head, npending;
static int		 evtchn_fd = -1;
static struct xss_handle handle;
static struct xss_domstate domstate;
static struct xss_feed	*feed;

static void
fd_set_ready(int fd, bool ready)
{
	uint64_t v = 1;

	if (ready) {
		CHECK(write(fd, &v, sizeof(v)) == sizeof(v));
	} else if (read(fd, &v, sizeof(v)) < 0) {
		CHECK(errno == EAGAIN);
	}
}

void
fx_init(void)
{
	unsigned int i;
	int fd;

	evtchn_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(evtchn_fd >= 0);
	for (i = 0; i < FX_POOL; i++) {
		fd = memfd_create("fakexen-ring", MFD_CLOEXEC);
		CHECK(fd >= 0);
		CHECK(ftruncate(fd, XSS_RING_SIZE) == 0);
		pool[i].guest = mmap(NULL, XSS_RING_SIZE,
		    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		pool[i].daemon = mmap(NULL, XSS_RING_SIZE,
		    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(pool[i].guest != MAP_FAILED &&
		    pool[i].daemon != MAP_FAILED);
		close(fd);
		ASAN_POISON_MEMORY_REGION(pool[i].daemon, XSS_RING_SIZE);
		pool[i].owner = -1;
	}
}

/* The page of an existing domain, a fresh one on first use. */
static struct fx_page *
page_get(unsigned int domid)
{
	struct fx_domain *d = &doms[domid];
	unsigned int i;

	if (d->page >= 0)
		return &pool[d->page];
	for (i = 0; i < FX_POOL; i++)
		if (pool[i].owner < 0 && !pool[i].mapped)
			break;
	if (i == FX_POOL)
		return NULL;	/* every page held: no ring for it */
	memset(pool[i].guest, 0, XSS_RING_SIZE);
	pool[i].owner = domid;
	d->page = i;
	return &pool[i];
}

void
fx_domain_create(unsigned int domid)
{
	struct fx_domain *d = &doms[domid % FX_DOMS];

	if (d->exists)
		return;
	d->exists = true;
	d->page = -1;
	d->gen++;
	d->port_bound = false;
	d->notified = 0;
}

void
fx_domain_destroy(unsigned int domid)
{
	struct fx_domain *d = &doms[domid % FX_DOMS];

	if (!d->exists)
		return;
	/* A page the daemon still maps stays until it unmaps it. */
	if (d->page >= 0)
		pool[d->page].owner = -1;
	d->page = -1;
	d->exists = false;
}

void
fx_reset(unsigned int live)
{
	unsigned int i;

	for (i = 0; i < FX_POOL; i++) {
		CHECK(!pool[i].mapped);
		pool[i].owner = -1;
	}
	for (i = 0; i < FX_DOMS; i++) {
		doms[i].exists = false;
		doms[i].page = -1;
		if (i < live)
			fx_domain_create(i);
	}
	memset(binds, 0, sizeof(binds));
	next_port = 32;	/* above every FX_PREBOUND_PORT() */
	npending = pending_head = 0;
	fd_set_ready(evtchn_fd, false);
	handle.open = 0;
	domstate.open = 0;
}

void
fx_prebind(void)
{
	unsigned int d, i = 0;

	for (d = 0; d < FX_DOMS && i < FX_BINDS; d++) {
		if (!doms[d].exists)
			continue;
		binds[i].used = true;
		binds[i].prebound = true;
		binds[i].domid = d;
		binds[i].gen = doms[d].gen;
		binds[i].local = FX_PREBOUND_PORT(d);
		doms[d].port_bound = true;
		i++;
	}
}

void
fx_finish(void)
{
	CHECK(feed == NULL);
}

bool
fx_domain_exists(unsigned int domid)
{
	return domid < FX_DOMS && doms[domid].exists;
}

struct xenstore_domain_interface *
fx_guest_ring(unsigned int domid)
{
	struct fx_page *pg;

	if (!fx_domain_exists(domid) || (pg = page_get(domid)) == NULL)
		return NULL;
	return pg->guest;
}

static struct fx_bind *
bind_of_domain(unsigned int domid)
{
	unsigned int i;

	for (i = 0; i < FX_BINDS; i++)
		if (binds[i].used && binds[i].domid == domid &&
		    binds[i].gen == doms[domid].gen)
			return &binds[i];
	return NULL;
}

static struct fx_bind *
bind_of_port(uint32_t local)
{
	unsigned int i;

	for (i = 0; i < FX_BINDS; i++)
		if (binds[i].used && binds[i].local == local)
			return &binds[i];
	return NULL;
}

/* A port the daemon holds (bound or adopted), or NULL. */
static struct fx_bind *
daemon_port(uint32_t local)
{
	struct fx_bind *b = bind_of_port(local);

	return b != NULL && !b->prebound ? b : NULL;
}

static void
raise_port(uint32_t local)
{
	if (npending == FX_PENDING)
		return;		/* a real channel is pending once anyway */
	pending[(pending_head + npending++) % FX_PENDING] = local;
	fd_set_ready(evtchn_fd, true);
}

void
fx_guest_notify(unsigned int domid)
{
	struct fx_bind *b;

	if (!fx_domain_exists(domid) || (b = bind_of_domain(domid)) == NULL)
		return;
	raise_port(b->local);
}

unsigned long
fx_notified(unsigned int domid)
{
	return domid < FX_DOMS ? doms[domid].notified : 0;
}

bool
fx_bound(unsigned int domid)
{
	return domid < FX_DOMS && doms[domid].port_bound;
}

void
fx_feed_push(uint32_t domid, uint32_t state, uint32_t reason)
{
	struct xss_domain_event ev = { domid, state, reason };

	if (feed != NULL)
		xss_feed_push(feed, &ev);
}

bool
fx_busy(void)
{
	return npending > 0 || (feed != NULL && feed->n > 0);
}

/*
 * libxs-stable's API.
 */

struct xss_handle *
xss_open(int *err)
{
	(void)err;
	CHECK(!handle.open);
	handle.open = 1;
	return &handle;
}

void
xss_close(struct xss_handle *h)
{
	unsigned int i;

	if (h == NULL)
		return;
	CHECK(h == &handle && handle.open);
	/* The daemon unmapped and unbound all before. */
	for (i = 0; i < FX_POOL; i++)
		CHECK(!pool[i].mapped);
	/* (An earlier daemon's port no one adopted stays bound.) */
	for (i = 0; i < FX_BINDS; i++)
		CHECK(!binds[i].used || binds[i].prebound);
	handle.open = 0;
}

int
xss_evtchn_fd(const struct xss_handle *h)
{
	CHECK(h == &handle);
	return evtchn_fd;
}

int
xss_evtchn_bind(struct xss_handle *h, uint32_t domid, uint32_t remote_port,
    uint32_t *local_port)
{
	unsigned int i;

	CHECK(h == &handle);
	if (!fx_domain_exists(domid))
		return ESRCH;
	/* Only the store port is unbound for us, and only once. */
	if (remote_port != FX_STORE_PORT || doms[domid].port_bound)
		return EINVAL;
	for (i = 0; i < FX_BINDS && binds[i].used; i++)
		continue;
	if (i == FX_BINDS)
		return ENOMEM;
	binds[i].used = true;
	binds[i].domid = domid;
	binds[i].gen = doms[domid].gen;
	binds[i].local = next_port++;
	doms[domid].port_bound = true;
	*local_port = binds[i].local;
	return 0;
}

/* Only a port fx_prebind() left, once. */
int
xss_evtchn_adopt(struct xss_handle *h, uint32_t local_port)
{
	struct fx_bind *b = bind_of_port(local_port);

	CHECK(h == &handle);
	if (b == NULL || !b->prebound)
		return EINVAL;
	b->prebound = false;
	return 0;
}

int
xss_evtchn_unbind(struct xss_handle *h, uint32_t local_port)
{
	struct fx_bind *b = daemon_port(local_port);
	unsigned int i, j;

	CHECK(h == &handle);
	/* Unbinding a port we never gave it is a daemon bug. */
	CHECK(b != NULL);
	if (b->gen == doms[b->domid].gen)
		doms[b->domid].port_bound = false;
	b->used = false;
	/* Pending events of the port go with it. */
	for (i = j = 0; i < npending; i++) {
		uint32_t p = pending[(pending_head + i) % FX_PENDING];

		if (p != local_port)
			pending[(pending_head + j++) % FX_PENDING] = p;
	}
	npending = j;
	return 0;
}

int
xss_evtchn_notify(struct xss_handle *h, uint32_t local_port)
{
	struct fx_bind *b = daemon_port(local_port);

	CHECK(h == &handle);
	CHECK(b != NULL);
	if (b->gen == doms[b->domid].gen)
		doms[b->domid].notified++;
	return 0;
}

int
xss_evtchn_pending(struct xss_handle *h, uint32_t *port)
{
	CHECK(h == &handle);
	if (npending == 0) {
		fd_set_ready(evtchn_fd, false);
		return EAGAIN;
	}
	*port = pending[pending_head];
	pending_head = (pending_head + 1) % FX_PENDING;
	npending--;
	return 0;
}

static void *
map(unsigned int domid, int *err)
{
	struct fx_page *pg;

	if (!fx_domain_exists(domid)) {
		*err = ESRCH;
		return NULL;
	}
	if ((pg = page_get(domid)) == NULL) {
		*err = ENOMEM;
		return NULL;
	}
	/* One mapping at a time of a page: more would be a leak. */
	CHECK(!pg->mapped);
	pg->mapped = true;
	ASAN_UNPOISON_MEMORY_REGION(pg->daemon, XSS_RING_SIZE);
	return pg->daemon;
}

void *
xss_ring_map(struct xss_handle *h, uint32_t domid, int *err)
{
	CHECK(h == &handle);
	/* Guests only; dom0's own ring is the local one. */
	if (domid == 0) {
		*err = EINVAL;
		return NULL;
	}
	return map(domid, err);
}

void *
xss_ring_map_local(struct xss_handle *h, uint32_t *remote_port, int *err)
{
	CHECK(h == &handle);
	*remote_port = FX_STORE_PORT;
	return map(0, err);
}

int
xss_ring_unmap(struct xss_handle *h, void *ring)
{
	unsigned int i;

	CHECK(h == &handle);
	for (i = 0; i < FX_POOL && pool[i].daemon != ring; i++)
		continue;
	/* Unmapping what it did not map is a daemon bug. */
	CHECK(ring != NULL && i < FX_POOL && pool[i].mapped);
	pool[i].mapped = false;
	ASAN_POISON_MEMORY_REGION(pool[i].daemon, XSS_RING_SIZE);
	return 0;
}

/*
 * The domain-state call: existing domains answer RUNNING with their
 * life as unique_id (so a re-created domid is a new domain), others
 * ESRCH as Xen answers a control domain.  Changed domids are not kept:
 * the daemon never asks (the toolstack service does).
 */
struct xss_domstate *
xss_domstate_open(int *err)
{
	(void)err;
	CHECK(!domstate.open);
	domstate.open = 1;
	return &domstate;
}

void
xss_domstate_close(struct xss_domstate *q)
{
	if (q == NULL)
		return;
	CHECK(q == &domstate && domstate.open);
	domstate.open = 0;
}

int
xss_domstate_get(struct xss_domstate *q, uint32_t domid,
    struct xss_domain_info *info)
{
	CHECK(q == &domstate && domstate.open);
	if (domid >= 0x7ff0)
		return EINVAL;
	if (!fx_domain_exists(domid))
		return ESRCH;
	info->domid = domid;
	info->state = XSS_DOMAIN_RUNNING;
	info->caps = domid == 0 ? XSS_DOMAIN_CAP_CONTROL : 0;
	info->unique_id = (uint64_t)domid << 32 | doms[domid].gen;
	return 0;
}

int
xss_domstate_next(struct xss_domstate *q, struct xss_domain_info *info)
{
	(void)info;
	CHECK(q == &domstate && domstate.open);
	return EACCES;
}

struct xss_feed *
xss_feed_new(int *err)
{
	(void)err;
	CHECK(feed == NULL);
	feed = calloc(1, sizeof(*feed));
	CHECK(feed != NULL);
	feed->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(feed->fd >= 0);
	return feed;
}

void
xss_feed_free(struct xss_feed *f)
{
	if (f == NULL)
		return;
	CHECK(f == feed);
	close(f->fd);
	free(f);
	feed = NULL;
}

int
xss_feed_fd(const struct xss_feed *f)
{
	return f->fd;
}

int
xss_feed_push(struct xss_feed *f, const struct xss_domain_event *ev)
{
	if (ev->state > XSS_DOMAIN_DEAD || ev->domid >= 0x7ff0)
		return EINVAL;
	if (f->n == FX_FEED)
		return ENOMEM;
	f->q[(f->head + f->n++) % FX_FEED] = *ev;
	fd_set_ready(f->fd, true);
	return 0;
}

int
xss_feed_add_socket(struct xss_feed *f, const char *path)
{
	(void)f;
	(void)path;
	return EINVAL;
}

int
xss_feed_next(struct xss_feed *f, struct xss_domain_event *ev)
{
	if (f->n == 0) {
		fd_set_ready(f->fd, false);
		return EAGAIN;
	}
	*ev = f->q[f->head];
	f->head = (f->head + 1) % FX_FEED;
	f->n--;
	return 0;
}

unsigned long
xss_feed_dropped(const struct xss_feed *f)
{
	(void)f;
	return 0;
}

const char *
xss_domain_state_name(uint32_t state)
{
	/* The names of libxs-stable/feed.c (CONTROL domain-state). */
	static const char *const names[] = { "running", "shutdown", "dying",
	    "dead" };

	return state < 4 ? names[state] : "?";
}
