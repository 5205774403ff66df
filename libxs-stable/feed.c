/*
 * libxs-stable domain-state feed: (domid, state) changes from every
 * source the host has, behind one pollable fd.
 *
 * The fd is an epoll set holding an eventfd and each datagram socket,
 * all level-triggered, so it polls readable exactly while a member does:
 * the eventfd is kept non-zero while events wait in process (the push
 * queue, or a record already taken off a socket), and a socket is
 * readable while the kernel holds records for it.  Nobody calls
 * epoll_wait() on the set; xss_feed_next() just tries each member.
 *
 * Order: each event carries a CLOCK_REALTIME stamp, taken at push for
 * in-process events and by the kernel at send for datagrams
 * (SO_TIMESTAMPNS), and xss_feed_next() returns the oldest of the queue
 * head and one look-ahead record per socket.  Within a source the order
 * is the source's own.  Memory stays bounded by what was pushed plus one
 * record per socket: sockets are read only as the caller drains them.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xs-stable.h"

/* Domids at and above this are reserved (DOMID_FIRST_RESERVED, xen.h). */
#define FEED_DOMID_FIRST_RESERVED	0x7ff0u

/* Malformed datagrams skipped per socket per xss_feed_next() call: bounds
 * the work one call does when a peer floods junk. */
#define FEED_DROP_BUDGET	256

struct feed_item {
	struct xss_domain_event	ev;
	uint64_t		stamp;	/* ns since the epoch */
};

struct feed_source {
	int			fd;
	char			*path;	/* socket file we bound, to unlink */
	dev_t			dev;	/* identity of that file, so we only */
	ino_t			ino;	/* unlink it if it is still ours */
	bool			have;	/* look holds a record */
	struct feed_item	look;
};

struct xss_feed {
	int			epfd;
	int			evfd;
	bool			armed;	/* evfd counter is non-zero */
	struct feed_item	*q;	/* ring buffer of pushed events */
	size_t			qhead, qlen, qcap;
	struct feed_source	*src;
	size_t			nsrc, srccap;
	size_t			nlook;	/* sources with have == true */
	unsigned long		dropped;
};

static bool
event_valid(const struct xss_domain_event *ev)
{
	return ev->state <= XSS_DOMAIN_DEAD &&
	    ev->domid < FEED_DOMID_FIRST_RESERVED;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Make the eventfd's readiness match "something is waiting in process".
 * write/read of an eventfd we own cannot fail here (the counter is only
 * ever 0 or 1), so their results are not checked.
 */
static void
sync_eventfd(struct xss_feed *f)
{
	bool want = f->qlen > 0 || f->nlook > 0;
	uint64_t v = 1;

	if (want && !f->armed) {
		if (write(f->evfd, &v, sizeof(v)) == (ssize_t)sizeof(v))
			f->armed = true;
	} else if (!want && f->armed) {
		if (read(f->evfd, &v, sizeof(v)) == (ssize_t)sizeof(v))
			f->armed = false;
	}
}

struct xss_feed *
xss_feed_new(int *err)
{
	struct epoll_event ee;
	struct xss_feed *f;
	int e;

	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		*err = ENOMEM;
		return NULL;
	}
	f->evfd = -1;
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (f->epfd < 0)
		goto fail;
	f->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (f->evfd < 0)
		goto fail;
	memset(&ee, 0, sizeof(ee));
	ee.events = EPOLLIN;
	ee.data.fd = f->evfd;
	if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, f->evfd, &ee) < 0)
		goto fail;
	return f;
fail:
	e = errno != 0 ? errno : EIO;
	xss_feed_free(f);
	*err = e;
	return NULL;
}

void
xss_feed_free(struct xss_feed *f)
{
	struct feed_source *s;
	struct stat st;
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nsrc; i++) {
		s = &f->src[i];
		(void)close(s->fd);
		/* Unlink only our own file: another feed may have replaced it. */
		if (lstat(s->path, &st) == 0 && st.st_dev == s->dev &&
		    st.st_ino == s->ino)
			(void)unlink(s->path);
		free(s->path);
	}
	if (f->evfd >= 0)
		(void)close(f->evfd);
	if (f->epfd >= 0)
		(void)close(f->epfd);
	free(f->src);
	free(f->q);
	free(f);
}

int
xss_feed_fd(const struct xss_feed *f)
{
	return f->epfd;
}

int
xss_feed_push(struct xss_feed *f, const struct xss_domain_event *ev)
{
	struct feed_item *nq;
	size_t i, ncap;

	if (ev == NULL || !event_valid(ev))
		return EINVAL;
	if (f->qlen == f->qcap) {
		/* Grow and unwrap the ring into the new array. */
		ncap = f->qcap == 0 ? 16 : f->qcap * 2;
		nq = malloc(ncap * sizeof(*nq));
		if (nq == NULL)
			return ENOMEM;
		for (i = 0; i < f->qlen; i++)
			nq[i] = f->q[(f->qhead + i) % f->qcap];
		free(f->q);
		f->q = nq;
		f->qcap = ncap;
		f->qhead = 0;
	}
	f->q[(f->qhead + f->qlen) % f->qcap].ev = *ev;
	f->q[(f->qhead + f->qlen) % f->qcap].stamp = now_ns();
	f->qlen++;
	sync_eventfd(f);
	return 0;
}

/*
 * Answer whether a socket file at path has a live peer: 0 stale (safe to
 * unlink), EEXIST live or not a socket, or another errno when we cannot
 * tell (e.g. EACCES).
 */
