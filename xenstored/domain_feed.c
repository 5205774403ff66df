/*
 * Drain the libxs-stable domain-state feed into domain_state_changed().
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <xs-stable.h>

#include "domain.h"
#include "domain_feed.h"
#include "log.h"
#include "loop.h"

/* Changes handled per wake-up before other fds get a turn. */
#define EVENTS_PER_WAKEUP	256

static struct xss_feed	*feed;
static struct loop_fd	*feed_lf;

static void
feed_event(int fd, bool writable, void *arg)
{
	struct xss_domain_event ev;
	int i;

	(void)fd;
	(void)writable;
	(void)arg;
	for (i = 0; i < EVENTS_PER_WAKEUP; i++) {
		if (xss_feed_next(feed, &ev) != 0)
			break;
		log_debug("domain feed: domid %u %s", ev.domid,
		    xss_domain_state_name(ev.state));
		domain_state_changed(&ev);
	}
}

int
domain_feed_init(TALLOC_CTX *ctx, const char *socket_path)
{
	int err;

	if ((feed = xss_feed_new(&err)) == NULL)
		return err;
	if (socket_path != NULL &&
	    (err = xss_feed_add_socket(feed, socket_path)) != 0) {
		domain_feed_fini();
		return err;
	}
	if ((feed_lf = loop_fd_add(ctx, xss_feed_fd(feed), feed_event,
	    NULL)) == NULL) {
		domain_feed_fini();
		return ENOMEM;
	}
	return 0;
}

void
domain_feed_fini(void)
{
	TALLOC_FREE(feed_lf);
	xss_feed_free(feed);
	feed = NULL;
}
