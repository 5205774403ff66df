/*
 * xencall_test: the raw domctl XEN_DOMCTL_get_domain_state through
 * simxen's libxencall, as a program linked against Debian's libxencall
 * sees it (run by simxen/tests/xencall.sh with LD_LIBRARY_PATH pointing
 * at ours).  Checks the hypercall convention (-1 with errno), the
 * stable-domctl version rule, pad0, the order of Xen's checks and
 * -ENOSYS for everything not simulated.
 * Usage: xencall_test DOMID — a running domain; or xencall_test --stock
 * on a host made by `simxen init --stock`.  Exit 0 on pass.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xencall.h>
#include <xen/xen.h>

#include "domctl-4.21.h"

#define FAIL(...) do {							\
	fprintf(stderr, "xencall_test: " __VA_ARGS__);			\
	fprintf(stderr, "\n");						\
	return 1;							\
} while (0)

#define GET_DOMAIN_STATE	XEN421_DOMCTL_get_domain_state

/* One domctl; returns 0 or the errno it failed with. */
static int
call(xencall_handle *xc, struct xen421_domctl *op, uint32_t cmd,
    uint32_t version, uint32_t domain, uint32_t pad0)
{
	memset(op, 0, sizeof(*op));
	op->cmd = cmd;
	op->interface_version = version;
	op->domain = (uint16_t)domain;
	op->u.get_domain_state.pad0 = pad0;
	errno = 0;
	if (xencall1(xc, __HYPERVISOR_domctl, (uint64_t)(uintptr_t)op) == 0)
		return 0;
	return errno == 0 ? -1 : errno;	/* -1: failed without errno */
}

int
main(int argc, char **argv)
{
	struct xen421_domctl *op;
	const struct xen421_domctl_get_domain_state *st;
	xencall_handle *xc;
	uint32_t domid;
	int err;

	if (argc != 2)
		FAIL("usage: xencall_test DOMID | --stock");
	if ((xc = xencall_open(NULL, 0)) == NULL)
		FAIL("xencall_open: %s", strerror(errno));
	if (xencall_fd(xc) < 0)
		FAIL("xencall_fd");
	(void)xencall_buffers_never_fault(xc);
	if ((op = xencall_alloc_buffer(xc, sizeof(*op))) == NULL)
		FAIL("xencall_alloc_buffer");
	st = &op->u.get_domain_state;

	if (strcmp(argv[1], "--stock") == 0) {
		/* 4.17: the version is checked first, then the command. */
		if ((err = call(xc, op, GET_DOMAIN_STATE, 0, 0, 0)) != EACCES)
			FAIL("stock, version 0: %s", strerror(err));
		if ((err = call(xc, op, GET_DOMAIN_STATE, 0x15, 0, 0)) !=
		    ENOSYS)
			FAIL("stock, version 0x15: %s", strerror(err));
		goto out;
	}
	domid = (uint32_t)strtoul(argv[1], NULL, 10);

	if ((err = call(xc, op, GET_DOMAIN_STATE, 0, 0, 0)) != 0)
		FAIL("domain 0: %s", strerror(err));
	if (op->domain != 0 || st->state != 0x1 ||
	    st->caps != 0x3 || st->unique_id == 0)
		FAIL("domain 0: state %#x caps %#x", st->state,
		    st->caps);
	if ((err = call(xc, op, GET_DOMAIN_STATE, 0, domid, 0)) != 0)
		FAIL("domain %u: %s", domid, strerror(err));
	if (op->domain != domid || st->state != 0x1 ||
	    st->caps != 0 || st->unique_id == 0)
		FAIL("domain %u: state %#x caps %#x", domid, st->state,
		    st->caps);
	if (xencall2L(xc, __HYPERVISOR_domctl, (uint64_t)(uintptr_t)op, 0) !=
	    0)
		FAIL("xencall2L: %s", strerror(errno));

	/* Refusals, in Xen's order. */
	if ((err = call(xc, op, GET_DOMAIN_STATE, 0, domid, 1)) != EINVAL)
		FAIL("pad0 != 0: %s", strerror(err));
	if ((err = call(xc, op, GET_DOMAIN_STATE, 0, 999, 1)) != ESRCH)
		FAIL("no such domain before pad0: %s", strerror(err));
	if ((err = call(xc, op, GET_DOMAIN_STATE, 0, DOMID_INVALID, 1)) !=
	    EINVAL)
		FAIL("pad0 != 0, next: %s", strerror(err));
	if ((err = call(xc, op, GET_DOMAIN_STATE, 0x15, 0, 0)) != EACCES)
		FAIL("version != 0: %s", strerror(err));
	if ((err = call(xc, op, GET_DOMAIN_STATE, 0, 999, 0)) != ESRCH)
		FAIL("domain 999: %s", strerror(err));
	/* Nobody bound VIRQ_DOM_EXC: dom0 handles, nothing recorded. */
	if ((err = call(xc, op, GET_DOMAIN_STATE, 0, DOMID_INVALID, 0)) !=
	    ENOENT)
		FAIL("next, unbound: %s", strerror(err));
	/* Not simulated. */
	if ((err = call(xc, op, 5 /* getdomaininfo */, 0x15, 0, 0)) != ENOSYS)
		FAIL("other domctl: %s", strerror(err));
	errno = 0;
	if (xencall0(xc, __HYPERVISOR_xen_version) != -1 || errno != ENOSYS)
		FAIL("other hypercall: %s", strerror(errno));
out:
	xencall_free_buffer(xc, op);
	if (xencall_close(xc) != 0)
		FAIL("xencall_close");
	printf("xencall_test %s: passed\n", argv[1]);
	return 0;
}
