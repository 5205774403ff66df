/*
 * xenstore-domain-state: the toolstack's domain-state service.
 *
 * Our xenstored never binds VIRQ_DOM_EXC and never calls libxenctrl.
 * This dom0 service binds it and tells xenstored each change with the
 * dom0-only, idempotent CONTROL domain-state (docs/protocol.md).  Two
 * modes, chosen at start (docs/operations.md):
 *
 *   hypervisor: the hypervisor has XEN_DOMCTL_get_domain_state (Xen
 *     4.21, or 4.17 with xen-patches/): each VIRQ_DOM_EXC, take changed
 *     domids until none is left, through libxs-stable (libxencall).
 *     Costs what changed; libxenctrl is never opened.
 *   snapshot: stock hypervisors: each VIRQ_DOM_EXC, read every domain
 *     with xc_domain_getinfolist() and compare with the last look.
 *
 * At start it sends the current state, and "dead" for every domain
 * xenstored knows that no longer exists (CONTROL domains), so nothing
 * that happened while it was down is missed.
 *
 * Where xenstored runs in a xenstore domain, init-xenstore-domain made
 * that domain the VIRQ_DOM_EXC handler (Xen delivers a global VIRQ to its
 * handler only; 4.17 with xen-patches/ refuses anyone else's bind with
 * EBUSY).  Our xenstore domain never binds it, so the service takes it
 * back for dom0 first, unless -k.
 *
 * usage: xenstore-domain-state [-V] [-k] [-m auto|hypervisor|snapshot]
 *        [-h] (stays in the foreground and logs to stderr; SIGTERM and
 *        SIGINT end it)
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
#include <xs-stable.h>

/* Domains read per xc_domain_getinfolist() call. */
#define BATCH	256

/* Domids a guest can have: below DOMID_FIRST_RESERVED. */
#define NDOMIDS	0x7ff0u

/* The states of docs/protocol.md, CONTROL domain-state. */
enum { RUNNING, SHUTDOWN, DYING, DEAD };
static const char *const state_names[] = {
	"running", "shutdown", "dying", "dead"
};

/* A shutdown whose reason the source does not say. */
#define NO_REASON	UINT32_MAX

struct dom {
	uint32_t	domid;
	uint32_t	state;
	uint32_t	reason;
};

static volatile sig_atomic_t stop;
static bool verbose;

/*
 * What the log reports: VIRQs taken, domain-state hypercalls made,
 * changes found (hypervisor mode: changed domids taken), messages told.
 */
static struct {
	unsigned long	virqs, hypercalls, changes, told;
} stats;

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
		stats.hypercalls++;
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
	if (state == SHUTDOWN && reason != NO_REASON)
		len += snprintf(args + len, sizeof(args) - len, "%u%c",
		    reason, 0);
	stats.told++;
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

/*
 * Hypervisor mode: what we last told of each domid.  A changed
 * unique_id is a new domain on a reused domid: the one we knew is dead.
 */
struct known {
	uint64_t	unique_id;
	uint8_t		state;
	bool		present;
};

/* Tell one change taken from the hypervisor. */
static bool
apply(struct xs_handle *xs, struct known *k, const struct xss_domain_info *in)
{
	struct known *o;
	bool ok = true, told_dead = false;

	if (in->domid == 0 || in->domid >= NDOMIDS)
		return true;
	o = &k[in->domid];
	if (o->present && in->unique_id != o->unique_id) {
		ok &= tell(xs, in->domid, DEAD, 0);
		o->present = false;
		told_dead = true;
	}
	if (in->state == XSS_DOMAIN_DEAD) {
		/* Idempotent; xenstored may know it though we did not. */
		if (!told_dead)
			ok &= tell(xs, in->domid, DEAD, 0);
		o->present = false;
		return ok;
	}
	if (!o->present) {
		o->present = true;
		o->unique_id = in->unique_id;
		o->state = RUNNING;
	}
	/*
	 * A record in the shutdown state we last told means the domain
	 * changed in between, resumed and shut down again between two
	 * looks: that second shutdown is news (@releaseDomain is due
	 * again after RESUME), so tell it.
	 */
	if (in->state != o->state || in->state == XSS_DOMAIN_SHUTDOWN) {
		ok &= tell(xs, in->domid, in->state, NO_REASON);
		o->state = in->state;
	}
	return ok;
}

