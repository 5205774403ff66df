/*
 * xs-bench: the load generator of `make bench` (bench/run.sh).  It talks
 * the raw wire protocol through the simulated guest's client library,
 * over the daemon's Unix socket or, as a simulated guest, over a ring,
 * and prints "key value" lines that run.sh collects.  With --pid it also
 * reports the daemon's CPU time over the measured part.
 *
 * usage: xs-bench [--socket PATH] [--pid PID] COMMAND ARGS
 *   echo-server PATH		answer every frame with itself (the floor)
 *   rtt read|write N [--ring]	N sequential round trips
 *   throughput CLIENTS SECONDS	50/50 READ/WRITE, one process per client
 *   txn-counter CLIENTS N	each client N increments of one counter
 *   txn-children CLIENTS N	each client N transactions adding a child
 *				under one common parent
 *   fanout WATCHERS WRITES	time until every event is delivered
 *   populate			100,000 nodes, 3 levels of fan-out 100/100/10,
 *				left in place for run.sh to list and remove
 *   domains N [K]		N simulated guests boot, then K (all) die
 *   liveupdate NODES DOMAINS CONTROL BINARY CMDLINE
 *				NODES nodes and DOMAINS guests, then
 *				"CONTROL live-update -c CMDLINE BINARY" while
 *				a socket client reads without pause: the
 *				longest gap between its replies
 * Errors go to stderr with exit status 1.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"
#include "latency.h"
#include "simxen.h"

static const char *sock_path;
/* The daemon, and the processes that work with it (the toolstack's
 * domain-state service): their CPU is summed. */
#define MAX_PIDS	4
static long daemon_pids[MAX_PIDS];
static unsigned int npids;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xs-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * The daemon's CPU time in µs (all its threads, from the scheduler's
 * nanosecond counters in /proc/PID/task/TID/schedstat), or 0 without
 * --pid.
 */
static double
daemon_cpu_us(void)
{
	char path[300];
	unsigned long long ns, sum = 0;
	struct dirent *de;
	DIR *d;
	FILE *f;

	for (unsigned int i = 0; i < npids; i++) {
		snprintf(path, sizeof(path), "/proc/%ld/task", daemon_pids[i]);
		if ((d = opendir(path)) == NULL)
			die("%s: %s", path, strerror(errno));
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path),
			    "/proc/%ld/task/%s/schedstat", daemon_pids[i],
			    de->d_name);
			if ((f = fopen(path, "re")) == NULL)
				continue;	/* the thread ended */
			if (fscanf(f, "%llu", &ns) == 1)
				sum += ns;
			fclose(f);
		}
		closedir(d);
	}
	return sum / 1e3;
}

static struct sg_guest *
connect_socket(void)
{
	struct sg_guest *g;
	int err;

	if ((err = sg_open_socket(sock_path, &g)) != 0)
		die("%s: %s", sock_path, strerror(err));
	return g;
}

/* One request; its reply's type (XS_ERROR for an error, body in *err). */
static uint32_t
req(struct sg_guest *g, uint32_t type, uint32_t tx, const char *a,
    const char *b, char *errbuf, size_t errlen)
{
	char payload[XENSTORE_PAYLOAD_MAX];
	size_t la = strlen(a) + 1, lb = b != NULL ? strlen(b) : 0;
	struct sg_reply r;
	int err;

	if (type != XS_WRITE && b != NULL)
		lb++;	/* a second string argument, nul-terminated */
	if (la + lb > sizeof(payload))
		die("payload too long");
	memcpy(payload, a, la);
	if (b != NULL)
		memcpy(payload + la, b, lb);
	if ((err = sg_request(g, type, tx, payload, la + lb, &r, 10000)) != 0)
		die("request %u: %s", type, strerror(err));
	if (r.hdr.type == XS_ERROR && errbuf != NULL)
		snprintf(errbuf, errlen, "%s", r.body);
	if (type == XS_TRANSACTION_START && r.hdr.type == type && errbuf != NULL)
		snprintf(errbuf, errlen, "%s", r.body);
	type = r.hdr.type;
	free(r.body);
	return type;
}

