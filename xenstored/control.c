/*
 * CONTROL subcommands, as a table.  Their output formats follow Xen's C
 * xenstored where tools parse them (quota), and are our own otherwise.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xs-stable.h>

#include "conn.h"
#include "conn_socket.h"
#include "control.h"
#include "dispatch.h"
#include "domain.h"
#include "framing.h"
#include "journal.h"
#include "keeper.h"
#include "log.h"
#include "loop.h"
#include "ops.h"
#include "ops_domain.h"
#include "quota.h"
#include "state.h"
#include "store.h"
#include "stream.h"
#include "txn.h"
#include "watch.h"

struct control_cmd {
	const char	*name;
	int		(*fn)(struct request *req, const char **args,
			    unsigned int nargs);
	const char	*params;
	unsigned int	 min_args;
	unsigned int	 max_args;
};

static TALLOC_CTX	*report_root;
static struct control_live_update lu_env;
static bool		 lu_enabled;

/* The one live-update session, owned by the connection that began it. */
struct lu_session {
	struct connection	*conn;
	char			*binary;
	char			*cmdline;	/* NULL: our own argv */
	time_t			 started;	/* first -s (txn_clock()), or 0 */
	/* A -s held until it may go (as C 4.17), asked again each
	 * LU_HOLD_MS: its header and options. */
	struct loop_timer	*hold;
	bool			 held;
	bool			 aborted;	/* by -a meanwhile */
	uint32_t		 req_id, tx_id;
	bool			 force;
	time_t			 timeout;
};
#define LU_HOLD_MS	100
static struct lu_session *lu;

void
control_set_live_update(const struct control_live_update *env)
{
	lu_env = *env;
	lu_enabled = true;
}

void
control_init(TALLOC_CTX *root)
{
	report_root = root;
}

static int	ctl_help(struct request *, const char **, unsigned int);
static int	ctl_live_update(struct request *, const char **, unsigned int);

static int
ctl_check(struct request *req, const char **args, unsigned int nargs)
{
	unsigned int problems;

	(void)args;
	(void)nargs;
	problems = store_check(req->st);
	if (problems == 0)
		return 0;
	return request_reply_string(req, talloc_asprintf(req->ctx,
	    "%u problems found, see the log\n", problems));
}

static int
ctl_log(struct request *req, const char **args, unsigned int nargs)
{
	(void)req;
	(void)nargs;
	if (strcmp(args[0], "on") == 0)
		log_trace_enable(true);
	else if (strcmp(args[0], "off") == 0)
		log_trace_enable(false);
	else
		return EINVAL;
	return 0;
}

static int
ctl_logfile(struct request *req, const char **args, unsigned int nargs)
{
	(void)req;
	(void)nargs;
	if (args[0][0] == '\0')
		return EINVAL;
	return log_trace_set_file(args[0]);
}

/*
 * The daemon's resident memory and, for a stub domain's administrator, the
 * memory left in the machine it runs on (proc(5): statm, meminfo), in kB;
 * 0 if /proc cannot tell.
 */
static void
memreport_system(unsigned long *rss_kb, unsigned long *avail_kb)
{
	unsigned long size, resident;
	char line[128];
	FILE *fp;

	*rss_kb = *avail_kb = 0;
	if ((fp = fopen("/proc/self/statm", "re")) != NULL) {
		if (fscanf(fp, "%lu %lu", &size, &resident) == 2)
			*rss_kb = resident * (unsigned long)sysconf(_SC_PAGESIZE) / 1024;
		fclose(fp);
	}
	if ((fp = fopen("/proc/meminfo", "re")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL)
			if (sscanf(line, "MemAvailable: %lu kB", avail_kb) == 1)
				break;
		fclose(fp);
	}
}

