/*
 * xenstored: options (those Xen's launch-xenstore and init scripts pass),
 * daemonizing, pid file, sd_notify, signals, and the start-up and
 * shutdown of every module.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <xs-stable.h>

#include "conn.h"
#include "conn_socket.h"
#include "control.h"
#include "dispatch.h"
#include "domain.h"
#include "domain_feed.h"
#include "log.h"
#include "loop.h"
#include "path.h"
#include "quota.h"
#include "journal.h"
#include "keeper.h"
#include "state.h"
#include "store.h"
#include "watch.h"

struct options {
	const char	*pid_file;
	const char	*trace_file;
	bool		 no_fork;
	bool		 verbose;
	bool		 output_pid;
	unsigned int	 master_domid;
	unsigned int	 priv_domid;
	unsigned int	 dom0_event;
	bool		 stub;		/* -e: we are the xenstore domain */
	bool		 no_domain_init;
	bool		 keep_orphans;
	bool		 live_update;	/* -U: take over a replaced daemon */
	bool		 crash_restart;	/* a keeper, a snapshot, a journal */
	bool		 recover;	/* the keeper restarted us */
	const char	*domain_state_socket;
};

static const char usage_text[] =
"Usage: xenstored [options]\n"
"\n"
"  -F, --pid-file <file>    write the daemon's pid to <file> once it serves\n"
"  -N, --no-fork            stay in the foreground, log to stderr\n"
"  -P, --output-pid         print the daemon's pid on stdout\n"
"  -T, --trace-file <file>  trace every request and reply to <file>\n"
"  -V, --verbose            log debugging messages\n"
"  -D, --no-domain-init     do not serve the local domain's ring\n"
"  -E, --entry-nb <nb>      quota: nodes per domain\n"
"  -S, --entry-size <size>  quota: bytes per node\n"
"  -W, --watch-nb <nb>      quota: watches per domain\n"
"  -t, --transaction <nb>   quota: transactions per domain\n"
"  -A, --perm-nb <nb>       quota: permissions per node\n"
"  -M, --path-max <chars>   quota: path length below the domain path\n"
"  -Q, --quota <what>=<nb>  quota: outstanding, transaction-nodes, memory\n"
"  -q, --quota-soft <what>=<nb>  soft quota: memory\n"
"  -w, --timeout <what>=<seconds>  timeout: watch-event (accepted)\n"
"  -I, --internal-db [on|off]  the store is always in memory (accepted)\n"
"  -R, --no-recovery        (accepted)\n"
"  -K, --keep-orphans       keep a dead domain's nodes (given to the\n"
"                           privileged domain) instead of removing them\n"
"  -e, --event <port>       run as the xenstore domain: serve the master\n"
"                           domain's ring, granted to us at the reserved\n"
"                           grant ref, on its event channel <port> (as\n"
"                           init-xenstore-domain passes it); no socket\n"
"  -m, --master-domid <id>  the master domain, whose ring is served at\n"
"                           start (0)\n"
"  -p, --priv-domid <id>    domid of the privileged domain (0)\n"
"      --domain-state-socket <path>  datagram socket for domain-state\n"
"                           records (docs/libxs-stable.md)\n"
"  -U, --live-update        take over from the xenstored that exec'd us:\n"
"                           its state file, sockets and event channels\n"
"                           (docs/migration-stream.md)\n"
"      --crash-restart      survive our own crash: a keeper process holds\n"
"                           the sockets and event channels and restarts\n"
"                           us from a snapshot and journal in the run\n"
"                           directory (docs/crash-restart.md)\n"
"  -H, --help               print this text\n"
"\n"
"The socket is $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else\n"
"/run/xenstored/socket (none with -e).  See xenstored(8).\n"
STATE_HELP_LINE "\n";

