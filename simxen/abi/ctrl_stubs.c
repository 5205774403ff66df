/*
 * libxenctrl.so.4.17 on the simulated Xen: every other function that
 * Debian's oxenstored and xenstored import (both are linked with
 * BIND_NOW, so each must exist).  They fail with ENOSYS.
 */
#include <errno.h>
#include <stddef.h>

#include <xenctrl.h>

/* Stubs ignore their arguments by design. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define STUB(name, params)						\
	int name params {						\
		errno = ENOSYS;						\
		return -1;						\
	}

STUB(xc_assign_device, (xc_interface *xch, uint32_t domid,
    uint32_t machine_sbdf, uint32_t flag))
STUB(xc_deassign_device, (xc_interface *xch, uint32_t domid,
    uint32_t machine_sbdf))
STUB(xc_test_assign_device, (xc_interface *xch, uint32_t domid,
    uint32_t machine_sbdf))
STUB(xc_domain_create, (xc_interface *xch, uint32_t *pdomid,
    struct xen_domctl_createdomain *config))
STUB(xc_domain_increase_reservation_exact, (xc_interface *xch,
    uint32_t domid, unsigned long nr_extents, unsigned int extent_order,
    unsigned int mem_flags, xen_pfn_t *extent_start))
STUB(xc_domain_iomem_permission, (xc_interface *xch, uint32_t domid,
    unsigned long first_mfn, unsigned long nr_mfns, uint8_t allow_access))
STUB(xc_domain_ioport_permission, (xc_interface *xch, uint32_t domid,
    uint32_t first_port, uint32_t nr_ports, uint32_t allow_access))
STUB(xc_domain_irq_permission, (xc_interface *xch, uint32_t domid,
    uint32_t pirq, bool allow_access))
STUB(xc_domain_max_vcpus, (xc_interface *xch, uint32_t domid,
    unsigned int max))
STUB(xc_domain_pause, (xc_interface *xch, uint32_t domid))
STUB(xc_domain_unpause, (xc_interface *xch, uint32_t domid))
STUB(xc_domain_set_memmap_limit, (xc_interface *xch, uint32_t domid,
    unsigned long map_limitkb))
STUB(xc_domain_sethandle, (xc_interface *xch, uint32_t domid,
    xen_domain_handle_t handle))
STUB(xc_domain_setmaxmem, (xc_interface *xch, uint32_t domid,
    uint64_t max_memkb))
STUB(xc_evtchn_reset, (xc_interface *xch, uint32_t dom))
STUB(xc_get_max_cpus, (xc_interface *xch))
STUB(xc_getcpuinfo, (xc_interface *xch, int max_cpus, xc_cpuinfo_t *info,
    int *nr_cpus))
STUB(xc_physinfo, (xc_interface *xch, xc_physinfo_t *info))
STUB(xc_readconsolering, (xc_interface *xch, char *buffer,
    unsigned int *pnr_chars, int clear, int incremental, uint32_t *pindex))
STUB(xc_sched_credit_domain_get, (xc_interface *xch, uint32_t domid,
    struct xen_domctl_sched_credit *sdom))
STUB(xc_sched_credit_domain_set, (xc_interface *xch, uint32_t domid,
    struct xen_domctl_sched_credit *sdom))
STUB(xc_sched_id, (xc_interface *xch, int *sched_id))
STUB(xc_send_debug_keys, (xc_interface *xch, const char *keys))
STUB(xc_shadow_control, (xc_interface *xch, uint32_t domid,
    unsigned int sop, unsigned int *mb, unsigned int mode))
STUB(xc_vcpu_getaffinity, (xc_interface *xch, uint32_t domid, int vcpu,
    xc_cpumap_t cpumap_hard, xc_cpumap_t cpumap_soft, uint32_t flags))
STUB(xc_vcpu_setaffinity, (xc_interface *xch, uint32_t domid, int vcpu,
    xc_cpumap_t cpumap_hard_inout, xc_cpumap_t cpumap_soft_inout,
    uint32_t flags))
STUB(xc_vcpu_getcontext, (xc_interface *xch, uint32_t domid,
    uint32_t vcpu, vcpu_guest_context_any_t *ctxt))
STUB(xc_vcpu_getinfo, (xc_interface *xch, uint32_t domid, uint32_t vcpu,
    xc_vcpuinfo_t *info))
STUB(xc_version, (xc_interface *xch, int cmd, void *arg))
STUB(xc_watchdog, (xc_interface *xch, uint32_t id, uint32_t timeout))

xc_cpumap_t
xc_cpumap_alloc(xc_interface *xch)
{
	errno = ENOSYS;
	return NULL;
}
