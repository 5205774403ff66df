/*
 * libxs-stable handle: the grant-table and event-channel devices, the
 * store rings mapped through them and the ports bound on them.  The
 * handle records every ring and port it hands out, so xss_close() can
 * release all of them and the release calls can refuse what it does
 * not own.
 *
 * Stable interfaces only: libxengnttab (map the reserved grant ref
 * GNTTAB_RESERVED_XENSTORE of a domain), libxenevtchn, and Linux's
 * /proc/xen/xsd_kva + /proc/xen/xsd_port for dom0's own ring.
 */
#include "config.h"

#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xentoollog.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/grant_table.h>

#include "quiet.h"
#include "xs-stable.h"

/* Linux xenfs files for dom0's own ring (same paths as Xen's xenstored). */
#define XSD_KVA_PATH	"/proc/xen/xsd_kva"
#define XSD_PORT_PATH	"/proc/xen/xsd_port"

/* Domids at and above this are reserved (DOMID_FIRST_RESERVED, xen.h). */
#define XSS_DOMID_FIRST_RESERVED	0x7ff0u
/* The caller's own domain (DOMID_SELF, xen.h): accepted by bind. */
#define XSS_DOMID_SELF			0x7ff2u

struct xss_ring {
	void		*addr;
	size_t		 len;		/* bytes mapped */
	bool		 local;		/* munmap (xsd_kva), not gnttab */
};

struct xss_handle {
	/*
	 * Given to both libraries instead of NULL: their default logger
	 * writes to stderr, and this library never prints.  Must outlive
	 * both device handles, hence embedded here.
	 */
	struct xentoollog_logger quiet;
	xenevtchn_handle	*xce;
	xengnttab_handle	*xgt;
	struct xss_ring		*rings;
	size_t			 nrings, rings_cap;
	uint32_t		*ports;
	size_t			 nports, ports_cap;
};

/* errno after a failed library call; never 0, so callers see a failure. */
static int
failed_errno(void)
{
	return errno != 0 ? errno : EIO;
}

/* Make room for one more element of size sz in *arr (capacity *cap). */
static int
reserve(void **arr, size_t *cap, size_t n, size_t sz)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap == 0 ? 8 : *cap * 2;
	p = realloc(*arr, ncap * sz);
	if (p == NULL)
		return ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* xss_open() and xss_open_fd(): evtchn_fd -1 opens the device anew. */
static struct xss_handle *
open_handle(int evtchn_fd, int *err)
{
	struct xss_handle *h;
	int e, flags;

	if (evtchn_fd >= 0 && (flags = fcntl(evtchn_fd, F_GETFD)) < 0) {
		*err = EBADF;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		*err = ENOMEM;
		return NULL;
	}
	quiet_logger_init(&h->quiet);

	/*
	 * The event-channel device first: without it there is no Xen here
	 * and open(2) of /dev/xen/evtchn gives ENOENT, which we pass on.
	 */
	errno = 0;
	if (evtchn_fd < 0) {
		h->xce = xenevtchn_open(&h->quiet, 0);
	} else {
		/* Inherited without close-on-exec (its writer wanted it to
		 * survive one exec); ours from now on, as xenevtchn_open()'s
		 * own fds are. */
		(void)fcntl(evtchn_fd, F_SETFD, flags | FD_CLOEXEC);
		h->xce = xenevtchn_fdopen(&h->quiet, evtchn_fd, 0);
	}
	if (h->xce == NULL) {
		e = failed_errno();
		goto fail;
	}
	errno = 0;
	h->xgt = xengnttab_open(&h->quiet, 0);
	if (h->xgt == NULL) {
		e = failed_errno();
		goto fail;
	}
	return h;
fail:
	if (e == EPERM)
		e = EACCES;
	xss_close(h);
	*err = e;
	return NULL;
}

struct xss_handle *
xss_open(int *err)
{
	return open_handle(-1, err);
}

struct xss_handle *
xss_open_fd(int evtchn_fd, int *err)
{
	if (evtchn_fd < 0) {
		*err = EBADF;
		return NULL;
	}
	return open_handle(evtchn_fd, err);
}

