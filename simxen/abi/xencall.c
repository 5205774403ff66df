/*
 * libxencall.so.1 on the simulated Xen: Debian's ABI (VERS_1.0 to
 * VERS_1.3, tools/libs/call/libxencall.map), acting as domain
 * $SIMXEN_DOMID (default 0, read at xencall_open()).  The one hypercall
 * it answers is __HYPERVISOR_domctl with XEN_DOMCTL_get_domain_state,
 * Xen 4.21's stable domctl, from the simulated host's state
 * (simxen_get_domain_state()); on a host made by `simxen init --stock`
 * it answers as stock Xen 4.17 does.  Everything else is ENOSYS.
 * Errors: -1 with errno, as libxencall passes on the privcmd ioctl's.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xencall.h>
#include <xen/xen.h>

#include "domctl-4.21.h"
#include "simxen.h"

/* 4.17's XEN_DOMCTL_INTERFACE_VERSION, which a stock host wants. */
#define SX_DOMCTL_VERSION_417		0x15u

#define SX_PAGE_SIZE	4096u

struct xencall_handle {
	struct simxen	*sx;
	uint32_t	domid;		/* the caller's domain */
	int		fd;		/* the state directory: "the device" */
};

static int
fail(int err)
{
	errno = err;
	return -1;
}

xencall_handle *
xencall_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	xencall_handle *xcall;
	int err;

	(void)logger;
	(void)open_flags;
	if ((xcall = calloc(1, sizeof(*xcall))) == NULL)
		return NULL;
	xcall->fd = -1;
	if ((err = simxen_self_domid(&xcall->domid)) != 0 ||
	    (err = simxen_open(&xcall->sx)) != 0)
		goto out;
	xcall->fd = open(simxen_dir(xcall->sx), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	if (xcall->fd == -1) {
		err = errno;
		goto out;
	}
	return xcall;
out:
	(void)xencall_close(xcall);
	errno = err;
	return NULL;
}

int
xencall_close(xencall_handle *xcall)
{
	if (xcall == NULL)
		return 0;
	if (xcall->fd != -1)
		close(xcall->fd);
	simxen_close(xcall->sx);
	free(xcall);
	return 0;
}

int
xencall_fd(xencall_handle *xcall)
{
	return xcall->fd;
}

/* XEN_DOMCTL_get_domain_state, or 4.17's answers on a stock host. */
static long
sx_domctl(xencall_handle *xcall, struct xen421_domctl *op)
{
	struct simxen_domstate st;
	uint32_t domid;
	int err;

	if (op == NULL)
		return fail(EFAULT);
	if (op->cmd != XEN421_DOMCTL_get_domain_state)
		return fail(ENOSYS);	/* no other domctl is simulated */
	simxen_count_state_calls(xcall->sx, 1);
	if (simxen_host_flags(xcall->sx) & SIMXEN_HOST_STOCK) {
		/* 4.17 checks the version first and knows no command 90. */
		return fail(op->interface_version == SX_DOMCTL_VERSION_417 ?
		    ENOSYS : EACCES);
	}
	if (op->interface_version != XEN421_DOMCTL_STABLE_VERSION)
		return fail(EACCES);
	domid = op->domain;
	memset(&st, 0, sizeof(st));
	st.pad0 = op->u.get_domain_state.pad0;
	if ((err = simxen_get_domain_state(xcall->sx, xcall->domid, &domid,
	    &st)) != 0)
		return fail(err);
	/* Copied back only on success, as do_domctl() does. */
	op->domain = (uint16_t)domid;
	op->u.get_domain_state.state = st.state;
	op->u.get_domain_state.caps = st.caps;
	op->u.get_domain_state.pad0 = 0;
	op->u.get_domain_state.unique_id = st.unique_id;
	return 0;
}

static long
sx_hypercall(xencall_handle *xcall, unsigned int op, uint64_t arg1)
{
	if (op == __HYPERVISOR_domctl)
		return sx_domctl(xcall, (struct xen421_domctl *)(uintptr_t)arg1);
	return fail(ENOSYS);
}

int
xencall0(xencall_handle *xcall, unsigned int op)
{
	return (int)sx_hypercall(xcall, op, 0);
}

int
xencall1(xencall_handle *xcall, unsigned int op, uint64_t arg1)
{
	return (int)sx_hypercall(xcall, op, arg1);
}

int
xencall2(xencall_handle *xcall, unsigned int op, uint64_t arg1,
    uint64_t arg2)
{
	(void)arg2;
	return (int)sx_hypercall(xcall, op, arg1);
}

long
xencall2L(xencall_handle *xcall, unsigned int op, uint64_t arg1,
    uint64_t arg2)
{
	(void)arg2;
	return sx_hypercall(xcall, op, arg1);
}

int
xencall3(xencall_handle *xcall, unsigned int op, uint64_t arg1,
    uint64_t arg2, uint64_t arg3)
{
	(void)arg2;
	(void)arg3;
	return (int)sx_hypercall(xcall, op, arg1);
}

int
xencall4(xencall_handle *xcall, unsigned int op, uint64_t arg1,
    uint64_t arg2, uint64_t arg3, uint64_t arg4)
{
	(void)arg2;
	(void)arg3;
	(void)arg4;
	return (int)sx_hypercall(xcall, op, arg1);
}

int
xencall5(xencall_handle *xcall, unsigned int op, uint64_t arg1,
    uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5)
{
	(void)arg2;
	(void)arg3;
	(void)arg4;
	(void)arg5;
	return (int)sx_hypercall(xcall, op, arg1);
}

/*
 * Hypercall buffers are ordinary memory here: nothing has to keep them
 * from faulting under the hypervisor.  Pages are anonymous mappings;
 * small buffers come from calloc, so free() needs no size.
 */
void *
xencall_alloc_buffer_pages(xencall_handle *xcall, size_t nr_pages)
{
	void *p;

	(void)xcall;
	p = mmap(NULL, nr_pages * SX_PAGE_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void
xencall_free_buffer_pages(xencall_handle *xcall, void *p, size_t nr_pages)
{
	(void)xcall;
	if (p != NULL)
		(void)munmap(p, nr_pages * SX_PAGE_SIZE);
}

void *
xencall_alloc_buffer(xencall_handle *xcall, size_t size)
{
	(void)xcall;
	return calloc(1, size == 0 ? 1 : size);
}

void
xencall_free_buffer(xencall_handle *xcall, void *p)
{
	(void)xcall;
	free(p);
}

int
xencall_buffers_never_fault(xencall_handle *xcall)
{
	(void)xcall;
	return 1;
}