static const struct option long_options[] = {
	{ "no-domain-init", no_argument, NULL, 'D' },
	{ "entry-nb", required_argument, NULL, 'E' },
	{ "pid-file", required_argument, NULL, 'F' },
	{ "event", required_argument, NULL, 'e' },
	{ "master-domid", required_argument, NULL, 'm' },
	{ "help", no_argument, NULL, 'H' },
	{ "no-fork", no_argument, NULL, 'N' },
	{ "priv-domid", required_argument, NULL, 'p' },
	{ "output-pid", no_argument, NULL, 'P' },
	{ "entry-size", required_argument, NULL, 'S' },
	{ "trace-file", required_argument, NULL, 'T' },
	{ "transaction", required_argument, NULL, 't' },
	{ "perm-nb", required_argument, NULL, 'A' },
	{ "path-max", required_argument, NULL, 'M' },
	{ "quota", required_argument, NULL, 'Q' },
	{ "quota-soft", required_argument, NULL, 'q' },
	{ "timeout", required_argument, NULL, 'w' },
	{ "no-recovery", no_argument, NULL, 'R' },
	{ "internal-db", optional_argument, NULL, 'I' },
	{ "keep-orphans", no_argument, NULL, 'K' },
	{ "verbose", no_argument, NULL, 'V' },
	{ "watch-nb", required_argument, NULL, 'W' },
	{ "domain-state-socket", required_argument, NULL, 1 },
	{ "live-update", no_argument, NULL, 'U' },
	{ "crash-restart", no_argument, NULL, 2 },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
usage(int status)
{
	fputs(usage_text, status == 0 ? stdout : stderr);
	exit(status);
}

static unsigned int
parse_number(const char *opt, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || v > INT_MAX ||
	    arg[0] == '-') {
		fprintf(stderr, "xenstored: invalid value \"%s\" for -%s\n",
		    arg, opt);
		usage(2);
	}
	return v;
}

/* "<what>=<nb>" for -Q / -q. */
static void
parse_quota(const char *arg, bool soft)
{
	const char *eq = strchr(arg, '=');
	char name[32];
	enum quota_id q;
	unsigned int v;

	if (eq == NULL || (size_t)(eq - arg) >= sizeof(name)) {
		fprintf(stderr, "xenstored: quota must be <what>=<nb>\n");
		usage(2);
	}
	memcpy(name, arg, eq - arg);
	name[eq - arg] = '\0';
	v = parse_number(soft ? "q" : "Q", eq + 1);
	if (quota_lookup(name, &q) != 0 ||
	    (soft ? quota_soft_set(q, v) != 0 : (quota_set(q, v), false))) {
		fprintf(stderr, "xenstored: unknown %squota \"%s\"\n",
		    soft ? "soft " : "", name);
		usage(2);
	}
}

/* Accepted for compatibility; said in the log, never silently dropped. */
static void
accepted(char **notes, const char *what)
{
	char *n = talloc_asprintf_append(*notes, "%s%s", **notes ? ", " : "",
	    what);

	if (n != NULL)
		*notes = n;
}