/*
 * Take changed domids until the hypervisor has none left.  Returns 0,
 * EPIPE (xenstored is gone), or the error of the call.
 */
static int
drain(struct xss_domstate *q, struct xs_handle *xs, struct known *k)
{
	struct xss_domain_info in;
	int err;

	for (;;) {
		stats.hypercalls++;
		if ((err = xss_domstate_next(q, &in)) != 0)
			return err == ENOENT ? 0 : err;
		stats.changes++;
		if (!apply(xs, k, &in) && errno == EPIPE)
			return EPIPE;
	}
}

/*
 * At start, after binding VIRQ_DOM_EXC (which marks every domain): tell
 * every domain's state, then "dead" for each one xenstored introduced
 * that does not exist any more.
 */
static int
start_hypervisor(struct xss_domstate *q, struct xs_handle *xs,
    struct known *k)
{
	struct dom *listed;
	int n, i, err;

	if ((n = introduced(xs, &listed)) < 0)
		return errno;
	if ((err = drain(q, xs, k)) == 0)
		for (i = 0; i < n; i++)
			if (listed[i].domid < NDOMIDS &&
			    !k[listed[i].domid].present)
				tell(xs, listed[i].domid, DEAD, 0);
	free(listed);
	return err;
}

static void
usage(FILE *f)
{
	fputs("usage: xenstore-domain-state [-V] [-k] "
	    "[-m auto|hypervisor|snapshot]\n", f);
}

/*
 * If /tool/xenstored/domid (written by init-xenstore-domain) names a
 * domain other than dom0, make dom0 the VIRQ_DOM_EXC handler again
 * (XEN_DOMCTL_set_virq_handler, through libxenctrl: there is no stable
 * call for it).  Returns 0 (done, or nothing to do) or -1 with errno.
 */
