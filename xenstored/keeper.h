/*
 * The keeper (--crash-restart): a small parent process that holds the
 * daemon's descriptors (listening socket, client sockets, event-channel
 * fd) so that they outlive a crash, and starts the daemon again from
 * its snapshot and journal (docs/crash-restart.md).
 */
#ifndef XSD_KEEPER_H
#define XSD_KEEPER_H

#include <stdbool.h>

/*
 * Fork the keeper.  Returns in the child, which goes on to be the
 * daemon; the parent never returns: it waits for the daemon, forwards
 * SIGTERM, SIGINT and SIGHUP to it, exits with its status when it ends
 * cleanly (exit 0), and otherwise execs argv again, in a new child,
 * with every descriptor it was given back at its number and
 * XENSTORED_RECOVER=1 in the environment.  Gives up (exit 1) when the
 * daemon dies 5 times in a row before keeper_ready().  Returns -1 with errno when the fork
 * or the socket pair fails (the caller then runs without a keeper).
 * The keeper closes every descriptor it inherited (daemonize()'s pipe,
 * a live update's sockets): it holds only what it is given.
 */
int	keeper_start(char **argv);

/*
 * In the daemon: the keeper's socket came in XENSTORED_KEEPER_FD (a
 * restart, or an exec by live update).  Returns 0, or ENOENT when
 * there is no keeper.
 */
int	keeper_attach(void);

/* The daemon serves (a death from now on is worth a restart). */
void	keeper_ready(void);

/* True when a keeper holds our descriptors. */
bool	keeper_present(void);

/*
 * Give the keeper a copy of fd, known by its number here.  Returns 0,
 * or an errno (the keeper is then gone: a crash will not be survived).
 * A no-op without a keeper.
 */
int	keeper_fd_add(int fd);

/* The keeper closes its copy of fd (before we close ours).  No-op without. */
void	keeper_fd_del(int fd);

/*
 * Before a live update to a binary that will not talk to the keeper
 * (not ours, or ours without --crash-restart): the keeper closes every
 * descriptor it holds (a copy would keep a client's socket open after
 * the new daemon closed it) and from then on, when the daemon ends,
 * exits with its status instead of restarting it.  Our end of the
 * keeper's socket is closed and XENSTORED_KEEPER_FD unset, so the new
 * binary inherits neither.  Returns 0 (also without a keeper), or the
 * errno of a failed send: the keeper then still holds everything.
 */
int	keeper_detach(void);

/*
 * The numbers of the descriptors the keeper handed back at this
 * restart (XENSTORED_KEEPER_FDS), in a new array on ctx, their count in
 * *n (0 and a NULL array when there are none).  NULL with *n 0 also for
 * ENOMEM; *oom then says so.
 */
int	*keeper_restart_fds(void *ctx, unsigned int *n, bool *oom);

#endif