static int
ctl_memreport(struct request *req, const char **args, unsigned int nargs)
{
	unsigned long rss_kb, avail_kb;
	FILE *fp;
	char *s;

	if (nargs == 1) {
		if ((fp = fopen(args[0], "we")) == NULL)
			return errno;
		talloc_report_full(report_root, fp);
		fclose(fp);
		return 0;
	}
	memreport_system(&rss_kb, &avail_kb);
	s = talloc_asprintf(req->ctx,
	    "nodes: %u\nconnections: %u\nwatches: %u\ntransactions: %u\n"
	    "talloc bytes: %zu\ntalloc blocks: %zu\n"
	    "rss kB: %lu\nmem-available kB: %lu\n",
	    store_count(req->st), conn_count(), watch_count(), txn_count(),
	    talloc_total_size(report_root), talloc_total_blocks(report_root),
	    rss_kb, avail_kb);
	return request_reply_string(req, s);
}

static int
ctl_print(struct request *req, const char **args, unsigned int nargs)
{
	(void)req;
	(void)nargs;
	log_info("%s", args[0]);
	return 0;
}

static int
quota_table(struct request *req, bool soft)
{
	enum quota_id q;
	char *s;

	s = talloc_strdup(req->ctx, "Quota settings:\n");
	for (q = 0; q < QUOTA_COUNT && s != NULL; q++) {
		if (soft && quota_soft_get(q) == 0 && q != QUOTA_MEMORY)
			continue;
		s = talloc_asprintf_append(s, "%-17s: %8u %s\n",
		    quota_name(q), soft ? quota_soft_get(q) : quota_get(q),
		    quota_descr(q));
	}
	return request_reply_string(req, s);
}

static int
quota_set_cmd(const char **args, unsigned int nargs, bool soft)
{
	unsigned long v;
	enum quota_id q;

	if (nargs != 3 || quota_lookup(args[1], &q) != 0 ||
	    ops_parse_uint(args[2], ~0u, &v) != 0 || v == 0)
		return EINVAL;
	if (soft)
		return quota_soft_set(q, v);
	quota_set(q, v);
	return 0;
}

static int
ctl_quota(struct request *req, const char **args, unsigned int nargs)
{
	unsigned long domid;
	enum quota_usage u;
	char *s;

	if (nargs == 0)
		return quota_table(req, false);
	if (strcmp(args[0], "set") == 0)
		return quota_set_cmd(args, nargs, false);
	if (nargs != 1 || ops_parse_uint(args[0], PERMS_DOMID_MAX, &domid))
		return EINVAL;
	s = talloc_asprintf(req->ctx, "Domain %lu:\n", domid);
	for (u = 0; u < USAGE_COUNT && s != NULL; u++)
		s = talloc_asprintf_append(s, "%-17s: %8lu\n",
		    quota_usage_name(u), quota_usage(domid, u));
	return request_reply_string(req, s);
}

static int
ctl_quota_soft(struct request *req, const char **args, unsigned int nargs)
{
	if (nargs == 0)
		return quota_table(req, true);
	if (strcmp(args[0], "set") == 0)
		return quota_set_cmd(args, nargs, true);
	return EINVAL;
}

/*
 * The toolstack's word on a domain (docs/protocol.md, CONTROL
 * domain-state): handled as a record of the domain-state feed, so it is
 * idempotent as the feed is.
 */
static int
ctl_domain_state(struct request *req, const char **args, unsigned int nargs)
{
	struct xss_domain_event ev = { 0, 0, 0 };
	unsigned long reason = 0;
	unsigned int domid;

	(void)req;
	if (ops_parse_domid(args[0], &domid) != 0)
		return EINVAL;
	for (ev.state = 0; ev.state <= XSS_DOMAIN_DEAD; ev.state++)
		if (strcmp(args[1], xss_domain_state_name(ev.state)) == 0)
			break;
	if (ev.state > XSS_DOMAIN_DEAD)
		return EINVAL;
	if (nargs == 3 && (ev.state != XSS_DOMAIN_SHUTDOWN ||
	    ops_parse_uint(args[2], 255, &reason) != 0))
		return EINVAL;
	ev.domid = domid;
	ev.reason = reason;
	domain_state_changed(&ev);
	return 0;
}

