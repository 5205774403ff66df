/*
 * simxen: a user-space "hypervisor" for running xenstore daemons and
 * simulated guests on a machine without Xen.
 *
 * All state lives in files under one directory, $SIMXEN_DIR (default
 * /run/simxen), shared by every process that opens the simulated host:
 *   - a mmapped state file (domains, event-channel ports, ring mapping
 *     holders) guarded by flock(2);
 *   - one 4096-byte file per domain holding its store ring page;
 *   - one Unix datagram socket per event-channel handle, through which
 *     notifications are delivered (the socket is the pollable fd);
 *   - domain-state.d/: sockets of listeners for domain state changes
 *     (12-byte struct xss_domain_event records, see xs-stable.h).
 *
 * Used by the ABI libraries (libxenevtchn, libxengnttab, libxencall,
 * libxenctrl), the simxen CLI and the simulated guest.  Errors are
 * positive errno values, returned; nothing prints, exits or aborts.
 * Handles are not thread-safe: one per thread.
 */
#ifndef SIMXEN_H
#define SIMXEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Default state directory when $SIMXEN_DIR is unset or empty. */
#define SIMXEN_DEFAULT_DIR	"/run/simxen"

/* Size in bytes of a ring page (one x86 page). */
#define SIMXEN_PAGE_SIZE	4096u

/* Domids are 0 .. SIMXEN_MAX_DOMAINS - 1. */
#define SIMXEN_MAX_DOMAINS	1024u

/* Event-channel ports of one domain are 1 .. SIMXEN_MAX_PORTS - 1
 * (port 0 is never valid, as in Xen). */
#define SIMXEN_MAX_PORTS	1024u

/* Pass as domid to simxen_domain_create() for "lowest free domid >= 1". */
#define SIMXEN_DOMID_ANY	UINT32_MAX

/* The grant reference of the store ring, as in <xen/grant_table.h>
 * GNTTAB_RESERVED_XENSTORE. */
#define SIMXEN_GREF_XENSTORE	1u

/* Domain states; same values as enum xss_domain_state (xs-stable.h). */
#define SIMXEN_DOM_RUNNING	0u
#define SIMXEN_DOM_SHUTDOWN	1u	/* reason holds SHUTDOWN_* */
#define SIMXEN_DOM_DYING	2u	/* destroyed, ring still mapped */
#define SIMXEN_DOM_DEAD		3u	/* gone; domid free */

/* What simxen_domain_info() and simxen_domain_list() report. */
struct simxen_dominfo {
	uint32_t	domid;
	uint32_t	state;		/* SIMXEN_DOM_* */
	uint32_t	reason;		/* SHUTDOWN_* (xen/sched.h), if
					 * state >= SHUTDOWN and it was
					 * shut down first */
	uint32_t	store_port;	/* unbound port in the domain,
					 * remote domain 0 */
	uint64_t	ring_gfn;	/* fake frame number of the ring page
					 * (also its "mfn") */
	uint32_t	map_count;	/* grant/foreign mappings held */
	uint32_t	generation;	/* bumped each time the domid is
					 * created anew */
};

struct simxen;

/*
 * Open the simulated host in $SIMXEN_DIR.  *sxp gets a handle owned by
 * the caller, freed by simxen_close().  Returns 0, ENOENT (no simulated
 * host there: run simxen_init() or `simxen init`), EACCES, ENOMEM, or
 * the errno of open/mmap.
 */
int	simxen_open(struct simxen **sxp);

/*
 * Create a fresh simulated host in $SIMXEN_DIR (making the directory if
 * needed), discarding any previous state there, with domain 0 running:
 * its ring page and store port (unbound, remote domain 0) exist, and
 * files "xsd_kva" (dom0's ring page) and "xsd_port" (its port, decimal
 * text) stand in for /proc/xen.  Then opens it as simxen_open() does.
 */
int	simxen_init(struct simxen **sxp);

/* Flags of simxen_init_host(), kept in the state file so that every
 * process on the host sees the same hypervisor. */
#define SIMXEN_HOST_STOCK	0x1u	/* stock Xen 4.17: no
					 * XEN_DOMCTL_get_domain_state */
#define SIMXEN_HOST_NO_FOREIGN_MAP 0x2u	/* foreign mapping refused: only
					 * grant mapping reaches a ring */
#define SIMXEN_HOST_NO_XENCTRL	0x4u	/* libxenctrl refused, as for a
					 * process without privcmd */

