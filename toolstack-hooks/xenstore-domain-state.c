/*
 * xenstore-domain-state: the toolstack's domain-state service.
 *
 * Our xenstored never binds VIRQ_DOM_EXC and never calls libxenctrl.
 * This dom0 service does, as the toolstack's part (it is tied to the
 * hypervisor version anyway): on each VIRQ_DOM_EXC it reads every
 * domain's state with xc_domain_getinfolist(), compares with what it saw
 * before, and tells xenstored each change with the dom0-only, idempotent
 * CONTROL domain-state (docs/protocol.md).  At start it sends the whole
 * current state, and "dead" for every domain xenstored knows that no
 * longer exists, so nothing that happened while it was down is missed.
 *
 * usage: xenstore-domain-state [-V] [-h]   (stays in the foreground and
 *        logs to stderr; SIGTERM and SIGINT end it)
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenstore.h>

/* Domains read per xc_domain_getinfolist() call. */
#define BATCH	256

/* The states of docs/protocol.md, CONTROL domain-state. */
enum { RUNNING, SHUTDOWN, DYING, DEAD };
static const char *const state_names[] = {
	"running", "shutdown", "dying", "dead"
};

struct dom {
	uint32_t	domid;
	uint32_t	state;
	uint32_t	reason;
};

static volatile sig_atomic_t stop;
static bool verbose;

static void
on_signal(int signo)
{
	(void)signo;
	stop = 1;
}

/* Every domain but dom0, in domid order.  Returns the count, -1: errno. */
static int
snapshot(xc_interface *xc, struct dom **out)
{
	xc_domaininfo_t info[BATCH];
	struct dom *d = NULL, *nd;
	uint32_t first = 0, flags;
	int n, i, count = 0;

	do {
		if ((n = xc_domain_getinfolist(xc, first, BATCH, info)) < 0) {
			free(d);
			return -1;
		}
		if ((nd = realloc(d, (count + n + 1) * sizeof(*d))) == NULL) {
			free(d);
			errno = ENOMEM;
			return -1;
		}
		d = nd;
		for (i = 0; i < n; i++) {
			first = info[i].domain + 1;
			if (info[i].domain == 0)
				continue;
			flags = info[i].flags;
			d[count].domid = info[i].domain;
			d[count].reason = 0;
			if (flags & XEN_DOMINF_dying)
				d[count].state = DYING;
			else if (flags & XEN_DOMINF_shutdown) {
				d[count].state = SHUTDOWN;
				d[count].reason = (flags >>
				    XEN_DOMINF_shutdownshift) &
				    XEN_DOMINF_shutdownmask;
			} else
				d[count].state = RUNNING;
			count++;
		}
	} while (n == BATCH);
	*out = d;
	return count;
}

/* CONTROL domain-state; false (logged) if xenstored refused or is gone. */
static bool
tell(struct xs_handle *xs, uint32_t domid, uint32_t state, uint32_t reason)
{
	char args[64];
	int len;
	char *reply;

	len = snprintf(args, sizeof(args), "%u%c%s%c", domid, 0,
	    state_names[state], 0);
	if (state == SHUTDOWN)
		len += snprintf(args + len, sizeof(args) - len, "%u%c",
		    reason, 0);
	if (verbose)
		fprintf(stderr, "xenstore-domain-state: domid %u %s\n", domid,
		    state_names[state]);
	reply = xs_control_command(xs, "domain-state", args, len);
	if (reply == NULL) {
		fprintf(stderr, "xenstore-domain-state: domid %u %s: %s\n",
		    domid, state_names[state], strerror(errno));
		return false;
	}
	free(reply);
	return true;
}

/*
 * Tell what changed from old to cur (both in domid order): a changed
 * state, and "dead" for a domain that is gone.  A new domain that runs
 * is news to nobody.
 */
static bool
tell_changes(struct xs_handle *xs, const struct dom *old, int nold,
    const struct dom *cur, int ncur)
{
	int i = 0, j = 0;
	bool ok = true;

	while (i < nold || j < ncur) {
		if (j == ncur || (i < nold && old[i].domid < cur[j].domid)) {
			ok &= tell(xs, old[i].domid, DEAD, 0);
			i++;
		} else if (i == nold || cur[j].domid < old[i].domid) {
			if (cur[j].state != RUNNING)
				ok &= tell(xs, cur[j].domid, cur[j].state,
				    cur[j].reason);
			j++;
		} else {
			if (cur[j].state != old[i].state)
				ok &= tell(xs, cur[j].domid, cur[j].state,
				    cur[j].reason);
			i++;
			j++;
		}
	}
	return ok;
}

