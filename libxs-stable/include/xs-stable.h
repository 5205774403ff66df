/*
 * libxs-stable: everything a xenstore daemon needs from Xen, through
 * stable interfaces only (libxengnttab, libxenevtchn, and Linux's
 * /proc/xen for dom0's own ring).  No libxenctrl, no foreign mapping.
 *
 *   - store rings: map a domain's ring page through its reserved grant
 *     (GNTTAB_RESERVED_XENSTORE), or dom0's own through /proc/xen;
 *   - event channels: bind interdomain, notify, pending + unmask, one fd
 *     for the caller's poll loop, unbind;
 *   - the domain-state feed: (domid, state) changes from whichever
 *     sources the host has, behind one pollable fd.
 *
 * Errors are positive errno values, returned or stored in *err; the
 * library never prints, never exits and never aborts.  Not thread-safe:
 * one handle per thread.
 */
#ifndef XS_STABLE_H
#define XS_STABLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this API; bumped on incompatible change (with the SONAME). */
#define XSS_API_VERSION	1

/* Size in bytes of a store ring page (struct xenstore_domain_interface). */
#define XSS_RING_SIZE	4096u

struct xss_handle;

/*
 * Open the grant-table and event-channel devices.  Returns the handle
 * (owned by the caller, freed by xss_close()) or NULL with *err set:
 * ENOENT when this host has no Xen (no event-channel device), EACCES
 * when not allowed, ENOMEM.
 */
struct xss_handle *xss_open(int *err);

/*
 * As xss_open(), but the event-channel handle is made on evtchn_fd, an
 * open /dev/xen/evtchn inherited across exec from the daemon this one
 * replaces (a live update: the migration stream's GLOBAL evtchn-fd),
 * so the ports bound on it stay bound; xss_evtchn_adopt() tells h which
 * they are.  h owns the fd from then on (xss_close() closes it) and
 * sets it close-on-exec.  Returns NULL with *err: EBADF (not an open
 * fd), or as xss_open().
 */
struct xss_handle *xss_open_fd(int evtchn_fd, int *err);

/* Unbind every port, unmap every ring and close.  NULL is a no-op. */
void	xss_close(struct xss_handle *h);

/*
 * A file descriptor that polls readable when an event channel bound on
 * h has fired; then call xss_evtchn_pending().  Owned by h.
 */
int	xss_evtchn_fd(const struct xss_handle *h);

/*
 * Bind a local port to port remote_port of domain domid (an unbound port
 * that domain allocated for us, e.g. its store event channel).  *local_port
 * gets the new port.  Returns 0, EINVAL (remote port not unbound for us),
 * ESRCH (no such domain), EBUSY, ENOMEM.
 */
int	xss_evtchn_bind(struct xss_handle *h, uint32_t domid,
	    uint32_t remote_port, uint32_t *local_port);

/*
 * Take local_port, bound on an inherited fd (xss_open_fd()) by the daemon
 * this one replaces, as if xss_evtchn_bind() had bound it: notify,
 * pending and unbind accept it, xss_close() unbinds it.  Nothing is
 * asked of the device, so a port that is not bound shows only later
 * (EINVAL from notify).  The port is unmasked (the daemon before may
 * have died with it masked).  Returns 0, EEXIST (already known), ENOMEM.
 */
int	xss_evtchn_adopt(struct xss_handle *h, uint32_t local_port);

/* Unbind a port bound by xss_evtchn_bind().  Returns 0 or EINVAL. */
int	xss_evtchn_unbind(struct xss_handle *h, uint32_t local_port);

/* Signal the remote end of local_port.  Returns 0 or EINVAL. */
int	xss_evtchn_notify(struct xss_handle *h, uint32_t local_port);

/*
 * Take one fired port: *port gets it and it is unmasked again before
 * return, so the caller must look at its ring after this call, not
 * before.  Returns 0, EAGAIN when none has fired, or another errno when
 * the device failed.
 */
