/*
 * Permission strings and the access rule.  Kept pure so that the rule can
 * be unit tested against a table of cases.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "perms.h"

int
perms_from_letter(char c, uint8_t *perms)
{
	switch (c) {
	case 'n':
		*perms = PERM_NONE;
		return 0;
	case 'r':
		*perms = PERM_READ;
		return 0;
	case 'w':
		*perms = PERM_WRITE;
		return 0;
	case 'b':
		*perms = PERM_READ | PERM_WRITE;
		return 0;
	}
	return EINVAL;
}

char
perms_letter(uint8_t perms)
{
	switch (perms & (PERM_READ | PERM_WRITE)) {
	case PERM_READ:
		return 'r';
	case PERM_WRITE:
		return 'w';
	case PERM_READ | PERM_WRITE:
		return 'b';
	}
	return 'n';
}

int
perms_parse(TALLOC_CTX *ctx, const char *strs, size_t len, unsigned int num,
    struct perms *out)
{
	struct perm_entry *p;
	const char *s = strs, *end = strs + len, *d;
	unsigned long domid;
	unsigned int i;

	if (num == 0)
		return EINVAL;
	p = talloc_array(ctx, struct perm_entry, num);
	if (p == NULL)
		return ENOMEM;
	for (i = 0; i < num; i++) {
		if (s >= end || memchr(s, '\0', end - s) == NULL)
			goto inval;
		if (perms_from_letter(s[0], &p[i].perms) != 0)
			goto inval;
		/* A decimal domid, no sign, no blanks, no trailing junk. */
		d = s + 1;
		if (*d < '0' || *d > '9')
			goto inval;
		for (domid = 0; *d >= '0' && *d <= '9'; d++) {
			domid = domid * 10 + (*d - '0');
			if (domid > PERMS_DOMID_MAX)
				goto inval;
		}
		if (*d != '\0')
			goto inval;
		p[i].domid = domid;
		s = d + 1;
	}
	out->num = num;
	out->p = p;
	return 0;
inval:
	talloc_free(p);
	return EINVAL;
}

char *
perms_format(TALLOC_CTX *ctx, const struct perms *perms, size_t *len)
{
	char *buf;
	size_t off = 0;
	unsigned int i;

	/* Each entry is a letter, at most 5 digits and a nul. */
	buf = talloc_array(ctx, char, perms->num * 7 + 1);
	if (buf == NULL)
		return NULL;
	for (i = 0; i < perms->num; i++)
		off += snprintf(buf + off, 8, "%c%u",
		    perms_letter(perms->p[i].perms), perms->p[i].domid) + 1;
	*len = off;
	return buf;
}

int
perms_copy(TALLOC_CTX *ctx, const struct perms *src, struct perms *dst)
{
	struct perm_entry *p;

	p = talloc_memdup(ctx, src->p, src->num * sizeof(*p));
	if (p == NULL)
		return ENOMEM;
	dst->num = src->num;
	dst->p = p;
	return 0;
}

bool
perms_names(const struct perms *perms, unsigned int domid)
{
	unsigned int i;

	for (i = 0; i < perms->num; i++)
		if (perms->p[i].domid == domid)
			return true;
	return false;
}

bool
perms_forget_domid(struct perms *perms, unsigned int domid,
    unsigned int new_owner)
{
	unsigned int i, j;
	bool changed = false;

	if (perms->p[0].domid == domid) {
		perms->p[0].domid = new_owner;
		changed = true;
	}
	for (i = j = 1; i < perms->num; i++) {
		if (perms->p[i].domid == domid)
			changed = true;
		else
			perms->p[j++] = perms->p[i];
	}
	perms->num = j;
	return changed;
}

bool
perms_equal(const struct perms *a, const struct perms *b)
{
	unsigned int i;

	if (a->num != b->num)
		return false;
	for (i = 0; i < a->num; i++)
		if (a->p[i].domid != b->p[i].domid ||
		    a->p[i].perms != b->p[i].perms)
			return false;
	return true;
}

static bool
names_caller(const struct perm_caller *c, unsigned int domid)
{
	return domid == c->domid || (c->has_target && domid == c->target);
}

unsigned int
perms_for(const struct perm_caller *caller, const struct perms *perms)
{
	const unsigned int all = PERM_READ | PERM_WRITE | PERM_OWNER;
	unsigned int i;

	if (caller->privileged)
		return all;
	if (perms->num == 0)
		return PERM_NONE;	/* no owner: nobody but dom0 */
	if (names_caller(caller, perms->p[0].domid))
		return all;
	for (i = 1; i < perms->num; i++)
		if (!(perms->p[i].perms & PERM_IGNORE) &&
		    names_caller(caller, perms->p[i].domid))
			return perms->p[i].perms & (PERM_READ | PERM_WRITE);
	return perms->p[0].perms & (PERM_READ | PERM_WRITE);
}