/*
 * simxen_init() with flags SIMXEN_HOST_*.  Returns as simxen_init(), or
 * EINVAL (unknown flag).
 */
int	simxen_init_host(struct simxen **sxp, unsigned int flags);

/* The SIMXEN_HOST_* flags the host was created with. */
unsigned int simxen_host_flags(const struct simxen *sx);

/*
 * Hypercalls that read domain state, host-wide since simxen_init(), for
 * benchmarks: the ABI libraries add what real Xen would do for each
 * call (libxenctrl 4.17: one XEN_DOMCTL_getdomaininfo per domain
 * xc_domain_getinfo() returns, one sysctl per xc_domain_getinfolist();
 * libxencall: one XEN_DOMCTL_get_domain_state).
 */
void	simxen_count_state_calls(struct simxen *sx, unsigned int n);
uint64_t simxen_state_calls(const struct simxen *sx);

/* Unmap the rings mapped through sx, close.  NULL is a no-op. */
void	simxen_close(struct simxen *sx);

/* The state directory of sx (owned by sx). */
const char *simxen_dir(const struct simxen *sx);

/*
 * The domid this process acts as by default: $SIMXEN_DOMID, or 0 when
 * unset.  Returns 0 or EINVAL (not a number below SIMXEN_MAX_DOMAINS).
 */
int	simxen_self_domid(uint32_t *domid);

/*
 * Domains.
 */

/*
 * Create a running domain at domid, or at the lowest free domid >= 1
 * when domid is SIMXEN_DOMID_ANY.  Gives it a zeroed ring page, a fresh
 * ring gfn and a store event channel (unbound port, remote domain 0),
 * as a toolstack does.  info (may be NULL) gets the new domain.
 * Returns 0, EEXIST (domid in use, including dying), ENOSPC (no free
 * domid), EINVAL (domid out of range), or an I/O errno.
 */
int	simxen_domain_create(struct simxen *sx, uint32_t domid,
	    struct simxen_dominfo *info);

/* Returns 0 with *info filled, or ESRCH (no such domain, or dead). */
int	simxen_domain_info(struct simxen *sx, uint32_t domid,
	    struct simxen_dominfo *info);

/*
 * List existing (not dead) domains with domid >= first, in domid order:
 * up to max entries into infos, *n gets the count.  Returns 0.
 */
int	simxen_domain_list(struct simxen *sx, uint32_t first,
	    struct simxen_dominfo *infos, size_t max, size_t *n);

/*
 * Shut a running domain down with reason SHUTDOWN_* (xen/sched.h).
 * Raises VIRQ_DOM_EXC and a domain-state datagram.  Returns 0, ESRCH,
 * EINVAL (not running, or reason above SHUTDOWN_soft_reset).
 */
int	simxen_domain_shutdown(struct simxen *sx, uint32_t domid,
	    uint32_t reason);

/*
 * Resume a shut-down domain (a suspend cancelled, as xc_domain_resume):
 * it runs again.  Raises VIRQ_DOM_EXC and a domain-state datagram.
 * Returns 0, ESRCH, EINVAL (not shut down).
 */
int	simxen_domain_resume(struct simxen *sx, uint32_t domid);

/*
 * Destroy a domain (any state but dead): it becomes dying, and dead as
 * soon as no grant/foreign mapping of its ring is held (at once if
 * none).  Its ports are closed (peers' ports become unbound-remote
 * closed).  Each state change raises VIRQ_DOM_EXC and a domain-state
 * datagram.  Domain 0 cannot be destroyed.  Returns 0, ESRCH, EPERM.
 */
int	simxen_domain_destroy(struct simxen *sx, uint32_t domid);

/*
 * Event channels, as seen by one domain (Linux /dev/xen/evtchn
 * semantics).  A port that fires is delivered once to its handle's fd
 * and masked; notifications while masked are latched and delivered once
 * at simxen_evtchn_unmask().
 */

struct simxen_evtchn;

/*
 * Open an event-channel handle acting as domain domid.  *ep gets it,
 * owned by the caller.  Returns 0, ESRCH (no such domain), ENOMEM, or
 * the errno of socket/bind.
 */
int	simxen_evtchn_open(struct simxen *sx, uint32_t domid,
	    struct simxen_evtchn **ep);

/* Unbind every port of e and close it.  NULL is a no-op. */
void	simxen_evtchn_close(struct simxen_evtchn *e);

/*
 * A file descriptor (non-blocking, owned by e) that polls readable when
 * a port of e has fired; then call simxen_evtchn_pending().
 */
