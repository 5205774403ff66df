/*
 * xq-domains: a test-only tool for the real-Xen test (dom0-init.sh):
 * EMPTY domains (no memory, no kernel, never unpaused) made and ended
 * with libxenctrl, so that hundreds of domains fit where real guests do
 * not, and the hypervisor's changed-domain search (xen-patches/) can be
 * watched directly.  libxenctrl is allowed here because this is a test;
 * the daemon and the service's hypervisor mode never use it.
 *
 * usage: xq-domains create [-d DOMID] [N]   N (default 1) domains, at
 *                                           DOMID (N must be 1) or where
 *                                           Xen puts them; prints domids
 *        xq-domains destroy DOMID...
 *        xq-domains shutdown DOMID...       SHUTDOWN_poweroff
 *        xq-domains starve LOW HIGH [POLLS]
 *            LOW and HIGH exist.  Binds VIRQ_DOM_EXC (so no other
 *            program may hold it), takes every change, destroys HIGH,
 *            then POLLS (default 8) times: destroys LOW, creates it
 *            again (a change each time) and takes ONE change with
 *            XEN_DOMCTL_get_domain_state.  Passes (0) if HIGH was taken
 *            within 2 polls and LOW in some poll: a search that always
 *            starts from domid 0 (Xen 4.21) would return LOW every time.
 *        xq-domains console DOMID
 *            prints what DOMID wrote to its console ring and nobody read
 *            yet (the xenstore stub domain's, before xenconsoled runs):
 *            maps the ring read-only through the grant ref the domain
 *            builder reserves for dom0 (GNTTAB_RESERVED_CONSOLE, 0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xen/grant_table.h>
#include <xen/io/console.h>
#include <xs-stable.h>

static xc_interface *xc;

static const char *const names[] = { "running", "shutdown", "dying", "dead" };

static int
create(uint32_t want, uint32_t *domid)
{
	struct xen_domctl_createdomain c = {
		.flags = 0,			/* PV */
		.max_vcpus = 1,
		.max_evtchn_port = 1023,
		.max_grant_frames = -1,		/* Xen's defaults */
		.max_maptrack_frames = -1,
		.grant_opts = XEN_DOMCTL_GRANT_version(1),
	};
	int i;

	/* A domid just destroyed stays taken until Xen drops the domain. */
	for (i = 0; i < 500; i++) {
		*domid = want;
		if (xc_domain_create(xc, domid, &c) == 0)
			return 0;
		if (errno != EEXIST || want == 0)
			break;
		usleep(10000);
	}
	fprintf(stderr, "xq-domains: create %u: %s\n", want, strerror(errno));
	return -1;
}

static int
destroy(uint32_t domid)
{
	if (xc_domain_destroy(xc, domid) == 0)
		return 0;
	fprintf(stderr, "xq-domains: destroy %u: %s\n", domid, strerror(errno));
	return -1;
}

static uint32_t
num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s == '\0' || *end != '\0' || v >= DOMID_FIRST_RESERVED) {
		fprintf(stderr, "xq-domains: bad domid or count '%s'\n", s);
		exit(2);
	}
	return v;
}

