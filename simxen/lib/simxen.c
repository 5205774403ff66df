/*
 * libsimxen: the simulated hypervisor's shared state and its operations
 * (domains, event channels, ring pages).  See simxen.h for the API and
 * docs/simulated-xen.md for the design.
 *
 * Files under the state directory:
 *   state            struct sx_shared, mmapped MAP_SHARED, flock()ed
 *   ring-D-G         ring page of domain D, generation G (4096 bytes)
 *   xsd_kva          symlink to dom0's ring file (for /proc/xen)
 *   xsd_port         dom0's store port, decimal text
 *   ev/N             datagram socket of event-channel handle N
 *   domain-state.d/  sockets of domain-state listeners
 *
 * Every operation takes the flock, so processes see one consistent
 * state.  Event delivery: a 4-byte port number sent to the owning
 * handle's socket; the port is then masked until the owner unmasks it,
 * and notifications meanwhile are latched in "pending" (Linux evtchn
 * driver semantics, drivers/xen/evtchn.c).
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <linux/sockios.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdint.h>

#include <xen/xen.h>
#include <xen/sched.h>

#include "simxen.h"

#define SX_MAGIC	0x53584e35u	/* "SXN5": layout version */
#define SX_MAX_HOLDERS	4096u	/* counted ring mappings, host-wide */
#define SX_MAX_VIRQS	64u	/* VIRQ bindings, host-wide */
#define SX_NR_VIRQS	24u	/* NR_VIRQS in xen/xen.h */
#define SX_MAX_LOCAL_MAPS 1024u	/* mappings one struct simxen tracks */
#define SX_FIRST_GFN	0x80000u /* fake gfns start here */

/* Port states, as Xen's ECS_*. */
enum {
	PORT_FREE = 0,
	PORT_UNBOUND,		/* remote_dom may bind it */
	PORT_INTERDOMAIN,	/* bound to remote_dom:remote_port */
	PORT_VIRQ,		/* bound to virq */
};

struct sx_port {
	uint8_t		state;
	uint8_t		masked;		/* fired, owner has not unmasked */
	uint8_t		pending;	/* notified while masked */
	uint8_t		undelivered;	/* fired, but the owner's queue was full */
	uint32_t	remote_dom;
	uint32_t	remote_port;
	uint32_t	virq;
	uint32_t	owner;		/* handle id, 0 = none */
	uint32_t	pad2;
};

struct sx_domain {
	uint32_t	exists;		/* 0: free (dead) */
	uint32_t	state;		/* SIMXEN_DOM_* */
	uint32_t	reason;
	uint32_t	gen;
	uint64_t	gfn;
	uint32_t	store_port;
	uint32_t	max_port;	/* highest port ever used, for reset */
	uint64_t	unique_id;	/* from sx_shared.next_unique_id */
	uint32_t	nholders;	/* used holders of this gen */
};

/* A counted (grant or foreign) mapping of a ring page by process pid. */
struct sx_holder {
	uint32_t	used;
	uint32_t	pid;
	uint32_t	domid;
	uint32_t	gen;
	uint64_t	addr;
};

struct sx_virq {
	uint32_t	used;
	uint32_t	domid;
	uint32_t	port;
	uint32_t	virq;
};

struct sx_shared {
	uint32_t	magic;
	uint32_t	next_handle;	/* handle ids, from 1 */
	uint64_t	next_gfn;
	struct sx_domain doms[SIMXEN_MAX_DOMAINS];
	struct sx_holder holders[SX_MAX_HOLDERS];
	struct sx_virq	virqs[SX_MAX_VIRQS];
	/* XEN_DOMCTL_get_domain_state: domains changed since last
	 * taken, kept while exc_armed (a VIRQ_DOM_EXC binding exists). */
	uint64_t	changed[SIMXEN_MAX_DOMAINS / 64];
	uint32_t	exc_armed;
	uint32_t	exc_handler;	/* domain that bound VIRQ_DOM_EXC last */
	uint32_t	exc_next;	/* where the next round-robin scan starts */
	uint32_t	host_flags;	/* SIMXEN_HOST_* */
	uint64_t	next_unique_id;	/* from 1 */
	uint64_t	state_calls;	/* simxen_count_state_calls() */
	uint32_t	ndying;		/* domains in SIMXEN_DOM_DYING */
	struct sx_port	ports[SIMXEN_MAX_DOMAINS][SIMXEN_MAX_PORTS];
	uint32_t	undelivered;	/* ports with undelivered set */
};

struct sx_localmap {
	void		*addr;
	uint32_t	domid;
	uint32_t	gen;
	int		counted;
	uint32_t	hslot;		/* its holder, when counted */
};

struct simxen {
	char		dir[108];	/* sizeof(sun_path); see sx_dir_from_env() */
	int		fd;		/* state file, flock()ed */
	struct sx_shared *sh;
	int		sendfd;		/* unbound dgram socket for sends */
	struct sx_localmap maps[SX_MAX_LOCAL_MAPS];
};

struct simxen_evtchn {
	struct simxen	*sx;
	uint32_t	domid;
	uint32_t	id;
	int		fd;
};

static void
sx_lock(struct simxen *sx)
{
	while (flock(sx->fd, LOCK_EX) == -1 && errno == EINTR)
		;
}

static void
sx_unlock(struct simxen *sx)
{
	flock(sx->fd, LOCK_UN);
}

static int
sx_path(const struct simxen *sx, char *buf, size_t len, const char *fmt,
    uint32_t a, uint32_t b)
{
	char name[64];

	snprintf(name, sizeof(name), fmt, a, b);
	if ((size_t)snprintf(buf, len, "%s/%s", sx->dir, name) >= len)
		return ENAMETOOLONG;
	return 0;
}

static int
sx_sockaddr(const struct simxen *sx, uint32_t id, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	return sx_path(sx, sun->sun_path, sizeof(sun->sun_path), "ev/%u", id,
	    0);
}

static int
sx_ring_path(const struct simxen *sx, uint32_t domid, uint32_t gen,
    char *buf, size_t len)
{
	return sx_path(sx, buf, len, "ring-%u-%u", domid, gen);
}

/*
 * Whether sendfd itself is out of room: a Unix datagram socket is
 * charged for each record it sent until the receiver reads it, so a few
 * hundred idle receivers holding one record each fill it up (Linux,
 * net/unix/af_unix.c: SIOCOUTQ is that charge).
 */
static bool
sx_sender_full(int fd)
{
	int queued, limit;
	socklen_t len = sizeof(limit);

	if (ioctl(fd, SIOCOUTQ, &queued) == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &limit, &len) == -1)
		return false;
	return queued > limit / 2;
}

/*
 * Send one datagram without blocking: 0, or the errno of the failure
 * (EAGAIN: the receiver's queue is full).  When our own send socket is
 * the one out of room, a fresh one takes over; the records already
 * queued keep the old one alive until they are read.
 */