int	simxen_evtchn_fd(const struct simxen_evtchn *e);

/*
 * Allocate an unbound port, for remote_domid to bind.  *port gets it.
 * Returns 0, ESRCH (remote domain unknown), ENOSPC (no free port).
 */
int	simxen_evtchn_alloc_unbound(struct simxen_evtchn *e,
	    uint32_t remote_domid, uint32_t *port);

/*
 * Bind a new local port to remote_port of remote_domid, which must be
 * unbound for our domain.  *port gets the local port.  Returns 0,
 * ESRCH (no such domain), EINVAL (remote port not unbound for us),
 * ENOSPC.
 */
int	simxen_evtchn_bind_interdomain(struct simxen_evtchn *e,
	    uint32_t remote_domid, uint32_t remote_port, uint32_t *port);

/*
 * Bind a port to virtual IRQ virq; only VIRQ_DOM_EXC (xen/xen.h) is
 * ever raised, on every port bound to it in any domain.  Returns 0,
 * EINVAL (virq >= 24), EEXIST (already bound by this handle), ENOSPC.
 * Unlike Xen, several handles of one domain may bind the same virq.
 */
int	simxen_evtchn_bind_virq(struct simxen_evtchn *e, uint32_t virq,
	    uint32_t *port);

/*
 * Signal the other end of port (an interdomain port of e; notifying an
 * unbound or VIRQ port is a no-op, as in Xen).  Returns 0 or EINVAL
 * (port not bound by e).
 */
int	simxen_evtchn_notify(struct simxen_evtchn *e, uint32_t port);

/* Close port; its peer, if any, becomes unbound.  Returns 0 or EINVAL. */
int	simxen_evtchn_unbind(struct simxen_evtchn *e, uint32_t port);

/*
 * Take one fired port from the fd queue into *port (it stays masked).
 * Returns 0, EAGAIN (none), or the errno of recv.
 */
int	simxen_evtchn_pending(struct simxen_evtchn *e, uint32_t *port);

/*
 * Unmask port; a notification latched while masked is delivered now.
 * A port not bound by e is ignored, as by Linux's evtchn driver.
 * Returns 0.
 */
int	simxen_evtchn_unmask(struct simxen_evtchn *e, uint32_t port);

/* The domid e acts as. */
uint32_t simxen_evtchn_domid(const struct simxen_evtchn *e);

/*
 * Attach an existing port of e's domain (e.g. the store port a toolstack
 * allocated, simxen_dominfo.store_port) to e, so that notifications to
 * it arrive on e's fd and e may notify through it: what a guest kernel
 * does with its xenstore event channel.  Allowed when the port has no
 * owner or its owner is gone; a notification latched before is
 * delivered now.  Returns 0, EINVAL (port free or out of range), EBUSY
 * (owned by a live handle).
 */
int	simxen_evtchn_claim(struct simxen_evtchn *e, uint32_t port);

/*
 * Give up port without unbinding it (the opposite of
 * simxen_evtchn_claim()): a guest process ends, its kernel's port stays
 * connected, and notifications latch until the next claim.
 * Returns 0 or EINVAL (port not owned by e).
 */
int	simxen_evtchn_disown(struct simxen_evtchn *e, uint32_t port);

/*
 * Re-open the handle whose fd is fd (inherited across exec, e.g. by a
 * live update; Linux xenevtchn_fdopen()), acting as domain domid; its
 * ports stay bound.  *ep gets a handle that owns fd.  Returns 0, EINVAL
 * (fd is not an event-channel socket of this simulated host), ENOMEM.
 */
int	simxen_evtchn_fdopen(struct simxen *sx, uint32_t domid, int fd,
	    struct simxen_evtchn **ep);

/*
 * Allocate an unbound port in domain domid for remote_domid to bind,
 * owned by no handle (the toolstack's xc_evtchn_alloc_unbound()); the
 * domain claims it later with simxen_evtchn_claim().  Returns 0, ESRCH
 * (either domain unknown or dying), ENOSPC.
 */
int	simxen_port_alloc_unbound(struct simxen *sx, uint32_t domid,
	    uint32_t remote_domid, uint32_t *port);

/*
 * Ring pages.  Each returns a read/write shared mapping of
 * SIMXEN_PAGE_SIZE bytes in *page, valid until simxen_ring_unmap() or
 * simxen_close().
 */

/*
 * The domain's own view of its ring page (a guest, or dom0 through
 * /proc/xen/xsd_kva).  Not counted as a mapping.  Returns 0, ESRCH, or
 * the errno of open/mmap.
 */