void
xss_close(struct xss_handle *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nports; i++)
		(void)xenevtchn_unbind(h->xce, h->ports[i]);
	for (i = 0; i < h->nrings; i++) {
		if (h->rings[i].local)
			(void)munmap(h->rings[i].addr, h->rings[i].len);
		else
			(void)xengnttab_unmap(h->xgt, h->rings[i].addr, 1);
	}
	if (h->xgt != NULL)
		(void)xengnttab_close(h->xgt);
	if (h->xce != NULL)
		(void)xenevtchn_close(h->xce);
	free(h->rings);
	free(h->ports);
	free(h);
}

int
xss_evtchn_fd(const struct xss_handle *h)
{
	return xenevtchn_fd(h->xce);
}

/* Index of port in h->ports, or -1 when h did not bind it. */
static ssize_t
port_index(const struct xss_handle *h, uint32_t port)
{
	size_t i;

	for (i = 0; i < h->nports; i++)
		if (h->ports[i] == port)
			return (ssize_t)i;
	return -1;
}

int
xss_evtchn_bind(struct xss_handle *h, uint32_t domid, uint32_t remote_port,
    uint32_t *local_port)
{
	xenevtchn_port_or_error_t port;
	int e;

	if (domid >= XSS_DOMID_FIRST_RESERVED && domid != XSS_DOMID_SELF)
		return EINVAL;
	/* Room first, so a bound port is never lost for want of memory. */
	e = reserve((void **)&h->ports, &h->ports_cap, h->nports,
	    sizeof(*h->ports));
	if (e != 0)
		return e;
	errno = 0;
	port = xenevtchn_bind_interdomain(h->xce, domid, remote_port);
	if (port < 0)
		return failed_errno();
	h->ports[h->nports++] = (uint32_t)port;
	*local_port = (uint32_t)port;
	return 0;
}

int
xss_evtchn_adopt(struct xss_handle *h, uint32_t local_port)
{
	int e;

	if (port_index(h, local_port) >= 0)
		return EEXIST;
	e = reserve((void **)&h->ports, &h->ports_cap, h->nports,
	    sizeof(*h->ports));
	if (e != 0)
		return e;
	h->ports[h->nports++] = local_port;
	/*
	 * A daemon killed between taking an event and unmasking its port
	 * (xss_evtchn_pending()) left it masked: no event would come again.
	 * Unmasking a port that is not masked does nothing.
	 */
	(void)xenevtchn_unmask(h->xce, (evtchn_port_t)local_port);
	return 0;
}

int
xss_evtchn_unbind(struct xss_handle *h, uint32_t local_port)
{
	ssize_t i;
	int rc;

	i = port_index(h, local_port);
	if (i < 0)
		return EINVAL;
	/* Forget it whatever the device says: the port is gone for us. */
	h->ports[i] = h->ports[--h->nports];
	errno = 0;
	rc = xenevtchn_unbind(h->xce, local_port);
	return rc < 0 ? failed_errno() : 0;
}

int
xss_evtchn_notify(struct xss_handle *h, uint32_t local_port)
{
	if (port_index(h, local_port) < 0)
		return EINVAL;
	errno = 0;
	if (xenevtchn_notify(h->xce, local_port) < 0)
		return failed_errno();
	return 0;
}

