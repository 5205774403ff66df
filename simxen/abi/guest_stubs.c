/*
 * libxenguest.so.4.17 on the simulated Xen: only the symbols Debian's
 * oxenstored imports from it (it links the OCaml Xenctrl bindings,
 * which reference them).  They fail with ENOSYS.
 */
#include <errno.h>

#include <xenctrl.h>
#include <xenguest.h>

/* Stubs ignore their arguments by design. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

int
xc_domain_resume(xc_interface *xch, uint32_t domid, int fast)
{
	errno = ENOSYS;
	return -1;
}

int
xc_get_cpu_featureset(xc_interface *xch, uint32_t index,
    uint32_t *nr_features, uint32_t *featureset)
{
	errno = ENOSYS;
	return -1;
}
