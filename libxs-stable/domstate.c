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

#include "quiet.h"
#include "xs-stable.h"

/* Domids at and above this are reserved (DOMID_FIRST_RESERVED, xen.h). */
#define DS_DOMID_FIRST_RESERVED	0x7ff0u
/* "Any domain that changed state" (DOMID_INVALID, xen.h). */
#define DS_DOMID_INVALID	0x7ff4u

/*
 * Our statement of the layout of Xen 4.21's public/domctl.h: struct
 * xen_domctl (cmd, interface_version, domain, three pad words, then a
 * union padded to 128 bytes) with its get_domain_state member.  Debian
 * 12's installed <xen/domctl.h> is 4.17's and lacks the command, so the
 * layout lives here, checked by the assertions below.
 */
#define DS_DOMCTL_get_domain_state	90u
#define DS_DOMCTL_STABLE_VERSION	0u	/* stable ops ask for 0 */

/* XEN_DOMCTL_GETDOMSTATE_STATE_* */
#define DS_STATE_EXIST		0x0001u	/* the domain exists */
#define DS_STATE_SHUTDOWN	0x0002u	/* its shutdown has completed */
#define DS_STATE_DYING		0x0004u	/* being destroyed */
#define DS_STATE_DEAD		0x0008u	/* destroyed */

struct ds_get_domain_state {
	uint16_t	state;		/* OUT: DS_STATE_* */
	uint16_t	caps;		/* OUT: XSS_DOMAIN_CAP_* (same bits) */
	uint32_t	pad0;		/* IN: 0 */
	uint64_t	unique_id;	/* OUT */
};

struct ds_domctl {
	uint32_t	cmd;
	uint32_t	interface_version;
	uint16_t	domain;		/* IN/OUT: DOMID_INVALID asks for
					 * the next changed domain */
	uint16_t	pad[3];
	union {
		struct ds_get_domain_state get_domain_state;
		uint8_t		pad[128];
	} u;
};

_Static_assert(sizeof(struct ds_get_domain_state) == 16,
    "xen_domctl_get_domain_state is 16 bytes");
_Static_assert(offsetof(struct ds_domctl, interface_version) == 4,
    "xen_domctl.interface_version at 4");
_Static_assert(offsetof(struct ds_domctl, domain) == 8,
    "xen_domctl.domain at 8");
_Static_assert(offsetof(struct ds_domctl, u) == 16, "xen_domctl.u at 16");
_Static_assert(offsetof(struct ds_domctl, u.get_domain_state.caps) == 18,
    "get_domain_state.caps at 18");
_Static_assert(offsetof(struct ds_domctl, u.get_domain_state.unique_id) ==
    24, "get_domain_state.unique_id at 24");
_Static_assert(sizeof(struct ds_domctl) == 144, "xen_domctl is 144 bytes");

struct xss_domstate {
	struct xentoollog_logger quiet;	/* outlives xcall: embedded */
	xencall_handle		*xcall;
	struct ds_domctl	*buf;	/* xencall_alloc_buffer(), ours */
};

/* errno after a failed library call; never 0, so callers see a failure. */
static int
failed_errno(void)
{
	return errno != 0 ? errno : EIO;
}

/*
 * Issue the domctl for domain (a domid or DS_DOMID_INVALID).  Returns 0
 * with *info filled (info->domid from the hypervisor's answer), or the
 * errno of the hypercall.
 */
static int
ds_call(struct xss_domstate *q, uint32_t domain, struct xss_domain_info *info)
{
	struct ds_domctl *op = q->buf;
	const struct ds_get_domain_state *st = &op->u.get_domain_state;

	memset(op, 0, sizeof(*op));	/* pad0 and the pads must be 0 */
	op->cmd = DS_DOMCTL_get_domain_state;
	op->interface_version = DS_DOMCTL_STABLE_VERSION;
	op->domain = (uint16_t)domain;
	errno = 0;
	if (xencall1(q->xcall, __HYPERVISOR_domctl,
	    (uint64_t)(uintptr_t)op) != 0)
		return failed_errno();
	if (op->domain >= DS_DOMID_FIRST_RESERVED)
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
	if (!(st->state & DS_STATE_EXIST))
		info->state = XSS_DOMAIN_DEAD;
	else if (st->state & DS_STATE_DEAD)
		info->state = XSS_DOMAIN_DYING;
	else if (st->state & DS_STATE_SHUTDOWN)
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

	if (domid >= DS_DOMID_FIRST_RESERVED)
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

	if ((err = ds_call(q, DS_DOMID_INVALID, &got)) != 0)
		return err;
	*info = got;
	return 0;
}
