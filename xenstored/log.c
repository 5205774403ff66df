/*
 * Logging in the OpenBSD ntpd manner: syslog for a daemon, stderr in the
 * foreground.  The trace file (-T) records every message for debugging
 * client problems; it is append-only and reopened on SIGHUP.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "log.h"

static bool	 log_stderr = true;
static bool	 log_verbose;
static bool	 log_nonblock;
static unsigned long log_dropped;	/* lines lost to a full stderr */
static FILE	*trace_fp;
static char	*trace_path;
static bool	 trace_on = true;

void
log_init(const char *ident, bool to_stderr, bool verbose)
{
	log_stderr = to_stderr;
	log_verbose = verbose;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_stderr_nonblocking(void)
{
	int fl = fcntl(STDERR_FILENO, F_GETFL);

	if (fl >= 0 && fcntl(STDERR_FILENO, F_SETFL, fl | O_NONBLOCK) == 0)
		log_nonblock = true;
}

/* One line to a non-blocking stderr, whole or not at all (counted). */
static void
write_line(const char *msg, int err)
{
	char line[1200];
	int n, off = 0;

	if (log_dropped > 0)
		off = snprintf(line, sizeof(line), "xenstored: (%lu log "
		    "lines dropped: console full)\n", log_dropped);
	n = snprintf(line + off, sizeof(line) - off, "xenstored: %s%s%s\n",
	    msg, err ? ": " : "", err ? strerror(err) : "");
	if (n < 0)
		return;
	n += off;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* A short write leaves a partial line: still better than waiting. */
	if (write(STDERR_FILENO, line, n) < 0)
		log_dropped++;
	else
		log_dropped = 0;
}

static void
vlog(int pri, const char *fmt, va_list ap, int err)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_stderr && log_nonblock)
		write_line(msg, err);
	else if (log_stderr) {
		if (err)
			fprintf(stderr, "xenstored: %s: %s\n", msg,
			    strerror(err));
		else
			fprintf(stderr, "xenstored: %s\n", msg);
		fflush(stderr);
	} else if (err)
		syslog(pri, "%s: %s", msg, strerror(err));
	else
		syslog(pri, "%s", msg);
}

void
log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, err);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, err);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(1);
}

static int
trace_open(const char *path, FILE **fpp)
{
	FILE *fp;

	fp = fopen(path, "ae");
	if (fp == NULL)
		return errno;
	/* Line buffered: a crash must not lose the last requests. */
	setvbuf(fp, NULL, _IOLBF, 0);
	*fpp = fp;
	return 0;
}

int
log_trace_set_file(const char *path)
{
	FILE *fp = NULL;
	char *copy = NULL;
	int err;

	if (path != NULL) {
		if ((copy = strdup(path)) == NULL)
			return ENOMEM;
		if ((err = trace_open(path, &fp)) != 0) {
			free(copy);
			return err;
		}
	}
	if (trace_fp != NULL)
		fclose(trace_fp);
	free(trace_path);
	trace_fp = fp;
	trace_path = copy;
	return 0;
}

int
log_trace_reopen(void)
{
	if (trace_path == NULL)
		return 0;
	return log_trace_set_file(trace_path);
}

void
log_trace_enable(bool on)
{
	trace_on = on;
}

bool
log_trace_active(void)
{
	return trace_on && trace_fp != NULL;
}

const char *
log_trace_path(void)
{
	return trace_path;
}

static void
trace_stamp(void)
{
	struct timeval tv;
	struct tm tm;
	char buf[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%F %T", &tm);
	fprintf(trace_fp, "%s.%06ld ", buf, (long)tv.tv_usec);
}

void
log_trace_msg(unsigned int conn_id, const char *dir,
    const struct xsd_sockmsg *hdr, const void *payload)
{
	const unsigned char *p = payload;
	unsigned int i, n;

	if (!log_trace_active())
		return;
	trace_stamp();
	fprintf(trace_fp, "%s conn %u type %u req_id %u tx_id %u len %u (",
	    dir, conn_id, hdr->type, hdr->req_id, hdr->tx_id, hdr->len);
	n = hdr->len < 256 ? hdr->len : 256;
	for (i = 0; i < n; i++) {
		int c = p[i];

		if (c == '\0')
			c = ' ';
		else if (c < 0x20 || c >= 0x7f)
			c = '.';
		fputc(c, trace_fp);
	}
	fprintf(trace_fp, "%s)\n", n < hdr->len ? "..." : "");
}

void
log_trace(const char *fmt, ...)
{
	va_list ap;

	if (!log_trace_active())
		return;
	trace_stamp();
	va_start(ap, fmt);
	vfprintf(trace_fp, fmt, ap);
	va_end(ap);
	fputc('\n', trace_fp);
}

void
log_fini(void)
{
	log_trace_set_file(NULL);
	if (!log_stderr)
		closelog();
}
