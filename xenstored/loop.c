/*
 * libevent glue.  One event base for the daemon; callbacks always run from
 * loop_run(), never from a signal handler.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <event2/event.h>

#include "log.h"
#include "loop.h"

struct loop_fd {
	int		 fd;
	struct event	*ev_read;
	struct event	*ev_write;
	void		(*cb)(int, bool, void *);
	void		*arg;
};

struct loop_sig {
	struct event	*ev;
	void		(*cb)(int, void *);
	void		*arg;
	struct loop_sig	*next;
};

static struct event_base	*base;
static struct loop_sig		*sigs;

struct deferred {
	void		(*fn)(void *);
	void		*arg;
	struct deferred	*next;
};

/* FIFO of deferred calls, run by one event made active on demand. */
static struct deferred	*defer_head, **defer_tail = &defer_head;
static struct event	*defer_ev;


struct loop_timer {
	struct event	*ev;
	void		(*fn)(void *);
	void		*arg;
};

static int
timer_destroy(struct loop_timer *t)
{
	event_free(t->ev);
	return 0;
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loop_timer *t = arg;

	(void)fd;
	(void)what;
	t->fn(t->arg);
}

struct loop_timer *
loop_timer_new(TALLOC_CTX *owner, void (*fn)(void *), void *arg)
{
	struct loop_timer *t;

	if (base == NULL || (t = talloc_zero(owner, struct loop_timer)) == NULL)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	if ((t->ev = evtimer_new(base, timer_cb, t)) == NULL) {
		talloc_free(t);
		return NULL;
	}
	talloc_set_destructor(t, timer_destroy);
	return t;
}

void
loop_timer_start(struct loop_timer *t, unsigned int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(t->ev, &tv);
}

int
loop_init(void)
{
	base = event_base_new();
	return base == NULL ? ENOMEM : 0;
}

int
loop_run(void)
{
	return event_base_dispatch(base) < 0 ? EIO : 0;
}

int
loop_run_once(void)
{
	return event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK) < 0 ?
	    EIO : 0;
}

void
loop_exit(void)
{
	event_base_loopbreak(base);
}

void
loop_fini(void)
{
	struct loop_sig *s;

	while ((s = sigs) != NULL) {
		sigs = s->next;
		event_free(s->ev);
		free(s);
	}
	loop_run_deferred();
	if (defer_ev != NULL)
		event_free(defer_ev);
	defer_ev = NULL;
	if (base != NULL)
		event_base_free(base);
	base = NULL;
}

static void
fd_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loop_fd *lf = arg;

	(void)what;
	lf->cb(fd, false, lf->arg);
}

static void
fd_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct loop_fd *lf = arg;

	(void)what;
	lf->cb(fd, true, lf->arg);
}

static int
loop_fd_destroy(struct loop_fd *lf)
{
	if (lf->ev_read != NULL)
		event_free(lf->ev_read);
	if (lf->ev_write != NULL)
		event_free(lf->ev_write);
	return 0;
}

struct loop_fd *
loop_fd_add(TALLOC_CTX *owner, int fd, void (*cb)(int, bool, void *),
    void *arg)
{
	struct loop_fd *lf;

	lf = talloc_zero(owner, struct loop_fd);
	if (lf == NULL)
		return NULL;
	lf->fd = fd;
	lf->cb = cb;
	lf->arg = arg;
	talloc_set_destructor(lf, loop_fd_destroy);
	lf->ev_read = event_new(base, fd, EV_READ | EV_PERSIST, fd_read_cb, lf);
	lf->ev_write = event_new(base, fd, EV_WRITE | EV_PERSIST, fd_write_cb,
	    lf);
	if (lf->ev_read == NULL || lf->ev_write == NULL ||
	    event_add(lf->ev_read, NULL) != 0) {
		talloc_free(lf);
		return NULL;
	}
	return lf;
}

void
loop_fd_want_read(struct loop_fd *lf, bool on)
{
	if (on)
		event_add(lf->ev_read, NULL);
	else
		event_del(lf->ev_read);
}

void
loop_fd_want_write(struct loop_fd *lf, bool on)
{
	if (on)
		event_add(lf->ev_write, NULL);
	else
		event_del(lf->ev_write);
}

static void
deferred_cb(evutil_socket_t fd, short what, void *arg)
{
	struct deferred *d;

	(void)fd;
	(void)what;
	(void)arg;
	/* Calls queued while running wait for the next round. */
	d = defer_head;
	defer_head = NULL;
	defer_tail = &defer_head;
	while (d != NULL) {
		struct deferred *next = d->next;

		d->fn(d->arg);
		free(d);
		d = next;
	}
}

void
loop_run_deferred(void)
{
	while (defer_head != NULL)
		deferred_cb(-1, 0, NULL);
}

int
loop_defer(void (*fn)(void *), void *arg)
{
	struct deferred *d;

	if (defer_ev == NULL &&
	    (defer_ev = event_new(base, -1, 0, deferred_cb, NULL)) == NULL)
		return ENOMEM;
	if ((d = malloc(sizeof(*d))) == NULL)
		return ENOMEM;
	d->fn = fn;
	d->arg = arg;
	d->next = NULL;
	if (defer_head == NULL)
		event_active(defer_ev, EV_TIMEOUT, 0);
	*defer_tail = d;
	defer_tail = &d->next;
	return 0;
}

static void
signal_cb(evutil_socket_t signo, short what, void *arg)
{
	struct loop_sig *s = arg;

	(void)what;
	s->cb(signo, s->arg);
}

int
loop_signal(int signo, void (*cb)(int, void *), void *arg)
{
	struct loop_sig *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ENOMEM;
	s->cb = cb;
	s->arg = arg;
	s->ev = evsignal_new(base, signo, signal_cb, s);
	if (s->ev == NULL || event_add(s->ev, NULL) != 0) {
		if (s->ev != NULL)
			event_free(s->ev);
		free(s);
		return ENOMEM;
	}
	s->next = sigs;
	sigs = s;
	return 0;
}
