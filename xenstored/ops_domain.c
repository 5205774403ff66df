/*
 * Domain operations: argument parsing and the mapping to domain.c.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "conn_ring.h"
#include "domain.h"
#include "ops.h"
#include "ops_domain.h"

int
ops_parse_domid(const char *s, unsigned int *domid)
{
	unsigned long v;

	if (ops_parse_uint(s, DOMAIN_ID_MAX, &v) != 0)
		return EINVAL;
	*domid = v;
	return 0;
}

/*
 * The gfn is "signed decimal (!)" (xenstore.txt, INTRODUCE): accept an
 * optional '-' and keep the two's-complement bits.
 */
static int
parse_gfn(const char *s, uint64_t *gfn)
{
	unsigned long v;
	bool neg = *s == '-';

	if (ops_parse_uint(s + neg, 0x7fffffffffffffffUL, &v) != 0)
		return EINVAL;
	*gfn = neg ? -(uint64_t)v : v;
	return 0;
}

int
op_introduce(struct request *req)
{
	unsigned int domid;
	unsigned long port;
	uint64_t gfn;

	if (ops_parse_domid(req->argv[0], &domid) != 0 ||
	    parse_gfn(req->argv[1], &gfn) != 0 ||
	    ops_parse_uint(req->argv[2], 0xfffffffful, &port) != 0)
		return EINVAL;
	return domain_introduce(domid, gfn, port);
}

int
op_release(struct request *req)
{
	unsigned int domid;

	if (ops_parse_domid(req->argv[0], &domid) != 0)
		return EINVAL;
	return domain_release(domid);
}

int
op_is_domain_introduced(struct request *req)
{
	unsigned int domid;

	if (ops_parse_domid(req->argv[0], &domid) != 0)
		return EINVAL;
	return request_reply_string(req, domain_is_introduced(domid) ?
	    "T" : "F");
}

int
op_resume(struct request *req)
{
	unsigned int domid;

	if (ops_parse_domid(req->argv[0], &domid) != 0)
		return EINVAL;
	return domain_resume(domid);
}

int
op_set_target(struct request *req)
{
	unsigned int domid, target;

	if (ops_parse_domid(req->argv[0], &domid) != 0 ||
	    ops_parse_domid(req->argv[1], &target) != 0)
		return EINVAL;
	return domain_set_target(domid, target);
}

int
op_get_feature(struct request *req)
{
	unsigned int domid, features = RING_FEATURES;
	int err;

	/* Without a domid: what we support (xenstore.txt, GET_FEATURE). */
	if (req->argc == 1) {
		if (ops_parse_domid(req->argv[0], &domid) != 0)
			return EINVAL;
		if ((err = domain_get_feature(domid, &features)) != 0)
			return err;
	}
	return request_reply_string(req,
	    talloc_asprintf(req->ctx, "%u", features));
}

int
op_set_feature(struct request *req)
{
	unsigned long features;
	unsigned int domid;

	if (ops_parse_domid(req->argv[0], &domid) != 0 ||
	    ops_parse_uint(req->argv[1], ~0u, &features) != 0)
		return EINVAL;
	return domain_set_feature(domid, features);
}
