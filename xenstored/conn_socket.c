/*
 * Unix socket transport: listen, accept, non-blocking read and write.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "conn_socket.h"
#include "journal.h"
#include "keeper.h"
#include "log.h"
#include "loop.h"

struct socket_listener {
	int		 fd;
	char		*path;
	unsigned int	 domid;
	conn_frame_fn	*fn;
	void		*arg;
	struct loop_fd	*lf;
	TALLOC_CTX	*conn_ctx;
	struct sock_conn *conns;	/* for a live update's records */
};

struct sock_conn {
	int			 fd;
	struct loop_fd		*lf;
	struct connection	*conn;
	struct socket_listener	*l;
	struct sock_conn	*prev, *next;
};

char *
socket_default_path(TALLOC_CTX *ctx)
{
	const char *s;

	if ((s = getenv("XENSTORED_PATH")) != NULL && *s != '\0')
		return talloc_strdup(ctx, s);
	if ((s = getenv("XENSTORED_RUNDIR")) != NULL && *s != '\0')
		return talloc_asprintf(ctx, "%s/socket", s);
	return talloc_strdup(ctx, "/run/xenstored/socket");
}

static ssize_t
sock_read(void *priv, void *buf, size_t len, int *err)
{
	struct sock_conn *sc = priv;
	ssize_t n;

	n = read(sc->fd, buf, len);
	if (n > 0)
		return n;
	if (n == 0) {
		*err = 0;
		return -1;
	}
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	*err = errno;
	return -1;
}

static ssize_t
sock_write(void *priv, const void *buf, size_t len, int *err)
{
	struct sock_conn *sc = priv;
	ssize_t n;

	n = send(sc->fd, buf, len, MSG_NOSIGNAL);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	*err = errno;
	return -1;
}

static void
sock_want_write(void *priv, bool on)
{
	struct sock_conn *sc = priv;

	loop_fd_want_write(sc->lf, on);
}

static void
sock_stop_read(void *priv)
{
	struct sock_conn *sc = priv;

	loop_fd_want_read(sc->lf, false);
}

static void
sock_pause_read(void *priv, bool on)
{
	struct sock_conn *sc = priv;

	loop_fd_want_read(sc->lf, !on);
}

static void
sock_busy(void *priv, bool busy)
{
	struct sock_conn *sc = priv;

	journal_socket_busy(sc->fd, busy);
}

static const struct conn_transport sock_transport = {
	.name = "socket",
	.read = sock_read,
	.write = sock_write,
	.want_write = sock_want_write,
	.stop_read = sock_stop_read,
	.pause_read = sock_pause_read,
	.busy = sock_busy,
};

static int
sock_conn_destroy(struct sock_conn *sc)
{
	if (sc->l != NULL) {
		if (sc->prev != NULL)
			sc->prev->next = sc->next;
		else
			sc->l->conns = sc->next;
		if (sc->next != NULL)
			sc->next->prev = sc->prev;
	}
	/* Stop polling before the descriptor number can be reused. */
	TALLOC_FREE(sc->lf);
	journal_socket_busy(sc->fd, false);
	keeper_fd_del(sc->fd);
	close(sc->fd);
	return 0;
}

static void
sock_event(int fd, bool writable, void *arg)
{
	struct sock_conn *sc = arg;

	(void)fd;
	if (writable)
		conn_output(sc->conn);
	else
		conn_input(sc->conn);
}

/* A connection of l on the connected socket cfd, which it then owns
 * (closed on failure too).  NULL: ENOMEM. */
static struct connection *
new_sock_conn(struct socket_listener *l, int cfd)
{
	struct sock_conn *sc;

	sc = talloc_zero(NULL, struct sock_conn);
	if (sc == NULL) {
		close(cfd);
		return NULL;
	}
	sc->fd = cfd;
	talloc_set_destructor(sc, sock_conn_destroy);
	sc->conn = conn_new(l->conn_ctx, &sock_transport, sc, l->domid, true,
	    l->fn, l->arg);
	if (sc->conn == NULL) {
		talloc_free(sc);
		return NULL;
	}
	sc->lf = loop_fd_add(sc, cfd, sock_event, sc);
	if (sc->lf == NULL) {
		talloc_free(sc->conn);
		return NULL;
	}
	sc->l = l;
	sc->next = l->conns;
	if (l->conns != NULL)
		l->conns->prev = sc;
	l->conns = sc;
	return sc->conn;
}

int
socket_listener_fd(const struct socket_listener *l)
{
	return l->fd;
}

int
socket_foreach_conn(struct socket_listener *l, socket_conn_fn *fn,
    void *arg)
{
	struct sock_conn *sc;
	int err;

	for (sc = l->conns; sc != NULL; sc = sc->next)
		if (!conn_closing(sc->conn) &&
		    (err = fn(sc->fd, sc->conn, arg)) != 0)
			return err;
	return 0;
}

/* fd as a program exec'd next finds it (keep), or as we use it. */
static int
keep_fd(int fd, bool keep)
{
	int fl, fd_fl;

	if ((fl = fcntl(fd, F_GETFL)) < 0 || (fd_fl = fcntl(fd, F_GETFD)) < 0)
		return errno;
	if (keep) {
		fl &= ~O_NONBLOCK;
		fd_fl &= ~FD_CLOEXEC;
	} else {
		fl |= O_NONBLOCK;
		fd_fl |= FD_CLOEXEC;
	}
	if (fcntl(fd, F_SETFL, fl) != 0 || fcntl(fd, F_SETFD, fd_fl) != 0)
		return errno;
	return 0;
}