static int
sx_send(struct simxen *sx, const struct sockaddr_un *sun, const void *buf,
    size_t len)
{
	int fd, tries;

	for (tries = 0; tries < 2; tries++) {
		if (sendto(sx->sendfd, buf, len, MSG_DONTWAIT,
		    (const struct sockaddr *)sun, sizeof(*sun)) != -1)
			return 0;
		if (errno != EAGAIN && errno != ENOBUFS)
			return errno;
		if (tries > 0 || !sx_sender_full(sx->sendfd))
			break;
		if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
			break;
		close(sx->sendfd);
		sx->sendfd = fd;
	}
	return EAGAIN;
}

/*
 * Send a 4-byte port number to handle id; a dead handle is ignored.
 * Returns false only when the handle's queue is full (a Unix datagram
 * socket holds net.unix.max_dgram_qlen, 10 by default): the caller
 * keeps the event, as Linux's evtchn device never loses one.
 */
static bool
sx_deliver(struct simxen *sx, uint32_t id, uint32_t port)
{
	struct sockaddr_un sun;

	if (id == 0 || sx_sockaddr(sx, id, &sun) != 0)
		return true;
	return sx_send(sx, &sun, &port, sizeof(port)) != EAGAIN;
}

/* Whether handle id still has a live socket (a process owns it). */
static int
sx_handle_alive(struct simxen *sx, uint32_t id)
{
	struct sockaddr_un sun;
	int s, alive;

	if (id == 0 || sx_sockaddr(sx, id, &sun) != 0)
		return 0;
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s == -1)
		return 1;	/* cannot tell: assume alive */
	/* Connecting a datagram socket sends nothing; it fails with
	 * ECONNREFUSED/ENOENT when nobody holds the socket. */
	alive = connect(s, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(s);
	return alive;
}

/*
 * SIMXEN_DIE_AT=WHERE: the process SIGKILLs itself at the point named
 * WHERE ("fire": inside sx_fire, between its stores), as a crash test's
 * kill -9 may; the lock goes with it, the half-done state stays.
 */
static void
sx_die_at(const char *where)
{
	const char *s = getenv("SIMXEN_DIE_AT");

	if (s != NULL && strcmp(s, where) == 0)
		raise(SIGKILL);
}

/*
 * Fire port of domid: deliver it to its owner and mask it, or latch it
 * if masked (or ownerless) already.  Locked.  The order of the stores
 * is what a process killed among them leaves: delivered but not masked
 * (at worst one more event later), never masked with no event sent,
 * which would latch every later one for good (Linux's evtchn device
 * does both at once).
 */
static void
sx_fire(struct simxen *sx, uint32_t domid, uint32_t port)
{
	struct sx_port *p = &sx->sh->ports[domid][port];

	if (p->state == PORT_FREE)
		return;
	if (p->masked || p->owner == 0) {
		p->pending = 1;
		return;
	}
	if (!sx_deliver(sx, p->owner, port) && !p->undelivered) {
		/* Its owner's next look at an empty queue sends it again;
		 * the count first: one too high costs only a scan. */
		sx->sh->undelivered++;
		p->undelivered = 1;
	}
	sx_die_at("fire");
	p->masked = 1;
}

/* Free a port's slot, and its place in the undelivered count (after:
 * a count one too high costs only a scan, one too low loses an event). */
static void
sx_port_clear(struct simxen *sx, struct sx_port *p)
{
	bool undelivered = p->undelivered;

	memset(p, 0, sizeof(*p));
	if (undelivered)
		sx->sh->undelivered--;
}

/* Send e's undelivered ports again, now that its queue has room.  Locked. */
static unsigned int
sx_redeliver_locked(struct simxen_evtchn *e)
{
	struct sx_port *p;
	unsigned int port, sent = 0;

	for (port = 1; port < SIMXEN_MAX_PORTS; port++) {
		p = &e->sx->sh->ports[e->domid][port];
		if (!p->undelivered || p->owner != e->id)
			continue;
		if (!sx_deliver(e->sx, e->id, port))
			break;
		p->undelivered = 0;
		e->sx->sh->undelivered--;
		sent++;
	}
	return sent;
}

static void
sx_raise_virq(struct simxen *sx, uint32_t virq)
{
	struct sx_shared *sh = sx->sh;
	uint32_t i;

	for (i = 0; i < SX_MAX_VIRQS; i++)
		if (sh->virqs[i].used && sh->virqs[i].virq == virq)
			sx_fire(sx, sh->virqs[i].domid, sh->virqs[i].port);
}

static void
sx_mark_changed(struct sx_shared *sh, uint32_t domid)
{
	if (sh->exc_armed)
		sh->changed[domid / 64] |= UINT64_C(1) << (domid % 64);
}

/*
 * A VIRQ_DOM_EXC binding of domain domid came or went.  While one
 * exists the changed bitmap is kept; the first binding marks every
 * existing domain (Xen's domain_init_states()), and the binder becomes
 * the handler.  When the last goes, the bitmap is dropped and domain 0
 * (Xen's default, the hardware domain) is the handler again.  Locked.
 */
static void
sx_dom_exc_bound(struct simxen *sx, uint32_t domid, bool bound)
{
	struct sx_shared *sh = sx->sh;
	uint32_t i, other = 0;
	bool any = false;

	if (bound) {
		sh->exc_armed = 1;
		sh->exc_handler = domid;
		for (i = 0; i < SIMXEN_MAX_DOMAINS; i++)
			if (sh->doms[i].exists)
				sx_mark_changed(sh, i);
		return;
	}
	for (i = 0; i < SX_MAX_VIRQS; i++) {
		if (!sh->virqs[i].used || sh->virqs[i].virq != VIRQ_DOM_EXC)
			continue;
		if (sh->virqs[i].domid == domid)
			return;		/* domid still has one */
		other = sh->virqs[i].domid;
		any = true;
	}
	if (any) {
		/* Another domain's binding stays: it handles now. */
		if (sh->exc_handler == domid)
			sh->exc_handler = other;
		return;
	}
	sh->exc_armed = 0;
	sh->exc_handler = 0;
	memset(sh->changed, 0, sizeof(sh->changed));
}

/*
 * Mark the domain changed, tell VIRQ_DOM_EXC ports and domain-state.d
 * listeners.  Locked.
 */
static void
sx_state_changed(struct simxen *sx, uint32_t domid)
{
	const struct sx_domain *d = &sx->sh->doms[domid];
	uint32_t rec[3];
	char dpath[PATH_MAX];
	struct sockaddr_un sun;
	struct dirent *de;
	DIR *dir;

	sx_mark_changed(sx->sh, domid);
	sx_raise_virq(sx, VIRQ_DOM_EXC);

	/* struct xss_domain_event: domid, state, reason (xs-stable.h). */
	rec[0] = domid;
	rec[1] = d->state;
	rec[2] = d->state == SIMXEN_DOM_SHUTDOWN ? d->reason : 0;
	if ((size_t)snprintf(dpath, sizeof(dpath), "%s/domain-state.d",
	    sx->dir) >= sizeof(dpath))
		return;
	if ((dir = opendir(dpath)) == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path),
		    "%s/%s", dpath, de->d_name) >= sizeof(sun.sun_path))
			continue;
		(void)sx_send(sx, &sun, rec, sizeof(rec));
	}
	closedir(dir);
}

