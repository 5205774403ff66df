/*
 * Node permissions: the "n r w b" + domid strings of docs/misc/xenstore.txt
 * (GET_PERMS / SET_PERMS) and the access decision.  Pure functions.
 */
#ifndef XSD_PERMS_H
#define XSD_PERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#define PERM_NONE	0x0	/* No access. */
#define PERM_READ	0x1	/* May read the node. */
#define PERM_WRITE	0x2	/* May write or remove the node. */
#define PERM_OWNER	0x4	/* May change the node's perms. */
/*
 * Entry names a domid no domain had when it was set: it grants nothing,
 * so a domain created later with that domid inherits nothing (XSA-417;
 * C xenstored's XS_PERM_IGNORE).  Kept, and shown by GET_PERMS as is.
 */
#define PERM_IGNORE	0x8

/* Highest domid a perms string may name (DOMID_MASK). */
#define PERMS_DOMID_MAX	0xffff

struct perm_entry {
	uint16_t	domid;
	uint8_t		perms;		/* PERM_READ | PERM_WRITE,
					 * PERM_IGNORE */
};

/*
 * A node's perms: entry 0 names the owner, whose "perms" are what every
 * domain not listed later gets (xenstore.txt, "Permissions").
 */
struct perms {
	unsigned int		 num;
	struct perm_entry	*p;
};

/* Who is asking; built by the caller from its connection. */
struct perm_caller {
	unsigned int	domid;
	bool		privileged;	/* dom0 / priv domid: full access */
	bool		has_target;	/* SET_TARGET was issued */
	unsigned int	target;		/* then the domid it acts for */
};

/*
 * One letter of SET_PERMS (xenstore.txt: n r w b) as PERM_* bits in
 * *perms, and back (PERM_IGNORE and PERM_OWNER left out).  0 or EINVAL.
 */
int	perms_from_letter(char c, uint8_t *perms);
char	perms_letter(uint8_t perms);

/*
 * Parse num consecutive nul-terminated perm strings starting at strs
 * ("b0", "r5", ...; len bytes available).  Each is one of n r w b followed
 * by a decimal domid 0..PERMS_DOMID_MAX and nothing else.  out->p is
 * allocated on ctx.
 * Returns 0, EINVAL (num 0, bad letter, bad or missing domid, missing nul)
 * or ENOMEM.
 */
int	perms_parse(TALLOC_CTX *ctx, const char *strs, size_t len,
	    unsigned int num, struct perms *out);

/*
 * Format perms as consecutive nul-terminated strings (GET_PERMS reply),
 * allocated on ctx; *len gets the total length including every nul.
 * Returns NULL only for ENOMEM.
 */
char	*perms_format(TALLOC_CTX *ctx, const struct perms *perms,
	    size_t *len);

/* Deep copy of perms onto ctx; returns 0 or ENOMEM. */
int	perms_copy(TALLOC_CTX *ctx, const struct perms *src,
	    struct perms *dst);

bool	perms_equal(const struct perms *a, const struct perms *b);

/* Does any entry of perms (owner included) name domid? */
bool	perms_names(const struct perms *perms, unsigned int domid);

/*
 * Forget a domain that is gone, in place: an owner entry naming domid
 * names new_owner instead, other entries naming it are dropped (the
 * array is not shrunk).  Returns whether anything changed.
 */
bool	perms_forget_domid(struct perms *perms, unsigned int domid,
	    unsigned int new_owner);

/*
 * Access a caller has to a node with these perms, as a PERM_* mask:
 * privileged callers, the owner and the owner's controller (target) get
 * READ|WRITE|OWNER; otherwise the first later entry naming the caller (or
 * its target) that is not PERM_IGNORE, else entry 0's perms.  Rule of
 * Xen's C xenstored 4.17 (perm_for_conn()).
 */
unsigned int perms_for(const struct perm_caller *caller,
	    const struct perms *perms);

#endif
