/*
 * simxen: command-line toolstack of the simulated Xen.  Creates the host,
 * creates, lists, shuts down and destroys domains.  Exit status 0 on
 * success, 1 on a failed operation, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdint.h>

#include <xen/xen.h>
#include <xen/sched.h>

#include "simxen.h"

static const char *const state_names[] = {
	"running", "shutdown", "dying", "dead",
};

/* SHUTDOWN_* names, indexed by value (xen/sched.h). */
static const char *const reason_names[] = {
	"poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset",
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: simxen init [--stock] [--no-foreign-map] [--no-xenctrl]\n"
	    "       simxen create [--domid N]\n"
	    "       simxen list\n"
	    "       simxen info DOMID\n"
	    "       simxen shutdown DOMID [poweroff|reboot|suspend|crash|"
	    "watchdog]\n"
	    "       simxen resume DOMID\n"
	    "       simxen destroy DOMID\n"
	    "       simxen stats\n"
	    "State directory: $SIMXEN_DIR (default %s).\n"
	    "--stock: the hypervisor is stock Xen 4.17, without\n"
	    "XEN_DOMCTL_get_domain_state.  --no-foreign-map: foreign\n"
	    "mapping (xc_map_foreign_range) fails with EPERM.\n"
	    "--no-xenctrl: libxenctrl cannot be opened (EACCES, as without\n"
	    "access to /dev/xen/privcmd); event channels, grants and the\n"
	    "domain-state call still work.\n",
	    SIMXEN_DEFAULT_DIR);
	exit(2);
}

static uint32_t
parse_domid(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '\0' ||
	    v >= SIMXEN_MAX_DOMAINS)
		usage();
	return (uint32_t)v;
}

static void
print_info(const struct simxen_dominfo *in)
{
	printf("%u %s", in->domid, in->state < 4 ?
	    state_names[in->state] : "?");
	if (in->state == SIMXEN_DOM_SHUTDOWN && in->reason < 6)
		printf(" reason=%s", reason_names[in->reason]);
	printf(" gfn=%llu port=%u maps=%u gen=%u\n",
	    (unsigned long long)in->ring_gfn, in->store_port, in->map_count,
	    in->generation);
}

static int
fail(const char *what, int err)
{
	fprintf(stderr, "simxen: %s: %s\n", what, strerror(err));
	return 1;
}

int
main(int argc, char **argv)
{
	struct simxen *sx;
	struct simxen_dominfo info, *list;
	uint32_t domid, reason = SHUTDOWN_poweroff;
	size_t i, n;
	unsigned int flags = 0;
	int err;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "init") == 0) {
		for (i = 2; i < (size_t)argc; i++) {
			if (strcmp(argv[i], "--stock") == 0)
				flags |= SIMXEN_HOST_STOCK;
			else if (strcmp(argv[i], "--no-foreign-map") == 0)
				flags |= SIMXEN_HOST_NO_FOREIGN_MAP;
			else if (strcmp(argv[i], "--no-xenctrl") == 0)
				flags |= SIMXEN_HOST_NO_XENCTRL;
			else
				usage();
		}
		if ((err = simxen_init_host(&sx, flags)) != 0)
			return fail("init", err);
		simxen_close(sx);
		return 0;
	}
	if (strcmp(argv[1], "create") != 0 && strcmp(argv[1], "list") != 0 &&
	    strcmp(argv[1], "info") != 0 && strcmp(argv[1], "shutdown") != 0 &&
	    strcmp(argv[1], "destroy") != 0 && strcmp(argv[1], "resume") != 0 &&
	    strcmp(argv[1], "stats") != 0)
		usage();
	if ((err = simxen_open(&sx)) != 0)
		return fail("open (run `simxen init` first?)", err);

	if (strcmp(argv[1], "create") == 0) {
		domid = SIMXEN_DOMID_ANY;
		if (argc == 4 && strcmp(argv[2], "--domid") == 0)
			domid = parse_domid(argv[3]);
		else if (argc != 2)
			usage();
		if ((err = simxen_domain_create(sx, domid, &info)) != 0)
			return fail("create", err);
		/* What a toolstack passes to XS_INTRODUCE. */
		printf("%u %llu %u\n", info.domid,
		    (unsigned long long)info.ring_gfn, info.store_port);
	} else if (strcmp(argv[1], "list") == 0) {
		if (argc != 2)
			usage();
		list = calloc(SIMXEN_MAX_DOMAINS, sizeof(*list));
		if (list == NULL)
			return fail("list", ENOMEM);
		simxen_domain_list(sx, 0, list, SIMXEN_MAX_DOMAINS, &n);
		for (i = 0; i < n; i++)
			print_info(&list[i]);
		free(list);
	} else if (strcmp(argv[1], "info") == 0) {
		if (argc != 3)
			usage();
		if ((err = simxen_domain_info(sx, parse_domid(argv[2]),
		    &info)) != 0)
			return fail("info", err);
		print_info(&info);
	} else if (strcmp(argv[1], "shutdown") == 0) {
		if (argc != 3 && argc != 4)
			usage();
		if (argc == 4) {
			for (reason = 0; reason < 5; reason++)
				if (strcmp(argv[3], reason_names[reason]) == 0)
					break;
			if (reason == 5)
				usage();
		}
		if ((err = simxen_domain_shutdown(sx, parse_domid(argv[2]),
		    reason)) != 0)
			return fail("shutdown", err);
	} else if (strcmp(argv[1], "stats") == 0) {
		if (argc != 2)
			usage();
		/* Domain-state hypercalls (simxen_state_calls()). */
		printf("state_calls %llu\n",
		    (unsigned long long)simxen_state_calls(sx));
	} else if (strcmp(argv[1], "resume") == 0) {
		if (argc != 3)
			usage();
		if ((err = simxen_domain_resume(sx, parse_domid(argv[2]))) != 0)
			return fail("resume", err);
	} else {
		if (argc != 3)
			usage();
		if ((err = simxen_domain_destroy(sx, parse_domid(argv[2]))) != 0)
			return fail("destroy", err);
	}
	simxen_close(sx);
	return 0;
}