static void
must(struct sg_guest *g, uint32_t type, const char *a, const char *b)
{
	char e[64] = "";

	if (req(g, type, 0, a, b, e, sizeof(e)) == XS_ERROR)
		die("request %u %s: %s", type, a, e);
}

/* echo-server PATH: the physical floor; each frame comes back as is. */
static void
echo_server(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct xsd_sockmsg h;
	char buf[XENSTORE_PAYLOAD_MAX];
	char out[sizeof(h) + XENSTORE_PAYLOAD_MAX];
	int s, c;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	unlink(path);
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(s, 64) < 0)
		die("%s: %s", path, strerror(errno));
	/*
	 * One client at a time, in this process, so that --pid of this
	 * process gives the floor's CPU cost per request as well.
	 */
	for (;;) {
		if ((c = accept(s, NULL, NULL)) < 0)
			continue;
		while (recv(c, &h, sizeof(h), MSG_WAITALL) == sizeof(h) &&
		    h.len <= sizeof(buf) &&
		    (h.len == 0 ||
		    recv(c, buf, h.len, MSG_WAITALL) == (ssize_t)h.len)) {
			memcpy(out, &h, sizeof(h));
			memcpy(out + sizeof(h), buf, h.len);
			if (write(c, out, sizeof(h) + h.len) !=
			    (ssize_t)(sizeof(h) + h.len))
				break;
		}
		close(c);
	}
}

/* Create, INTRODUCE (as dom0 over g0) and open a simulated guest. */
static struct sg_guest *
new_guest(struct simxen *sx, struct sg_guest *g0, uint32_t *domid)
{
	struct simxen_dominfo info;
	char payload[64], path[64];
	struct sg_guest *g;
	struct sg_reply r;
	int n, err;

	if ((err = simxen_domain_create(sx, SIMXEN_DOMID_ANY, &info)) != 0)
		die("domain create: %s", strerror(err));
	/* The domain's home, owned by it, as xl makes it. */
	snprintf(path, sizeof(path), "/local/domain/%u", info.domid);
	must(g0, XS_MKDIR, path, NULL);
	snprintf(payload, sizeof(payload), "n%u", info.domid);
	must(g0, XS_SET_PERMS, path, payload);
	n = snprintf(payload, sizeof(payload), "%u", info.domid) + 1;
	n += snprintf(payload + n, sizeof(payload) - n, "%llu",
	    (unsigned long long)info.ring_gfn) + 1;
	n += snprintf(payload + n, sizeof(payload) - n, "%u",
	    info.store_port) + 1;
	if ((err = sg_request(g0, XS_INTRODUCE, 0, payload, n, &r, 10000)) != 0 ||
	    r.hdr.type == XS_ERROR)
		die("introduce %u: %s", info.domid,
		    err ? strerror(err) : r.body);
	free(r.body);
	if ((err = sg_open(sx, info.domid, &g)) != 0)
		die("ring of %u: %s", info.domid, strerror(err));
	*domid = info.domid;
	return g;
}

/* rtt read|write N [--ring]: median and p99 µs, daemon CPU µs/request. */
static void
rtt(const char *op, long n, bool ring)
{
	struct simxen *sx = NULL;
	struct sg_guest *g, *g0;
	uint32_t domid, type = strcmp(op, "read") == 0 ? XS_READ : XS_WRITE;
	char path[64];
	double *t, t0, c0;
	long i;
	int err;

	g0 = connect_socket();
	snprintf(path, sizeof(path), "/bench/rtt");
	if (ring) {
		if ((err = simxen_open(&sx)) != 0)
			die("simxen: %s", strerror(err));
		g = new_guest(sx, g0, &domid);
		snprintf(path, sizeof(path), "/local/domain/%u/rtt", domid);
	} else {
		g = g0;
	}
	must(g, XS_WRITE, path, "0123456789abcdef");
	if ((t = calloc(n, sizeof(*t))) == NULL)
		die("out of memory");
	for (i = 0; i < n / 10; i++)	/* warm up */
		req(g, type, 0, path, type == XS_WRITE ? "0123456789abcdef" :
		    NULL, NULL, 0);
	c0 = daemon_cpu_us();
	for (i = 0; i < n; i++) {
		t0 = now_us();
		if (req(g, type, 0, path, type == XS_WRITE ?
		    "0123456789abcdef" : NULL, NULL, 0) == XS_ERROR)
			die("%s failed", op);
		t[i] = now_us() - t0;
	}
	printf("cpu_us_per_req %.3f\n", (daemon_cpu_us() - c0) / n);
	qsort(t, n, sizeof(*t), cmp_double);
	printf("median_us %.2f\np99_us %.2f\n", t[n / 2], t[n * 99 / 100]);
	free(t);
}

