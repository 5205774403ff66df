/*
 * XEN_DOMCTL_get_domain_state as Xen 4.21 defines it (public/domctl.h:
 * struct xen_domctl and its get_domain_state member, and the
 * XEN_DOMCTL_GETDOMSTATE_STATE_* bits), stated once for the three
 * sides that speak it: libxs-stable (the caller), the simulated Xen's
 * libxencall (the hypervisor's side) and its raw test.  Debian 12's
 * installed <xen/domctl.h> is 4.17's and has no such command, and 4.17's
 * struct xen_domctl would force 4.17's interface version on every user;
 * xen-patches/4.17 adds exactly this layout to Xen 4.17.  Private: not
 * installed.  The assertions pin each offset to 4.21's.
 */
#ifndef XSS_DOMCTL_421_H
#define XSS_DOMCTL_421_H

#include <stddef.h>
#include <stdint.h>

/* The command number and the interface version of every stable domctl. */
#define XEN421_DOMCTL_get_domain_state		90u
#define XEN421_DOMCTL_STABLE_VERSION		0u

/* XEN_DOMCTL_GETDOMSTATE_STATE_*: bits of .state. */
#define XEN421_GETDOMSTATE_STATE_EXIST		0x0001u
#define XEN421_GETDOMSTATE_STATE_SHUTDOWN	0x0002u	/* completed */
#define XEN421_GETDOMSTATE_STATE_DYING		0x0004u	/* under way */
#define XEN421_GETDOMSTATE_STATE_DEAD		0x0008u	/* released */

struct xen421_domctl_get_domain_state {
	uint16_t	state;		/* OUT: XEN421_GETDOMSTATE_STATE_* */
	uint16_t	caps;		/* OUT: XEN_DOMCTL_GETDOMSTATE_CAP_* */
	uint32_t	pad0;		/* IN: must be 0 (else -EINVAL) */
	uint64_t	unique_id;	/* OUT: never reused while Xen runs */
};

struct xen421_domctl {
	uint32_t	cmd;
	uint32_t	interface_version;
	uint16_t	domain;		/* IN/OUT: DOMID_INVALID asks for, and
					 * answers with, the next changed domid */
	uint16_t	pad[3];
	union {
		struct xen421_domctl_get_domain_state get_domain_state;
		uint8_t		pad[128];
	} u;
};

_Static_assert(sizeof(struct xen421_domctl_get_domain_state) == 16,
    "xen_domctl_get_domain_state is 16 bytes");
_Static_assert(offsetof(struct xen421_domctl, interface_version) == 4,
    "xen_domctl.interface_version at 4");
_Static_assert(offsetof(struct xen421_domctl, domain) == 8,
    "xen_domctl.domain at 8");
_Static_assert(offsetof(struct xen421_domctl, u) == 16,
    "xen_domctl.u at 16");
_Static_assert(offsetof(struct xen421_domctl, u.get_domain_state.caps) == 18,
    "get_domain_state.caps at 18");
_Static_assert(offsetof(struct xen421_domctl,
    u.get_domain_state.unique_id) == 24,
    "get_domain_state.unique_id at 24");
_Static_assert(sizeof(struct xen421_domctl) == 144,
    "xen_domctl is 144 bytes");

#endif
