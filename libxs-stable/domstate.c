/*
 * The hypervisor's domain-state call: XEN_DOMCTL_get_domain_state, the
 * stable domctl of Xen 4.21 (which xen-patches/4.17 adds to Xen 4.17),
 * issued through libxencall.  A handle owns one libxencall handle and
 * one hypercall buffer, reused by every call.
 *
 * Stable interfaces only: libxencall and a domctl whose layout and
 * interface version (0) Xen promises to keep.  No libxenctrl.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xentoollog.h>
#include <xencall.h>
#include <xen/xen.h>

#include "domctl-4.21.h"
#include "quiet.h"
#include "xs-stable.h"

struct xss_domstate {
	struct xentoollog_logger quiet;	/* outlives xcall: embedded */
	xencall_handle		*xcall;
	struct xen421_domctl	*buf;	/* xencall_alloc_buffer(), ours */
};

/* errno after a failed library call; never 0, so callers see a failure. */
static int
failed_errno(void)
{
	return errno != 0 ? errno : EIO;
}

/*
 * Issue the domctl for domain (a domid or DOMID_INVALID).  Returns 0
 * with *info filled (info->domid from the hypervisor's answer), or the
 * errno of the hypercall.
 */
static int
ds_call(struct xss_domstate *q, uint32_t domain, struct xss_domain_info *info)
{
	struct xen421_domctl *op = q->buf;
	const struct xen421_domctl_get_domain_state *st =
	    &op->u.get_domain_state;

	memset(op, 0, sizeof(*op));	/* pad0 and the pads must be 0 */
	op->cmd = XEN421_DOMCTL_get_domain_state;
	op->interface_version = XEN421_DOMCTL_STABLE_VERSION;
	op->domain = (uint16_t)domain;
	errno = 0;
	if (xencall1(q->xcall, __HYPERVISOR_domctl,
	    (uint64_t)(uintptr_t)op) != 0)
		return failed_errno();
	if (op->domain >= DOMID_FIRST_RESERVED)
		return EIO;	/* not an answer Xen gives */

	memset(info, 0, sizeof(*info));
	info->domid = op->domain;
	/*
	 * The states as toolstacks know them from libxenctrl 4.17
	 * (XEN_DOMINF_dying is DOMDYING_dead): a domain is dying once Xen
	 * has released what it had (the DEAD bit: only mappings of its
	 * pages keep it), and dead once gone (an all-zero answer: caps 0,
	 * unique_id 0).  The DYING bit alone is that release under way,
	 * which Xen follows with a change at DOMDYING_dead: it is reported
	 * as the state before, so that xenstored does not fire
	 * @releaseDomain before libxl and xenconsoled can see the domain
	 * dying (they would look, see nothing, and keep it a zombie).
	 */
	if (!(st->state & XEN421_GETDOMSTATE_STATE_EXIST))
		info->state = XSS_DOMAIN_DEAD;
	else if (st->state & XEN421_GETDOMSTATE_STATE_DEAD)
		info->state = XSS_DOMAIN_DYING;
	else if (st->state & XEN421_GETDOMSTATE_STATE_SHUTDOWN)
		info->state = XSS_DOMAIN_SHUTDOWN;
	else
		info->state = XSS_DOMAIN_RUNNING;
	info->caps = st->caps & (XSS_DOMAIN_CAP_CONTROL |
	    XSS_DOMAIN_CAP_HARDWARE | XSS_DOMAIN_CAP_XENSTORE);
	info->unique_id = st->unique_id;
	return 0;
}

struct xss_domstate *
xss_domstate_open(int *err)
{
	struct xss_domain_info info;
	struct xss_domstate *q;
	int e;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		*err = ENOMEM;
		return NULL;
	}
	quiet_logger_init(&q->quiet);
	/* Without Xen, opening /dev/xen/privcmd (and /proc/xen/privcmd)
	 * fails with ENOENT, which we pass on. */
	errno = 0;
	if ((q->xcall = xencall_open(&q->quiet, 0)) == NULL) {
		e = failed_errno();
		goto fail;
	}
	if ((q->buf = xencall_alloc_buffer(q->xcall, sizeof(*q->buf))) ==
	    NULL) {
		e = ENOMEM;
		goto fail;
	}
	/*
	 * Probe with domain 0, which always exists.  A hypervisor without
	 * the call answers EACCES (4.17 checks interface_version before the
	 * command, and 0 is not its version) or ENOSYS (a version that
	 * knows the rule but not the command).
	 */
	e = ds_call(q, 0, &info);
	if (e == EACCES || e == ENOSYS)
		e = ENOSYS;
	if (e != 0)
		goto fail;
	return q;
fail:
	xss_domstate_close(q);
	*err = e;
	return NULL;
}

void
xss_domstate_close(struct xss_domstate *q)
{
	if (q == NULL)
		return;
	if (q->buf != NULL)
		xencall_free_buffer(q->xcall, q->buf);
	if (q->xcall != NULL)
		(void)xencall_close(q->xcall);
	free(q);
}

int
xss_domstate_get(struct xss_domstate *q, uint32_t domid,
    struct xss_domain_info *info)
{
	struct xss_domain_info got;
	int err;

	if (domid >= DOMID_FIRST_RESERVED)
		return EINVAL;
	if ((err = ds_call(q, domid, &got)) != 0)
		return err;
	got.domid = domid;	/* the hypervisor leaves it as asked */
	*info = got;
	return 0;
}

int
xss_domstate_next(struct xss_domstate *q, struct xss_domain_info *info)
{
	struct xss_domain_info got;
	int err;

	if ((err = ds_call(q, DOMID_INVALID, &got)) != 0)
		return err;
	*info = got;
	return 0;
}
