/*
 * Conflict credit, the answer to XSA-206: a domain whose changes make
 * other domains' transactions fail loses credit for each failure, and is
 * not served while it has none.  So a guest that rewrites a node in a
 * loop cannot hold off the toolstack's transactions on that node for
 * ever, while the commit rule itself stays "fail only on real conflicts"
 * (txn.c).  The idea is oxenstored's (conflict-burst-limit, the blame of
 * the connection that caused a conflict); the numbers are ours.
 *
 * Each domain starts with CONFLICT_BURST credits and regains
 * CONFLICT_RATE per second up to that.  A recent commit history maps the
 * store generations a commit made to the domain that made them; a
 * failed commit blames the maker of the change it failed on.  The
 * privileged domain is never blamed; a domain is never blamed for its
 * own transactions.
 */
#ifndef XSD_CONFLICT_H
#define XSD_CONFLICT_H

#include <stdbool.h>
#include <stdint.h>

/* Credits a domain may lose before it is paused. */
#define CONFLICT_BURST	5
/* Credits regained per second. */
#define CONFLICT_RATE	20
/* Commits of unprivileged domains remembered for blaming. */
#define CONFLICT_HISTORY 256

/*
 * throttle(domid, true) stops serving domid's connections, (domid,
 * false) serves them again; it is called from the event loop only.
 */
void	conflict_init(void (*throttle)(unsigned int domid, bool on));
/* Forget every credit and the history; unthrottles nobody. */
void	conflict_fini(void);

/*
 * An unprivileged domain's change made the store generations first to
 * last (inclusive).  Remembered in a ring of CONFLICT_HISTORY.
 */
void	conflict_record(uint64_t first, uint64_t last, unsigned int domid);

/*
 * A transaction of victim failed because of the change that made
 * generation gen: the domain that made it (if remembered, and not
 * victim) loses a credit and, with none left, is throttled until it has
 * one again.  Returns the domid blamed, or -1.
 */
int	conflict_blame(uint64_t gen, unsigned int victim);

/* Is domid throttled now? */
bool	conflict_throttled(unsigned int domid);

/* Credit of domid now, regained credit included (CONFLICT_BURST max). */
double	conflict_credit(unsigned int domid);

#endif