/* Run fn(i, out) in k child processes at once; sum what they report. */
static void
in_children(int k, void (*fn)(int, FILE *), double *sums, int nsums)
{
	int p[2], go[2], i, j;
	pid_t pid;
	FILE *f;
	double v;
	char c;

	if (pipe(p) < 0 || pipe(go) < 0)
		die("pipe: %s", strerror(errno));
	for (i = 0; i < k; i++) {
		if ((pid = fork()) < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			close(p[0]);
			close(go[1]);
			f = fdopen(p[1], "w");
			/* EOF on go: every client starts at once. */
			while (read(go[0], &c, 1) > 0)
				continue;
			fn(i, f);
			fclose(f);
			_exit(0);
		}
	}
	close(p[1]);
	close(go[0]);
	close(go[1]);	/* every child starts now */
	f = fdopen(p[0], "r");
	for (j = 0; j < nsums; j++)
		sums[j] = 0;
	while (!feof(f)) {
		for (j = 0; j < nsums; j++) {
			if (fscanf(f, "%lf", &v) != 1)
				break;
			sums[j] += v;
		}
	}
	fclose(f);
	while (wait(&i) > 0)
		if (!WIFEXITED(i) || WEXITSTATUS(i) != 0)
			die("a client failed");
}

static double tp_seconds;

static void
tp_client(int i, FILE *out)
{
	struct sg_guest *g = connect_socket();
	char path[64];
	double end = now_us() + tp_seconds * 1e6;
	long n = 0;

	snprintf(path, sizeof(path), "/bench/tp/c%d", i);
	must(g, XS_WRITE, path, "0123456789abcdef");
	while (now_us() < end) {
		req(g, n & 1 ? XS_READ : XS_WRITE, 0, path,
		    n & 1 ? NULL : "0123456789abcdef", NULL, 0);
		n++;
	}
	fprintf(out, "%ld\n", n);
	sg_close(g);
}

static long txn_n;

/* One transaction until it commits; returns the number of EAGAINs. */
static long
txn_retry(struct sg_guest *g, const char *rpath, const char *wpath,
    bool increment)
{
	char id[32], e[64], val[32];
	struct sg_reply r;
	long eagain = 0;
	uint32_t tx;

	for (;;) {
		if (req(g, XS_TRANSACTION_START, 0, "", NULL, id, sizeof(id)) ==
		    XS_ERROR)
			die("transaction start: %s", id);
		tx = strtoul(id, NULL, 10);
		snprintf(val, sizeof(val), "1");
		if (increment) {
			if (sg_request(g, XS_READ, tx, rpath, strlen(rpath) + 1,
			    &r, 10000) != 0 || r.hdr.type != XS_READ)
				die("read %s", rpath);
			snprintf(val, sizeof(val), "%ld", atol(r.body) + 1);
			free(r.body);
		}
		if (req(g, XS_WRITE, tx, wpath, val, e, sizeof(e)) == XS_ERROR)
			die("write %s: %s", wpath, e);
		if (req(g, XS_TRANSACTION_END, tx, "T", NULL, e, sizeof(e)) !=
		    XS_ERROR)
			return eagain;
		if (strcmp(e, "EAGAIN") != 0)
			die("commit: %s", e);
		eagain++;
	}
}

static void
txn_counter_client(int i, FILE *out)
{
	struct sg_guest *g = connect_socket();
	long k, eagain = 0;

	(void)i;
	for (k = 0; k < txn_n; k++)
		eagain += txn_retry(g, "/bench/counter", "/bench/counter", true);
	fprintf(out, "%ld %ld\n", txn_n, eagain);
	sg_close(g);
}

