/*
 * The domain operations of docs/misc/xenstore.txt: INTRODUCE, RELEASE,
 * IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET.  dispatch.c lets only
 * privileged callers in; handlers parse domids and call domain.c.
 */
#ifndef XSD_OPS_DOMAIN_H
#define XSD_OPS_DOMAIN_H

#include "request.h"

int	op_introduce(struct request *req);
int	op_release(struct request *req);
int	op_is_domain_introduced(struct request *req);
int	op_resume(struct request *req);
int	op_set_target(struct request *req);
/* GET_FEATURE [<domid>] / SET_FEATURE <domid> <value>. */
int	op_get_feature(struct request *req);
int	op_set_feature(struct request *req);

/*
 * Parse a domid argument: decimal, at most DOMAIN_ID_MAX.  Returns 0 or
 * EINVAL.
 */
int	ops_parse_domid(const char *s, unsigned int *domid);

#endif
