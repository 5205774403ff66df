/*
 * Path validation and canonicalisation.  The limits and the character set
 * are those of docs/misc/xenstore.txt and xs_wire.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <stdint.h>
#include <xen/io/xs_wire.h>

#include "path.h"

static bool
valid_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
	    c == '@';
}

bool
path_valid(const char *path)
{
	size_t i;

	if (path[0] != '/')
		return false;
	for (i = 0; path[i] != '\0'; i++) {
		if (i >= XENSTORE_ABS_PATH_MAX || !valid_char(path[i]))
			return false;
		if (path[i] == '/' && path[i + 1] == '/')
			return false;
	}
	/* No trailing slash except for the root itself. */
	return i == 1 || path[i - 1] != '/';
}

char *
path_domain_base(TALLOC_CTX *ctx, unsigned int domid)
{
	return talloc_asprintf(ctx, "/local/domain/%u", domid);
}

int
path_canonicalize(TALLOC_CTX *ctx, const char *in, unsigned int domid,
    const char **out)
{
	char *abs;

	if (in[0] == '/') {
		if (!path_valid(in))
			return EINVAL;
		*out = in;
		return 0;
	}
	/* Relative: empty, '@' and over-long are invalid. */
	if (in[0] == '\0' || in[0] == '@' ||
	    strnlen(in, XENSTORE_REL_PATH_MAX + 1) > XENSTORE_REL_PATH_MAX)
		return EINVAL;
	abs = talloc_asprintf(ctx, "/local/domain/%u/%s", domid, in);
	if (abs == NULL)
		return ENOMEM;
	if (!path_valid(abs)) {
		talloc_free(abs);
		return EINVAL;
	}
	*out = abs;
	return 0;
}

int
path_watch_canonicalize(TALLOC_CTX *ctx, const char *in, unsigned int domid,
    const char **out, bool *relative)
{
	if (in[0] == '@') {
		if (strnlen(in, XENSTORE_REL_PATH_MAX + 1) >
		    XENSTORE_REL_PATH_MAX)
			return EINVAL;
		*relative = false;
		*out = in;
		return 0;
	}
	*relative = in[0] != '/';
	return path_canonicalize(ctx, in, domid, out);
}

char *
path_parent(TALLOC_CTX *ctx, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash == path)
		return talloc_strdup(ctx, "/");
	return talloc_strndup(ctx, path, slash - path);
}

const char *
path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == NULL ? path : slash + 1;
}

bool
path_is_child(const char *child, const char *parent)
{
	size_t len = strlen(parent);

	if (strcmp(parent, "/") == 0)
		return child[0] == '/';
	if (strncmp(child, parent, len) != 0)
		return false;
	return child[len] == '/' || child[len] == '\0';
}

unsigned int
path_depth_below(const char *child, const char *parent)
{
	const char *p;
	unsigned int depth = 0;

	p = strcmp(parent, "/") == 0 ? child : child + strlen(parent);
	if (strcmp(child, "/") == 0)
		return 0;
	for (; *p != '\0'; p++)
		if (*p == '/')
			depth++;
	return depth;
}

char *
path_join(TALLOC_CTX *ctx, const char *parent, const char *name)
{
	if (strcmp(parent, "/") == 0)
		return talloc_asprintf(ctx, "/%s", name);
	return talloc_asprintf(ctx, "%s/%s", parent, name);
}

size_t
path_len_below_domain(const char *path)
{
	static const char prefix[] = "/local/domain/";
	size_t len = strlen(path), n = sizeof(prefix) - 1, digits = 0;

	if (strncmp(path, prefix, n) != 0)
		return len;
	while (digits < 5 && isdigit((unsigned char)path[n + digits]))
		digits++;
	if (digits == 0 || path[n + digits] != '/')
		return len;
	return len - (n + digits + 1);
}

void
path_push(char *buf, size_t *len, const char *name)
{
	size_t l = strlen(name);

	if (*len > 1)
		buf[(*len)++] = '/';
	memcpy(buf + *len, name, l);
	*len += l;
	buf[*len] = '\0';
}

void
path_pop(char *buf, size_t *len, const char *name)
{
	*len -= strlen(name);
	if (*len > 1)
		(*len)--;
	buf[*len] = '\0';
}