static void
txn_children_client(int i, FILE *out)
{
	struct sg_guest *g = connect_socket();
	char path[64];
	long k, eagain = 0;

	for (k = 0; k < txn_n; k++) {
		snprintf(path, sizeof(path), "/bench/devices/c%d-%ld", i, k);
		eagain += txn_retry(g, NULL, path, false);
	}
	fprintf(out, "%ld %ld\n", txn_n, eagain);
	sg_close(g);
}

static void
txn(int clients, long n, bool children)
{
	struct sg_guest *g = connect_socket();
	double sums[2], t0, c0;

	if (children) {
		req(g, XS_RM, 0, "/bench/devices", NULL, NULL, 0);
		must(g, XS_MKDIR, "/bench/devices", NULL);
	} else {
		must(g, XS_WRITE, "/bench/counter", "0");
	}
	txn_n = n;
	c0 = daemon_cpu_us();
	t0 = now_us();
	in_children(clients, children ? txn_children_client :
	    txn_counter_client, sums, 2);
	t0 = now_us() - t0;
	printf("commits_per_s %.0f\neagain_rate %.4f\ncpu_us_per_commit %.2f\n",
	    sums[0] / (t0 / 1e6), sums[1] / (sums[0] + sums[1]),
	    (daemon_cpu_us() - c0) / sums[0]);
	sg_close(g);
}

/* fanout W WRITES: W watchers on /bench/fan, WRITES writes below it. */
static void
fanout(int w, int writes)
{
	struct sg_guest **gs, *writer;
	char path[64], *buf;
	const char *p, *tok;
	double t0, c0;
	long got, want = (long)w * writes;
	int i, k;

	if ((gs = calloc(w, sizeof(*gs))) == NULL)
		die("out of memory");
	writer = connect_socket();
	must(writer, XS_MKDIR, "/bench/fan", NULL);
	for (i = 0; i < w; i++) {
		gs[i] = connect_socket();
		must(gs[i], XS_WATCH, "/bench/fan", "t");
		if (sg_event(gs[i], &buf, &p, &tok, 10000) != 0)
			die("no first event");
		free(buf);
	}
	c0 = daemon_cpu_us();
	t0 = now_us();
	for (k = 0; k < writes; k++) {
		snprintf(path, sizeof(path), "/bench/fan/n%d", k);
		must(writer, XS_WRITE, path, "x");
	}
	/* Collect: each watcher must see all of its events. */
	for (got = 0, i = 0; i < w; i++)
		for (k = 0; k < writes; k++, got++) {
			if (sg_event(gs[i], &buf, &p, &tok, 30000) != 0)
				die("watcher %d: %ld of %ld events", i, got, want);
			free(buf);
		}
	printf("seconds %.4f\ncpu_us %.0f\n", (now_us() - t0) / 1e6,
	    daemon_cpu_us() - c0);
	for (i = 0; i < w; i++)
		sg_close(gs[i]);
	sg_close(writer);
	free(gs);
}

