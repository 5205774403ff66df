/*
 * The event loop: a thin layer over libevent for file descriptors,
 * signals and "after this iteration" callbacks (deferred frees).
 */
#ifndef XSD_LOOP_H
#define XSD_LOOP_H

#include <stdbool.h>
#include <talloc.h>

struct loop_fd;

/* Create the loop.  Returns 0 or ENOMEM. */
int	loop_init(void);
/* Run until loop_exit(); returns 0, or EIO if libevent failed. */
int	loop_run(void);
/*
 * One iteration without blocking: the callbacks of whatever is ready now
 * (unit tests drive the loop with it).  Returns 0, or EIO.
 */
int	loop_run_once(void);
/* Make loop_run() return after the current iteration. */
void	loop_exit(void);
void	loop_fini(void);

/*
 * Watch fd for reading; cb(fd, writable, arg) is called with writable
 * false when fd is readable and true when it is writable (only while
 * write interest is on).  The handle is allocated on owner: freeing it
 * (or owner) stops watching; the fd itself is not closed.
 * Returns NULL for ENOMEM.
 */
struct loop_fd *loop_fd_add(TALLOC_CTX *owner, int fd,
	    void (*cb)(int fd, bool writable, void *arg), void *arg);
/* Turn read or write interest on or off.  Never fails. */
void	loop_fd_want_read(struct loop_fd *lf, bool on);
void	loop_fd_want_write(struct loop_fd *lf, bool on);

/*
 * Call fn(arg) once, after the callbacks of the current iteration have
 * run, so nothing is freed under a caller that is still using it.
 * Returns 0 or ENOMEM.
 */
int	loop_defer(void (*fn)(void *arg), void *arg);

struct loop_timer;

/*
 * A one-shot timer that calls fn(arg) from the loop once started; freed
 * (and stopped) with owner.  NULL: ENOMEM, or no loop (loop_init()).
 */
struct loop_timer *loop_timer_new(TALLOC_CTX *owner, void (*fn)(void *arg),
	    void *arg);
/* (Re)start t to fire once, ms milliseconds from now.  Never fails. */
void	loop_timer_start(struct loop_timer *t, unsigned int ms);

/* Run the queued deferred calls now (shutdown, before freeing). */
void	loop_run_deferred(void);

/* Call cb(signo, arg) from the loop when signo arrives.  0 or ENOMEM. */
int	loop_signal(int signo, void (*cb)(int signo, void *arg), void *arg);

#endif
