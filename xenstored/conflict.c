/*
 * Conflict credit (conflict.h).  Only domains below full credit have an
 * entry; one timer serves them all: it fires when the next throttled
 * domain has a credit again, and then frees the entries back at full
 * credit.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include <talloc.h>

#include "conflict.h"
#include "hash.h"
#include "log.h"
#include "loop.h"

struct credit {
	unsigned int	 domid;
	double		 credit;
	uint64_t	 at_ms;		/* when credit was last brought up */
	bool		 throttled;
	UT_hash_handle	 hh;
};

struct commit {
	uint64_t	 first, last;
	unsigned int	 domid;
};

static struct {
	void		(*throttle)(unsigned int, bool);
	struct credit	*credits;
	TALLOC_CTX	*ctx;
	struct loop_timer *timer;
	struct commit	 history[CONFLICT_HISTORY];
	unsigned int	 next;		/* next slot of history */
} C;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Bring c's credit up to now. */
static void
regain(struct credit *c, uint64_t now)
{
	c->credit += (double)(now - c->at_ms) * CONFLICT_RATE / 1000;
	if (c->credit > CONFLICT_BURST)
		c->credit = CONFLICT_BURST;
	c->at_ms = now;
}

static void	timer_fired(void *arg);

/* Arm the timer for the first throttled domain to regain a credit. */
static void
arm(uint64_t now)
{
	struct credit *c, *tmp;
	double wait, soonest = -1;

	(void)now;
	HASH_ITER(hh, C.credits, c, tmp) {
		/* Throttled: until credit 1; else until full, to free it. */
		wait = ((c->throttled ? 1 : CONFLICT_BURST) - c->credit) *
		    1000 / CONFLICT_RATE;
		if (soonest < 0 || wait < soonest)
			soonest = wait;
	}
	if (soonest < 0 || C.timer == NULL)
		return;
	loop_timer_start(C.timer, soonest < 1 ? 1 : (unsigned int)soonest + 1);
}

static void
timer_fired(void *arg)
{
	struct credit *c, *tmp;
	uint64_t now = now_ms();

	(void)arg;
	HASH_ITER(hh, C.credits, c, tmp) {
		regain(c, now);
		if (c->throttled && c->credit >= 1) {
			c->throttled = false;
			log_info("domid %u: conflict credit back: served again",
			    c->domid);
			C.throttle(c->domid, false);
		}
		if (!c->throttled && c->credit >= CONFLICT_BURST) {
			HASH_DEL(C.credits, c);
			talloc_free(c);
		}
	}
	arm(now);
}

void
conflict_init(void (*throttle)(unsigned int, bool))
{
	conflict_fini();
	C.throttle = throttle;
	C.ctx = talloc_named_const(NULL, 0, "conflict credit");
}

void
conflict_fini(void)
{
	HASH_CLEAR(hh, C.credits);
	TALLOC_FREE(C.ctx);
	memset(&C, 0, sizeof(C));
}

void
conflict_record(uint64_t first, uint64_t last, unsigned int domid)
{
	C.history[C.next].first = first;
	C.history[C.next].last = last;
	C.history[C.next].domid = domid;
	C.next = (C.next + 1) % CONFLICT_HISTORY;
}

static struct credit *
find(unsigned int domid)
{
	struct credit *c;

	HASH_FIND_INT(C.credits, &domid, c);
	return c;
}

int
conflict_blame(uint64_t gen, unsigned int victim)
{
	struct credit *c;
	unsigned int i, domid;
	uint64_t now;

	for (i = 0; i < CONFLICT_HISTORY; i++)
		if (C.history[i].first != 0 && C.history[i].first <= gen &&
		    gen <= C.history[i].last)
			break;
	if (i == CONFLICT_HISTORY || (domid = C.history[i].domid) == victim)
		return -1;
	now = now_ms();
	if ((c = find(domid)) == NULL) {
		/* Out of memory: no entry, no throttling; blame is lost. */
		if (C.ctx == NULL ||
		    (c = talloc_zero(C.ctx, struct credit)) == NULL)
			return -1;
		c->domid = domid;
		c->credit = CONFLICT_BURST;
		c->at_ms = now;
		HASH_ADD_INT(C.credits, domid, c);
		if (!HASH_ADDED(c, hh)) {
			talloc_free(c);
			return -1;
		}
	}
	regain(c, now);
	c->credit -= 1;
	/* Without a timer to end it, a pause would last for ever. */
	if (C.timer == NULL && C.ctx != NULL)
		C.timer = loop_timer_new(C.ctx, timer_fired, NULL);
	if (!c->throttled && c->credit < 1 && C.throttle != NULL &&
	    C.timer != NULL) {
		c->throttled = true;
		log_info("domid %u: its changes keep failing domid %u's "
		    "transactions: paused until it regains conflict credit",
		    domid, victim);
		C.throttle(domid, true);
	}
	arm(now);
	return (int)domid;
}

bool
conflict_throttled(unsigned int domid)
{
	struct credit *c = find(domid);

	return c != NULL && c->throttled;
}

double
conflict_credit(unsigned int domid)
{
	struct credit *c = find(domid);

	if (c == NULL)
		return CONFLICT_BURST;
	regain(c, now_ms());
	return c->credit;
}
