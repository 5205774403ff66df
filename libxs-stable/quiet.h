/*
 * The silent xentoollog logger of libxs-stable (quiet.c).  Internal:
 * hidden by libxs-stable.map like everything that is not xss_*.
 */
#ifndef XSS_QUIET_H
#define XSS_QUIET_H

struct xentoollog_logger;

/*
 * Fill *logger so that it drops every message.  The logger holds no
 * resources; it must outlive the Xen handles opened with it, so embed
 * it in the structure that owns them.
 */
void	quiet_logger_init(struct xentoollog_logger *logger);

#endif
