/*
 * Daemon log (syslog, or stderr in the foreground) and the request trace
 * file written with -T / CONTROL logfile.
 */
#ifndef XSD_LOG_H
#define XSD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xsd_sockmsg;

/*
 * Start logging as "ident" to stderr (to_stderr) or syslog(LOG_DAEMON).
 * verbose enables log_debug() output.  Never fails.
 */
void	log_init(const char *ident, bool to_stderr, bool verbose);

/*
 * Make stderr non-blocking (O_NONBLOCK on its open file, so only for a
 * descriptor nobody else writes to, such as the xenstore domain's
 * console): a line that cannot be written at once is dropped, and the
 * next line written says how many were.  Never fails; without it a full
 * console would stall the daemon.
 */
void	log_stderr_nonblocking(void);

/* Messages: *_warn appends strerror(errno), *_warnx does not. */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Start-up failures and broken invariants only; never for peer input. */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Trace file: one line per request, reply, watch event and connection
 * event.  log_trace_set_file() takes a path (copied) or NULL to stop
 * tracing; it (re)opens the file in append mode and returns 0 or an errno
 * (the previous file stays open on failure).  log_trace_reopen() is for
 * SIGHUP (log rotation).  log_trace_enable() is CONTROL "log on|off".
 */
int	log_trace_set_file(const char *path);
int	log_trace_reopen(void);
void	log_trace_enable(bool on);
bool	log_trace_active(void);
const char *log_trace_path(void);

/*
 * Trace one message of connection conn_id; dir is "IN" or "OUT".  The
 * payload (hdr->len bytes) is printed with nul bytes shown as spaces and
 * cut at 256 bytes.
 */
void	log_trace_msg(unsigned int conn_id, const char *dir,
	    const struct xsd_sockmsg *hdr, const void *payload);
/* Free-form trace line (connection created / closed ...). */
void	log_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Shut down logging and the trace file at exit. */
void	log_fini(void);

#endif
