/*
 * Xenstore path rules (docs/misc/xenstore.txt, "Paths"; xs_wire.h
 * XENSTORE_*_PATH_MAX).  Pure functions: no I/O, no global state.
 */
#ifndef XSD_PATH_H
#define XSD_PATH_H

#include <stdbool.h>
#include <talloc.h>

/*
 * Is path a valid absolute node path: starts with '/', characters from
 * [A-Za-z0-9-/_@], no "//", no trailing '/' except the root, at most
 * XENSTORE_ABS_PATH_MAX (3072) bytes?
 */
bool	path_valid(const char *path);

/*
 * Resolve a node path sent by a client of domain domid: a relative path
 * (no leading '/') is taken below /local/domain/<domid> and may be at most
 * XENSTORE_REL_PATH_MAX (2048) bytes.  '@' paths are not node paths.
 * On success *out is the canonical path, allocated on ctx (it may be "in"
 * itself when that is already absolute).
 * Returns 0, EINVAL (invalid path) or ENOMEM.
 */
int	path_canonicalize(TALLOC_CTX *ctx, const char *in, unsigned int domid,
	    const char **out);

/*
 * Like path_canonicalize() for a WATCH/UNWATCH path: also accepts special
 * paths "@<anything>" up to XENSTORE_REL_PATH_MAX bytes (xenstore.txt,
 * WATCH).  *relative tells whether the client sent a relative path, so
 * that events can be reported relative again.
 * Returns 0, EINVAL or ENOMEM.
 */
int	path_watch_canonicalize(TALLOC_CTX *ctx, const char *in,
	    unsigned int domid, const char **out, bool *relative);

/*
 * Bytes of a valid path below its "/local/domain/<domid>/" prefix (the
 * whole length when it has none): what the path-max quota limits, as
 * Xen's C xenstored 4.17 does (its -M option, default
 * XENSTORE_REL_PATH_MAX), for every caller.
 */
size_t	path_len_below_domain(const char *path);

/* The base path of a domain, "/local/domain/<domid>", on ctx; NULL: ENOMEM. */
char	*path_domain_base(TALLOC_CTX *ctx, unsigned int domid);

/* Parent of a valid path other than "/", on ctx; NULL only for ENOMEM. */
char	*path_parent(TALLOC_CTX *ctx, const char *path);

/* Last component of a valid path other than "/" (points into path). */
const char *path_basename(const char *path);

/*
 * Is child equal to parent or below it?  "/" is the parent of every path.
 * Works for '@' paths as well ("@releaseDomain/3" is below
 * "@releaseDomain").
 */
bool	path_is_child(const char *child, const char *parent);

/*
 * Number of components child lies below parent (0 when equal); child must
 * satisfy path_is_child(child, parent).
 */
unsigned int path_depth_below(const char *child, const char *parent);

/*
 * Walks over a tree keep a path in a buffer: path_push() appends the
 * component name to the path of *len bytes in buf ("/" + "a" = "/a",
 * "/a" + "b" = "/a/b"; "@x" + "3" = "@x/3"), path_pop() takes the last
 * component, name, off again.  The caller sizes buf for the deepest path
 * (valid paths: XENSTORE_ABS_PATH_MAX + 1 bytes); *len excludes the nul.
 */
void	path_push(char *buf, size_t *len, const char *name);
void	path_pop(char *buf, size_t *len, const char *name);

/* Join parent and a child name, on ctx ("/" + "a" = "/a"); NULL: ENOMEM. */
char	*path_join(TALLOC_CTX *ctx, const char *parent, const char *name);

#endif