static int
ctl_domains(struct request *req, const char **args, unsigned int nargs)
{
	char *s = talloc_strdup(req->ctx, "");

	(void)args;
	(void)nargs;
	if (s == NULL || domain_report(&s) != 0)
		return ENOMEM;
	return request_reply_string(req, talloc_steal(req->ctx, s));
}

static const struct control_cmd cmds[] = {
	{ "check", ctl_check, "", 0, 0 },
	{ "log", ctl_log, "on|off", 1, 1 },
	{ "logfile", ctl_logfile, "<file>", 1, 1 },
	{ "memreport", ctl_memreport, "[<file>]", 0, 1 },
	{ "print", ctl_print, "<string>", 1, 1 },
	{ "quota", ctl_quota, "[set <name> <val>|<domid>]", 0, 3 },
	{ "quota-soft", ctl_quota_soft, "[set <name> <val>]", 0, 3 },
	{ "domain-state", ctl_domain_state,
	    "<domid> running|shutdown|dying|dead [<reason>]", 2, 3 },
	{ "domains", ctl_domains, "", 0, 0 },
	{ "live-update", ctl_live_update,
	    "-f <file>|-c <cmdline>|-s [-F] [-t <sec>]|-a", 1, 4 },
	{ "help", ctl_help, "", 0, 0 },
};

#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static int
ctl_help(struct request *req, const char **args, unsigned int nargs)
{
	unsigned int i;
	char *s;

	(void)args;
	(void)nargs;
	s = talloc_strdup(req->ctx, "");
	for (i = 0; i < NCMDS && s != NULL; i++)
		s = talloc_asprintf_append(s, "%s\t%s\n", cmds[i].name,
		    cmds[i].params);
	return request_reply_string(req, s);
}

static int
lu_session_destroy(struct lu_session *s)
{
	if (lu == s)
		lu = NULL;
	return 0;
}

/*
 * Does binary run?  "binary --help" must exit 0 within 10 s (Xen's C
 * xenstored and ours both do): -1 if not, else 1 when its output has
 * STATE_HELP_LINE (it reads version 2), 0 when not.  The loop waits: an
 * administrator's command, bounded.  Output past the pipe's buffer
 * (64 KiB) stalls the child until the kill: not a xenstored.
 */