static int
reclaim_virq(struct xs_handle *xs, xc_interface *xc)
{
	xc_interface *own = NULL;
	unsigned int len;
	char *v, *end;
	unsigned long stub;
	int rc;

	if ((v = xs_read(xs, XBT_NULL, "/tool/xenstored/domid", &len)) ==
	    NULL)
		return errno == ENOENT ? 0 : -1;
	stub = strtoul(v, &end, 10);
	rc = *v == '\0' || *end != '\0' || stub >= NDOMIDS;
	free(v);
	if (rc) {
		errno = EINVAL;
		return -1;
	}
	if (stub == 0)
		return 0;
	/* Mode hypervisor keeps no libxenctrl handle: this one is closed. */
	if (xc == NULL && (xc = own = xc_interface_open(NULL, NULL, 0)) ==
	    NULL)
		return -1;
	rc = xc_domain_set_virq_handler(xc, 0, VIRQ_DOM_EXC);
	if (own != NULL)
		xc_interface_close(own);
	if (rc == 0)
		fprintf(stderr, "xenstore-domain-state: VIRQ_DOM_EXC taken "
		    "back from the xenstore domain %lu\n", stub);
	return rc == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct dom *old = NULL, *cur = NULL;
	struct xss_domstate *q = NULL;
	struct known *known = NULL;
	xenevtchn_handle *xce = NULL;
	struct xs_handle *xs = NULL;
	xc_interface *xc = NULL;
	const char *mode = "auto", *what;
	int c, nold = 0, ncur, port = -1, err, status = 1;
	bool keep_handler = false;
	struct pollfd pfd;

	while ((c = getopt(argc, argv, "Vkm:h")) != -1) {
		switch (c) {
		case 'V':
			verbose = true;
			break;
		case 'k':
			keep_handler = true;
			break;
		case 'm':
			mode = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (strcmp(mode, "auto") != 0 && strcmp(mode, "hypervisor") != 0 &&
	    strcmp(mode, "snapshot") != 0) {
		usage(stderr);
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (strcmp(mode, "snapshot") != 0) {
		if ((q = xss_domstate_open(&err)) == NULL &&
		    strcmp(mode, "hypervisor") == 0) {
			fprintf(stderr, "xenstore-domain-state: "
			    "XEN_DOMCTL_get_domain_state: %s\n",
			    strerror(err));
			return 1;
		}
		if (q == NULL)
			fprintf(stderr, "xenstore-domain-state: no "
			    "XEN_DOMCTL_get_domain_state (%s)\n",
			    strerror(err));
	}
	if (q != NULL) {
		fputs("xenstore-domain-state: mode hypervisor "
		    "(XEN_DOMCTL_get_domain_state)\n", stderr);
		if ((known = calloc(NDOMIDS, sizeof(*known))) == NULL) {
			fputs("xenstore-domain-state: out of memory\n",
			    stderr);
			goto out;
		}
	} else {
		fputs("xenstore-domain-state: mode snapshot "
		    "(xc_domain_getinfolist)\n", stderr);
		if ((xc = xc_interface_open(NULL, NULL, 0)) == NULL) {
			what = "hypervisor";
			goto fail;
		}
	}
	if ((xs = xs_open(0)) == NULL) {
		what = "xenstored";
		goto fail;
	}
	if (!keep_handler && reclaim_virq(xs, xc) != 0) {
		what = "taking VIRQ_DOM_EXC back from the xenstore domain";
		goto fail;
	}
	if ((xce = xenevtchn_open(NULL, 0)) == NULL) {
		what = "event channels";
		goto fail;
	}
	/*
	 * Bound before the first look: no change falls in between (and in
	 * hypervisor mode, binding marks every domain as changed).
	 */
	if ((port = xenevtchn_bind_virq(xce, VIRQ_DOM_EXC)) < 0) {
		what = "VIRQ_DOM_EXC";
		goto fail;
	}
	if (q != NULL) {
		if ((err = start_hypervisor(q, xs, known)) != 0) {
			fprintf(stderr, "xenstore-domain-state: start: %s\n",
			    strerror(err));
			goto out;
		}
	} else {
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
	}
	if (q == NULL)
		stats.changes = stats.told;
	if (verbose)
		fprintf(stderr, "xenstore-domain-state: start: %lu "
		    "hypercalls, %lu changes, %lu told\n", stats.hypercalls,
		    stats.changes, stats.told);
	pfd.fd = xenevtchn_fd(xce);
	pfd.events = POLLIN;
	while (!stop) {
		unsigned long calls = stats.hypercalls;
		unsigned long changes = stats.changes, told = stats.told;

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
		stats.virqs++;
		if (q != NULL) {
			if ((err = drain(q, xs, known)) == EPIPE)
				break;	/* xenstored is gone: restart us */
			if (err != 0) {
				fprintf(stderr, "xenstore-domain-state: "
				    "XEN_DOMCTL_get_domain_state: %s\n",
				    strerror(err));
				break;
			}
		} else {
			if ((ncur = snapshot(xc, &cur)) < 0) {
				fprintf(stderr, "xenstore-domain-state: "
				    "%s\n", strerror(errno));
				continue;
			}
			if (!tell_changes(xs, old, nold, cur, ncur) &&
			    errno == EPIPE)
				break;	/* xenstored is gone: restart us */
			free(old);
			old = cur;
			nold = ncur;
			stats.changes += stats.told - told;
		}
		if (verbose)
			fprintf(stderr, "xenstore-domain-state: virq %lu: "
			    "%lu hypercalls, %lu changes, %lu told\n",
			    stats.virqs, stats.hypercalls - calls,
			    stats.changes - changes, stats.told - told);
	}
	status = stop ? 0 : 1;
	goto out;
fail:
	fprintf(stderr, "xenstore-domain-state: %s: %s\n", what,
	    strerror(errno));
out:
	fprintf(stderr, "xenstore-domain-state: %lu VIRQs, %lu hypercalls, "
	    "%lu changes, %lu told\n", stats.virqs, stats.hypercalls,
	    stats.changes, stats.told);
	free(old);
	free(known);
	if (xs != NULL)
		xs_close(xs);
	if (xce != NULL)
		xenevtchn_close(xce);
	if (xc != NULL)
		xc_interface_close(xc);
	xss_domstate_close(q);
	return status;
}
