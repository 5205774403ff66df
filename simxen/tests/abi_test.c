/*
 * abi_test: drives the simulated Xen through the Xen ABI (libxenctrl,
 * libxenevtchn, libxengnttab), linked against Debian's libraries and run
 * with LD_LIBRARY_PATH pointing at ours (simxen/tests/abi.sh).
 * Usage: abi_test DOMID GFN — a domain `simxen create` made; the script
 * shuts it down and destroys it through this program.  Exit 0 on pass.
 * abi_test --no-xenctrl DOMID: on a host made with `simxen init
 * --no-xenctrl`, libxenctrl must not open while event channels and the
 * grant mapping of DOMID's ring still work.
 */
#define XC_WANT_COMPAT_MAP_FOREIGN_API 1

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/grant_table.h>

#define FAIL(...) do {							\
	fprintf(stderr, "abi_test: " __VA_ARGS__);			\
	fprintf(stderr, "\n");						\
	return 1;							\
} while (0)

/* Wait for port on xce within 5 s, take it and unmask it. */
static int
wait_port(xenevtchn_handle *xce, int want)
{
	struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
	int port;

	if (poll(&pfd, 1, 5000) != 1)
		return -1;
	if ((port = xenevtchn_pending(xce)) != want)
		return -1;
	return xenevtchn_unmask(xce, port);
}

/* A host without libxenctrl: what a xenstored on stable interfaces uses. */
static int
no_xenctrl(uint32_t domid)
{
	xenevtchn_handle *xce;
	xengnttab_handle *xgt;
	void *ring;

	if (xc_interface_open(NULL, NULL, 0) != NULL)
		FAIL("xc_interface_open succeeded on a host without libxenctrl");
	if (errno != EACCES)
		FAIL("xc_interface_open: %s, not EACCES", strerror(errno));
	if ((xce = xenevtchn_open(NULL, 0)) == NULL)
		FAIL("xenevtchn_open: %s", strerror(errno));
	if ((xgt = xengnttab_open(NULL, 0)) == NULL)
		FAIL("xengnttab_open: %s", strerror(errno));
	if ((ring = xengnttab_map_grant_ref(xgt, domid,
	    GNTTAB_RESERVED_XENSTORE, PROT_READ | PROT_WRITE)) == NULL)
		FAIL("map_grant_ref: %s", strerror(errno));
	if (xengnttab_unmap(xgt, ring, 1) != 0)
		FAIL("unmap: %s", strerror(errno));
	xengnttab_close(xgt);
	xenevtchn_close(xce);
	printf("abi_test: no-xenctrl passed\n");
	return 0;
}

