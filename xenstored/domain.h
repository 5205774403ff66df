/*
 * The domain table: which domains xenstored talks to over their store
 * rings, their state (introduced, shut down, target, features), the
 * special watches @introduceDomain / @releaseDomain and their perms,
 * and what happens when a domain goes away.
 */
#ifndef XSD_DOMAIN_H
#define XSD_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>

#include "conn.h"
#include "perms.h"

struct store;
struct xss_handle;
struct xss_domain_event;

/* Highest domid a guest can have: DOMID_FIRST_RESERVED - 1. */
#define DOMAIN_ID_MAX	0x7fefu

/* Who is privileged and whose ring is served at start (-p, -m, -e). */
struct domain_config {
	unsigned int	priv_domid;	/* gets dom0's rights (0) */
	unsigned int	master_domid;	/* owner of the first ring (0) */
	bool		keep_orphans;	/* -K: a dead domain's nodes stay */
	bool		stub;		/* -e: we are the xenstore domain */
};

/*
 * Set up the table.  xh is the Xen handle (NULL on a host without Xen:
 * INTRODUCE then fails with ENOSYS); ring connections send their frames
 * to fn(.., fn_arg); st is the store whose perms are cleaned up when a
 * domain dies.  Registers the event-channel fd with the loop.
 * Returns 0 or ENOMEM.
 */
int	domain_init(TALLOC_CTX *ctx, struct xss_handle *xh, struct store *st,
	    const struct domain_config *cfg, conn_frame_fn *fn, void *fn_arg);
/* Close every ring connection, unmap and unbind all (shutdown). */
void	domain_fini(void);

/*
 * Serve the local domain's own ring (/proc/xen/xsd_kva, as dom0's kernel
 * uses it) as domain cfg->master_domid.  Returns 0, ENOSYS (no Xen), or
 * the error of libxs-stable (ENOENT: not dom0 or no xenfs).
 */
int	domain_introduce_local(void);

/*
 * The xenstore domain's start (cfg->stub): serve the master domain's
 * ring, which its kernel granted to us at the reserved grant ref
 * (GNTTAB_RESERVED_XENSTORE, 1), on its unbound event channel port (1 to
 * 2^31 - 1), as init-xenstore-domain passes it with --event (Xen's
 * tools/helpers/init-xenstore-domain.c, IOCTL_XENBUS_BACKEND_SETUP).
 * The master domain is never an INTRODUCE target.  Returns 0, ENOSYS (no
 * Xen), ENOMEM, or the libxs-stable error of the map or the bind (ESRCH,
 * EACCES, EINVAL, EBUSY).
 */
int	domain_introduce_master(uint32_t port);

/*
 * INTRODUCE (xenstore.txt): map domid's ring through its reserved grant,
 * bind port (an unbound port of domid), start serving it and fire
 * @introduceDomain.  gfn is recorded only (we map by grant).  Introducing
 * an already introduced domain with the same port is accepted and does
 * nothing (restore); with another port it is EEXIST.  Where the
 * hypervisor has XEN_DOMCTL_get_domain_state, a domid whose unique_id
 * changed since its INTRODUCE is a new domain: the old one is ended as
 * RELEASE does (@releaseDomain fires) and the new one introduced.
 * Returns 0, EINVAL (the master domid, or over DOMAIN_ID_MAX),
 * ENOSYS (no hypervisor), EEXIST, ENOMEM, ESRCH (no such domain, or
 * dead), or the libxs-stable error of the map or bind (ESRCH, EACCES,
 * EINVAL, EBUSY).
 */
int	domain_introduce(unsigned int domid, uint64_t gfn, uint32_t port);

/* SET_TARGET's "no target" in the migration stream (Xen's DOMID_INVALID). */
#define DOMID_NONE	0x7ff4u

/*
 * A live update (docs/migration-stream.md, CONN ring): serve domid's ring
 * as the daemon this one replaces served it, on local_port, which it
 * bound on the event-channel fd this daemon inherited (xss_open_fd()):
 * the ring is mapped again (the master domain's own through
 * /proc/xen/xsd_kva when not in the xenstore domain, any other by its
 * reserved grant), the port is adopted, not bound; no @introduceDomain
 * fires.  tdomid: its SET_TARGET target, or DOMID_NONE.  *conn gets the
 * ring's connection, for the saved output, input and watches.  Nothing
 * is read from the ring until domain_restore_done().  Returns 0, ENOSYS
 * (no Xen), EINVAL (port 0, a domid over DOMAIN_ID_MAX), EEXIST
 * (already served), ENOMEM, or the libxs-stable error of the map.
 */
int	domain_restore(unsigned int domid, unsigned int tdomid,
	    uint32_t local_port, struct connection **conn);