/*
 * Whether process pid still maps the ring file of (domid, gen) at addr:
 * read from /proc/PID/maps, so that an exit or a direct munmap() (as
 * oxenstored's Xenmmap.unmap does) ends the mapping.
 */
static int
sx_holder_live(const struct simxen *sx, const struct sx_holder *h)
{
	char path[64], want[64], line[PATH_MAX + 128], start[32];
	FILE *f;
	int found = 0;

	(void)sx;
	/*
	 * The caller's own mapping: ask the kernel whether the page is
	 * still mapped (mincore fails with ENOMEM if not), which is cheap;
	 * a daemon checks its own mappings for every dying domain.
	 */
	if (h->pid == (uint32_t)getpid()) {
		unsigned char v;

		return mincore((void *)(uintptr_t)h->addr, SIMXEN_PAGE_SIZE,
		    &v) == 0;
	}
	snprintf(path, sizeof(path), "/proc/%u/maps", h->pid);
	snprintf(start, sizeof(start), "%" PRIx64 "-", h->addr);
	snprintf(want, sizeof(want), "/ring-%u-%u", h->domid, h->gen);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, start, strlen(start)) == 0) {
			found = strstr(line, want) != NULL;
			break;
		}
	}
	fclose(f);
	return found;
}

static uint32_t
sx_map_count(struct simxen *sx, uint32_t domid, int prune)
{
	struct sx_shared *sh = sx->sh;
	struct sx_holder *h;
	uint32_t i, n = 0;

	/* The common case at a death: its last mapping just went. */
	if (sh->doms[domid].nholders == 0)
		return 0;
	for (i = 0; i < SX_MAX_HOLDERS; i++) {
		h = &sh->holders[i];
		if (!h->used || h->domid != domid ||
		    h->gen != sh->doms[domid].gen)
			continue;
		if (prune && !sx_holder_live(sx, h)) {
			memset(h, 0, sizeof(*h));
			sh->doms[domid].nholders--;
			continue;
		}
		n++;
	}
	return n;
}

/* Free every port of domid; peers of its interdomain ports become
 * unbound (as Xen's evtchn_close()).  Locked. */
static void
sx_close_ports(struct simxen *sx, uint32_t domid)
{
	struct sx_shared *sh = sx->sh;
	struct sx_port *p, *q;
	bool exc = false;
	uint32_t i;

	for (i = 1; i <= sh->doms[domid].max_port && i < SIMXEN_MAX_PORTS;
	    i++) {
		p = &sh->ports[domid][i];
		if (p->state == PORT_INTERDOMAIN) {
			q = &sh->ports[p->remote_dom][p->remote_port];
			if (q->state == PORT_INTERDOMAIN &&
			    q->remote_dom == domid && q->remote_port == i) {
				q->state = PORT_UNBOUND;
				q->remote_port = 0;
			}
		}
		sx_port_clear(sx, p);
	}
	for (i = 0; i < SX_MAX_VIRQS; i++)
		if (sh->virqs[i].used && sh->virqs[i].domid == domid) {
			exc |= sh->virqs[i].virq == VIRQ_DOM_EXC;
			memset(&sh->virqs[i], 0, sizeof(sh->virqs[i]));
		}
	if (exc)
		sx_dom_exc_bound(sx, domid, false);
	sh->doms[domid].max_port = 0;
}

/* Domain d, if dying and no longer mapped, becomes dead.  Locked. */
static void
sx_reap_one(struct simxen *sx, uint32_t d)
{
	struct sx_shared *sh = sx->sh;
	char path[PATH_MAX];

	if (d == 0 || d >= SIMXEN_MAX_DOMAINS || !sh->doms[d].exists ||
	    sh->doms[d].state != SIMXEN_DOM_DYING ||
	    sx_map_count(sx, d, 1) != 0)
		return;
	if (sx_ring_path(sx, d, sh->doms[d].gen, path, sizeof(path)) == 0)
		unlink(path);
	sh->doms[d].state = SIMXEN_DOM_DEAD;
	sh->doms[d].exists = 0;
	sh->ndying--;
	sx_state_changed(sx, d);
}

/*
 * Every dying domain without mappings becomes dead (a holder may have
 * exited).  Locked.  Each check reads a holder's /proc/PID/maps, so the
 * calls about one domain reap only that one: thousands of domains must
 * not make the simulator, which runs inside the daemons, quadratic.
 */
static void
sx_reap(struct simxen *sx)
{
	uint32_t d;

	for (d = 1; d < SIMXEN_MAX_DOMAINS; d++)
		sx_reap_one(sx, d);
}

/*
 * sx_reap() for calls made again and again (the domain-state call, once
 * per changed domid): only dying domains none of whose holders' processes
 * exist any more are checked in full.  The holders are looked at only
 * when a domain is dying, and only those of dying domains, so a call
 * costs the same however many domains live (real Xen's call does not
 * grow with them either).  One kill(pid, 0) per process (of the first
 * 16).  Locked.
 */
static void
sx_reap_gone(struct simxen *sx)
{
	struct sx_shared *sh = sx->sh;
	/* 0: not dying; 1: dying, no live holder seen; 2: held. */
	static uint8_t dying[SIMXEN_MAX_DOMAINS];
	/* Holders are a few processes: each is asked once per call. */
	struct {
		uint32_t	pid;
		bool		alive;
	} seen[16];
	const struct sx_holder *h;
	unsigned int nseen = 0, k;
	uint32_t i, d;
	bool alive;

	if (sh->ndying == 0)
		return;
	for (d = 1; d < SIMXEN_MAX_DOMAINS; d++)
		dying[d] = sh->doms[d].exists &&
		    sh->doms[d].state == SIMXEN_DOM_DYING;
	for (i = 0; i < SX_MAX_HOLDERS; i++) {
		h = &sh->holders[i];
		if (!h->used || h->domid >= SIMXEN_MAX_DOMAINS ||
		    dying[h->domid] != 1 || h->gen != sh->doms[h->domid].gen)
			continue;
		for (k = 0; k < nseen && seen[k].pid != h->pid; k++)
			;
		if (k < nseen)
			alive = seen[k].alive;
		else {
			alive = kill((pid_t)h->pid, 0) == 0 || errno == EPERM;
			if (nseen < 16) {
				seen[nseen].pid = h->pid;
				seen[nseen++].alive = alive;
			}
		}
		if (alive)
			dying[h->domid] = 2;
	}
	for (d = 1; d < SIMXEN_MAX_DOMAINS; d++)
		if (dying[d] == 1)
			sx_reap_one(sx, d);
}

