/*
 * XS_CONTROL subcommands (docs/misc/xenstore.txt, CONTROL): help, check,
 * log, logfile, memreport, print, quota, quota-soft.
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

/*
 * CONTROL: argv[0] is the command, the rest its parameters.  Replies with
 * text (nul-terminated) or "OK".  Returns 0, EINVAL (unknown command or
 * bad parameters), ENOSYS (per-domain quota report of a domain never
 * seen is still answered; live-update is not supported), ENOMEM, or the
 * errno of a failed file open.
 */
int	op_control(struct request *req);

#endif
