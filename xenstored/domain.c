/*
 * The domain table.  Owns, per domain, the ring mapping, the bound event
 * channel and the ring connection; routes fired ports to connections;
 * fires @introduceDomain / @releaseDomain; and when a domain ends, frees
 * everything it had so that a domain reusing its domid inherits nothing:
 * no connection state, no quota, no perms naming it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <uthash.h>
#include <xs-stable.h>

#include "conn_ring.h"
#include "conflict.h"
#include "domain.h"
#include "journal.h"
#include "log.h"
#include "loop.h"
#include "quota.h"
#include "store.h"
#include "txn.h"
#include "watch.h"

/* Ports taken from the event-channel fd per wake-up; then others run. */
#define PORTS_PER_WAKEUP	256

struct domain {
	unsigned int		 domid;
	bool			 introduced;
	bool			 local;		/* our own ring (xsd_kva) */
	bool			 shutdown_fired; /* until RESUME */
	bool			 more;		/* on the kick list */
	bool			 has_target;
	unsigned int		 target;
	unsigned int		 features;	/* server_features offered */
	uint64_t		 gfn;
	uint64_t		 unique_id;	/* hypervisor's, 0: unknown */
	uint32_t		 remote_port;
	uint32_t		 local_port;
	void			*ring;
	struct ring_conn	*rc;		/* NULL: stopped */
	struct domain		*next_more;
	UT_hash_handle		 hh;		/* by domid */
	UT_hash_handle		 hp;		/* by local_port, if bound */
};

static struct {
	TALLOC_CTX		*ctx;		/* domains */
	TALLOC_CTX		*conn_ctx;	/* their connections */
	struct xss_handle	*xh;
	struct xss_domstate	*ds;		/* NULL: no such call */
	struct store		*st;
	struct domain_config	 cfg;
	conn_frame_fn		*fn;
	void			*fn_arg;
	struct domain		*by_id;
	struct domain		*by_port;
	struct domain		*more;		/* work left over */
	struct domain		*serving;	/* "more" being served now */
	int			 kick_fd;	/* eventfd: serve "more" */
	struct loop_fd		*evtchn_lf, *kick_lf;
	struct perms		 intro_perms, release_perms;
	unsigned int		 nintroduced;
} D = { .kick_fd = -1 };

static void	service(struct domain *);
static void	end_domain(struct domain *, const char *);

static struct domain *
find(unsigned int domid)
{
	struct domain *d;

	HASH_FIND(hh, D.by_id, &domid, sizeof(domid), d);
	return d;
}

static struct domain *
find_port(uint32_t port)
{
	struct domain *d;

	HASH_FIND(hp, D.by_port, &port, sizeof(port), d);
	return d;
}

static struct domain *
get(unsigned int domid)
{
	struct domain *d = find(domid);

	if (d != NULL)
		return d;
	if ((d = talloc_zero(D.ctx, struct domain)) == NULL)
		return NULL;
	d->domid = domid;
	d->features = RING_FEATURES;
	HASH_ADD(hh, D.by_id, domid, sizeof(d->domid), d);
	return d;
}

static void
notify_guest(void *arg)
{
	struct domain *d = arg;
	int err;

	if ((err = xss_evtchn_notify(D.xh, d->local_port)) != 0)
		log_warnx("domid %u: notify port %u: %s", d->domid,
		    d->local_port, strerror(err));
}

static void
conn_gone(void *arg)
{
	struct domain *d = arg;

	d->rc = NULL;
}

static const struct ring_conn_ops ring_ops = {
	.notify = notify_guest,
	.gone = conn_gone,
};

static bool
privileged(unsigned int domid)
{
	return domid == D.cfg.priv_domid;
}

