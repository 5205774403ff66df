/*
 * libxenctrl.so.4.17 on the simulated Xen: the part xenstore daemons
 * use for real (interface open/close, domain info, foreign mapping of a
 * ring page, store event channel, shutdown/destroy, errors).  The other
 * symbols Debian's daemons import are in ctrl_stubs.c.  Errors: -1 (or
 * NULL) with errno, and xc_get_last_error() set, as libxenctrl.  On a
 * host made with SIMXEN_HOST_NO_XENCTRL the interface cannot be opened,
 * so no other call can be made.
 */
#define XC_WANT_COMPAT_MAP_FOREIGN_API 1

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

#include "simxen.h"

struct xc_interface_core {
	struct simxen	*sx;
	xc_error	last;
};

static int
fail(xc_interface *xch, int err)
{
	xch->last.code = XC_INTERNAL_ERROR;
	snprintf(xch->last.message, sizeof(xch->last.message),
	    "simxen: %s", strerror(err));
	errno = err;
	return -1;
}

xc_interface *
xc_interface_open(xentoollog_logger *logger,
    xentoollog_logger *dombuild_logger, unsigned open_flags)
{
	xc_interface *xch;
	int err;

	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	if ((xch = calloc(1, sizeof(*xch))) == NULL)
		return NULL;
	if ((err = simxen_open(&xch->sx)) != 0) {
		free(xch);
		errno = err;
		return NULL;
	}
	/* Real libxenctrl fails in xencall_open(), on open(/dev/xen/privcmd). */
	if (simxen_host_flags(xch->sx) & SIMXEN_HOST_NO_XENCTRL) {
		simxen_close(xch->sx);
		free(xch);
		errno = EACCES;
		return NULL;
	}
	return xch;
}

int
xc_interface_close(xc_interface *xch)
{
	if (xch == NULL)
		return 0;
	simxen_close(xch->sx);
	free(xch);
	return 0;
}

const xc_error *
xc_get_last_error(xc_interface *handle)
{
	return &handle->last;
}

const char *
xc_error_code_to_desc(int code)
{
	switch (code) {
	case XC_ERROR_NONE:
		return "No error details";
	case XC_INTERNAL_ERROR:
		return "Internal error";
	case XC_INVALID_KERNEL:
		return "Invalid kernel";
	case XC_INVALID_PARAM:
		return "Invalid configuration";
	case XC_OUT_OF_MEMORY:
		return "Out of memory";
	}
	return "Unknown error code";
}

/* Our domain list starting at first, at most max entries.  Returns the
 * count, or -1 with errno. */
static int
list_from(xc_interface *xch, uint32_t first, unsigned int max,
    struct simxen_dominfo **out)
{
	size_t n;
	int err;

	if (max > SIMXEN_MAX_DOMAINS)
		max = SIMXEN_MAX_DOMAINS;
	if ((*out = calloc(max ? max : 1, sizeof(**out))) == NULL)
		return fail(xch, ENOMEM);
	if ((err = simxen_domain_list(xch->sx, first, *out, max, &n)) != 0) {
		free(*out);
		return fail(xch, err);
	}
	return (int)n;
}

int
xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
    unsigned int max_doms, xc_dominfo_t *info)
{
	struct simxen_dominfo *l;
	int i, n;

	n = list_from(xch, first_domid, max_doms, &l);
	/* 4.17 issues one getdomaininfo domctl per domain, and one more
	 * when it runs out of domains before max_doms. */
	simxen_count_state_calls(xch->sx, n < 0 ? 1 :
	    (unsigned int)n + ((unsigned int)n < max_doms));
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		memset(&info[i], 0, sizeof(info[i]));
		info[i].domid = l[i].domid;
		info[i].dying = l[i].state == SIMXEN_DOM_DYING;
		info[i].shutdown = l[i].state == SIMXEN_DOM_SHUTDOWN;
		info[i].crashed = info[i].shutdown &&
		    l[i].reason == SHUTDOWN_crash;
		info[i].running = l[i].state == SIMXEN_DOM_RUNNING;
		info[i].shutdown_reason = info[i].shutdown ? l[i].reason : 0;
		info[i].nr_online_vcpus = 1;
		info[i].nr_pages = 1;
	}
	free(l);
	return n;
}

int
xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain,
    unsigned int max_domains, xc_domaininfo_t *info)
{
	struct simxen_dominfo *l;
	int i, n;

	simxen_count_state_calls(xch->sx, 1);
	if ((n = list_from(xch, first_domain, max_domains, &l)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		memset(&info[i], 0, sizeof(info[i]));
		info[i].domain = (domid_t)l[i].domid;
		if (l[i].state == SIMXEN_DOM_DYING)
			info[i].flags |= XEN_DOMINF_dying;
		if (l[i].state == SIMXEN_DOM_SHUTDOWN)
			info[i].flags |= XEN_DOMINF_shutdown |
			    ((l[i].reason & XEN_DOMINF_shutdownmask) <<
			    XEN_DOMINF_shutdownshift);
		if (l[i].state == SIMXEN_DOM_RUNNING)
			info[i].flags |= XEN_DOMINF_running;
		info[i].tot_pages = 1;
		info[i].nr_online_vcpus = 1;
	}
	free(l);
	return n;
}

void *
xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size, int prot,
    unsigned long mfn)
{
	void *page;
	int err;

	(void)prot;
	if (size != (int)SIMXEN_PAGE_SIZE) {
		fail(xch, EINVAL);
		return NULL;
	}
	if ((err = simxen_ring_map_gfn(xch->sx, dom, mfn, &page)) != 0) {
		fail(xch, err);
		return NULL;
	}
	return page;
}

xc_evtchn_port_or_error_t
xc_evtchn_alloc_unbound(xc_interface *xch, uint32_t dom, uint32_t remote_dom)
{
	uint32_t port;
	int err;

	if ((err = simxen_port_alloc_unbound(xch->sx, dom, remote_dom,
	    &port)) != 0)
		return fail(xch, err);
	return (int)port;
}

int
xc_domain_shutdown(xc_interface *xch, uint32_t domid, int reason)
{
	int err;

	if (reason < 0)
		return fail(xch, EINVAL);
	if ((err = simxen_domain_shutdown(xch->sx, domid, reason)) != 0)
		return fail(xch, err);
	return 0;
}

int
xc_domain_destroy(xc_interface *xch, uint32_t domid)
{
	int err;

	if ((err = simxen_domain_destroy(xch->sx, domid)) != 0)
		return fail(xch, err);
	return 0;
}

/*
 * XEN_DOMCTL_set_virq_handler for a global VIRQ (xen/include/public/
 * domctl.h): the simulator delivers VIRQ_DOM_EXC to every binder, so
 * this only checks its arguments.  0, or -1 with errno EINVAL (virq not
 * below NR_VIRQS, 24) or ESRCH (no such domain).
 */
int
xc_domain_set_virq_handler(xc_interface *xch, uint32_t domid, int virq)
{
	struct simxen_dominfo info;
	int err;

	if (virq < 0 || virq >= 24)
		return fail(xch, EINVAL);
	if ((err = simxen_domain_info(xch->sx, domid, &info)) != 0)
		return fail(xch, err);
	return 0;
}