int	simxen_ring_map_own(struct simxen *sx, uint32_t domid, void **page);

/*
 * Map domain domid's grant ref (only SIMXEN_GREF_XENSTORE exists, and
 * is granted to domain 0) as domain as_domid.  Counted: keeps a
 * destroyed domain dying until unmapped.  Returns 0, ESRCH (no such
 * domain, or dying/dead), EINVAL (other ref), EACCES (as_domid != 0).
 */
int	simxen_ring_map_grant(struct simxen *sx, uint32_t as_domid,
	    uint32_t domid, uint32_t ref, void **page);

/*
 * Map frame gfn of domain domid (privileged foreign mapping, as
 * xc_map_foreign_range); only the ring gfn exists.  Counted like a
 * grant mapping.  Returns 0, ESRCH, EINVAL (other gfn), EPERM (the host
 * has SIMXEN_HOST_NO_FOREIGN_MAP).
 */
int	simxen_ring_map_gfn(struct simxen *sx, uint32_t domid, uint64_t gfn,
	    void **page);

/*
 * Unmap a page returned by one of the three functions above; a dying
 * domain whose last mapping goes becomes dead.  Returns 0 or EINVAL
 * (not mapped through sx).  A counted mapping also ends when its
 * process exits or munmap()s it directly (as oxenstored does): the
 * simulator notices at its next call (e.g. simxen_domain_info()).
 */
int	simxen_ring_unmap(struct simxen *sx, void *page);

/*
 * The hypervisor's domain-state call (Xen 4.21's stable domctl
 * XEN_DOMCTL_get_domain_state, public/domctl.h), which simxen's
 * libxencall answers.  The host keeps a bitmap of domains whose state
 * changed, armed when a port is bound to VIRQ_DOM_EXC (every existing
 * domain is marked then, as Xen's domain_init_states()) and cleared
 * when the last such binding goes.  Each state change (create,
 * shutdown, resume, dying, dead) marks its domain while armed.
 */

/* "Any domain whose state changed" (DOMID_INVALID, xen.h). */
#define SIMXEN_DOMID_INVALID	0x7ff4u

/* State bits, as XEN_DOMCTL_GETDOMSTATE_STATE_*. */
#define SIMXEN_DOMSTATE_EXIST		0x0001u
#define SIMXEN_DOMSTATE_SHUTDOWN	0x0002u
#define SIMXEN_DOMSTATE_DYING		0x0004u
#define SIMXEN_DOMSTATE_DEAD		0x0008u

/* Capability bits, as XEN_DOMCTL_GETDOMSTATE_CAP_*. */
#define SIMXEN_DOMCAP_CONTROL		0x0001u	/* domain 0 */
#define SIMXEN_DOMCAP_HARDWARE		0x0002u	/* domain 0 */

/* Same fields as struct xen_domctl_get_domain_state. */
struct simxen_domstate {
	uint16_t	state;		/* OUT: SIMXEN_DOMSTATE_* */
	uint16_t	caps;		/* OUT: SIMXEN_DOMCAP_* */
	uint32_t	pad0;		/* IN: must be 0 */
	uint64_t	unique_id;	/* OUT: from a host-wide counter,
					 * never 0, never reused */
};

/*
 * XEN_DOMCTL_get_domain_state as issued by domain caller, with the
 * checks in Xen's order (do_domctl(), then get_domain_state()):
 *   1. *domid names no domain (dead, or out of range, and not
 *      SIMXEN_DOMID_INVALID): ESRCH when the caller is domain 0 (the
 *      control domain), EPERM otherwise;
 *   2. st->pad0 != 0: EINVAL;
 *   3. a domid: *st gets its state; the changed bitmap is untouched;
 *   4. SIMXEN_DOMID_INVALID: EACCES when caller is not the VIRQ_DOM_EXC
 *      handler (the domain that bound it last, domain 0 while none
 *      has); else the next marked domain after the one this call
 *      returned last (round robin, wrapping: Xen starts from domid 0
 *      every time, so one busy domain can starve the others), its mark
 *      cleared, *domid set to it, and an all-zero *st if it is gone;
 *      ENOENT when nothing is marked.
 * Unlike Xen there is no XSM: any domain may query a domid that
 * exists.  Returns 0 or those errnos.
 */
int	simxen_get_domain_state(struct simxen *sx, uint32_t caller,
	    uint32_t *domid, struct simxen_domstate *st);

#ifdef __cplusplus
}
#endif

#endif /* SIMXEN_H */