int	xss_evtchn_pending(struct xss_handle *h, uint32_t *port);

/*
 * Map the store ring of domain domid (one page of XSS_RING_SIZE bytes,
 * read/write) through its reserved grant ref GNTTAB_RESERVED_XENSTORE.
 * The mapping stays valid until xss_ring_unmap() or xss_close().
 * Returns NULL with *err: ESRCH (no such domain), EACCES (grant not
 * given to us), EINVAL, ENOMEM.
 */
void	*xss_ring_map(struct xss_handle *h, uint32_t domid, int *err);

/*
 * Map dom0's own store ring the Linux way (/proc/xen/xsd_kva) and read
 * the port it notifies on (/proc/xen/xsd_port) into *remote_port, to be
 * bound with xss_evtchn_bind(h, 0, *remote_port, ...).  Returns NULL
 * with *err: ENOENT (not dom0, or xenfs not mounted on /proc/xen),
 * EINVAL (unreadable port), or the errno of open/mmap.
 */
void	*xss_ring_map_local(struct xss_handle *h, uint32_t *remote_port,
	    int *err);

/*
 * Unmap a ring from xss_ring_map() or xss_ring_map_local().  Returns 0
 * or EINVAL (not a ring mapped through h).
 */
int	xss_ring_unmap(struct xss_handle *h, void *ring);

/*
 * The domain-state feed.
 */

/* States a domain moves through; never backwards except SHUTDOWN ->
 * RUNNING (resume). */
enum xss_domain_state {
	XSS_DOMAIN_RUNNING = 0,
	XSS_DOMAIN_SHUTDOWN = 1,	/* reason holds SHUTDOWN_* */
	XSS_DOMAIN_DYING = 2,		/* being destroyed */
	XSS_DOMAIN_DEAD = 3,		/* gone; the domid may be reused */
};

/*
 * One change.  Also the wire record of datagram sources: three 32-bit
 * words in host byte order (local sockets only), 12 bytes.
 */
struct xss_domain_event {
	uint32_t	domid;
	uint32_t	state;		/* enum xss_domain_state */
	uint32_t	reason;		/* SHUTDOWN_* (sched.h) if SHUTDOWN */
};

struct xss_feed;

/* New empty feed, owned by the caller.  NULL with *err = ENOMEM or the
 * errno of epoll/eventfd creation. */
struct xss_feed *xss_feed_new(int *err);

/* Close every source and free the feed.  NULL is a no-op. */
void	xss_feed_free(struct xss_feed *f);

/*
 * A file descriptor that polls readable while xss_feed_next() may have
 * something (an event queued or a source readable).  Owned by f.
 */
int	xss_feed_fd(const struct xss_feed *f);

/*
 * Queue an event from an in-process source (the toolstack's RELEASE or
 * a control message).  Returns 0, EINVAL (state out of range, or domid
 * at or above DOMID_FIRST_RESERVED, 0x7ff0), ENOMEM.
 */
int	xss_feed_push(struct xss_feed *f, const struct xss_domain_event *ev);

/*
 * Add a datagram source: bind a Unix datagram socket at path (mode 0600;
 * a stale socket file there is replaced) and accept 12-byte records from
 * local peers (the simulated hypervisor, a toolstack service).  Records
 * of another size or with a bad state are dropped and counted.
 * Returns 0, EINVAL (path too long for sun_path), EEXIST (a live socket
 * already listens there), or the errno of socket/bind.
 */
int	xss_feed_add_socket(struct xss_feed *f, const char *path);

/*
 * Take the next change, oldest first.  Returns 0 with *ev filled, or
 * EAGAIN when nothing is waiting.
 */
int	xss_feed_next(struct xss_feed *f, struct xss_domain_event *ev);

/* Records dropped as malformed since the feed was made. */
unsigned long xss_feed_dropped(const struct xss_feed *f);

/* Name of a state ("running", "shutdown", "dying", "dead", "?"). */
const char *xss_domain_state_name(uint32_t state);

