/*
 * libxenevtchn.so.1 on the simulated Xen: Debian's ABI (VERS_1.0 to
 * VERS_1.2, tools/libs/evtchn/libxenevtchn.map), acting as domain
 * $SIMXEN_DOMID (default 0).  Errors: -1 with errno, as libxenevtchn.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include <stdint.h>

#include <xenevtchn.h>

#include "simxen.h"

struct xenevtchn_handle {
	struct simxen		*sx;
	struct simxen_evtchn	*e;
};

static int
fail(int err)
{
	errno = err;
	return -1;
}

static xenevtchn_handle *
evtchn_new(int fd, unsigned int flags)
{
	xenevtchn_handle *xce;
	uint32_t domid;
	int err, fl;

	if ((err = simxen_self_domid(&domid)) != 0)
		goto out;
	if ((xce = calloc(1, sizeof(*xce))) == NULL) {
		err = ENOMEM;
		goto out;
	}
	if ((err = simxen_open(&xce->sx)) != 0) {
		free(xce);
		goto out;
	}
	if (fd == -1)
		err = simxen_evtchn_open(xce->sx, domid, &xce->e);
	else
		err = simxen_evtchn_fdopen(xce->sx, domid, fd, &xce->e);
	if (err != 0) {
		simxen_close(xce->sx);
		free(xce);
		goto out;
	}
	if (flags & XENEVTCHN_NO_CLOEXEC) {
		fd = simxen_evtchn_fd(xce->e);
		if ((fl = fcntl(fd, F_GETFD)) != -1)
			(void)fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	return xce;
out:
	errno = err;
	return NULL;
}

xenevtchn_handle *
xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
	(void)logger;
	return evtchn_new(-1, flags);
}

xenevtchn_handle *
xenevtchn_fdopen(struct xentoollog_logger *logger, int fd,
    unsigned open_flags)
{
	(void)logger;
	if (open_flags & XENEVTCHN_NO_CLOEXEC) {
		errno = EINVAL;
		return NULL;
	}
	return evtchn_new(fd, 0);
}

int
xenevtchn_close(xenevtchn_handle *xce)
{
	if (xce == NULL)
		return 0;
	simxen_evtchn_close(xce->e);
	simxen_close(xce->sx);
	free(xce);
	return 0;
}

int
xenevtchn_fd(xenevtchn_handle *xce)
{
	return simxen_evtchn_fd(xce->e);
}

int
xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	int err = simxen_evtchn_notify(xce->e, port);

	return err ? fail(err) : 0;
}

xenevtchn_port_or_error_t
xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid)
{
	uint32_t port;
	int err = simxen_evtchn_alloc_unbound(xce->e, domid, &port);

	return err ? fail(err) : (int)port;
}

xenevtchn_port_or_error_t
xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
    evtchn_port_t remote_port)
{
	uint32_t port;
	int err = simxen_evtchn_bind_interdomain(xce->e, domid, remote_port,
	    &port);

	return err ? fail(err) : (int)port;
}

xenevtchn_port_or_error_t
xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	uint32_t port;
	int err = simxen_evtchn_bind_virq(xce->e, virq, &port);

	return err ? fail(err) : (int)port;
}

int
xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	int err = simxen_evtchn_unbind(xce->e, port);

	return err ? fail(err) : 0;
}

xenevtchn_port_or_error_t
xenevtchn_pending(xenevtchn_handle *xce)
{
	uint32_t port;
	int err = simxen_evtchn_pending(xce->e, &port);

	return err ? fail(err) : (int)port;
}

int
xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	int err = simxen_evtchn_unmask(xce->e, port);

	return err ? fail(err) : 0;
}

int
xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid)
{
	(void)xce;
	(void)domid;
	return fail(ENOSYS);
}