static void
sx_fill_info(struct simxen *sx, uint32_t domid, struct simxen_dominfo *info)
{
	const struct sx_domain *d = &sx->sh->doms[domid];

	memset(info, 0, sizeof(*info));
	info->domid = domid;
	info->state = d->state;
	info->reason = d->reason;
	info->store_port = d->store_port;
	info->ring_gfn = d->gfn;
	info->map_count = sx_map_count(sx, domid, 0);
	info->generation = d->gen;
}

static int
sx_dir_from_env(char *buf, size_t len)
{
	const char *s = getenv("SIMXEN_DIR");

	if (s == NULL || *s == '\0')
		s = SIMXEN_DEFAULT_DIR;
	/* Leave room for "/ev/NNNNNNNNNN" in a sun_path. */
	if (strlen(s) + 16 >= sizeof(((struct sockaddr_un *)0)->sun_path) ||
	    strlen(s) >= len)
		return ENAMETOOLONG;
	strcpy(buf, s);
	return 0;
}

static int
sx_attach(struct simxen **sxp, int create)
{
	struct simxen *sx;
	char path[PATH_MAX];
	struct stat st;
	void *p;
	int err;

	if ((sx = calloc(1, sizeof(*sx))) == NULL)
		return ENOMEM;
	sx->fd = sx->sendfd = -1;
	if ((err = sx_dir_from_env(sx->dir, sizeof(sx->dir))) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/state", sx->dir);
	if (create) {
		unlink(path);
		sx->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);
		if (sx->fd != -1 &&
		    ftruncate(sx->fd, sizeof(struct sx_shared)) == -1) {
			err = errno;
			goto fail;
		}
	} else
		sx->fd = open(path, O_RDWR | O_CLOEXEC);
	if (sx->fd == -1) {
		err = errno;
		goto fail;
	}
	if (fstat(sx->fd, &st) == -1) {
		err = errno;
		goto fail;
	}
	if ((size_t)st.st_size < sizeof(struct sx_shared)) {
		err = EINVAL;
		goto fail;
	}
	p = mmap(NULL, sizeof(struct sx_shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED, sx->fd, 0);
	if (p == MAP_FAILED) {
		err = errno;
		goto fail;
	}
	sx->sh = p;
	if (!create && sx->sh->magic != SX_MAGIC) {
		err = EINVAL;
		goto fail;
	}
	sx->sendfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sx->sendfd == -1) {
		err = errno;
		goto fail;
	}
	*sxp = sx;
	return 0;
fail:
	simxen_close(sx);
	return err;
}

int
simxen_open(struct simxen **sxp)
{
	return sx_attach(sxp, 0);
}

/* Make a fresh zeroed ring file for domid's current generation. */
static int
sx_make_ring(struct simxen *sx, uint32_t domid)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if ((err = sx_ring_path(sx, domid, sx->sh->doms[domid].gen, path,
	    sizeof(path))) != 0)
		return err;
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return errno;
	if (ftruncate(fd, SIMXEN_PAGE_SIZE) == -1)
		err = errno;
	close(fd);
	return err;
}

static int
sx_alloc_port(struct simxen *sx, uint32_t domid, uint32_t *port)
{
	struct sx_domain *d = &sx->sh->doms[domid];
	uint32_t i;

	for (i = 1; i < SIMXEN_MAX_PORTS; i++) {
		if (sx->sh->ports[domid][i].state == PORT_FREE) {
			memset(&sx->sh->ports[domid][i], 0,
			    sizeof(struct sx_port));
			if (i > d->max_port)
				d->max_port = i;
			*port = i;
			return 0;
		}
	}
	return ENOSPC;
}

static int
sx_live(const struct simxen *sx, uint32_t domid)
{
	return domid < SIMXEN_MAX_DOMAINS && sx->sh->doms[domid].exists &&
	    sx->sh->doms[domid].state != SIMXEN_DOM_DYING;
}

/* Create domain domid (free).  Locked. */
static int
sx_create_locked(struct simxen *sx, uint32_t domid)
{
	struct sx_domain *d = &sx->sh->doms[domid];
	struct sx_port *p;
	uint32_t port;
	int err;

	d->gen++;
	d->state = SIMXEN_DOM_RUNNING;
	d->reason = 0;
	d->gfn = sx->sh->next_gfn++;
	d->unique_id = sx->sh->next_unique_id++;
	d->max_port = 0;
	d->nholders = 0;	/* those of the last gen no longer count */
	if ((err = sx_make_ring(sx, domid)) != 0)
		return err;
	d->exists = 1;
	if ((err = sx_alloc_port(sx, domid, &port)) != 0) {
		d->exists = 0;
		return err;
	}
	p = &sx->sh->ports[domid][port];
	p->state = PORT_UNBOUND;
	p->remote_dom = 0;
	d->store_port = port;
	return 0;
}

int
simxen_init(struct simxen **sxp)
{
	return simxen_init_host(sxp, 0);
}

int
simxen_init_host(struct simxen **sxp, unsigned int flags)
{
	struct simxen *sx;
	char path[PATH_MAX], target[64], buf[32];
	struct dirent *de;
	DIR *dir;
	int err, fd;

	if ((flags & ~(SIMXEN_HOST_STOCK | SIMXEN_HOST_NO_FOREIGN_MAP |
	    SIMXEN_HOST_NO_XENCTRL)) != 0)
		return EINVAL;
	if ((err = sx_dir_from_env(path, sizeof(path))) != 0)
		return err;
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return errno;
	/* Remove the previous host's files; keep domain-state.d, whose
	 * listeners may already wait for this host. */
	if ((dir = opendir(path)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (strncmp(de->d_name, "ring-", 5) == 0) {
				char f[PATH_MAX + 300];

				snprintf(f, sizeof(f), "%s/%s", path,
				    de->d_name);
				unlink(f);
			}
		}
		closedir(dir);
	}
	if ((err = sx_attach(&sx, 1)) != 0)
		return err;
	snprintf(path, sizeof(path), "%s/ev", sx->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/domain-state.d", sx->dir);
	mkdir(path, 0755);

	sx_lock(sx);
	memset(sx->sh, 0, offsetof(struct sx_shared, ports));
	sx->sh->next_handle = 1;
	sx->sh->next_gfn = SX_FIRST_GFN;
	sx->sh->next_unique_id = 1;
	sx->sh->host_flags = flags;
	err = sx_create_locked(sx, 0);
	sx->sh->magic = SX_MAGIC;
	sx_unlock(sx);
	if (err != 0)
		goto fail;

	snprintf(path, sizeof(path), "%s/xsd_kva", sx->dir);
	snprintf(target, sizeof(target), "ring-0-%u", sx->sh->doms[0].gen);
	unlink(path);
	if (symlink(target, path) == -1) {
		err = errno;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/xsd_port", sx->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1) {
		err = errno;
		goto fail;
	}
	/* No newline, as Linux /proc/xen/xsd_port: oxenstored does
	 * int_of_string on the whole content (utils.ml). */
	snprintf(buf, sizeof(buf), "%u", sx->sh->doms[0].store_port);
	if (write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf))
		err = EIO;
	close(fd);
	if (err != 0)
		goto fail;
	*sxp = sx;
	return 0;
fail:
	simxen_close(sx);
	return err;
}