int
socket_keep_across_exec(struct socket_listener *l, bool keep)
{
	struct sock_conn *sc;
	int err, first = 0;

	if ((err = keep_fd(l->fd, keep)) != 0)
		first = err;
	for (sc = l->conns; sc != NULL; sc = sc->next)
		if ((err = keep_fd(sc->fd, keep)) != 0 && first == 0)
			first = err;
	return first;
}

static void
accept_event(int fd, bool writable, void *arg)
{
	struct socket_listener *l = arg;
	struct connection *conn;
	int cfd;

	(void)writable;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("accept");
		return;
	}
	/* The keeper's copy first: a crash then leaves it with the keeper. */
	if (keeper_fd_add(cfd) != 0) {
		close(cfd);
		return;
	}
	if ((conn = new_sock_conn(l, cfd)) == NULL)
		log_warnx("accept: out of memory");
	else
		journal_conn_socket(conn, cfd);
}

/*
 * An inherited descriptor made ours: a socket (listening or not, as
 * want_listening says), then non-blocking and close-on-exec, which the
 * daemon it came from need not have set.  0 or an errno.
 */
static int
adopt_fd(int fd, bool want_listening)
{
	struct stat st;
	int listening = 0;
	socklen_t len = sizeof(listening);

	if (fstat(fd, &st) != 0)
		return errno;
	if (!S_ISSOCK(st.st_mode))
		return ENOTSOCK;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0)
		return errno;
	if ((listening != 0) != want_listening)
		return EINVAL;
	return keep_fd(fd, false);
}

struct connection *
socket_adopt_conn(struct socket_listener *l, int fd, int *err)
{
	struct connection *conn;

	if ((*err = adopt_fd(fd, false)) != 0)
		return NULL;
	/* A live update into --crash-restart: the keeper has not seen it. */
	if ((*err = keeper_fd_add(fd)) != 0)
		return NULL;
	if ((conn = new_sock_conn(l, fd)) == NULL)
		*err = ENOMEM;
	return conn;
}

static int
listener_destroy(struct socket_listener *l)
{
	TALLOC_FREE(l->lf);
	if (l->fd >= 0) {
		close(l->fd);
		unlink(l->path);
	}
	return 0;
}

/* Is a daemon answering at path?  Then we must not take it over. */
static bool
socket_in_use(const struct sockaddr_un *sun)
{
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	return rc == 0;
}

/* A listener at path with no socket yet (fd -1).  NULL: ENOMEM. */
static struct socket_listener *
new_listener(TALLOC_CTX *ctx, const char *path, unsigned int dom0_domid,
    conn_frame_fn *fn, void *arg)
{
	struct socket_listener *l;

	l = talloc_zero(ctx, struct socket_listener);
	if (l == NULL || (l->path = talloc_strdup(l, path)) == NULL ||
	    (l->conn_ctx = talloc_named_const(l, 0, "connections")) == NULL) {
		talloc_free(l);
		return NULL;
	}
	l->domid = dom0_domid;
	l->fn = fn;
	l->arg = arg;
	l->fd = -1;
	return l;
}

struct socket_listener *
socket_adopt_listener(TALLOC_CTX *ctx, int fd, const char *path,
    unsigned int dom0_domid, conn_frame_fn *fn, void *arg, int *err)
{
	struct socket_listener *l;

	if ((*err = adopt_fd(fd, true)) != 0)
		return NULL;
	if ((l = new_listener(ctx, path, dom0_domid, fn, arg)) == NULL) {
		*err = ENOMEM;
		return NULL;
	}
	l->fd = fd;
	talloc_set_destructor(l, listener_destroy);
	if ((l->lf = loop_fd_add(l, l->fd, accept_event, l)) == NULL) {
		/* The fd stays with the caller, the path in place. */
		l->fd = -1;
		talloc_free(l);
		*err = ENOMEM;
		return NULL;
	}
	return l;
}

struct socket_listener *
socket_listen(TALLOC_CTX *ctx, const char *path, unsigned int dom0_domid,
    conn_frame_fn *fn, void *arg, int *err)
{
	struct socket_listener *l;
	struct sockaddr_un sun, tmp;
	mode_t old;

	memset(&sun, 0, sizeof(sun));
	memset(&tmp, 0, sizeof(tmp));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		*err = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sun.sun_path, path);
	if (socket_in_use(&sun)) {
		*err = EADDRINUSE;
		return NULL;
	}
	if ((l = new_listener(ctx, path, dom0_domid, fn, arg)) == NULL) {
		*err = ENOMEM;
		return NULL;
	}
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		*err = errno;
		talloc_free(l);
		return NULL;
	}
	/* Bound at a name of its own, listening, then renamed into place:
	 * a client that finds path can connect (no window between bind
	 * and listen where connect(2) is refused), and a failure leaves
	 * whatever was at path. */
	if ((size_t)snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%ld",
	    path, (long)getpid()) >= sizeof(tmp.sun_path))
		tmp = sun;
	else
		tmp.sun_family = AF_UNIX;
	unlink(tmp.sun_path);
	/* Created 0600 from the start: no window with looser modes. */
	old = umask(0177);
	if (bind(l->fd, (struct sockaddr *)&tmp, sizeof(tmp)) != 0) {
		*err = errno;
		umask(old);
		close(l->fd);
		l->fd = -1;
		talloc_free(l);
		return NULL;
	}
	umask(old);
	if (listen(l->fd, 128) != 0 ||
	    (strcmp(tmp.sun_path, path) != 0 &&
	    rename(tmp.sun_path, path) != 0)) {
		*err = errno;
		unlink(tmp.sun_path);
		close(l->fd);
		l->fd = -1;
		talloc_free(l);
		return NULL;
	}
	talloc_set_destructor(l, listener_destroy);
	if ((l->lf = loop_fd_add(l, l->fd, accept_event, l)) == NULL) {
		*err = ENOMEM;
		talloc_free(l);
		return NULL;
	}
	return l;
}