int
main(int argc, char **argv)
{
	xc_interface *xch;
	xenevtchn_handle *xce, *xce2;
	xengnttab_handle *xgt;
	xc_dominfo_t di;
	xc_domaininfo_t dl;
	uint32_t domid;
	unsigned long gfn;
	void *ring, *fmap;
	int virq, virq2;

	if (argc == 3 && strcmp(argv[1], "--no-xenctrl") == 0)
		return no_xenctrl(strtoul(argv[2], NULL, 10));
	if (argc != 3)
		FAIL("usage: abi_test DOMID GFN | --no-xenctrl DOMID");
	domid = strtoul(argv[1], NULL, 10);
	gfn = strtoul(argv[2], NULL, 10);
	if ((xch = xc_interface_open(NULL, NULL, 0)) == NULL)
		FAIL("xc_interface_open: %s", strerror(errno));
	if ((xce = xenevtchn_open(NULL, 0)) == NULL)
		FAIL("xenevtchn_open: %s", strerror(errno));
	if ((xgt = xengnttab_open(NULL, 0)) == NULL)
		FAIL("xengnttab_open: %s", strerror(errno));
	if ((virq = xenevtchn_bind_virq(xce, VIRQ_DOM_EXC)) <= 0)
		FAIL("bind_virq: %s", strerror(errno));
	/* A second handle, whose port is unbound while it has fired. */
	if ((xce2 = xenevtchn_open(NULL, 0)) == NULL)
		FAIL("xenevtchn_open: %s", strerror(errno));
	if ((virq2 = xenevtchn_bind_virq(xce2, VIRQ_DOM_EXC)) <= 0)
		FAIL("bind_virq: %s", strerror(errno));
	/* Linux's evtchn_write() ignores ports the handle has not bound. */
	if (xenevtchn_unmask(xce, 1000) != 0 || xenevtchn_unmask(xce, 5000) != 0)
		FAIL("unmask of a port never bound: %s", strerror(errno));

	if (xc_domain_getinfo(xch, domid, 1, &di) != 1 || di.domid != domid ||
	    di.shutdown || di.dying)
		FAIL("getinfo of a running domain");
	ring = xengnttab_map_grant_ref(xgt, domid, GNTTAB_RESERVED_XENSTORE,
	    PROT_READ | PROT_WRITE);
	if (ring == NULL)
		FAIL("map_grant_ref: %s", strerror(errno));
	fmap = xc_map_foreign_range(xch, domid, 4096, PROT_READ | PROT_WRITE,
	    gfn);
	if (fmap == NULL)
		FAIL("map_foreign_range: %s", strerror(errno));
	memcpy(ring, "via grant", 10);
	if (memcmp(fmap, "via grant", 10) != 0)
		FAIL("foreign map does not see the grant map's bytes");
	if (xc_map_foreign_range(xch, domid, 4096, PROT_READ, gfn + 1) != NULL)
		FAIL("foreign map of another gfn worked");

	if (xc_domain_shutdown(xch, domid, SHUTDOWN_reboot) != 0)
		FAIL("shutdown: %s", strerror(errno));
	if (wait_port(xce, virq) != 0)
		FAIL("no VIRQ_DOM_EXC on shutdown");
	/*
	 * What C xenstored meets when a RELEASE unbinds a port whose event
	 * is still queued (XSA-233's sequence): the number is read after
	 * the unbind and unmasked; Linux ignores the unmask.
	 */
	if (xenevtchn_unbind(xce2, virq2) != 0)
		FAIL("unbind: %s", strerror(errno));
	if (wait_port(xce2, virq2) != 0)
		FAIL("a port unbound after it fired: not queued, or its "
		    "unmask failed: %s", strerror(errno));
	if (xenevtchn_unmask(xce2, virq) != 0)
		FAIL("unmask of another handle's port: %s", strerror(errno));
	xenevtchn_close(xce2);
	if (xc_domain_getinfo(xch, domid, 1, &di) != 1 || !di.shutdown ||
	    di.shutdown_reason != SHUTDOWN_reboot || di.dying)
		FAIL("getinfo after shutdown");
	if (xc_domain_getinfolist(xch, domid, 1, &dl) != 1 ||
	    dl.domain != domid || !(dl.flags & XEN_DOMINF_shutdown) ||
	    ((dl.flags >> XEN_DOMINF_shutdownshift) &
	    XEN_DOMINF_shutdownmask) != SHUTDOWN_reboot)
		FAIL("getinfolist after shutdown");

	if (xc_domain_destroy(xch, domid) != 0)
		FAIL("destroy: %s", strerror(errno));
	if (wait_port(xce, virq) != 0)
		FAIL("no VIRQ_DOM_EXC on destroy");
	if (xc_domain_getinfo(xch, domid, 1, &di) != 1 || di.domid != domid ||
	    !di.dying)
		FAIL("getinfo while mapped after destroy: not dying");
	munmap(fmap, 4096);	/* as oxenstored does: behind our back */
	if (xengnttab_unmap(xgt, ring, 1) != 0)
		FAIL("unmap: %s", strerror(errno));
	if (wait_port(xce, virq) != 0)
		FAIL("no VIRQ_DOM_EXC on death");
	if (xc_domain_getinfo(xch, domid, 1, &di) == 1 && di.domid == domid)
		FAIL("domain still listed after its last unmap");
	xengnttab_close(xgt);
	xenevtchn_close(xce);
	xc_interface_close(xch);
	printf("abi_test: all passed\n");
	return 0;
}