void
simxen_close(struct simxen *sx)
{
	uint32_t i;

	if (sx == NULL)
		return;
	for (i = 0; i < SX_MAX_LOCAL_MAPS; i++)
		if (sx->maps[i].addr != NULL)
			(void)simxen_ring_unmap(sx, sx->maps[i].addr);
	if (sx->sh != NULL)
		munmap(sx->sh, sizeof(struct sx_shared));
	if (sx->fd != -1)
		close(sx->fd);
	if (sx->sendfd != -1)
		close(sx->sendfd);
	free(sx);
}

const char *
simxen_dir(const struct simxen *sx)
{
	return sx->dir;
}

unsigned int
simxen_host_flags(const struct simxen *sx)
{
	return sx->sh->host_flags;
}

void
simxen_count_state_calls(struct simxen *sx, unsigned int n)
{
	__atomic_add_fetch(&sx->sh->state_calls, n, __ATOMIC_RELAXED);
}

uint64_t
simxen_state_calls(const struct simxen *sx)
{
	return __atomic_load_n(&sx->sh->state_calls, __ATOMIC_RELAXED);
}

int
simxen_self_domid(uint32_t *domid)
{
	const char *s = getenv("SIMXEN_DOMID");
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0') {
		*domid = 0;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v >= SIMXEN_MAX_DOMAINS)
		return EINVAL;
	*domid = (uint32_t)v;
	return 0;
}

/*
 * Domains.
 */

int
simxen_domain_create(struct simxen *sx, uint32_t domid,
    struct simxen_dominfo *info)
{
	int err = 0;

	if (domid != SIMXEN_DOMID_ANY && domid >= SIMXEN_MAX_DOMAINS)
		return EINVAL;
	sx_lock(sx);
	sx_reap(sx);
	if (domid == SIMXEN_DOMID_ANY) {
		for (domid = 1; domid < SIMXEN_MAX_DOMAINS; domid++)
			if (!sx->sh->doms[domid].exists)
				break;
		if (domid == SIMXEN_MAX_DOMAINS)
			err = ENOSPC;
	} else if (sx->sh->doms[domid].exists)
		err = EEXIST;
	if (err == 0)
		err = sx_create_locked(sx, domid);
	if (err == 0) {
		sx_state_changed(sx, domid);
		if (info != NULL)
			sx_fill_info(sx, domid, info);
	}
	sx_unlock(sx);
	return err;
}

int
simxen_domain_info(struct simxen *sx, uint32_t domid,
    struct simxen_dominfo *info)
{
	int err = 0;

	if (domid >= SIMXEN_MAX_DOMAINS)
		return ESRCH;
	sx_lock(sx);
	sx_reap_one(sx, domid);
	if (!sx->sh->doms[domid].exists)
		err = ESRCH;
	else
		sx_fill_info(sx, domid, info);
	sx_unlock(sx);
	return err;
}

int
simxen_domain_list(struct simxen *sx, uint32_t first,
    struct simxen_dominfo *infos, size_t max, size_t *n)
{
	uint32_t d;

	*n = 0;
	sx_lock(sx);
	sx_reap(sx);
	for (d = first; d < SIMXEN_MAX_DOMAINS && *n < max; d++)
		if (sx->sh->doms[d].exists)
			sx_fill_info(sx, d, &infos[(*n)++]);
	sx_unlock(sx);
	return 0;
}

int
simxen_domain_shutdown(struct simxen *sx, uint32_t domid, uint32_t reason)
{
	int err = 0;

	if (domid >= SIMXEN_MAX_DOMAINS)
		return ESRCH;
	if (reason > SHUTDOWN_soft_reset)
		return EINVAL;
	sx_lock(sx);
	if (!sx->sh->doms[domid].exists)
		err = ESRCH;
	else if (sx->sh->doms[domid].state != SIMXEN_DOM_RUNNING)
		err = EINVAL;
	else {
		sx->sh->doms[domid].state = SIMXEN_DOM_SHUTDOWN;
		sx->sh->doms[domid].reason = reason;
		sx_state_changed(sx, domid);
	}
	sx_unlock(sx);
	return err;
}

int
simxen_domain_resume(struct simxen *sx, uint32_t domid)
{
	int err = 0;

	if (domid >= SIMXEN_MAX_DOMAINS)
		return ESRCH;
	sx_lock(sx);
	if (!sx->sh->doms[domid].exists)
		err = ESRCH;
	else if (sx->sh->doms[domid].state != SIMXEN_DOM_SHUTDOWN)
		err = EINVAL;
	else {
		sx->sh->doms[domid].state = SIMXEN_DOM_RUNNING;
		sx->sh->doms[domid].reason = 0;
		sx_state_changed(sx, domid);
	}
	sx_unlock(sx);
	return err;
}

int
simxen_domain_destroy(struct simxen *sx, uint32_t domid)
{
	int err = 0;

	if (domid == 0)
		return EPERM;
	if (domid >= SIMXEN_MAX_DOMAINS)
		return ESRCH;
	sx_lock(sx);
	if (!sx->sh->doms[domid].exists)
		err = ESRCH;
	else if (sx->sh->doms[domid].state != SIMXEN_DOM_DYING) {
		sx_close_ports(sx, domid);
		sx->sh->doms[domid].state = SIMXEN_DOM_DYING;
		sx->sh->ndying++;
		sx_state_changed(sx, domid);
		sx_reap_one(sx, domid);
	}
	sx_unlock(sx);
	return err;
}

/*
 * The domain-state call.
 */

/* Xen's answer for an existing domain (set_domain_state_info()). */
static void
sx_fill_domstate(const struct sx_shared *sh, uint32_t domid,
    struct simxen_domstate *st)
{
	const struct sx_domain *d = &sh->doms[domid];

	st->state = SIMXEN_DOMSTATE_EXIST;
	if (d->state == SIMXEN_DOM_SHUTDOWN)
		st->state |= SIMXEN_DOMSTATE_SHUTDOWN;
	else if (d->state == SIMXEN_DOM_DYING)
		/* Destroyed, kept by mappings of its ring: Xen's
		 * DOMDYING_dead, whose bit is DEAD. */
		st->state |= SIMXEN_DOMSTATE_DEAD;
	st->caps = domid == 0 ?
	    SIMXEN_DOMCAP_CONTROL | SIMXEN_DOMCAP_HARDWARE : 0;
	st->unique_id = d->unique_id;
}

/* Take the next marked domid at or after sh->exc_next, wrapping, and
 * clear its mark.  Returns false when none is marked.  A word at a
 * time, as Xen's find_next_bit() does.  Locked. */