/* Start a fresh connection on d's ring.  0 or ENOMEM. */
static int
start_conn(struct domain *d)
{
	struct connection *conn;

	d->rc = ring_conn_new(D.conn_ctx, d->ring, d->domid, privileged(d->domid),
	    &ring_ops, d, D.fn, D.fn_arg);
	if (d->rc == NULL)
		return ENOMEM;
	conn = ring_conn_connection(d->rc);
	if (d->has_target)
		conn_set_target(conn, d->target);
	journal_conn_ring(conn, d->domid, d->has_target ? d->target :
	    DOMID_NONE, d->local_port);
	/*
	 * A guest that never reads: stop taking its requests once a full
	 * set of outstanding replies is queued, and drop its watch events
	 * past its memory quota.
	 */
	if (!privileged(d->domid))
		conn_set_limits(conn,
		    (size_t)quota_limit(d->domid, QUOTA_OUTSTANDING) *
		    (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX),
		    quota_limit(d->domid, QUOTA_MEMORY));
	/* A reconnection does not reset a pause for conflicts. */
	conn_set_throttled(conn, conflict_throttled(d->domid));
	return 0;
}

/* Close d's connection, if any, now; its state goes with it. */
static void
stop_conn(struct domain *d, const char *why)
{
	if (d->rc == NULL)
		return;
	ring_conn_forget(d->rc);
	conn_close(ring_conn_connection(d->rc), why);
	d->rc = NULL;
}