static int
binary_runs(const char *binary)
{
	posix_spawn_file_actions_t fa;
	char *const argv[] = { (char *)binary, (char *)"--help", NULL };
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
	char out[8192];
	int status, i, p[2];
	ssize_t n;
	size_t len = 0;
	pid_t pid, r;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	if (posix_spawn_file_actions_init(&fa) != 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	i = posix_spawn(&pid, binary, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (i != 0) {
		close(p[0]);
		return -1;
	}
	for (i = 0; (r = waitpid(pid, &status, WNOHANG)) == 0 && i < 1000; i++)
		nanosleep(&ten_ms, NULL);
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	while (len < sizeof(out) - 1 &&
	    (n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	out[len] = '\0';
	if (r != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return strstr(out, STATE_HELP_LINE) != NULL;
}

/* The new daemon's argv on ctx: -c's words, else ours; then -U. */
static char **
lu_argv(TALLOC_CTX *ctx, const struct lu_session *s)
{
	char **argv, *words = NULL, *w, *save = NULL;
	int n = 0, i, max;
	bool has_u = false;

	max = 3 + (s->cmdline != NULL ? (int)strlen(s->cmdline) : lu_env.argc);
	if ((argv = talloc_zero_array(ctx, char *, max)) == NULL)
		return NULL;
	argv[n++] = s->binary;
	if (s->cmdline != NULL) {
		if ((words = talloc_strdup(ctx, s->cmdline)) == NULL)
			return NULL;
		for (w = strtok_r(words, " \t", &save); w != NULL;
		    w = strtok_r(NULL, " \t", &save))
			argv[n++] = w;
	} else {
		for (i = 1; i < lu_env.argc; i++)
			argv[n++] = lu_env.argv[i];
	}
	for (i = 1; i < n; i++)
		if (strcmp(argv[i], "-U") == 0 ||
		    strcmp(argv[i], "--live-update") == 0)
			has_u = true;
	if (!has_u)
		argv[n++] = (char *)"-U";
	argv[n] = NULL;
	return argv;
}

/* Fds the new daemon inherits: kept across exec, or back to ours. */
static int
lu_keep_fds(bool keep)
{
	int fl, err = 0;

	if (lu_env.listener != NULL)
		err = socket_keep_across_exec(lu_env.listener, keep);
	if ((fl = fcntl(lu_env.evtchn_fd, F_GETFD)) < 0 ||
	    fcntl(lu_env.evtchn_fd, F_SETFD,
	    keep ? fl & ~FD_CLOEXEC : fl | FD_CLOEXEC) != 0)
		err = err ? err : errno;
	return err;
}

/* Open transactions, for a hand-over to C 4.17 (version 1). */
struct ta_scan {
	time_t		 now, timeout;
	unsigned int	 total, old;	/* connections with one; of them,
					   open for timeout or longer */
	char		*reason;	/* on ctx; NULL: none old */
	TALLOC_CTX	*ctx;
};

static int
scan_conn(struct connection *conn, struct ta_scan *ts)
{
	struct txn_list *list = dispatch_txns(conn);
	time_t t;

	if (list == NULL)
		return ENOMEM;
	if (txn_list_oldest(list, &t) != 0)
		return 0;
	ts->total++;
	if (ts->now - t < ts->timeout)
		return 0;
	ts->old++;
	/* C 4.17's wording (xenstored_control.c, lu_reject_reason()). */
	ts->reason = talloc_asprintf(ts->ctx, "%s\nDomain %u: %ld s",
	    ts->reason != NULL ? ts->reason :
	    "Domains with long running transactions:", conn_domid(conn),
	    (long)(ts->now - t));
	return ts->reason != NULL ? 0 : ENOMEM;
}

static int
scan_ring(unsigned int domid, unsigned int tdomid, uint32_t local_port,
    struct connection *conn, void *arg)
{
	(void)domid;
	(void)tdomid;
	(void)local_port;
	return scan_conn(conn, arg);
}

static int
scan_socket(int fd, struct connection *conn, void *arg)
{
	(void)fd;
	return scan_conn(conn, arg);
}

/*
 * May a version-1 hand-over go now?  As C 4.17 (lu_check_lu_allowed()):
 * with no transaction open, or with -F once every open one is older
 * than the timeout; else BUSY until the timeout, then C's reason, or
 * with -F the update anyway.  BUSY holds the -s reply, as C does
 * (lu_start() asks again): xenstore-control stops asking once -t
 * seconds have passed by its own clock, in whole seconds, so a BUSY
 * answer near the end could be its last and fail the update.  NULL:
 * go; else the reply, on ctx.
 */
static const char *
lu_v1_verdict(TALLOC_CTX *ctx, bool force, time_t timeout)
{
	struct ta_scan ts = { .now = txn_clock(), .timeout = timeout,
	    .ctx = ctx };

	if (txn_count() == 0)
		return NULL;
	if (lu->started == 0)
		lu->started = ts.now;
	if (domain_foreach_ring(scan_ring, &ts) != 0 ||
	    (lu_env.listener != NULL &&
	    socket_foreach_conn(lu_env.listener, scan_socket, &ts) != 0))
		return "Allocation failure.";
	if (force && ts.old == ts.total)
		return NULL;
	if (ts.now < lu->started + timeout)
		return "BUSY";
	if (force)
		return NULL;	/* the transactions are lost: ENOENT */
	return ts.reason != NULL ? ts.reason : "Overlapping transactions";
}

/*
 * Whether argv (NULL-terminated) holds the option arg before any "--".
 * Exact only: an abbreviation getopt_long would take counts as absent,
 * which errs on the safe side (the keeper lets go).
 */
static bool
has_arg(char **argv, const char *arg)
{
	for (; *argv != NULL && strcmp(*argv, "--") != 0; argv++)
		if (strcmp(*argv, arg) == 0)
			return true;
	return false;
}

static int lu_go(struct request *, bool, bool, time_t);

/*
 * The held -s, asked again: the reply once there is one (or, aborted,
 * that answer and the session's end).  From the loop, never from within
 * another request: letting the connection go handles its next frames,
 * which may end the session (xenstore-control's -a after a refusal), so
 * s is not used after.
 */
static void
lu_hold_check(void *arg)
{
	struct lu_session *s = arg;
	struct connection *conn = s->conn;
	struct request req;
	int err;

	if (conn_closing(conn))
		return;		/* the session goes with it */
	memset(&req, 0, sizeof(req));
	req.conn = conn;
	req.type = XS_CONTROL;
	req.req_id = s->req_id;
	req.tx_id = s->tx_id;
	if (s->aborted) {
		(void)request_reply_string(&req,
		    "Live-update session aborted.");
		dispatch_reply(&req, 0);
		talloc_free(s);
		conn_hold(conn, false);
		return;
	}
	if ((req.ctx = talloc_new(s)) == NULL)
		err = ENOMEM;
	else if ((err = lu_go(&req, false, s->force, s->timeout)) ==
	    REQUEST_HELD) {
		talloc_free(req.ctx);
		loop_timer_start(s->hold, LU_HOLD_MS);
		return;
	}
	s->held = false;
	dispatch_reply(&req, err);
	talloc_free(req.ctx);
	conn_hold(conn, false);
}

/* Hold req (a -s to C that must wait): REQUEST_HELD, or ENOMEM. */
static int
lu_hold(struct request *req, bool force, time_t timeout)
{
	if (lu->hold == NULL &&
	    (lu->hold = loop_timer_new(lu, lu_hold_check, lu)) == NULL)
		return ENOMEM;
	lu->held = true;
	lu->req_id = req->req_id;
	lu->tx_id = req->tx_id;
	lu->force = force;
	lu->timeout = timeout;
	log_info("live update: -s held while transactions are open "
	    "(at most %ld s)", (long)timeout);
	conn_hold(req->conn, true);
	loop_timer_start(lu->hold, LU_HOLD_MS);
	return REQUEST_HELD;
}

/* -s: write the state and exec the binary; returns only on failure. */
static int
lu_start(struct request *req, bool force, time_t timeout)
{
	int ours;

	/* Ours carries transactions (version 2); C 4.17 would lose them. */
	if ((ours = binary_runs(lu->binary)) < 0)
		return request_reply_string(req,
		    "New binary failed to run with --help.");
	return lu_go(req, ours, force, timeout);
}

/* lu_start() once the binary is known: REQUEST_HELD while C's must
 * wait (lu_hold()), else a reply; returns only on failure. */
static int
lu_go(struct request *req, bool ours, bool force, time_t timeout)
{
	const char *why = NULL, *verdict;
	bool detached = false;
	char **argv;
	int err;

	if (!ours && (verdict = lu_v1_verdict(req->ctx, force, timeout)) != NULL)
		return strcmp(verdict, "BUSY") == 0 ?
		    (lu->held ? REQUEST_HELD : lu_hold(req, force, timeout)) :
		    request_reply_string(req, verdict);
	if ((argv = lu_argv(req->ctx, lu)) == NULL)
		return ENOMEM;
	err = state_save(lu_env.state_path,
	    ours ? STREAM_VERSION_2 : STREAM_VERSION_1,
	    lu_env.evtchn_fd, lu_env.listener, lu_env.st, req->conn,
	    &(struct xsd_sockmsg){ XS_CONTROL, req->req_id, req->tx_id, 0 },
	    &why);
	if (err != 0)
		return request_reply_string(req, talloc_asprintf(req->ctx,
		    "Dump state error: %s.", why != NULL ? why :
		    strerror(err)));
	log_info("live update: exec %s", lu->binary);
	if ((err = lu_keep_fds(true)) != 0)
		goto failed;
	/* A daemon that will not talk to the keeper must not be
	 * restarted as us from our old state. */
	if (keeper_present() && (!ours || !has_arg(argv, "--crash-restart"))) {
		if ((err = keeper_detach()) != 0)
			goto failed;
		detached = true;
		log_info("live update: %s will run without --crash-restart: "
		    "the keeper let go", lu->binary);
		journal_discard(state_run_dir());
	}
	execv(lu->binary, argv);
	err = errno;
failed:
	/* Still us: everything as it was, but a keeper let go. */
	lu_keep_fds(false);
	unlink(lu_env.state_path);
	log_warnx("live update: exec %s: %s%s", lu->binary, strerror(err),
	    detached ? " (crash restart is off from now on)" : "");
	return request_reply_string(req, "Error activating new binary.");
}

static int
ctl_live_update(struct request *req, const char **args, unsigned int nargs)
{
	bool force = false;
	unsigned long timeout = 60;	/* C 4.17's default */
	struct stat st;
	unsigned int i;

	if (!lu_enabled || lu_env.evtchn_fd < 0)
		return request_reply_string(req, lu_enabled ?
		    "Live update needs the hypervisor's event channels." :
		    "Live update is not supported here.");
	if (strcmp(args[0], "-f") == 0) {
		if (nargs != 2)
			return EINVAL;
		if (stat(args[1], &st) != 0)
			return request_reply_string(req, "File not accessible.");
		if (!(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
			return request_reply_string(req, "File not executable.");
		if (lu != NULL)
			return request_reply_string(req,
			    "live-update session already active.");
		if ((lu = talloc_zero(req->conn, struct lu_session)) == NULL ||
		    (lu->binary = talloc_strdup(lu, args[1])) == NULL) {
			TALLOC_FREE(lu);
			return request_reply_string(req, "Allocation failure.");
		}
		lu->conn = req->conn;
		talloc_set_destructor(lu, lu_session_destroy);
		return 0;
	}
	if (strcmp(args[0], "-a") == 0) {
		if (nargs != 1)
			return EINVAL;
		if (lu == NULL)
			return request_reply_string(req,
			    "No live-update session active.");
		if (lu->held) {
			/* Its -s is answered, and the session ends, from
			 * the loop (lu_hold_check()). */
			lu->aborted = true;
			loop_timer_start(lu->hold, 0);
			return 0;
		}
		TALLOC_FREE(lu);
		return 0;
	}
	if (strcmp(args[0], "-c") == 0) {
		if (nargs != 2)
			return EINVAL;
		if (lu == NULL || lu->conn != req->conn)
			return request_reply_string(req,
			    "Not in live-update session.");
		talloc_free(lu->cmdline);
		if ((lu->cmdline = talloc_strdup(lu, args[1])) == NULL)
			return ENOMEM;
		return 0;
	}
	if (strcmp(args[0], "-s") != 0)
		return EINVAL;
	for (i = 1; i < nargs; i++) {
		if (strcmp(args[i], "-F") == 0)
			force = true;
		else if (strcmp(args[i], "-t") == 0 && i + 1 < nargs) {
			if (ops_parse_uint(args[++i], 86400, &timeout) != 0)
				return EINVAL;
		} else
			return EINVAL;
	}
	if (lu == NULL || lu->conn != req->conn)
		return request_reply_string(req, "Not in live-update session.");
	return lu_start(req, force, (time_t)timeout);
}

int
op_control(struct request *req)
{
	unsigned int i, nargs = req->argc - 1;

	for (i = 0; i < NCMDS; i++) {
		if (strcmp(req->argv[0], cmds[i].name) != 0)
			continue;
		if (nargs < cmds[i].min_args || nargs > cmds[i].max_args)
			return EINVAL;
		return cmds[i].fn(req, req->argv + 1, nargs);
	}
	return EINVAL;
}