static bool
sx_take_changed(struct sx_shared *sh, uint32_t *domid)
{
	const unsigned int nwords = SIMXEN_MAX_DOMAINS / 64;
	unsigned int start = sh->exc_next % SIMXEN_MAX_DOMAINS, i, w;
	uint64_t bits;
	uint32_t d;

	/* nwords + 1 looks: the start word's low bits come last. */
	for (i = 0; i <= nwords; i++) {
		w = (start / 64 + i) % nwords;
		bits = sh->changed[w];
		if (i == 0)
			bits &= ~UINT64_C(0) << (start % 64);
		else if (i == nwords)
			bits &= ~(~UINT64_C(0) << (start % 64));
		if (bits == 0)
			continue;
		d = w * 64 + (uint32_t)__builtin_ctzll(bits);
		sh->changed[w] &= ~(UINT64_C(1) << (d % 64));
		sh->exc_next = (d + 1) % SIMXEN_MAX_DOMAINS;
		*domid = d;
		return true;
	}
	return false;
}

int
simxen_get_domain_state(struct simxen *sx, uint32_t caller, uint32_t *domid,
    struct simxen_domstate *st)
{
	struct sx_shared *sh = sx->sh;
	uint32_t d = *domid;
	int err = 0;

	sx_lock(sx);
	if (d != SIMXEN_DOMID_INVALID) {
		if (d < SIMXEN_MAX_DOMAINS)
			sx_reap_one(sx, d);
		if (d >= SIMXEN_MAX_DOMAINS || !sh->doms[d].exists)
			err = caller == 0 ? ESRCH : EPERM;
		else if (st->pad0 != 0)
			err = EINVAL;
		else
			sx_fill_domstate(sh, d, st);
		goto out;
	}
	if (st->pad0 != 0) {
		err = EINVAL;
		goto out;
	}
	if (caller != sh->exc_handler) {
		err = EACCES;
		goto out;
	}
	/* Dying domains whose holders' processes are gone become dead
	 * (and marked) now, not at some later call; holders that unmap
	 * reap at the unmap. */
	sx_reap_gone(sx);
	if (!sx_take_changed(sh, &d)) {
		err = ENOENT;
		goto out;
	}
	*domid = d;
	if (sh->doms[d].exists)
		sx_fill_domstate(sh, d, st);
	else
		memset(st, 0, sizeof(*st));
out:
	sx_unlock(sx);
	return err;
}

/*
 * Event channels.
 */

static int
sx_evtchn_new(struct simxen *sx, uint32_t domid, int fd,
    struct simxen_evtchn **ep)
{
	struct simxen_evtchn *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return ENOMEM;
	e->sx = sx;
	e->domid = domid;
	e->fd = fd;
	*ep = e;
	return 0;
}

int
simxen_evtchn_open(struct simxen *sx, uint32_t domid,
    struct simxen_evtchn **ep)
{
	struct sockaddr_un sun;
	uint32_t id;
	int fd, err;

	sx_lock(sx);
	if (domid >= SIMXEN_MAX_DOMAINS || !sx->sh->doms[domid].exists) {
		sx_unlock(sx);
		return ESRCH;
	}
	id = sx->sh->next_handle++;
	if (sx->sh->next_handle == 0)
		sx->sh->next_handle = 1;
	sx_unlock(sx);

	if ((err = sx_sockaddr(sx, id, &sun)) != 0)
		return err;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return errno;
	unlink(sun.sun_path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		err = errno;
		close(fd);
		return err;
	}
	if ((err = sx_evtchn_new(sx, domid, fd, ep)) != 0) {
		unlink(sun.sun_path);
		close(fd);
		return err;
	}
	(*ep)->id = id;
	return 0;
}

int
simxen_evtchn_fdopen(struct simxen *sx, uint32_t domid, int fd,
    struct simxen_evtchn **ep)
{
	struct sockaddr_un sun, want;
	socklen_t len = sizeof(sun);
	unsigned long id;
	const char *base;
	char *end;
	int err;

	memset(&sun, 0, sizeof(sun));
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == -1 ||
	    sun.sun_family != AF_UNIX)
		return EINVAL;
	if ((base = strrchr(sun.sun_path, '/')) == NULL)
		return EINVAL;
	id = strtoul(base + 1, &end, 10);
	if (*end != '\0' || id == 0 || id > UINT32_MAX)
		return EINVAL;
	if (sx_sockaddr(sx, (uint32_t)id, &want) != 0 ||
	    strcmp(want.sun_path, sun.sun_path) != 0)
		return EINVAL;
	if ((err = sx_evtchn_new(sx, domid, fd, ep)) != 0)
		return err;
	(*ep)->id = (uint32_t)id;
	return 0;
}

static int sx_unbind_locked(struct simxen_evtchn *, uint32_t);

void
simxen_evtchn_close(struct simxen_evtchn *e)
{
	struct sx_shared *sh;
	struct sockaddr_un sun;
	uint32_t i;

	if (e == NULL)
		return;
	sh = e->sx->sh;
	sx_lock(e->sx);
	for (i = 1; i < SIMXEN_MAX_PORTS &&
	    i <= sh->doms[e->domid].max_port; i++)
		if (sh->ports[e->domid][i].owner == e->id)
			(void)sx_unbind_locked(e, i);
	sx_unlock(e->sx);
	if (sx_sockaddr(e->sx, e->id, &sun) == 0)
		unlink(sun.sun_path);
	close(e->fd);
	free(e);
}

int
simxen_evtchn_fd(const struct simxen_evtchn *e)
{
	return e->fd;
}

uint32_t
simxen_evtchn_domid(const struct simxen_evtchn *e)
{
	return e->domid;
}

int
simxen_port_alloc_unbound(struct simxen *sx, uint32_t domid,
    uint32_t remote_domid, uint32_t *port)
{
	int err;

	sx_lock(sx);
	if (!sx_live(sx, domid) || !sx_live(sx, remote_domid))
		err = ESRCH;
	else if ((err = sx_alloc_port(sx, domid, port)) == 0) {
		sx->sh->ports[domid][*port].state = PORT_UNBOUND;
		sx->sh->ports[domid][*port].remote_dom = remote_domid;
	}
	sx_unlock(sx);
	return err;
}

int
simxen_evtchn_alloc_unbound(struct simxen_evtchn *e, uint32_t remote_domid,
    uint32_t *port)
{
	int err;

	if ((err = simxen_port_alloc_unbound(e->sx, e->domid, remote_domid,
	    port)) != 0)
		return err;
	sx_lock(e->sx);
	e->sx->sh->ports[e->domid][*port].owner = e->id;
	sx_unlock(e->sx);
	return 0;
}

/*
 * If the remote port is bound to a port whose handle is gone (its
 * process died without unbinding), close that dead end, as the kernel
 * does when /dev/xen/evtchn is closed at exit.  Locked.
 */