/*
 * After the last record of a live update: a restored domain the
 * hypervisor no longer has ends (@releaseDomain, as a death would), and
 * every ring is served for what its peer wrote meanwhile.
 */
void	domain_restore_done(void);

/*
 * For a live update's CONN records: fn for each domain served over a
 * ring, the master domain first (Xen's C xenstored 4.17 needs its ring
 * before any node), with its target (DOMID_NONE: none), the local port
 * of its event channel and its connection.  A ring stopped after an
 * error is not given.  Returns 0 or fn's first non-zero result.
 */
typedef int domain_ring_fn(unsigned int domid, unsigned int tdomid,
	    uint32_t local_port, struct connection *conn, void *arg);
int	domain_foreach_ring(domain_ring_fn *fn, void *arg);

/*
 * RELEASE: stop serving domid, free all it owned (connection, watches,
 * transactions, quota; its nodes unless keep_orphans; perms entries
 * naming it), fire @releaseDomain: a later domain with this domid
 * inherits nothing.  Returns 0, EINVAL (the master domid, or over
 * DOMAIN_ID_MAX),
 * ENOENT (not introduced).
 */
int	domain_release(unsigned int domid);

/* IS_DOMAIN_INTRODUCED. */
bool	domain_is_introduced(unsigned int domid);

/*
 * RESUME: @releaseDomain fires again on the next shutdown.
 * Returns 0, EINVAL, ENOENT (not introduced).
 */
int	domain_resume(unsigned int domid);

/*
 * SET_TARGET: domid acts for target (xenstore.txt).  Both must be valid
 * domids; domid must be introduced.  Returns 0, EINVAL, ENOENT, ENOMEM.
 */
int	domain_set_target(unsigned int domid, unsigned int target);

/*
 * GET_FEATURE <domid> / SET_FEATURE: the ring's server_features bits for
 * one domain.  Setting is allowed only before INTRODUCE and only bits we
 * support (RING_FEATURES).  Return 0, EINVAL (bad domid or bits), EBUSY
 * (already introduced: xenstore.txt says "rejected"), ENOMEM.
 */
int	domain_get_feature(unsigned int domid, unsigned int *features);
int	domain_set_feature(unsigned int domid, unsigned int features);
/*
 * A live update's DOMAIN record: the features the replaced daemon
 * offered domid, introduced or not (its ring already shows them; bits
 * are never taken back).  Bits we lack are dropped.  0, EINVAL, ENOMEM.
 */
int	domain_restore_feature(unsigned int domid, unsigned int features);

/*
 * A change from the domain-state feed (the toolstack's message, the
 * simulated or patched hypervisor).  SHUTDOWN fires @releaseDomain once
 * until RESUME; DYING and DEAD end the domain as RELEASE does.  RUNNING
 * is a no-op.  DYING or DEAD of a domain never introduced still drops
 * its nodes and the perms entries naming it, without an event.
 */
void	domain_state_changed(const struct xss_domain_event *ev);

/*
 * SET_PERMS: mark PERM_IGNORE every entry naming a domid that no domain
 * has (asked of the hypervisor through XEN_DOMCTL_get_domain_state; the
 * privileged and master domids and introduced domains always exist;
 * without the call every domid is taken to exist).  Rule of Xen's C
 * xenstored 4.17 (domain_alloc_permrefs(), XSA-417).  Returns 0, or
 * ENOENT when the owner (entry 0) is such a domid.
 */
int	domain_check_perms(struct perms *perms);

/*
 * Perms of a special path ("@introduceDomain", "@releaseDomain"), or
 * NULL for any other '@' path.  Owned by the table.
 */
const struct perms *domain_special_perms(const char *name);

/*
 * SET_PERMS on a special path (only the two above).  Returns 0, ENOENT
 * (another '@' name), ENOMEM.
 */
int	domain_set_special_perms(const char *name, const struct perms *perms);

/* Number of introduced domains (CONTROL, tests). */
unsigned int domain_count(void);

/*
 * Append one line per introduced domain ("domid N port P conn C [local]
 * [shutdown] [stopped] [queued BYTES] [dropped EVENTS]") to *out (talloc
 * string): queued is the output waiting for the guest to read its ring,
 * dropped the watch events lost to its limit (conn_set_limits()), each
 * shown when not 0.  Returns 0 or ENOMEM.
 */
int	domain_report(char **out);

/*
 * A restart's replay of a domain's end (JOURNAL_DOMAIN_END): its ring
 * and port let go, its limits and its place in the special perms
 * forgotten; its nodes were journalled on their own.  No watch fires.
 */
void	domain_replay_end(unsigned int domid);

#endif
