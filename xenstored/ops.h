/*
 * The node, watch and transaction operations of docs/misc/xenstore.txt.
 * Each handler unpacks req's arguments (already counted by dispatch.c),
 * calls the modules and returns 0 with req->reply set, or the xenstore
 * error as a positive errno value.
 */
#ifndef XSD_OPS_H
#define XSD_OPS_H

#include "request.h"

int	op_read(struct request *req);
int	op_write(struct request *req);
int	op_mkdir(struct request *req);
int	op_rm(struct request *req);
int	op_directory(struct request *req);
int	op_directory_part(struct request *req);
int	op_get_perms(struct request *req);
int	op_set_perms(struct request *req);
int	op_watch(struct request *req);
int	op_unwatch(struct request *req);
int	op_reset_watches(struct request *req);
int	op_transaction_start(struct request *req);
int	op_transaction_end(struct request *req);
int	op_get_domain_path(struct request *req);
int	op_get_quota(struct request *req);
int	op_set_quota(struct request *req);

/*
 * Parse a decimal unsigned value of at most max (no sign, no blanks, no
 * trailing junk).  Returns 0 or EINVAL.
 */
int	ops_parse_uint(const char *s, unsigned long max, unsigned long *out);

#endif
