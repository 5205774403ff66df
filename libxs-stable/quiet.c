/*
 * A xentoollog logger that drops everything: given to the Xen libraries
 * instead of NULL, whose default logger writes to stderr.  This library
 * never prints.
 */
#include "config.h"

#include <stdarg.h>

#include <xentoollog.h>

#include "quiet.h"

static void
quiet_vmessage(struct xentoollog_logger *logger, xentoollog_level level,
    int errnoval, const char *context, const char *format, va_list al)
{
	(void)logger;
	(void)level;
	(void)errnoval;
	(void)context;
	(void)format;
	(void)al;
}

static void
quiet_progress(struct xentoollog_logger *logger, const char *context,
    const char *doing_what, int percent, unsigned long done,
    unsigned long total)
{
	(void)logger;
	(void)context;
	(void)doing_what;
	(void)percent;
	(void)done;
	(void)total;
}

static void
quiet_destroy(struct xentoollog_logger *logger)
{
	(void)logger;	/* embedded in its owner: nothing to free */
}

void
quiet_logger_init(struct xentoollog_logger *logger)
{
	logger->vmessage = quiet_vmessage;
	logger->progress = quiet_progress;
	logger->destroy = quiet_destroy;
}