static int
starve(uint32_t low, uint32_t high, int polls)
{
	struct xss_domain_info in;
	struct xss_domstate *q;
	xenevtchn_handle *xce;
	int err, n, i, high_at = 0, low_seen = 0;
	uint32_t d;

	if ((q = xss_domstate_open(&err)) == NULL) {
		fprintf(stderr, "xq-domains: xss_domstate_open: %s\n",
		    strerror(err));
		return 1;
	}
	if ((xce = xenevtchn_open(NULL, 0)) == NULL ||
	    xenevtchn_bind_virq(xce, VIRQ_DOM_EXC) < 0) {
		fprintf(stderr, "xq-domains: bind VIRQ_DOM_EXC: %s\n",
		    strerror(errno));
		return 1;
	}
	/* Binding marked every domain: take them all. */
	for (n = 0; (err = xss_domstate_next(q, &in)) == 0; n++)
		if (n > 40000)
			break;
	if (err != ENOENT) {
		fprintf(stderr, "xq-domains: draining: %s\n", strerror(err));
		return 1;
	}
	printf("starve: %d changes after binding\n", n);
	if (destroy(high) < 0)
		return 1;
	for (i = 1; i <= polls; i++) {
		if (destroy(low) < 0 || create(low, &d) < 0)
			return 1;
		if ((err = xss_domstate_next(q, &in)) != 0) {
			fprintf(stderr, "xq-domains: poll %d: %s\n", i,
			    strerror(err));
			return 1;
		}
		printf("starve: poll %d: domid %u %s\n", i, in.domid,
		    in.state < 4 ? names[in.state] : "?");
		if (in.domid == high && high_at == 0)
			high_at = i;
		if (in.domid == low)
			low_seen++;
	}
	xenevtchn_close(xce);
	xss_domstate_close(q);
	if (high_at == 0 || high_at > 2) {
		printf("starve: FAIL: domid %u taken %s (want within 2 polls)\n",
		    high, high_at ? "too late" : "never");
		return 1;
	}
	if (low_seen == 0) {
		printf("starve: FAIL: domid %u never taken: no churn seen\n",
		    low);
		return 1;
	}
	printf("starve: domid %u taken at poll %d, churning domid %u in "
	    "%d of %d polls\n", high, high_at, low, low_seen, polls);
	return 0;
}

/* DOMID's unread console output, on stdout; 0 or 1. */
static int
console(uint32_t domid)
{
	struct xencons_interface *r;
	xengnttab_handle *g;
	XENCONS_RING_IDX c, p;

	if ((g = xengnttab_open(NULL, 0)) == NULL ||
	    (r = xengnttab_map_grant_ref(g, domid, GNTTAB_RESERVED_CONSOLE,
	    PROT_READ)) == NULL) {
		fprintf(stderr, "xq-domains: console %u: %s\n", domid,
		    strerror(errno));
		return 1;
	}
	c = r->out_cons;
	p = r->out_prod;
	__sync_synchronize();
	if (p - c > sizeof(r->out))
		c = p - sizeof(r->out);
	for (; c != p; c++)
		putchar(r->out[MASK_XENCONS_IDX(c, r->out)]);
	printf("\n[console %u: %u unread bytes of %zu]\n", domid,
	    (unsigned)(p - r->out_cons), sizeof(r->out));
	xengnttab_unmap(g, r, 1);
	xengnttab_close(g);
	return 0;
}

int
main(int argc, char **argv)
{
	uint32_t want = 0, domid, n = 1, i;
	int c, status = 0;

	if (argc < 2) {
		fputs("usage: xq-domains create [-d DOMID] [N] | destroy DOMID... |"
		    " shutdown DOMID... | starve LOW HIGH [POLLS] |"
		    " console DOMID\n", stderr);
		return 2;
	}
	if ((xc = xc_interface_open(NULL, NULL, 0)) == NULL) {
		perror("xq-domains: xc_interface_open");
		return 1;
	}
	if (strcmp(argv[1], "create") == 0) {
		optind = 2;
		while ((c = getopt(argc, argv, "d:")) != -1) {
			if (c != 'd')
				return 2;
			want = num(optarg);
		}
		if (optind < argc)
			n = num(argv[optind]);
		if (want != 0 && n != 1)
			return 2;
		for (i = 0; i < n; i++) {
			if (create(want, &domid) < 0)
				return 1;
			printf("%u\n", domid);
		}
	} else if (strcmp(argv[1], "destroy") == 0) {
		for (c = 2; c < argc; c++)
			status |= destroy(num(argv[c])) < 0;
	} else if (strcmp(argv[1], "shutdown") == 0) {
		for (c = 2; c < argc; c++)
			if (xc_domain_shutdown(xc, num(argv[c]),
			    SHUTDOWN_poweroff) != 0) {
				fprintf(stderr, "xq-domains: shutdown %s: %s\n",
				    argv[c], strerror(errno));
				status = 1;
			}
	} else if (strcmp(argv[1], "console") == 0 && argc == 3) {
		status = console(num(argv[2]));
	} else if (strcmp(argv[1], "starve") == 0 && argc >= 4) {
		status = starve(num(argv[2]), num(argv[3]),
		    argc > 4 ? (int)num(argv[4]) : 8);
	} else {
		fprintf(stderr, "xq-domains: unknown command %s\n", argv[1]);
		status = 2;
	}
	xc_interface_close(xc);
	return status;
}
