/*
 * The Unix socket transport: dom0 tools connect here (libxenstore finds
 * it through XENSTORED_PATH / XENSTORED_RUNDIR).  Every socket client is
 * dom0, privileged.
 */
#ifndef XSD_CONN_SOCKET_H
#define XSD_CONN_SOCKET_H

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
 * daemon's is not: EADDRINUSE).  Each accepted client becomes a
 * connection of domid dom0_domid calling fn(arg) for every frame.  The
 * listener is allocated on ctx; freeing it closes and unlinks the socket.
 * Returns NULL with *err set (errno of the failing call, or ENOMEM).
 */
struct socket_listener *socket_listen(TALLOC_CTX *ctx, const char *path,
	    unsigned int dom0_domid, conn_frame_fn *fn, void *arg, int *err);

#endif