/*
 * The hypervisor's domain-state call: XEN_DOMCTL_get_domain_state, the
 * stable domctl of Xen 4.21 (public/domctl.h, command 90, interface
 * version 0) that xen-patches/4.17 adds to Xen 4.17, made through
 * libxencall (docs/libxs-stable.md).  On the simulated Xen, simxen's
 * libxencall answers it.
 */

/* Capabilities, as XEN_DOMCTL_GETDOMSTATE_CAP_* (public/domctl.h). */
#define XSS_DOMAIN_CAP_CONTROL	0x0001u
#define XSS_DOMAIN_CAP_HARDWARE	0x0002u
#define XSS_DOMAIN_CAP_XENSTORE	0x0004u

/*
 * What the call reports about one domain.  state as toolstacks know it
 * from libxenctrl 4.17: no EXIST bit (an all-zero answer) is DEAD; Xen's
 * DEAD bit (resources released, kept only by mappings) is DYING; then
 * SHUTDOWN, else RUNNING.  Xen's DYING bit alone (the release under
 * way) is reported as the state before it (docs/libxs-stable.md).  The
 * call gives no shutdown reason.
 */
struct xss_domain_info {
	uint32_t	domid;
	uint32_t	state;		/* enum xss_domain_state */
	uint32_t	caps;		/* XSS_DOMAIN_CAP_* */
	uint64_t	unique_id;	/* different for every domain the
					 * hypervisor ever created; 0 for a
					 * domain that is gone */
};

struct xss_domstate;

/*
 * Open libxencall and check that the hypervisor has the call (one query
 * of domain 0).  Returns the handle (owned by the caller, freed by
 * xss_domstate_close(); it holds one hypercall buffer, so one handle
 * per thread) or NULL with *err set: ENOENT (no Xen here: no privcmd
 * device), ENOSYS (the hypervisor lacks the call: it answered EACCES,
 * as stock Xen 4.17 does for interface version 0, or ENOSYS), EPERM
 * (the call exists but this domain may not use it), ENOMEM, or the
 * errno of opening privcmd (EACCES when not root) or of the probe.
 */
struct xss_domstate *xss_domstate_open(int *err);

/* Close.  NULL is a no-op. */
void	xss_domstate_close(struct xss_domstate *q);

/*
 * State of domain domid (below DOMID_FIRST_RESERVED, 0x7ff0) without
 * touching the changed-domain record.  Returns 0 with *info filled
 * (untouched on error), ESRCH (no such domain, or it is dead; Xen
 * answers so to a control domain), EPERM (not allowed; Xen also answers
 * so to a caller that is not a control domain when no such domain
 * exists), EINVAL (domid out of range), or the errno of the hypercall.
 */
int	xss_domstate_get(struct xss_domstate *q, uint32_t domid,
	    struct xss_domain_info *info);

/*
 * Take the next domain whose state changed since it was last taken, and
 * clear its mark (domain = DOMID_INVALID in the domctl).  Changes
 * coalesce: a domain that changed several times comes once, in its
 * state now.  A domain the hypervisor no longer knows is reported with
 * state XSS_DOMAIN_DEAD, caps 0, unique_id 0; one destroyed but still
 * held (Xen's DEAD bit) as XSS_DOMAIN_DYING with its unique_id.  A domid
 * destroyed and created again between two calls comes once, as the new
 * domain: a unique_id other than the one recorded says the old one is
 * gone.  The hypervisor marks every existing domain when VIRQ_DOM_EXC
 * is bound, so the first calls after binding list them all.  Returns 0
 * with *info filled (untouched on error), ENOENT (none left), EACCES
 * (the caller's domain is not the VIRQ_DOM_EXC handler), or the errno
 * of the hypercall.
 */
int	xss_domstate_next(struct xss_domstate *q, struct xss_domain_info *info);

#ifdef __cplusplus
}
#endif

#endif