static void
sx_drop_dead_peer(struct simxen *sx, struct sx_port *rp)
{
	struct sx_port *q;

	if (rp->state != PORT_INTERDOMAIN)
		return;
	q = &sx->sh->ports[rp->remote_dom][rp->remote_port];
	if (q->state == PORT_INTERDOMAIN && q->owner != 0 &&
	    !sx_handle_alive(sx, q->owner)) {
		sx_port_clear(sx, q);
		rp->state = PORT_UNBOUND;
		rp->remote_port = 0;
	}
}

int
simxen_evtchn_bind_interdomain(struct simxen_evtchn *e,
    uint32_t remote_domid, uint32_t remote_port, uint32_t *port)
{
	struct simxen *sx = e->sx;
	struct sx_port *rp, *lp;
	int err;

	sx_lock(sx);
	if (!sx_live(sx, remote_domid)) {
		err = ESRCH;
		goto out;
	}
	if (remote_port == 0 || remote_port >= SIMXEN_MAX_PORTS) {
		err = EINVAL;
		goto out;
	}
	rp = &sx->sh->ports[remote_domid][remote_port];
	sx_drop_dead_peer(sx, rp);
	if (rp->state != PORT_UNBOUND || rp->remote_dom != e->domid) {
		err = EINVAL;
		goto out;
	}
	if ((err = sx_alloc_port(sx, e->domid, port)) != 0)
		goto out;
	/* sx_alloc_port() may not move rp: ports are a fixed array. */
	lp = &sx->sh->ports[e->domid][*port];
	lp->state = PORT_INTERDOMAIN;
	lp->remote_dom = remote_domid;
	lp->remote_port = remote_port;
	lp->owner = e->id;
	rp->state = PORT_INTERDOMAIN;
	rp->remote_port = *port;
	/* Xen marks the new local port pending on bind (evtchn_bind_
	 * interdomain() sets it), so nothing sent earlier is lost. */
	sx_fire(sx, e->domid, *port);
out:
	sx_unlock(sx);
	return err;
}

int
simxen_evtchn_bind_virq(struct simxen_evtchn *e, uint32_t virq,
    uint32_t *port)
{
	struct simxen *sx = e->sx;
	struct sx_shared *sh = sx->sh;
	struct sx_port *p;
	uint32_t i, slot = SX_MAX_VIRQS;
	int err = 0;

	if (virq >= SX_NR_VIRQS)
		return EINVAL;
	sx_lock(sx);
	for (i = 0; i < SX_MAX_VIRQS; i++) {
		if (!sh->virqs[i].used) {
			if (slot == SX_MAX_VIRQS)
				slot = i;
			continue;
		}
		if (sh->virqs[i].domid == e->domid &&
		    sh->virqs[i].virq == virq &&
		    sh->ports[e->domid][sh->virqs[i].port].owner == e->id)
			err = EEXIST;
	}
	if (err == 0 && slot == SX_MAX_VIRQS)
		err = ENOSPC;
	if (err == 0 && (err = sx_alloc_port(sx, e->domid, port)) == 0) {
		p = &sh->ports[e->domid][*port];
		p->state = PORT_VIRQ;
		p->virq = virq;
		p->owner = e->id;
		sh->virqs[slot].used = 1;
		sh->virqs[slot].domid = e->domid;
		sh->virqs[slot].port = *port;
		sh->virqs[slot].virq = virq;
		if (virq == VIRQ_DOM_EXC)
			sx_dom_exc_bound(sx, e->domid, true);
	}
	sx_unlock(sx);
	return err;
}

/* Unmask p (port of e's domain); a latched event is delivered now.
 * Locked. */
static void
sx_unmask_locked(struct simxen_evtchn *e, struct sx_port *p, uint32_t port)
{
	p->masked = 0;
	if (p->pending) {
		p->pending = 0;
		sx_fire(e->sx, e->domid, port);
	}
}

static struct sx_port *
sx_own_port(struct simxen_evtchn *e, uint32_t port)
{
	struct sx_port *p;

	if (port == 0 || port >= SIMXEN_MAX_PORTS)
		return NULL;
	p = &e->sx->sh->ports[e->domid][port];
	if (p->state == PORT_FREE || p->owner != e->id)
		return NULL;
	return p;
}

int
simxen_evtchn_notify(struct simxen_evtchn *e, uint32_t port)
{
	struct sx_port *p;
	int err = 0;

	sx_lock(e->sx);
	if ((p = sx_own_port(e, port)) == NULL)
		err = EINVAL;
	else if (p->state == PORT_INTERDOMAIN)
		sx_fire(e->sx, p->remote_dom, p->remote_port);
	sx_unlock(e->sx);
	return err;
}

/* Free our port.  Locked. */
static int
sx_unbind_locked(struct simxen_evtchn *e, uint32_t port)
{
	struct sx_shared *sh = e->sx->sh;
	struct sx_port *p, *q;
	uint32_t i;

	if ((p = sx_own_port(e, port)) == NULL)
		return EINVAL;
	if (p->state == PORT_INTERDOMAIN) {
		q = &sh->ports[p->remote_dom][p->remote_port];
		if (q->state == PORT_INTERDOMAIN &&
		    q->remote_dom == e->domid && q->remote_port == port) {
			q->state = PORT_UNBOUND;
			q->remote_port = 0;
		}
	}
	if (p->state == PORT_VIRQ) {
		for (i = 0; i < SX_MAX_VIRQS; i++)
			if (sh->virqs[i].used &&
			    sh->virqs[i].domid == e->domid &&
			    sh->virqs[i].port == port)
				memset(&sh->virqs[i], 0, sizeof(sh->virqs[i]));
		if (p->virq == VIRQ_DOM_EXC)
			sx_dom_exc_bound(e->sx, e->domid, false);
	}
	if (port == sh->doms[e->domid].store_port) {
		/* The store port stays allocated for the domain: it only
		 * loses its owner (the guest closed its handle). */
		p->owner = 0;
		p->masked = 0;
		return 0;
	}
	sx_port_clear(e->sx, p);
	return 0;
}

int
simxen_evtchn_unbind(struct simxen_evtchn *e, uint32_t port)
{
	int err;

	sx_lock(e->sx);
	err = sx_unbind_locked(e, port);
	sx_unlock(e->sx);
	return err;
}

int
simxen_evtchn_pending(struct simxen_evtchn *e, uint32_t *port)
{
	uint32_t v;
	ssize_t n;

	for (;;) {
		n = recv(e->fd, &v, sizeof(v), MSG_DONTWAIT);
		if (n == -1 && errno == EWOULDBLOCK &&
		    __atomic_load_n(&e->sx->sh->undelivered, __ATOMIC_RELAXED)) {
			/* Events that found the queue full come now. */
			sx_lock(e->sx);
			n = sx_redeliver_locked(e);
			sx_unlock(e->sx);
			if (n > 0)
				continue;
			n = -1;
			errno = EWOULDBLOCK;
		}
		if (n == -1)
			return errno == EWOULDBLOCK ? EAGAIN : errno;
		if (n == (ssize_t)sizeof(v))
			break;
		/* Not a port record: ignore it. */
	}
	*port = v;
	return 0;
}