static long
rss_kb(void)
{
	char path[64], line[256];
	long kb = 0;
	FILE *f;

	if (npids == 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/status", daemon_pids[0]);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* populate: 100 x 100 x 10 = 100,000 leaves under /bench/s. */
static void
populate(void)
{
	struct sg_guest *g = connect_socket();
	const long total = 100000, tenth = total / 10;
	double t0 = 0, tstart, first = 0, last = 0, c0;
	char path[64];
	long n = 0;
	int a, b, c;

	c0 = daemon_cpu_us();
	tstart = now_us();
	for (a = 0; a < 100; a++)
		for (b = 0; b < 100; b++)
			for (c = 0; c < 10; c++, n++) {
				if (n == 0 || n == total - tenth)
					t0 = now_us();
				snprintf(path, sizeof(path),
				    "/bench/s/a%d/b%d/c%d", a, b, c);
				must(g, XS_WRITE, path, "0123456789abcdef");
				if (n == tenth - 1)
					first = now_us() - t0;
				if (n == total - 1)
					last = now_us() - t0;
			}
	printf("seconds %.3f\nfirst10_us_per_write %.2f\n"
	    "last10_us_per_write %.2f\ncpu_us %.0f\nrss_kb %ld\n",
	    (now_us() - tstart) / 1e6, first / tenth, last / tenth,
	    daemon_cpu_us() - c0, rss_kb());
	sg_close(g);
}

/* Wait until the daemon has used no CPU for 300 ms (it is idle). */
static void
settle(void)
{
	double c = -1, now;
	int still = 0;

	while (still < 3) {
		usleep(100000);
		now = daemon_cpu_us();
		still = now == c ? still + 1 : 0;
		c = now;
	}
}

/*
 * domains N [K]: N guests each boot as a PV frontend does, then the
 * first K (all when K < 0) die.  K < N measures a death's cost with N
 * domains alive, apart from the number of deaths.
 */
static void
domains(int n, int kill)
{
	struct sg_guest *g0 = connect_socket(), **gs;
	struct simxen *sx;
	uint32_t *ids;
	uint64_t calls;
	double t0, c0;
	char *buf;
	const char *p, *tok;
	int i, err;

	if ((err = simxen_open(&sx)) != 0)
		die("simxen: %s", strerror(err));
	if ((gs = calloc(n, sizeof(*gs))) == NULL ||
	    (ids = calloc(n, sizeof(*ids))) == NULL)
		die("out of memory");
	c0 = daemon_cpu_us();
	t0 = now_us();
	for (i = 0; i < n; i++) {
		gs[i] = new_guest(sx, g0, &ids[i]);
		/* A frontend's boot: its name, a device, a watch. */
		must(gs[i], XS_WRITE, "data/boot", "1");
		req(gs[i], XS_READ, 0, "data/boot", NULL, NULL, 0);
		must(gs[i], XS_WRITE, "device/vif/0/state", "1");
		must(gs[i], XS_WATCH, "device/vif/0/state", "fe");
		if (sg_event(gs[i], &buf, &p, &tok, 10000) == 0)
			free(buf);
		must(gs[i], XS_WRITE, "device/vif/0/state", "4");
		req(gs[i], XS_DIRECTORY, 0, "device", NULL, NULL, 0);
	}
	printf("boot_seconds %.3f\nboot_cpu_us %.0f\n", (now_us() - t0) / 1e6,
	    daemon_cpu_us() - c0);
	settle();
	c0 = daemon_cpu_us();
	calls = simxen_state_calls(sx);
	if (kill < 0 || kill > n)
		kill = n;
	t0 = now_us();
	for (i = 0; i < kill; i++) {
		sg_close(gs[i]);
		if ((err = simxen_domain_destroy(sx, ids[i])) != 0)
			die("destroy %u: %s", ids[i], strerror(err));
	}
	settle();
	printf("shutdown_cpu_us %.0f\nshutdown_state_calls %llu\n",
	    daemon_cpu_us() - c0,
	    (unsigned long long)(simxen_state_calls(sx) - calls));
	for (; i < n; i++)
		sg_close(gs[i]);
	simxen_close(sx);
	sg_close(g0);
	free(gs);
	free(ids);
}

/*
 * liveupdate: the pause a client sees across a live update.  The nodes
 * go under /bench/lu, 100 per directory; the guests keep their rings
 * (and a watch each) across it.  A reply that never comes ends the run
 * (must()'s timeout).
 */
static void
liveupdate(long nodes, int ndoms, const char *control, const char *binary,
    const char *cmdline)
{
	struct sg_guest *g0 = connect_socket(), *pinger, **gs;
	double t0, last, gap = 0, after = -1;
	char path[64], *buf;
	const char *p, *tok;
	struct simxen *sx;
	uint32_t *ids;
	long n, pings = 0;
	int i, err, status;
	pid_t pid;

	for (n = 0; n < nodes; n++) {
		snprintf(path, sizeof(path), "/bench/lu/a%ld/b%ld", n / 100,
		    n % 100);
		must(g0, XS_WRITE, path, "0123456789abcdef");
	}
	if ((err = simxen_open(&sx)) != 0)
		die("simxen: %s", strerror(err));
	if ((gs = calloc(ndoms, sizeof(*gs))) == NULL ||
	    (ids = calloc(ndoms, sizeof(*ids))) == NULL)
		die("out of memory");
	for (i = 0; i < ndoms; i++) {
		gs[i] = new_guest(sx, g0, &ids[i]);
		must(gs[i], XS_WRITE, "data/boot", "1");
		must(gs[i], XS_WATCH, "data", "lu");
		if (sg_event(gs[i], &buf, &p, &tok, 10000) == 0)
			free(buf);
	}
	pinger = connect_socket();
	settle();
	t0 = last = now_us();
	if ((pid = fork()) < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execl(control, control, "live-update", "-c", cmdline, binary,
		    (char *)NULL);
		_exit(127);
	}
	/* Ping until 200 ms after xenstore-control has returned. */
	for (;;) {
		double t;

		struct sg_reply r;

		/* C 4.17 pauses for seconds at these sizes: 120 s bound. */
		if ((err = sg_request(pinger, XS_READ, 0, "/bench/lu/a0/b0",
		    sizeof("/bench/lu/a0/b0"), &r, 120000)) != 0)
			die("ping: %s", strerror(err));
		free(r.body);
		t = now_us();
		pings++;
		if (t - last > gap)
			gap = t - last;
		last = t;
		if (after < 0 && waitpid(pid, &status, WNOHANG) == pid) {
			after = t;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				die("%s live-update %s: status %d", control,
				    binary, status);
		}
		if (after >= 0 && t - after > 200000)
			break;
	}
	printf("pause_ms %.1f\nupdate_seconds %.3f\npings %ld\n",
	    gap / 1e3, (after - t0) / 1e6, pings);
	/* The guests were carried: each is still served. */
	for (i = 0; i < ndoms; i++) {
		must(gs[i], XS_WRITE, "data/after", "1");
		if (sg_event(gs[i], &buf, &p, &tok, 10000) != 0)
			die("domid %u: no watch event after the update", ids[i]);
		free(buf);
		sg_close(gs[i]);
	}
	simxen_close(sx);
	sg_close(pinger);
	sg_close(g0);
	free(gs);
	free(ids);
}

int
main(int argc, char **argv)
{
	struct rlimit rl;
	int i = 1;

	sock_path = getenv("XENSTORED_PATH");
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "--socket") == 0)
			sock_path = argv[i + 1];
		else if (strcmp(argv[i], "--pid") == 0) {
			/* PID[,PID...] */
			char *p = argv[i + 1], *end;

			for (npids = 0; npids < MAX_PIDS && *p != '\0';
			    npids++) {
				daemon_pids[npids] = strtol(p, &end, 10);
				p = *end == ',' ? end + 1 : end;
			}
		}
		else
			die("unknown option %s", argv[i]);
	}
	if (sock_path == NULL)
		sock_path = "/run/xenstored/socket";
	/* Thousands of connections in the fan-out and domain runs. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	argc -= i;
	argv += i;
	if (argc == 2 && strcmp(argv[0], "echo-server") == 0)
		echo_server(argv[1]);
	else if (argc >= 3 && strcmp(argv[0], "rtt") == 0)
		rtt(argv[1], atol(argv[2]), argc > 3 &&
		    strcmp(argv[3], "--ring") == 0);
	else if (argc == 3 && strcmp(argv[0], "throughput") == 0) {
		double sum;

		tp_seconds = atof(argv[2]);
		in_children(atoi(argv[1]), tp_client, &sum, 1);
		printf("reqs_per_s %.0f\n", sum / tp_seconds);
	} else if (argc == 3 && strcmp(argv[0], "txn-counter") == 0)
		txn(atoi(argv[1]), atol(argv[2]), false);
	else if (argc == 3 && strcmp(argv[0], "txn-children") == 0)
		txn(atoi(argv[1]), atol(argv[2]), true);
	else if (argc == 3 && strcmp(argv[0], "fanout") == 0)
		fanout(atoi(argv[1]), atoi(argv[2]));
	else if (argc == 1 && strcmp(argv[0], "populate") == 0)
		populate();
	else if (argc == 6 && strcmp(argv[0], "liveupdate") == 0)
		liveupdate(atol(argv[1]), atoi(argv[2]), argv[3], argv[4],
		    argv[5]);
	else if ((argc == 2 || argc == 3) && strcmp(argv[0], "domains") == 0)
		domains(atoi(argv[1]), argc == 3 ? atoi(argv[2]) : -1);
	else
		die("usage: xs-bench [--socket PATH] [--pid PID] COMMAND ARGS "
		    "(see bench/xs-bench.c)");
	return 0;
}