static void
parse_options(int argc, char **argv, struct options *o, char **notes)
{
	int c;

	while ((c = getopt_long(argc, argv,
	    "DE:F:HI::KNPS:t:A:M:Q:q:T:RVW:w:e:m:p:U", long_options,
	    NULL)) != -1) {
		switch (c) {
		case 'D':
			o->no_domain_init = true;
			break;
		case 1:
			o->domain_state_socket = optarg;
			break;
		case 'E':
			quota_set(QUOTA_NODES, parse_number("E", optarg));
			break;
		case 'F':
			o->pid_file = optarg;
			break;
		case 'H':
			usage(0);
		case 'N':
			o->no_fork = true;
			break;
		case 'P':
			o->output_pid = true;
			break;
		case 'S':
			quota_set(QUOTA_NODE_SIZE, parse_number("S", optarg));
			break;
		case 't':
			quota_set(QUOTA_TRANSACTIONS,
			    parse_number("t", optarg));
			break;
		case 'A':
			quota_set(QUOTA_PERMISSIONS,
			    parse_number("A", optarg));
			break;
		case 'M':
			quota_set(QUOTA_PATH_MAX, parse_number("M", optarg));
			accepted(notes, "-M (paths are limited by the "
			    "protocol maxima)");
			break;
		case 'Q':
			parse_quota(optarg, false);
			break;
		case 'q':
			parse_quota(optarg, true);
			break;
		case 'T':
			o->trace_file = optarg;
			break;
		case 'R':
			accepted(notes, "-R (no recovery needed: "
			    "in-memory store)");
			break;
		case 'V':
			o->verbose = true;
			break;
		case 'W':
			quota_set(QUOTA_WATCHES, parse_number("W", optarg));
			break;
		case 'w':
			if (strncmp(optarg, "watch-event=", 12) != 0) {
				fprintf(stderr, "xenstored: unknown timeout "
				    "\"%s\"\n", optarg);
				usage(2);
			}
			parse_number("w", optarg + 12);
			accepted(notes, "-w (watch events are never held)");
			break;
		case 'I':
			if (optarg != NULL && strcmp(optarg, "on") != 0 &&
			    strcmp(optarg, "off") != 0)
				usage(2);
			accepted(notes, "-I (the store is always in memory)");
			break;
		case 'K':
			o->keep_orphans = true;
			break;
		case 'e':
			o->dom0_event = parse_number("e", optarg);
			if (o->dom0_event == 0) {
				fprintf(stderr, "xenstored: -e: port 0 is "
				    "never an event channel\n");
				usage(2);
			}
			o->stub = true;
			break;
		case 'm':
			o->master_domid = parse_number("m", optarg);
			break;
		case 'p':
			o->priv_domid = parse_number("p", optarg);
			break;
		case 'U':
			o->live_update = true;
			break;
		case 2:
			o->crash_restart = true;
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "xenstored: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(2);
	}
}

/* The nodes Xen's C xenstored starts with: /, /tool, /tool/xenstored. */
static struct store *
initial_store(TALLOC_CTX *ctx, unsigned int dom0)
{
	struct perm_entry pe = { dom0, PERM_NONE };
	struct perms perms = { 1, &pe };
	struct store *st;
	struct node *tool;

	if ((st = store_new(ctx, &perms)) == NULL ||
	    (tool = store_add(st, store_lookup(st, "/"), "tool", NULL, 0,
	    &perms)) == NULL ||
	    store_add(st, tool, "xenstored", NULL, 0, &perms) == NULL)
		return NULL;
	quota_charge(dom0, USAGE_NODES, 3);
	return st;
}

/* -U: only "/", which the replaced daemon's NODE records overwrite. */
static struct store *
restored_store(TALLOC_CTX *ctx, unsigned int dom0)
{
	struct perm_entry pe = { dom0, PERM_NONE };
	struct perms perms = { 1, &pe };
	struct store *st;

	if ((st = store_new(ctx, &perms)) == NULL)
		return NULL;
	quota_charge(dom0, USAGE_NODES, 1);
	return st;
}

static int
write_pid_file(const char *path)
{
	char buf[32];
	int fd, len;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	/* With a keeper, its pid: it is what a SIGTERM must reach. */
	len = snprintf(buf, sizeof(buf), "%ld\n",
	    (long)(keeper_present() ? getppid() : getpid()));
	if (write(fd, buf, len) != len) {
		close(fd);
		return EIO;
	}
	return close(fd) == 0 ? 0 : errno;
}

/*
 * Fork; the parent waits until the child serves (one byte on a pipe) so
 * that "xenstored && xenstore-read ..." works, then exits.  Returns the
 * pipe's write end in the child.
 */
static int
daemonize(void)
{
	int fds[2], nullfd;
	pid_t pid;
	char c;

	if (pipe2(fds, O_CLOEXEC) != 0)
		fatal("pipe");
	if ((pid = fork()) < 0)
		fatal("fork");
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(1);	/* the child said why in the log */
		_exit(0);
	}
	close(fds[0]);
	if (setsid() < 0)
		fatal("setsid");
	if (chdir("/") != 0)
		fatal("chdir /");
	if ((nullfd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(nullfd, STDIN_FILENO);
		dup2(nullfd, STDOUT_FILENO);
		dup2(nullfd, STDERR_FILENO);
		if (nullfd > STDERR_FILENO)
			close(nullfd);
	}
	return fds[1];
}

static void
on_terminate(int signo, void *arg)
{
	(void)arg;
	log_info("signal %d: shutting down", signo);
	loop_exit();
}

static void
on_hangup(int signo, void *arg)
{
	int err;

	(void)signo;
	(void)arg;
	if ((err = log_trace_reopen()) != 0)
		log_warnx("cannot reopen trace file %s: %s", log_trace_path(),
		    strerror(err));
}

/* The Xen handle; NULL on a host without Xen. */
static struct xss_handle *xh;

/*
 * Rings and domains: open Xen through libxs-stable, serve the local ring
 * (unless -D), and listen to the domain-state feed.  Without Xen only
 * the socket is served, and that is said once.
 */
static void
start_domains(TALLOC_CTX *root, const struct options *o, struct store *st,
    struct dispatch *dispatch)
{
	struct domain_config cfg = {
		.priv_domid = o->priv_domid,
		.master_domid = o->master_domid,
		.keep_orphans = o->keep_orphans,
		.stub = o->stub,
	};
	int err;

	if (!o->live_update && !o->recover) {
		if ((xh = xss_open(&err)) == NULL && o->stub)
			fatalx("-e: no hypervisor (%s)", strerror(err));
		if (xh == NULL)
			log_info("no hypervisor (%s): serving the Unix socket "
			    "only", strerror(err));
	}
	if ((err = domain_init(root, xh, st, &cfg, dispatch_frame,
	    dispatch)) != 0)
		fatalx("domains: %s", strerror(err));
	if (o->live_update || o->recover) {
		/* The rings come from the state (take_over()). */
	} else if (o->stub) {
		/* The xenstore domain exists to serve this ring. */
		if ((err = domain_introduce_master(o->dom0_event)) != 0)
			fatalx("the master domain %u's ring (port %u): %s",
			    o->master_domid, o->dom0_event, strerror(err));
	} else if (xh != NULL && !o->no_domain_init &&
	    (err = domain_introduce_local()) != 0)
		log_info("local ring not served (%s): the local domain's "
		    "kernel must use the socket", strerror(err));
	if ((err = domain_feed_init(root, o->domain_state_socket)) != 0)
		fatalx("domain-state feed at %s: %s",
		    o->domain_state_socket ? o->domain_state_socket : "-",
		    strerror(err));
	if (xh != NULL && o->domain_state_socket == NULL)
		log_info("no domain-state source: domain deaths are learned "
		    "from RELEASE only");
}

/* --crash-restart: the keeper gets the core descriptors, and from the
 * snapshot on every change is journalled. */
static void
start_journal(const struct options *o, struct store *st,
    struct socket_listener *listener, uint32_t gen)
{
	static const struct journal_ops ops = { state_snapshot,
	    state_put_quotas };
	const char *why;
	int err;

	if (!o->crash_restart || !keeper_present())
		return;
	if ((listener != NULL &&
	    keeper_fd_add(socket_listener_fd(listener)) != 0) ||
	    (xh != NULL && keeper_fd_add(xss_evtchn_fd(xh)) != 0))
		return;
	if ((err = journal_start(state_run_dir(), st, listener,
	    xh != NULL ? xss_evtchn_fd(xh) : -1, gen, &ops, &why)) != 0)
		log_warnx("crash restart: %s: %s: a crash would not be "
		    "survived", why, strerror(err));
}

/*
 * -U: the daemon that exec'd us left its state file, its listening and
 * client sockets and its event-channel fd open (docs/migration-stream.md);
 * a restart by the keeper: the same from the snapshot and the journal
 * (docs/crash-restart.md).  Take them all over, or die before serving
 * anything.
 */
static struct socket_listener *
take_over(TALLOC_CTX *root, const struct options *o, struct store *st,
    struct dispatch *dispatch, char **sock_path)
{
	const char *what = o->recover ? "restart" : "live update";
	struct socket_listener *listener = NULL;
	int err, socket_fd = -1, evtchn_fd = -1;
	struct state *s;
	char *path, *why = NULL;

	if ((path = state_default_path(root)) == NULL)
		fatalx("out of memory");
	if (o->recover)
		s = state_recover_load(root, state_run_dir(), &socket_fd,
		    &evtchn_fd, &why);
	else
		s = state_load(root, path, &socket_fd, &evtchn_fd, &why);
	if (s == NULL)
		fatalx("%s: %s", what, why);
	/* A restart of a daemon that had no hypervisor has no fd. */
	if ((evtchn_fd >= 0 || !o->recover) &&
	    (xh = xss_open_fd(evtchn_fd, &err)) == NULL)
		fatalx("%s: the event channel fd %d: %s", what, evtchn_fd,
		    strerror(err));
	start_domains(root, o, st, dispatch);
	if (!o->stub) {
		if ((*sock_path = socket_default_path(root)) == NULL)
			fatalx("out of memory");
		if (socket_fd >= 0)
			listener = socket_adopt_listener(root, socket_fd,
			    *sock_path, 0, dispatch_frame, dispatch, &err);
		else
			listener = socket_listen(root, *sock_path, 0,
			    dispatch_frame, dispatch, &err);
		if (listener == NULL)
			fatalx("%s: the socket %s (fd %d): %s", what,
			    *sock_path, socket_fd, strerror(err));
	}
	err = o->recover ? state_recover(s, st, listener, &why) :
	    state_restore(s, st, listener, &why);
	if (err != 0)
		fatalx("%s: %s", what, why);
	/* Journalled from before the first request is handled. */
	start_journal(o, st, listener, o->recover ? state_generation(s) : 0);
	state_finish(s);
	talloc_free(path);
	unsetenv("XENSTORED_RECOVER");
	unsetenv("XENSTORED_KEEPER_FDS");
	return listener;
}

/* Make the socket's directory, as Xen's daemon does for its rundir. */
static void
make_socket_dir(const char *path)
{
	char *dir = path_parent(NULL, path), *slash;

	if (dir == NULL)
		return;
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir && strcmp(dir, ".") != 0)
		mkdir(dir, 0755);
	talloc_free(dir);
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	struct socket_listener *listener;
	struct dispatch *dispatch;
	struct store *st;
	TALLOC_CTX *root;
	char *notes, *sock_path;
	int err, ready_fd = -1;

	root = talloc_named_const(NULL, 0, "xenstored");
	notes = talloc_strdup(root, "");
	if (root == NULL || notes == NULL)
		return 1;
	quota_init();
	parse_options(argc, argv, &o, &notes);

	log_init("xenstored", o.no_fork, o.verbose);
	/*
	 * The xenstore domain logs to its console, which only drains when
	 * dom0's xenconsoled runs: never wait for it.
	 */
	if (o.stub && o.no_fork)
		log_stderr_nonblocking();
	signal(SIGPIPE, SIG_IGN);
	/* A restart by the keeper, or a live update under one. */
	if (o.crash_restart && keeper_attach() == 0)
		o.recover = getenv("XENSTORED_RECOVER") != NULL &&
		    !o.live_update;
	/* A live update keeps the pid and the session it was exec'd in. */
	if (!o.no_fork && !o.live_update && !o.recover)
		ready_fd = daemonize();
	/* Before anything is opened: the keeper holds only what it is given. */
	if (o.crash_restart && !keeper_present() &&
	    keeper_start(argv) != 0)
		log_warn("crash restart: cannot start the keeper");
	if (*notes != '\0')
		log_info("options accepted but not acted on: %s", notes);
	if (o.trace_file != NULL && (err = log_trace_set_file(o.trace_file)))
		fatalx("cannot open trace file %s: %s", o.trace_file,
		    strerror(err));

	if (loop_init() != 0 || watch_init() != 0)
		fatalx("out of memory");
	if ((st = o.live_update || o.recover ? restored_store(root, 0) :
	    initial_store(root, 0)) == NULL ||
	    (dispatch = dispatch_new(root, st)) == NULL)
		fatalx("out of memory");
	control_init(root);
	listener = NULL;
	sock_path = NULL;
	if (o.live_update || o.recover) {
		listener = take_over(root, &o, st, dispatch, &sock_path);
	} else if (!o.stub) {
		/* In the xenstore domain every client comes over a ring. */
		if ((sock_path = socket_default_path(root)) == NULL)
			fatalx("out of memory");
		make_socket_dir(sock_path);
		listener = socket_listen(root, sock_path, 0, dispatch_frame,
		    dispatch, &err);
		if (listener == NULL)
			fatalx("cannot listen at %s: %s", sock_path,
			    strerror(err));
	}
	if (!o.live_update && !o.recover) {
		start_domains(root, &o, st, dispatch);
		start_journal(&o, st, listener, 0);
	}
	/* The xenstore domain has no binary to exec: MiniOS's way (a new
	 * kernel) is not ours (docs/migration-stream.md). */
	if (!o.stub && xh != NULL) {
		struct control_live_update lu = {
			.argc = argc, .argv = argv, .listener = listener,
			.evtchn_fd = xss_evtchn_fd(xh), .st = st,
			.state_path = state_default_path(root),
		};

		if (lu.state_path == NULL)
			fatalx("out of memory");
		control_set_live_update(&lu);
	}
	if (loop_signal(SIGTERM, on_terminate, NULL) != 0 ||
	    loop_signal(SIGINT, on_terminate, NULL) != 0 ||
	    loop_signal(SIGHUP, on_hangup, NULL) != 0)
		fatalx("out of memory");

	/* Serving: now tell whoever waits. */
	if (o.pid_file != NULL && (err = write_pid_file(o.pid_file)) != 0)
		fatalx("cannot write pid file %s: %s", o.pid_file,
		    strerror(err));
	if (o.output_pid)
		printf("%ld\n", (long)getpid()), fflush(stdout);
	keeper_ready();
	if (ready_fd >= 0) {
		if (write(ready_fd, "", 1) != 1)
			log_warn("cannot tell the parent we are ready");
		close(ready_fd);
	}
	/* A live update's systemd unit has been ready all along (as C's). */
	if (!o.live_update && !o.recover)
		sd_notify(0, "READY=1");
	if (sock_path != NULL)
		log_info("serving at %s", sock_path);
	else
		log_info("serving as the xenstore domain (master domain %u)",
		    o.master_domid);

	err = loop_run();

	sd_notify(0, "STOPPING=1");
	/* A clean stop leaves nothing to restart from; after a failed
	 * loop (exit 1) the keeper restarts from the files. */
	if (err == 0 && journal_enabled())
		journal_discard(state_run_dir());
	if (o.pid_file != NULL)
		unlink(o.pid_file);
	loop_run_deferred();
	domain_feed_fini();
	domain_fini();
	loop_run_deferred();
	conn_free_all();
	xss_close(xh);
	talloc_free(listener);
	talloc_free(root);
	watch_fini();
	quota_fini();
	loop_fini();
	log_fini();
	return err == 0 ? 0 : 1;
}
