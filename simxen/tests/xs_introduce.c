/*
 * xs_introduce: a tiny toolstack client for the simulated-Xen smoke tests
 * (libxenstore only, so it talks to any xenstored via XENSTORED_PATH).
 *
 *   xs_introduce intro DOMID GFN PORT
 *	XS_INTRODUCE, then check XS_IS_DOMAIN_INTRODUCED.
 *   xs_introduce release-after TIMEOUT_S COMMAND
 *	Watch @releaseDomain, eat the initial event, run COMMAND with
 *	system(3), then wait up to TIMEOUT_S seconds for another event.
 *
 * Exit 0 on success, 1 on failure, 2 on bad usage.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenstore.h>

static int
usage(void)
{
	fprintf(stderr, "usage: xs_introduce intro DOMID GFN PORT\n"
	    "       xs_introduce release-after TIMEOUT_S COMMAND\n");
	return 2;
}

/* Wait for one watch event on h for at most ms; 0 when one came. */
static int
wait_event(struct xs_handle *h, int ms)
{
	struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };
	unsigned int n;
	char **ev;

	if (poll(&pfd, 1, ms) != 1)
		return 1;
	if ((ev = xs_read_watch(h, &n)) == NULL)
		return 1;
	printf("event %s\n", ev[XS_WATCH_PATH]);
	free(ev);
	return 0;
}

int
main(int argc, char **argv)
{
	struct xs_handle *h;
	int rc = 1;

	if (argc < 2)
		return usage();
	if ((h = xs_open(0)) == NULL) {
		perror("xs_open");
		return 1;
	}
	if (strcmp(argv[1], "intro") == 0 && argc == 5) {
		unsigned int domid = strtoul(argv[2], NULL, 10);
		unsigned long gfn = strtoul(argv[3], NULL, 10);
		unsigned int port = strtoul(argv[4], NULL, 10);

		if (!xs_introduce_domain(h, domid, gfn, port))
			perror("xs_introduce_domain");
		else if (!xs_is_domain_introduced(h, domid))
			fprintf(stderr, "domain %u not introduced\n", domid);
		else
			rc = 0;
	} else if (strcmp(argv[1], "release-after") == 0 && argc == 4) {
		int ms = atoi(argv[2]) * 1000;

		if (!xs_watch(h, "@releaseDomain", "t"))
			perror("xs_watch");
		else if (wait_event(h, ms) != 0)
			fprintf(stderr, "no initial watch event\n");
		else if (system(argv[3]) != 0)
			fprintf(stderr, "command failed: %s\n", argv[3]);
		else if (wait_event(h, ms) != 0)
			fprintf(stderr, "no @releaseDomain within %s s\n",
			    argv[2]);
		else
			rc = 0;
	} else
		rc = usage();
	xs_close(h);
	return rc;
}
