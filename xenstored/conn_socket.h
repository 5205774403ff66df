/*
 * The Unix socket transport: dom0 tools connect here (libxenstore finds
 * it through XENSTORED_PATH / XENSTORED_RUNDIR).  Every socket client is
 * dom0, privileged.
 */
#ifndef XSD_CONN_SOCKET_H
#define XSD_CONN_SOCKET_H

#include <stdbool.h>
#include <talloc.h>

#include "conn.h"

struct socket_listener;

/*
 * The socket path libxenstore uses: $XENSTORED_PATH, else
 * $XENSTORED_RUNDIR/socket, else /run/xenstored/socket.  Allocated on ctx;
 * NULL: ENOMEM.
 */
char	*socket_default_path(TALLOC_CTX *ctx);

/*
 * Listen at path (mode 0600; a stale socket file is replaced, a live
 * daemon's is not: EADDRINUSE).  path appears only once the socket
 * listens (bound as path.PID, then renamed).  Each accepted client becomes a
 * connection of domid dom0_domid calling fn(arg) for every frame.  The
 * listener is allocated on ctx; freeing it closes and unlinks the socket.
 * Returns NULL with *err set (errno of the failing call, or ENOMEM).
 */
struct socket_listener *socket_listen(TALLOC_CTX *ctx, const char *path,
	    unsigned int dom0_domid, conn_frame_fn *fn, void *arg, int *err);

/*
 * A live update (docs/migration-stream.md): take over the listening
 * socket fd at path that the daemon this one replaces left open across
 * its exec (GLOBAL socket-fd), as socket_listen() would have made it;
 * the socket is not bound again and path not unlinked until the
 * listener is freed.  NULL with *err: ENOTSOCK, EINVAL (not listening),
 * ENOMEM, or the errno of fstat/fcntl; the fd is then still the
 * caller's.
 */
struct socket_listener *socket_adopt_listener(TALLOC_CTX *ctx, int fd,
	    const char *path, unsigned int dom0_domid, conn_frame_fn *fn,
	    void *arg, int *err);

/*
 * The same for one of its connected clients (CONN socket-fd): a
 * connection of l, as if l had accepted fd.  NULL with *err: ENOTSOCK,
 * EINVAL (a listening socket), ENOMEM (fd closed), or the errno of
 * fstat/fcntl (fd still the caller's).
 */
struct connection *socket_adopt_conn(struct socket_listener *l, int fd,
	    int *err);

/*
 * For a live update's records (state.c): the listening socket's fd, and
 * fn for each client connection not closing, with its socket's fd.
 * Returns 0 or fn's first non-zero result.
 */
int	socket_listener_fd(const struct socket_listener *l);
typedef int socket_conn_fn(int fd, struct connection *conn, void *arg);
int	socket_foreach_conn(struct socket_listener *l, socket_conn_fn *fn,
	    void *arg);

/*
 * keep: make the listening and every client socket survive an exec
 * (not close-on-exec) and blocking, as Xen's C xenstored made them;
 * !keep: back as this daemon uses them.  Returns 0 or the first errno
 * of fcntl (the others are still tried).
 */
int	socket_keep_across_exec(struct socket_listener *l, bool keep);

#endif