static int
probe_socket(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc, e;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : errno;
	if (!S_ISSOCK(st.st_mode))
		return EEXIST;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	e = rc < 0 ? errno : 0;
	(void)close(fd);
	switch (e) {
	case ECONNREFUSED:	/* a socket file nobody has bound */
	case ENOENT:		/* gone meanwhile */
		return 0;
	case 0:			/* a datagram socket is bound there */
	case EPROTOTYPE:	/* a stream socket is bound there */
		return EEXIST;
	default:
		return e;
	}
}

int
xss_feed_add_socket(struct xss_feed *f, const char *path)
{
	struct feed_source *s, *ns;
	struct sockaddr_un sun;
	struct epoll_event ee;
	struct stat st;
	size_t ncap;
	int fd, on = 1, e;

	if (path == NULL || path[0] == '\0' ||
	    strlen(path) >= sizeof(sun.sun_path))
		return EINVAL;
	if (f->nsrc == f->srccap) {
		ncap = f->srccap == 0 ? 4 : f->srccap * 2;
		ns = realloc(f->src, ncap * sizeof(*ns));
		if (ns == NULL)
			return ENOMEM;
		f->src = ns;
		f->srccap = ncap;
	}
	s = &f->src[f->nsrc];
	memset(s, 0, sizeof(*s));
	s->path = strdup(path);
	if (s->path == NULL)
		return ENOMEM;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		free(s->path);
		return e;
	}
	/* Kernel send-time stamps order records against pushed events;
	 * without them we stamp at receive, which is merely later. */
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));

	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		e = errno;
		if (e != EADDRINUSE)
			goto fail;
		e = probe_socket(&sun);
		if (e != 0)
			goto fail;
		if (unlink(path) < 0 && errno != ENOENT) {
			e = errno;
			goto fail;
		}
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			/* Someone bound it between our unlink and bind. */
			e = errno == EADDRINUSE ? EEXIST : errno;
			goto fail;
		}
	}
	/*
	 * bind(2) honours the umask only; narrow to the owner.  Keep the
	 * directory private too: a peer that connects before this chmod
	 * may still send.
	 */
	if (chmod(path, 0600) < 0 || lstat(path, &st) < 0) {
		e = errno;
		(void)unlink(path);
		goto fail;
	}
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	memset(&ee, 0, sizeof(ee));
	ee.events = EPOLLIN;
	ee.data.fd = fd;
	if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, fd, &ee) < 0) {
		e = errno;
		(void)unlink(path);
		goto fail;
	}
	s->fd = fd;
	f->nsrc++;
	return 0;
fail:
	(void)close(fd);
	free(s->path);
	return e;
}

/*
 * Take the next valid record off s into s->look, if one is waiting.
 * Malformed records (not exactly 12 bytes, bad state or domid) are
 * dropped and counted; at most FEED_DROP_BUDGET of them per call.
 */
static void
source_fill(struct xss_feed *f, struct feed_source *s)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(struct timespec))];
	} cmsg;
	struct xss_domain_event ev;
	unsigned char buf[sizeof(ev) + 1];	/* +1 to see oversize ones */
	struct timespec ts;
	struct cmsghdr *c;
	struct msghdr msg;
	struct iovec iov;
	uint64_t stamp;
	ssize_t n;
	int budget;

	for (budget = FEED_DROP_BUDGET; budget > 0 && !s->have;) {
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cmsg.buf;
		msg.msg_controllen = sizeof(cmsg.buf);
		n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;		/* EAGAIN: empty; else retry later */
		}
		if ((size_t)n != sizeof(ev) || (msg.msg_flags & MSG_TRUNC)) {
			f->dropped++;
			budget--;
			continue;
		}
		memcpy(&ev, buf, sizeof(ev));
		if (!event_valid(&ev)) {
			f->dropped++;
			budget--;
			continue;
		}
		stamp = 0;
		for (c = CMSG_FIRSTHDR(&msg); c != NULL;
		    c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_TIMESTAMPNS &&
			    c->cmsg_len >= CMSG_LEN(sizeof(ts))) {
				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				stamp = (uint64_t)ts.tv_sec * 1000000000u +
				    (uint64_t)ts.tv_nsec;
			}
		}
		s->look.ev = ev;
		s->look.stamp = stamp != 0 ? stamp : now_ns();
		s->have = true;
		f->nlook++;
	}
}

int
xss_feed_next(struct xss_feed *f, struct xss_domain_event *ev)
{
	const struct feed_item *best = NULL;
	struct feed_source *bsrc = NULL;
	size_t i;

	for (i = 0; i < f->nsrc; i++)
		if (!f->src[i].have)
			source_fill(f, &f->src[i]);
	if (f->qlen > 0)
		best = &f->q[f->qhead];
	for (i = 0; i < f->nsrc; i++) {
		if (f->src[i].have &&
		    (best == NULL || f->src[i].look.stamp < best->stamp)) {
			best = &f->src[i].look;
			bsrc = &f->src[i];
		}
	}
	if (best == NULL) {
		sync_eventfd(f);
		return EAGAIN;
	}
	*ev = best->ev;
	if (bsrc != NULL) {
		bsrc->have = false;
		f->nlook--;
	} else {
		f->qhead = (f->qhead + 1) % f->qcap;
		f->qlen--;
	}
	sync_eventfd(f);
	return 0;
}

unsigned long
xss_feed_dropped(const struct xss_feed *f)
{
	return f->dropped;
}

const char *
xss_domain_state_name(uint32_t state)
{
	switch (state) {
	case XSS_DOMAIN_RUNNING:
		return "running";
	case XSS_DOMAIN_SHUTDOWN:
		return "shutdown";
	case XSS_DOMAIN_DYING:
		return "dying";
	case XSS_DOMAIN_DEAD:
		return "dead";
	default:
		return "?";
	}
}
