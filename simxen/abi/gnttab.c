/*
 * libxengnttab.so.1 on the simulated Xen: Debian's ABI (VERS_1.0 to
 * VERS_1.2, tools/libs/gnttab/libxengnttab.map).  Only the store ring
 * grant exists (GNTTAB_RESERVED_XENSTORE of each domain, granted to
 * dom0), so single-page maps of that ref work and everything else fails
 * with ENOSYS.  Errors: NULL or -1 with errno, as libxengnttab.
 */
#include <errno.h>
#include <stdlib.h>

#include <stdint.h>

#include <xengnttab.h>

#include "simxen.h"

struct xengntdev_handle {
	struct simxen	*sx;
	uint32_t	domid;		/* we act as this domain */
};

static int
fail(int err)
{
	errno = err;
	return -1;
}

static void *
fail_ptr(int err)
{
	errno = err;
	return NULL;
}

xengnttab_handle *
xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	xengnttab_handle *xgt;
	int err;

	(void)logger;
	(void)open_flags;
	if ((xgt = calloc(1, sizeof(*xgt))) == NULL)
		return fail_ptr(ENOMEM);
	if ((err = simxen_self_domid(&xgt->domid)) != 0 ||
	    (err = simxen_open(&xgt->sx)) != 0) {
		free(xgt);
		return fail_ptr(err);
	}
	return xgt;
}

int
xengnttab_close(xengnttab_handle *xgt)
{
	if (xgt == NULL)
		return 0;
	simxen_close(xgt->sx);
	free(xgt);
	return 0;
}

int
xengnttab_fd(xengnttab_handle *xgt)
{
	(void)xgt;
	return fail(ENOSYS);
}

void *
xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
    int prot)
{
	void *page;
	int err;

	(void)prot;	/* the ring is always mapped read/write */
	err = simxen_ring_map_grant(xgt->sx, xgt->domid, domid, ref, &page);
	return err ? fail_ptr(err) : page;
}

void *
xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count,
    uint32_t *domids, uint32_t *refs, int prot)
{
	if (count != 1)
		return fail_ptr(ENOSYS);
	return xengnttab_map_grant_ref(xgt, domids[0], refs[0], prot);
}

void *
xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count,
    uint32_t domid, uint32_t *refs, int prot)
{
	if (count != 1)
		return fail_ptr(ENOSYS);
	return xengnttab_map_grant_ref(xgt, domid, refs[0], prot);
}

void *
xengnttab_map_grant_ref_notify(xengnttab_handle *xgt, uint32_t domid,
    uint32_t ref, int prot, uint32_t notify_offset,
    evtchn_port_t notify_port)
{
	(void)xgt;
	(void)domid;
	(void)ref;
	(void)prot;
	(void)notify_offset;
	(void)notify_port;
	return fail_ptr(ENOSYS);
}

int
xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	int err;

	if (count != 1)
		return fail(EINVAL);
	err = simxen_ring_unmap(xgt->sx, start_address);
	return err ? fail(err) : 0;
}

int
xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt;
	(void)nr_grants;
	return 0;
}

int
xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
    xengnttab_grant_copy_segment_t *segs)
{
	(void)xgt;
	(void)count;
	(void)segs;
	return fail(ENOSYS);
}

int
xengnttab_dmabuf_exp_from_refs(xengnttab_handle *xgt, uint32_t domid,
    uint32_t flags, uint32_t count, const uint32_t *refs, uint32_t *fd)
{
	(void)xgt;
	(void)domid;
	(void)flags;
	(void)count;
	(void)refs;
	(void)fd;
	return fail(ENOSYS);
}

int
xengnttab_dmabuf_exp_wait_released(xengnttab_handle *xgt, uint32_t fd,
    uint32_t wait_to_ms)
{
	(void)xgt;
	(void)fd;
	(void)wait_to_ms;
	return fail(ENOSYS);
}

int
xengnttab_dmabuf_imp_to_refs(xengnttab_handle *xgt, uint32_t domid,
    uint32_t fd, uint32_t count, uint32_t *refs)
{
	(void)xgt;
	(void)domid;
	(void)fd;
	(void)count;
	(void)refs;
	return fail(ENOSYS);
}

int
xengnttab_dmabuf_imp_release(xengnttab_handle *xgt, uint32_t fd)
{
	(void)xgt;
	(void)fd;
	return fail(ENOSYS);
}

xengntshr_handle *
xengntshr_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return fail_ptr(ENOSYS);
}

int
xengntshr_close(xengntshr_handle *xgs)
{
	(void)xgs;
	return 0;
}

int
xengntshr_fd(xengntshr_handle *xgs)
{
	(void)xgs;
	return fail(ENOSYS);
}

void *
xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count,
    uint32_t *refs, int writable)
{
	(void)xgs;
	(void)domid;
	(void)count;
	(void)refs;
	(void)writable;
	return fail_ptr(ENOSYS);
}

void *
xengntshr_share_page_notify(xengntshr_handle *xgs, uint32_t domid,
    uint32_t *ref, int writable, uint32_t notify_offset,
    evtchn_port_t notify_port)
{
	(void)xgs;
	(void)domid;
	(void)ref;
	(void)writable;
	(void)notify_offset;
	(void)notify_port;
	return fail_ptr(ENOSYS);
}

int
xengntshr_unshare(xengntshr_handle *xgs, void *start_address, uint32_t count)
{
	(void)xgs;
	(void)start_address;
	(void)count;
	return fail(ENOSYS);
}