int
xss_evtchn_pending(struct xss_handle *h, uint32_t *port)
{
	struct pollfd pfd;
	xenevtchn_port_or_error_t p;
	int n;

	/*
	 * The device fd is blocking: look before reading so "nothing
	 * fired" is EAGAIN, not a hang.
	 */
	pfd.fd = xenevtchn_fd(h->xce);
	pfd.events = POLLIN;
	pfd.revents = 0;
	do {
		n = poll(&pfd, 1, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return failed_errno();
	if (n == 0 || (pfd.revents & POLLIN) == 0)
		return (pfd.revents & (POLLERR | POLLNVAL)) != 0 ? EIO : EAGAIN;
	errno = 0;
	p = xenevtchn_pending(h->xce);
	if (p < 0)
		return failed_errno();
	*port = (uint32_t)p;
	/* Unmask now: an event after this point fires again. */
	errno = 0;
	if (xenevtchn_unmask(h->xce, (evtchn_port_t)p) < 0)
		return failed_errno();
	return 0;
}

/* Index of ring in h->rings, or -1 when h did not map it. */
static ssize_t
ring_index(const struct xss_handle *h, const void *ring)
{
	size_t i;

	if (ring == NULL)
		return -1;
	for (i = 0; i < h->nrings; i++)
		if (h->rings[i].addr == ring)
			return (ssize_t)i;
	return -1;
}

void *
xss_ring_map(struct xss_handle *h, uint32_t domid, int *err)
{
	void *addr;
	int e;

	if (domid >= XSS_DOMID_FIRST_RESERVED) {
		*err = EINVAL;
		return NULL;
	}
	e = reserve((void **)&h->rings, &h->rings_cap, h->nrings,
	    sizeof(*h->rings));
	if (e != 0) {
		*err = e;
		return NULL;
	}
	errno = 0;
	addr = xengnttab_map_grant_ref(h->xgt, domid, GNTTAB_RESERVED_XENSTORE,
	    PROT_READ | PROT_WRITE);
	if (addr == NULL) {
		*err = failed_errno();
		return NULL;
	}
	h->rings[h->nrings].addr = addr;
	h->rings[h->nrings].len = XSS_RING_SIZE;
	h->rings[h->nrings].local = false;
	h->nrings++;
	return addr;
}

/*
 * Read the decimal port in XSD_PORT_PATH.  Returns 0, ENOENT, EINVAL (not
 * a number that fits a port) or the errno of open/read.
 */
static int
read_local_port(uint32_t *port)
{
	char buf[24], *end;
	unsigned long v;
	ssize_t n;
	int fd, e;

	fd = open(XSD_PORT_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return failed_errno();
	do {
		n = read(fd, buf, sizeof(buf) - 1);
	} while (n < 0 && errno == EINTR);
	e = n < 0 ? failed_errno() : 0;
	(void)close(fd);
	if (e != 0)
		return e;
	buf[n] = '\0';
	if (n == 0 || buf[0] < '0' || buf[0] > '9')
		return EINVAL;
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno != 0 || v > UINT32_MAX)
		return EINVAL;
	while (*end == '\n' || *end == ' ')
		end++;
	if (*end != '\0')
		return EINVAL;
	*port = (uint32_t)v;
	return 0;
}

void *
xss_ring_map_local(struct xss_handle *h, uint32_t *remote_port, int *err)
{
	void *addr;
	size_t len;
	long pg;
	int fd, e;

	e = reserve((void **)&h->rings, &h->rings_cap, h->nrings,
	    sizeof(*h->rings));
	if (e == 0)
		e = read_local_port(remote_port);
	if (e != 0) {
		*err = e;
		return NULL;
	}
	/* The kernel hands out whole pages; map at least one. */
	pg = sysconf(_SC_PAGESIZE);
	len = pg > (long)XSS_RING_SIZE ? (size_t)pg : XSS_RING_SIZE;
	fd = open(XSD_KVA_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		*err = failed_errno();
		return NULL;
	}
	addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	e = addr == MAP_FAILED ? failed_errno() : 0;
	(void)close(fd);
	if (e != 0) {
		*err = e;
		return NULL;
	}
	h->rings[h->nrings].addr = addr;
	h->rings[h->nrings].len = len;
	h->rings[h->nrings].local = true;
	h->nrings++;
	return addr;
}

int
xss_ring_unmap(struct xss_handle *h, void *ring)
{
	struct xss_ring r;
	ssize_t i;
	int rc;

	i = ring_index(h, ring);
	if (i < 0)
		return EINVAL;
	r = h->rings[i];
	h->rings[i] = h->rings[--h->nrings];
	errno = 0;
	if (r.local)
		rc = munmap(r.addr, r.len);
	else
		rc = xengnttab_unmap(h->xgt, r.addr, 1);
	return rc < 0 ? failed_errno() : 0;
}
