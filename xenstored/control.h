/*
 * XS_CONTROL subcommands (docs/misc/xenstore.txt, CONTROL): help, check,
 * log, logfile, memreport, print, quota, quota-soft, domain-state,
 * domains, live-update.
 */
#ifndef XSD_CONTROL_H
#define XSD_CONTROL_H

#include <talloc.h>

#include "request.h"

/*
 * Set the talloc context memreport describes (the daemon's root).  The
 * pointer is borrowed.
 */
void	control_init(TALLOC_CTX *root);

struct socket_listener;
struct store;

/* What CONTROL live-update hands over (main.c); all borrowed. */
struct control_live_update {
	int			 argc;		/* this daemon's argv, for */
	char			**argv;		/* a new one without -c */
	struct socket_listener	*listener;	/* NULL: none */
	int			 evtchn_fd;	/* -1: no Xen */
	struct store		*st;
	const char		*state_path;	/* where the state goes */
};

/* Enable live-update with lu (copied; its pointers borrowed). */
void	control_set_live_update(const struct control_live_update *lu);

/*
 * CONTROL: argv[0] is the command, the rest its parameters.  Replies with
 * text (nul-terminated) or "OK".  Returns 0, EINVAL (unknown command or
 * bad parameters), ENOMEM, or the errno of a failed file open.
 * live-update follows Xen's C xenstored 4.17 (xenstored_control.c) in
 * its subcommands and replies: -f <binary>, -c <cmdline>, -a, and
 * -s [-F] [-t <s>], which writes the state (state_save(), stream
 * version 1) and execs the binary with -U: it never replies on success
 * (the new daemon sends the OK), replies BUSY while transactions are
 * open (without -F; xenstore-control asks again each second), and
 * otherwise says why it did not happen, serving on as before
 * (docs/migration-stream.md).
 */
int	op_control(struct request *req);

#endif