/*
 * At start: the domains xenstored has introduced (CONTROL domains), as
 * if they were all running, so that tell_changes() reports those that
 * died while we were not looking.  Returns the count, -1: errno.
 */
static int
introduced(struct xs_handle *xs, struct dom **out)
{
	char *reply, *line, *save = NULL;
	struct dom *d = NULL, *nd;
	unsigned int domid;
	int count = 0;

	if ((reply = xs_control_command(xs, "domains", "", 0)) == NULL)
		return -1;
	for (line = strtok_r(reply, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "domid %u", &domid) != 1 || domid == 0)
			continue;
		if ((nd = realloc(d, (count + 1) * sizeof(*d))) == NULL) {
			free(d);
			free(reply);
			errno = ENOMEM;
			return -1;
		}
		d = nd;
		d[count].domid = domid;
		d[count].state = RUNNING;
		d[count++].reason = 0;
	}
	free(reply);
	/* CONTROL domains lists in no order; tell_changes() wants one. */
	for (int a = 1; a < count; a++)
		for (int b = a; b > 0 && d[b - 1].domid > d[b].domid; b--) {
			struct dom t = d[b];

			d[b] = d[b - 1];
			d[b - 1] = t;
		}
	*out = d;
	return count;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct dom *old = NULL, *cur = NULL;
	xenevtchn_handle *xce = NULL;
	struct xs_handle *xs = NULL;
	xc_interface *xc = NULL;
	int c, nold, ncur, port, status = 1;
	struct pollfd pfd;

	while ((c = getopt(argc, argv, "Vh")) != -1) {
		switch (c) {
		case 'V':
			verbose = true;
			break;
		case 'h':
			puts("usage: xenstore-domain-state [-V]");
			return 0;
		default:
			fputs("usage: xenstore-domain-state [-V]\n", stderr);
			return 2;
		}
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if ((xc = xc_interface_open(NULL, NULL, 0)) == NULL ||
	    (xce = xenevtchn_open(NULL, 0)) == NULL ||
	    (port = xenevtchn_bind_virq(xce, VIRQ_DOM_EXC)) < 0 ||
	    (xs = xs_open(0)) == NULL) {
		fprintf(stderr, "xenstore-domain-state: %s: %s\n",
		    xc == NULL ? "hypervisor" : xce == NULL ?
		    "event channels" : xs == NULL && port >= 0 ?
		    "xenstored" : "VIRQ_DOM_EXC", strerror(errno));
		goto out;
	}
	/* Bound before the first look: no change falls in between. */
	if ((nold = introduced(xs, &old)) < 0 ||
	    (ncur = snapshot(xc, &cur)) < 0) {
		fprintf(stderr, "xenstore-domain-state: start: %s\n",
		    strerror(errno));
		goto out;
	}
	tell_changes(xs, old, nold, cur, ncur);
	free(old);
	old = cur;
	nold = ncur;
	pfd.fd = xenevtchn_fd(xce);
	pfd.events = POLLIN;
	while (!stop) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/*
		 * One fired port per wake-up (the device may block on a
		 * second read); unmasked before we look, so no change is
		 * lost between the look and the next event.
		 */
		if ((c = xenevtchn_pending(xce)) >= 0)
			xenevtchn_unmask(xce, c);
		if ((ncur = snapshot(xc, &cur)) < 0) {
			fprintf(stderr, "xenstore-domain-state: %s\n",
			    strerror(errno));
			continue;
		}
		if (!tell_changes(xs, old, nold, cur, ncur) && errno == EPIPE)
			break;	/* xenstored is gone: let systemd restart */
		free(old);
		old = cur;
		nold = ncur;
	}
	status = stop ? 0 : 1;
out:
	free(old);
	if (xs != NULL)
		xs_close(xs);
	if (xce != NULL)
		xenevtchn_close(xce);
	if (xc != NULL)
		xc_interface_close(xc);
	return status;
}