int
simxen_evtchn_unmask(struct simxen_evtchn *e, uint32_t port)
{
	struct sx_port *p;

	/*
	 * A port this handle does not have bound (never bound, unbound
	 * since, or another handle's) is ignored, not an error: Linux's
	 * evtchn_write() (drivers/xen/evtchn.c) looks each port up in the
	 * handle's tree and only unmasks the ones it finds, and returns
	 * the whole count, so libxenevtchn's xenevtchn_unmask() succeeds.
	 * A port number still queued on the fd when its port was unbound
	 * (C xenstored's RELEASE of a target after its stub domain, the
	 * XSA-233 sequence) is read and unmasked like that.
	 */
	sx_lock(e->sx);
	if ((p = sx_own_port(e, port)) != NULL)
		sx_unmask_locked(e, p, port);
	sx_unlock(e->sx);
	return 0;
}

int
simxen_evtchn_claim(struct simxen_evtchn *e, uint32_t port)
{
	struct sx_port *p;
	int err = 0;

	if (port == 0 || port >= SIMXEN_MAX_PORTS)
		return EINVAL;
	sx_lock(e->sx);
	p = &e->sx->sh->ports[e->domid][port];
	if (p->state == PORT_FREE)
		err = EINVAL;
	else if (p->owner != 0 && p->owner != e->id &&
	    sx_handle_alive(e->sx, p->owner))
		err = EBUSY;
	else {
		p->owner = e->id;
		sx_unmask_locked(e, p, port);
	}
	sx_unlock(e->sx);
	return err;
}

int
simxen_evtchn_disown(struct simxen_evtchn *e, uint32_t port)
{
	struct sx_port *p;
	int err = 0;

	sx_lock(e->sx);
	if ((p = sx_own_port(e, port)) == NULL)
		err = EINVAL;
	else
		p->owner = 0;	/* bound still; events latch until a claim */
	sx_unlock(e->sx);
	return err;
}

/*
 * Ring pages.
 */

static int
sx_map_file(struct simxen *sx, uint32_t domid, uint32_t gen, void **page)
{
	char path[PATH_MAX];
	void *p;
	int fd, err;

	if ((err = sx_ring_path(sx, domid, gen, path, sizeof(path))) != 0)
		return err;
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		return errno == ENOENT ? ESRCH : errno;
	p = mmap(NULL, SIMXEN_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	err = errno;
	close(fd);
	if (p == MAP_FAILED)
		return err;
	*page = p;
	return 0;
}

/* Map and record; counted mappings get a holder entry.  Locked. */
static int
sx_map_locked(struct simxen *sx, uint32_t domid, int counted, void **page)
{
	struct sx_shared *sh = sx->sh;
	uint32_t gen = sh->doms[domid].gen, i, slot, hslot = 0;
	int err;

	for (slot = 0; slot < SX_MAX_LOCAL_MAPS; slot++)
		if (sx->maps[slot].addr == NULL)
			break;
	if (slot == SX_MAX_LOCAL_MAPS)
		return ENOMEM;
	if (counted) {
		for (hslot = 0; hslot < SX_MAX_HOLDERS; hslot++)
			if (!sh->holders[hslot].used)
				break;
		if (hslot == SX_MAX_HOLDERS)
			return ENOMEM;
	}
	if ((err = sx_map_file(sx, domid, gen, page)) != 0)
		return err;
	sx->maps[slot].addr = *page;
	sx->maps[slot].domid = domid;
	sx->maps[slot].gen = gen;
	sx->maps[slot].counted = counted;
	sx->maps[slot].hslot = hslot;
	if (counted) {
		i = hslot;
		sh->doms[domid].nholders++;
		sh->holders[i].used = 1;
		sh->holders[i].pid = (uint32_t)getpid();
		sh->holders[i].domid = domid;
		sh->holders[i].gen = gen;
		sh->holders[i].addr = (uint64_t)(uintptr_t)*page;
	}
	return 0;
}

int
simxen_ring_map_own(struct simxen *sx, uint32_t domid, void **page)
{
	int err;

	if (domid >= SIMXEN_MAX_DOMAINS)
		return ESRCH;
	sx_lock(sx);
	if (!sx->sh->doms[domid].exists)
		err = ESRCH;
	else
		err = sx_map_locked(sx, domid, 0, page);
	sx_unlock(sx);
	return err;
}

int
simxen_ring_map_grant(struct simxen *sx, uint32_t as_domid, uint32_t domid,
    uint32_t ref, void **page)
{
	int err;

	sx_lock(sx);
	if (!sx_live(sx, domid))
		err = ESRCH;
	else if (ref != SIMXEN_GREF_XENSTORE)
		err = EINVAL;
	else if (as_domid != 0)
		err = EACCES;
	else
		err = sx_map_locked(sx, domid, 1, page);
	sx_unlock(sx);
	return err;
}

int
simxen_ring_map_gfn(struct simxen *sx, uint32_t domid, uint64_t gfn,
    void **page)
{
	int err;

	sx_lock(sx);
	/* What Xen's XSM answers a domain without the privilege. */
	if (sx->sh->host_flags & SIMXEN_HOST_NO_FOREIGN_MAP)
		err = EPERM;
	else if (!sx_live(sx, domid))
		err = ESRCH;
	else if (gfn != sx->sh->doms[domid].gfn)
		err = EINVAL;
	else
		err = sx_map_locked(sx, domid, 1, page);
	sx_unlock(sx);
	return err;
}

int
simxen_ring_unmap(struct simxen *sx, void *page)
{
	struct sx_shared *sh = sx->sh;
	struct sx_localmap *m = NULL;
	struct sx_holder *h;
	uint32_t i, self = (uint32_t)getpid();

	if (page == NULL)
		return EINVAL;
	for (i = 0; i < SX_MAX_LOCAL_MAPS; i++)
		if (sx->maps[i].addr == page) {
			m = &sx->maps[i];
			break;
		}
	if (m == NULL)
		return EINVAL;
	sx_lock(sx);
	munmap(page, SIMXEN_PAGE_SIZE);
	if (m->counted) {
		/* Its own slot, unless pruned (and maybe reused) since. */
		h = &sh->holders[m->hslot];
		if (!h->used || h->pid != self ||
		    h->addr != (uint64_t)(uintptr_t)page)
			h = NULL;
		for (i = 0; h == NULL && i < SX_MAX_HOLDERS; i++)
			if (sh->holders[i].used && sh->holders[i].pid == self &&
			    sh->holders[i].addr == (uint64_t)(uintptr_t)page)
				h = &sh->holders[i];
		if (h != NULL) {
			if (h->domid < SIMXEN_MAX_DOMAINS &&
			    h->gen == sh->doms[h->domid].gen)
				sh->doms[h->domid].nholders--;
			memset(h, 0, sizeof(*h));
		}
	}
	i = m->domid;
	memset(m, 0, sizeof(*m));
	sx_reap_one(sx, i);
	sx_unlock(sx);
	return 0;
}