static void
kick(struct domain *d)
{
	uint64_t one = 1;

	if (d->more)
		return;
	d->more = true;
	d->next_more = D.more;
	D.more = d;
	if (write(D.kick_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("kick");
}

static void
unkick(struct domain *d)
{
	struct domain **pp;

	if (!d->more)
		return;
	/* A handler may end a domain that waits on either list. */
	for (pp = &D.more; *pp != NULL; pp = &(*pp)->next_more)
		if (*pp == d) {
			*pp = d->next_more;
			d->more = false;
			return;
		}
	for (pp = &D.serving; *pp != NULL; pp = &(*pp)->next_more)
		if (*pp == d) {
			*pp = d->next_more;
			break;
		}
	d->more = false;
}

static void
service(struct domain *d)
{
	if (d->ring == NULL)
		return;
	if (ring_reconnect_requested(d->ring)) {
		/* xenstore-ring.txt: drop everything, then say connected. */
		log_debug("domid %u: ring reconnection", d->domid);
		stop_conn(d, "ring reconnection");
		ring_reset(d->ring, d->features);
		if (start_conn(d) != 0)
			log_warnx("domid %u: out of memory on reconnection",
			    d->domid);
		notify_guest(d);
		return;
	}
	if (d->rc == NULL)
		return;		/* stopped after an error: until reconnect */
	if (ring_conn_event(d->rc))
		kick(d);
}

static void
evtchn_event(int fd, bool writable, void *arg)
{
	struct domain *d;
	uint32_t port;
	int i, err;

	(void)fd;
	(void)writable;
	(void)arg;
	for (i = 0; i < PORTS_PER_WAKEUP; i++) {
		if ((err = xss_evtchn_pending(D.xh, &port)) != 0) {
			if (err != EAGAIN)
				log_warnx("event channel: %s", strerror(err));
			return;
		}
		if ((d = find_port(port)) != NULL)
			service(d);
	}
}

static void
kick_event(int fd, bool writable, void *arg)
{
	struct domain *d;
	uint64_t n;

	(void)writable;
	(void)arg;
	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return;
	/* Serve the current list once; new leftovers kick again. */
	D.serving = D.more;
	D.more = NULL;
	while ((d = D.serving) != NULL) {
		D.serving = d->next_more;
		d->more = false;
		service(d);
	}
}

/*
 * Pause or resume reading domid's ring for conflict credit
 * (conflict.h); what it already sent waits in the ring.
 */
static void
throttle_domain(unsigned int domid, bool on)
{
	struct domain *d = find(domid);

	if (d == NULL || d->rc == NULL)
		return;
	conn_set_throttled(ring_conn_connection(d->rc), on);
	/* Requests queued meanwhile are served without a new event. */
	if (!on && D.kick_fd >= 0)
		kick(d);
}

static int
set_default_perms(struct perms *p)
{
	if ((p->p = talloc_zero(D.ctx, struct perm_entry)) == NULL)
		return ENOMEM;
	p->num = 1;
	p->p[0].domid = D.cfg.priv_domid;
	p->p[0].perms = PERM_NONE;
	return 0;
}

int
domain_init(TALLOC_CTX *ctx, struct xss_handle *xh, struct store *st,
    const struct domain_config *cfg, conn_frame_fn *fn, void *fn_arg)
{
	int err;

	memset(&D, 0, sizeof(D));
	D.kick_fd = -1;
	/* Closed connections are freed after the loop turn: not with us. */
	if ((D.ctx = talloc_named_const(ctx, 0, "domains")) == NULL ||
	    (D.conn_ctx = talloc_named_const(ctx, 0, "ring connections")) ==
	    NULL)
		return ENOMEM;
	D.xh = xh;
	D.st = st;
	D.cfg = *cfg;
	D.fn = fn;
	D.fn_arg = fn_arg;
	if (set_default_perms(&D.intro_perms) != 0 ||
	    set_default_perms(&D.release_perms) != 0)
		return ENOMEM;
	conflict_init(throttle_domain);
	if (xh == NULL)
		return 0;
	/* A domU has no business with privcmd: the stub never opens it. */
	if (cfg->stub)
		log_info("xenstore domain: no domain-state call; perms naming "
		    "a domid no domain has are kept as given");
	else if ((D.ds = xss_domstate_open(&err)) != NULL)
		log_info("domain existence: the hypervisor's "
		    "XEN_DOMCTL_get_domain_state");
	else
		log_info("no domain-state call (%s): perms naming a domid "
		    "no domain has are kept as given", strerror(err));
	if ((D.kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
		return errno;
	if ((D.evtchn_lf = loop_fd_add(D.ctx, xss_evtchn_fd(xh),
	    evtchn_event, NULL)) == NULL ||
	    (D.kick_lf = loop_fd_add(D.ctx, D.kick_fd, kick_event,
	    NULL)) == NULL)
		return ENOMEM;
	return 0;
}

/* Unmap, unbind and forget d; no events fired. */
static void
free_domain(struct domain *d)
{
	int err;

	stop_conn(d, "domain gone");
	journal_domain_end(d->domid);
	unkick(d);
	if (d->ring != NULL) {
		HASH_DELETE(hp, D.by_port, d);
		if ((err = xss_evtchn_unbind(D.xh, d->local_port)) != 0)
			log_warnx("domid %u: unbind port %u: %s", d->domid,
			    d->local_port, strerror(err));
	}
	if (d->ring != NULL &&
	    (err = xss_ring_unmap(D.xh, d->ring)) != 0)
		log_warnx("domid %u: unmap ring: %s", d->domid,
		    strerror(err));
	if (d->introduced)
		D.nintroduced--;
	HASH_DELETE(hh, D.by_id, d);
	talloc_free(d);
}

void
domain_fini(void)
{
	struct domain *d, *tmp;

	HASH_ITER(hh, D.by_id, d, tmp)
		free_domain(d);
	conflict_fini();
	xss_domstate_close(D.ds);
	if (D.kick_fd >= 0)
		close(D.kick_fd);
	TALLOC_FREE(D.ctx);
	memset(&D, 0, sizeof(D));
	D.kick_fd = -1;
}

/*
 * Bind (or, adopt_port != 0, take the port a replaced daemon bound:
 * domain_restore()) and serve ring; d->ring / ports set on success.
 * 0 or errno.
 */
static int
attach(struct domain *d, void *ring, uint32_t remote_port,
    uint32_t adopt_port)
{
	uint32_t local_port = adopt_port;
	int err;

	if (adopt_port != 0)
		err = xss_evtchn_adopt(D.xh, adopt_port);
	else
		err = xss_evtchn_bind(D.xh, d->domid, remote_port,
		    &local_port);
	if (err != 0)
		return err;
	d->ring = ring;
	d->remote_port = remote_port;
	d->local_port = local_port;
	HASH_ADD(hp, D.by_port, local_port, sizeof(d->local_port), d);
	ring_advertise(ring, d->features);
	if ((err = start_conn(d)) != 0)
		return err;
	d->introduced = true;
	D.nintroduced++;
	/* Requests the guest queued before we came (a restored ring:
	 * once its saved state is back, domain_restore_done()). */
	if (adopt_port == 0)
		service(d);
	return 0;
}

/*
 * Serve the master domain's ring, just mapped (local: /proc/xen/xsd_kva,
 * else by grant), on port; ring is unmapped on failure.  0 or errno.
 */
static int
attach_master(void *ring, uint32_t port, bool local)
{
	struct domain *d;
	int err;

	if ((d = get(D.cfg.master_domid)) == NULL) {
		xss_ring_unmap(D.xh, ring);
		return ENOMEM;
	}
	d->local = local;
	if ((err = attach(d, ring, port, 0)) != 0) {
		if (d->ring == NULL)
			xss_ring_unmap(D.xh, ring);
		free_domain(d);
		return err;
	}
	/* Wake its kernel's xenbus: it may have written before we listened. */
	notify_guest(d);
	return 0;
}

int
domain_introduce_local(void)
{
	uint32_t port;
	void *ring;
	int err;

	if (D.xh == NULL)
		return ENOSYS;
	if ((ring = xss_ring_map_local(D.xh, &port, &err)) == NULL)
		return err;
	return attach_master(ring, port, true);
}

int
domain_introduce_master(uint32_t port)
{
	void *ring;
	int err;

	if (D.xh == NULL)
		return ENOSYS;
	if ((ring = xss_ring_map(D.xh, D.cfg.master_domid, &err)) == NULL)
		return err;
	if ((err = attach_master(ring, port, false)) != 0)
		return err;
	log_info("serving the master domain %u's ring (port %u)",
	    D.cfg.master_domid, port);
	return 0;
}

static bool
valid_guest(unsigned int domid)
{
	return domid <= DOMAIN_ID_MAX && domid != D.cfg.master_domid;
}

/*
 * Ask the hypervisor (D.ds set) about domid (<= DOMAIN_ID_MAX): 0 with
 * *info filled, ESRCH when no such domain (or it is gone), or another
 * error, logged, with info->unique_id 0 (we cannot tell).
 */
static int
ask_hypervisor(unsigned int domid, struct xss_domain_info *info)
{
	int err;

	err = xss_domstate_get(D.ds, domid, info);
	if (err == ESRCH || err == EPERM ||
	    (err == 0 && info->state == XSS_DOMAIN_DEAD))
		return ESRCH;
	if (err != 0) {
		log_warnx("domid %u: domain-state call: %s", domid,
		    strerror(err));
		info->unique_id = 0;
	}
	return err;
}

int
domain_introduce(unsigned int domid, uint64_t gfn, uint32_t port)
{
	struct xss_domain_info info = { .unique_id = 0 };
	struct domain *d;
	void *ring;
	int err;

	if (!valid_guest(domid))
		return EINVAL;
	if (D.xh == NULL)
		return ENOSYS;
	/* Another error is not worth refusing a guest for: map unchecked. */
	if (D.ds != NULL && ask_hypervisor(domid, &info) == ESRCH)
		return ESRCH;
	d = find(domid);
	if (d != NULL && d->introduced && d->unique_id != 0 &&
	    info.unique_id != 0 && d->unique_id != info.unique_id) {
		/* The domain we served died unseen: its domid is reused. */
		end_domain(d, "gone (a new domain has its domid)");
		d = NULL;
	}
	if (d != NULL && d->introduced) {
		/* A ring taken over by a live update: the stream has no
		 * remote port; this is it. */
		if (d->remote_port == 0)
			d->remote_port = port;
		/* Xen's C xenstored accepts a repeat (restore, resume). */
		return d->remote_port == port ? 0 : EEXIST;
	}
	if ((ring = xss_ring_map(D.xh, domid, &err)) == NULL)
		return err;
	if ((d = get(domid)) == NULL) {
		xss_ring_unmap(D.xh, ring);
		return ENOMEM;
	}
	d->gfn = gfn;
	d->unique_id = info.unique_id;
	if ((err = attach(d, ring, port, 0)) != 0) {
		if (d->ring == NULL)
			xss_ring_unmap(D.xh, ring);
		free_domain(d);
		return err;
	}
	log_info("domid %u introduced (port %u, gfn %#llx)", domid, port,
	    (unsigned long long)gfn);
	watch_fire_special("@introduceDomain", domid, &D.intro_perms);
	return 0;
}

int
domain_restore(unsigned int domid, unsigned int tdomid, uint32_t local_port,
    struct connection **conn)
{
	struct xss_domain_info info = { .unique_id = 0 };
	bool local = domid == D.cfg.master_domid && !D.cfg.stub;
	uint32_t remote_port = 0;
	struct domain *d;
	void *ring;
	int err;

	if (D.xh == NULL)
		return ENOSYS;
	if (domid > DOMAIN_ID_MAX || local_port == 0 ||
	    (tdomid > DOMAIN_ID_MAX && tdomid != DOMID_NONE))
		return EINVAL;
	if ((d = find(domid)) != NULL && d->introduced)
		return EEXIST;
	/* As the replaced daemon mapped it: dom0's own ring the Linux way,
	 * any other by its reserved grant. */
	if (local)
		ring = xss_ring_map_local(D.xh, &remote_port, &err);
	else
		ring = xss_ring_map(D.xh, domid, &err);
	if (ring == NULL)
		return err;
	if (D.ds != NULL && domid != D.cfg.master_domid)
		(void)ask_hypervisor(domid, &info);
	if ((d = get(domid)) == NULL) {
		xss_ring_unmap(D.xh, ring);
		return ENOMEM;
	}
	d->local = local;
	d->unique_id = info.unique_id;
	if (tdomid != DOMID_NONE) {
		d->has_target = true;
		d->target = tdomid;
	}
	if ((err = attach(d, ring, remote_port, local_port)) != 0) {
		if (d->ring == NULL)
			xss_ring_unmap(D.xh, ring);
		free_domain(d);
		return err;
	}
	*conn = ring_conn_connection(d->rc);
	log_info("domid %u: ring taken over (port %u)", domid, local_port);
	return 0;
}

void
domain_restore_done(void)
{
	struct xss_domain_info info;
	struct domain *d, *tmp;

	HASH_ITER(hh, D.by_id, d, tmp) {
		/* Gone while the daemons changed over: as a death seen late. */
		if (D.ds != NULL && d->domid != D.cfg.master_domid &&
		    ask_hypervisor(d->domid, &info) == ESRCH) {
			domain_state_changed(&(struct xss_domain_event){
			    .domid = d->domid, .state = XSS_DOMAIN_DEAD });
			continue;
		}
		/* A domain known only by its quotas or features (its ring
		 * was not taken over) has no port to notify. */
		if (d->ring == NULL)
			continue;
		/* What its peer wrote meanwhile, without waiting for an
		 * event it may have sent to the old daemon. */
		service(d);
		notify_guest(d);
	}
}

/* State of one reap_nodes() walk. */
struct reap {
	unsigned int	 domid;
	TALLOC_CTX	*tmp;
	char		**orphans;	/* subtree tops owned by domid */
	unsigned int	 norphans;
	unsigned int	 changed;
};

/* Is n below a node domid owns (which goes whole)?  O(depth). */
static bool
below_orphan(const struct node *n, unsigned int domid)
{
	const struct node *p;

	for (p = node_parent(n); p != NULL && node_parent(p) != NULL;
	    p = node_parent(p))
		if (node_perms(p)->p[0].domid == domid)
			return true;
	return false;
}

static void
reap_node(struct node *n, struct reap *r)
{
	const struct perms *p = node_perms(n);
	struct perms np;
	char **o;

	if (!D.cfg.keep_orphans && below_orphan(n, r->domid))
		return;		/* removed with its top */
	if (p->p[0].domid == r->domid && node_parent(n) != NULL &&
	    !D.cfg.keep_orphans) {
		o = talloc_realloc(r->tmp, r->orphans, char *,
		    r->norphans + 1);
		if (o == NULL)
			return;
		r->orphans = o;
		if ((o[r->norphans] = node_path_dup(r->tmp, n)) != NULL)
			r->norphans++;
		return;
	}
	if (perms_copy(r->tmp, p, &np) != 0)
		return;
	perms_forget_domid(&np, r->domid, D.cfg.priv_domid);
	/*
	 * With -K, or for the root, the node falls to the privileged; the
	 * charges follow the owner and the smaller perms.
	 */
	if (txn_store_set_perms(D.st, n, &np) == 0) {
		r->changed++;
		if (journal_enabled()) {
			char *path = node_path_dup(r->tmp, n);

			if (path != NULL)
				txn_journal_node(path, n);
		}
	}
}

/*
 * Nothing of a dead domain may outlive it, or a new domain reusing the
 * domid would inherit it: nodes it owns are removed (moved to the
 * privileged domain with -K), perms entries naming it are dropped, as
 * Xen's C xenstored does on domain destruction.  Cost: the nodes that
 * name the domain (the store's domid index), plus the removals (which
 * fire watches); not a walk of the whole store.
 */
static void
reap_nodes(unsigned int domid)
{
	struct reap r = { .domid = domid };
	struct node **nodes;
	unsigned int i, n;
	int err;

	if (D.st == NULL || (r.tmp = talloc_new(NULL)) == NULL)
		return;
	if (store_nodes_naming(r.tmp, D.st, domid, &nodes, &n) != 0) {
		log_warnx("domid %u: out of memory: its nodes stay", domid);
		talloc_free(r.tmp);
		return;
	}
	for (i = 0; i < n; i++)
		reap_node(nodes[i], &r);
	for (i = 0; i < r.norphans; i++)
		if ((err = txn_rm(D.st, NULL, r.orphans[i])) != 0 &&
		    err != ENOENT)
			log_warnx("domid %u: cannot remove %s: %s", domid,
			    r.orphans[i], strerror(err));
	if (r.changed > 0 || r.norphans > 0)
		log_debug("domid %u: %u subtrees removed, perms of %u nodes "
		    "changed", domid, r.norphans, r.changed);
	talloc_free(r.tmp);
}

/* Drop every trace of a gone domid from the store and the special perms. */
static void
forget_domid(unsigned int domid)
{
	reap_nodes(domid);
	perms_forget_domid(&D.intro_perms, domid, D.cfg.priv_domid);
	perms_forget_domid(&D.release_perms, domid, D.cfg.priv_domid);
	quota_domain_forget(domid);
}

/* The end of an introduced domain, whatever told us. */
static void
end_domain(struct domain *d, const char *why)
{
	unsigned int domid = d->domid;

	log_info("domid %u: %s", domid, why);
	free_domain(d);
	forget_domid(domid);
	watch_fire_special("@releaseDomain", domid, &D.release_perms);
}

/*
 * Does a domain with this domid exist now?  Asked of the hypervisor
 * when it has the call; without it we cannot tell and say yes.
 */
static bool
domain_exists(unsigned int domid)
{
	struct xss_domain_info info;
	struct domain *d;

	if (domid == D.cfg.priv_domid || domid == D.cfg.master_domid)
		return true;
	if ((d = find(domid)) != NULL && d->introduced)
		return true;
	if (D.ds == NULL)
		return true;
	if (domid > DOMAIN_ID_MAX)
		return false;
	return ask_hypervisor(domid, &info) != ESRCH;
}

int
domain_check_perms(struct perms *perms)
{
	unsigned int i;

	for (i = 0; i < perms->num; i++)
		if (!domain_exists(perms->p[i].domid))
			perms->p[i].perms |= PERM_IGNORE;
	return perms->num > 0 && (perms->p[0].perms & PERM_IGNORE) ?
	    ENOENT : 0;
}

int
domain_release(unsigned int domid)
{
	struct domain *d;

	if (!valid_guest(domid))
		return EINVAL;
	if ((d = find(domid)) == NULL || !d->introduced)
		return ENOENT;
	end_domain(d, "released");
	return 0;
}

void
domain_replay_end(unsigned int domid)
{
	struct domain *d = find(domid);

	if (d != NULL)
		free_domain(d);
	perms_forget_domid(&D.intro_perms, domid, D.cfg.priv_domid);
	perms_forget_domid(&D.release_perms, domid, D.cfg.priv_domid);
	quota_domain_forget(domid);
}

bool
domain_is_introduced(unsigned int domid)
{
	struct domain *d = find(domid);

	return d != NULL && d->introduced;
}

int
domain_resume(unsigned int domid)
{
	struct domain *d;

	if (!valid_guest(domid))
		return EINVAL;
	if ((d = find(domid)) == NULL || !d->introduced)
		return ENOENT;
	d->shutdown_fired = false;
	return 0;
}

int
domain_set_target(unsigned int domid, unsigned int target)
{
	struct domain *d;

	if (domid > DOMAIN_ID_MAX || target > DOMAIN_ID_MAX ||
	    domid == target)
		return EINVAL;
	if ((d = find(domid)) == NULL || !d->introduced)
		return ENOENT;
	d->has_target = true;
	d->target = target;
	if (d->rc != NULL) {
		conn_set_target(ring_conn_connection(d->rc), target);
		journal_target(ring_conn_connection(d->rc), target);
	}
	return 0;
}

int
domain_get_feature(unsigned int domid, unsigned int *features)
{
	struct domain *d;

	if (domid > DOMAIN_ID_MAX)
		return EINVAL;
	d = find(domid);
	*features = d != NULL ? d->features : RING_FEATURES;
	return 0;
}

int
domain_set_feature(unsigned int domid, unsigned int features)
{
	struct domain *d;

	if (domid > DOMAIN_ID_MAX || (features & ~RING_FEATURES) != 0)
		return EINVAL;
	if ((d = find(domid)) != NULL && d->introduced)
		return EBUSY;
	if (d == NULL && (d = get(domid)) == NULL)
		return ENOMEM;
	d->features = features;
	journal_quota(true, domid);
	return 0;
}

int
domain_restore_feature(unsigned int domid, unsigned int features)
{
	struct domain *d;

	if (domid > DOMAIN_ID_MAX)
		return EINVAL;
	if ((d = find(domid)) == NULL && (d = get(domid)) == NULL)
		return ENOMEM;
	d->features = features & RING_FEATURES;
	return 0;
}

void
domain_state_changed(const struct xss_domain_event *ev)
{
	struct domain *d = find(ev->domid);

	/* The master domain's ring is ours to serve until we stop. */
	if ((d != NULL && d->local) || ev->domid == D.cfg.master_domid)
		return;
	if (d == NULL || !d->introduced) {
		/*
		 * A domain the toolstack named in perms but never
		 * introduced: a later domain with its domid must not
		 * inherit those entries either.
		 */
		if ((ev->state == XSS_DOMAIN_DYING ||
		    ev->state == XSS_DOMAIN_DEAD) &&
		    valid_guest(ev->domid) && ev->domid != D.cfg.priv_domid)
			forget_domid(ev->domid);
		return;
	}
	switch (ev->state) {
	case XSS_DOMAIN_SHUTDOWN:
		/* Once per shutdown until RESUME (xenstore.txt, RESUME). */
		if (d->shutdown_fired)
			return;
		d->shutdown_fired = true;
		log_info("domid %u: shut down (reason %u)", d->domid,
		    ev->reason);
		watch_fire_special("@releaseDomain", d->domid,
		    &D.release_perms);
		break;
	case XSS_DOMAIN_DYING:
		end_domain(d, "dying");
		break;
	case XSS_DOMAIN_DEAD:
		end_domain(d, "dead");
		break;
	default:
		break;
	}
}

const struct perms *
domain_special_perms(const char *name)
{
	if (strcmp(name, "@introduceDomain") == 0)
		return &D.intro_perms;
	if (strcmp(name, "@releaseDomain") == 0)
		return &D.release_perms;
	return NULL;
}

int
domain_set_special_perms(const char *name, const struct perms *perms)
{
	struct perms *dst, copy;

	if (strcmp(name, "@introduceDomain") == 0)
		dst = &D.intro_perms;
	else if (strcmp(name, "@releaseDomain") == 0)
		dst = &D.release_perms;
	else
		return ENOENT;
	if (perms_copy(D.ctx, perms, &copy) != 0)
		return ENOMEM;
	talloc_free(dst->p);
	*dst = copy;
	return 0;
}

/* One ring for domain_foreach_ring(); 0 or fn's result. */
static int
ring_record(const struct domain *d, domain_ring_fn *fn, void *arg)
{
	if (d->rc == NULL)
		return 0;	/* stopped after an error: nothing to carry */
	return fn(d->domid, d->has_target ? d->target : DOMID_NONE,
	    d->local_port, ring_conn_connection(d->rc), arg);
}

int
domain_foreach_ring(domain_ring_fn *fn, void *arg)
{
	struct domain *d, *tmp, *master = find(D.cfg.master_domid);
	int err;

	if (master != NULL && (err = ring_record(master, fn, arg)) != 0)
		return err;
	HASH_ITER(hh, D.by_id, d, tmp)
		if (d != master && (err = ring_record(d, fn, arg)) != 0)
			return err;
	return 0;
}

unsigned int
domain_count(void)
{
	return D.nintroduced;
}

int
domain_report(char **out)
{
	struct connection *conn;
	struct domain *d, *tmp;
	size_t queued;
	unsigned long dropped;

	HASH_ITER(hh, D.by_id, d, tmp) {
		if (!d->introduced)
			continue;
		conn = d->rc != NULL ? ring_conn_connection(d->rc) : NULL;
		queued = conn != NULL ? conn_out_bytes(conn) : 0;
		dropped = conn != NULL ? conn_events_dropped(conn) : 0;
		*out = talloc_asprintf_append(*out,
		    "domid %u port %u conn %u%s%s%s", d->domid,
		    d->local_port, conn != NULL ? conn_id(conn) : 0,
		    d->local ? " local" : "",
		    d->shutdown_fired ? " shutdown" : "",
		    conn == NULL ? " stopped" : "");
		/* A backlog, and what it cost, only while there is one. */
		if (*out != NULL && queued > 0)
			*out = talloc_asprintf_append(*out, " queued %zu",
			    queued);
		if (*out != NULL && dropped > 0)
			*out = talloc_asprintf_append(*out, " dropped %lu",
			    dropped);
		if (*out != NULL)
			*out = talloc_asprintf_append(*out, "\n");
		if (*out == NULL)
			return ENOMEM;
	}
	return 0;
}
