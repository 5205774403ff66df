/*
 * Operation handlers (docs/misc/xenstore.txt).  Where the document is
 * silent the behaviour follows Xen's C xenstored 4.17; deliberate
 * differences are listed in docs/protocol.md.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "domain.h"
#include "framing.h"
#include "log.h"
#include "journal.h"
#include "ops.h"
#include "ops_domain.h"
#include "path.h"
#include "perms.h"
#include "quota.h"
#include "store.h"
#include "txn.h"
#include "watch.h"

int
ops_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return EINVAL;
		v = v * 10 + (*s - '0');
		if (v > max)
			return EINVAL;
	}
	*out = v;
	return 0;
}

static void
caller_of(const struct request *req, struct perm_caller *c)
{
	conn_caller(req->conn, c);
}

/* Canonicalize a node path and apply the path-max quota (0: none). */
static int
canonical_path(struct request *req, const char *in, const char **path)
{
	unsigned int limit;
	int err;

	err = path_canonicalize(req->ctx, in, conn_domid(req->conn), path);
	if (err != 0)
		return err;
	limit = quota_limit(conn_domid(req->conn), QUOTA_PATH_MAX);
	if (limit != 0 && path_len_below_domain(*path) > limit)
		return EINVAL;
	return 0;
}

/*
 * Find a node the caller needs perm on.  Without access, or when the node
 * is missing and the caller may not see that (no perm on the nearest
 * ancestor), the answer is EACCES: existence is not revealed (the rule of
 * Xen's errno_from_parents()).  *path gets the canonical path.
 */
static int
get_node(struct request *req, const char *in, unsigned int perm,
    const char **path, struct txn_view *v)
{
	struct perm_caller caller;
	struct txn_view anc;
	int err;

	if ((err = canonical_path(req, in, path)) != 0)
		return err;
	caller_of(req, &caller);
	err = txn_read(req->st, req->tx, *path, v);
	if (err == 0)
		return (perms_for(&caller, v->perms) & perm) == perm ? 0 :
		    EACCES;
	if (err != ENOENT)
		return err;
	err = txn_read_nearest(req->st, req->tx, *path, &anc);
	if (err != 0)
		return err;
	return (perms_for(&caller, anc.perms) & perm) ? ENOENT : EACCES;
}

int
op_read(struct request *req)
{
	struct txn_view v;
	const char *path;
	int err;

	if ((err = get_node(req, req->argv[0], PERM_READ, &path, &v)) != 0)
		return err;
	/* Copy: the view may change before the reply is queued. */
	req->reply = v.len > 0 ? talloc_memdup(req->ctx, v.data, v.len) :
	    "";
	req->reply_len = v.len;
	return req->reply == NULL ? ENOMEM : 0;
}

/* Data plus perms must fit the node-size quota (unprivileged only). */
static int
check_node_size(struct request *req, size_t len, unsigned int nperms)
{
	unsigned int limit = quota_limit(conn_domid(req->conn), QUOTA_NODE_SIZE);

	if (conn_privileged(req->conn) || limit == 0)
		return 0;
	return len + nperms * sizeof(struct perm_entry) > limit ? ENOSPC : 0;
}

static int
write_or_mkdir(struct request *req, const void *data, size_t len,
    bool set_data)
{
	struct txn_view v;
	const char *path;
	int err;

	err = get_node(req, req->argv[0], PERM_WRITE, &path, &v);
	if (err != 0 && err != ENOENT)
		return err;
	if (err == 0 && !set_data)
		return 0;	/* MKDIR of an existing node */
	if ((err = check_node_size(req, len, err == 0 ? v.perms->num : 1)))
		return err;
	return txn_write(req->st, req->tx, path, data, len, set_data,
	    conn_privileged(req->conn) ? -1 : (int)conn_domid(req->conn),
	    conn_domid(req->conn), conn_privileged(req->conn));
}

int
op_write(struct request *req)
{
	size_t off = strlen(req->argv[0]) + 1;

	return write_or_mkdir(req, req->payload + off, req->len - off, true);
}

int
op_mkdir(struct request *req)
{
	return write_or_mkdir(req, NULL, 0, false);
}

int
op_rm(struct request *req)
{
	struct txn_view v;
	const char *path;
	char *parent;
	int err;

	err = get_node(req, req->argv[0], PERM_WRITE, &path, &v);
	if (err == ENOENT) {
		/* Not an error if the parent exists (xenstore.txt, RM). */
		if (strcmp(path, "/") == 0)
			return ENOENT;
		if ((parent = path_parent(req->ctx, path)) == NULL)
			return ENOMEM;
		return txn_read(req->st, req->tx, parent, &v);
	}
	if (err != 0)
		return err;
	if (strcmp(path, "/") == 0)
		return EINVAL;
	return txn_rm(req->st, req->tx, path);
}

static int
children(struct request *req, char **names, size_t *len, uint64_t *gen)
{
	struct txn_view v;
	const char *path;
	int err;

	if ((err = get_node(req, req->argv[0], PERM_READ, &path, &v)) != 0)
		return err;
	return txn_children(req->st, req->tx, req->ctx, path, names, len,
	    gen);
}

int
op_directory(struct request *req)
{
	uint64_t gen;
	char *names;
	size_t len;
	int err;

	if ((err = children(req, &names, &len, &gen)) != 0)
		return err;
	/* Clients fall back to DIRECTORY_PART on E2BIG (xenstore-ls). */
	if (len > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	req->reply = names;
	req->reply_len = len;
	return 0;
}

int
op_directory_part(struct request *req)
{
	unsigned long off;
	uint64_t gen;
	char *names, *out;
	size_t len, genlen, n, l;
	char genstr[24];
	int err;

	if (ops_parse_uint(req->argv[1], ~0u, &off) != 0)
		return EINVAL;
	if ((err = children(req, &names, &len, &gen)) != 0)
		return err;
	genlen = snprintf(genstr, sizeof(genstr), "%llu",
	    (unsigned long long)gen) + 1;
	/* The offset must start a name, as a previous reply ended. */
	if (off < len && off > 0 && names[off - 1] != '\0')
		return EINVAL;
	out = talloc_size(req->ctx, XENSTORE_PAYLOAD_MAX);
	if (out == NULL)
		return ENOMEM;
	memcpy(out, genstr, genlen);
	n = 0;
	if (off < len) {
		/* Whole names only; room for the final empty string. */
		while (off + n < len) {
			l = strlen(names + off + n) + 1;
			if (genlen + n + l + 1 > XENSTORE_PAYLOAD_MAX)
				break;
			n += l;
		}
		memcpy(out + genlen, names + off, n);
	}
	/* An empty name marks the end of the list. */
	if (off + n >= len)
		out[genlen + n++] = '\0';
	req->reply = out;
	req->reply_len = genlen + n;
	return 0;
}

int
op_get_perms(struct request *req)
{
	struct txn_view v;
	const char *path;
	char *s;
	size_t len;
	int err;

	if (req->argv[0][0] == '@') {
		if ((v.perms = domain_special_perms(req->argv[0])) == NULL)
			return EINVAL;
	} else if ((err = get_node(req, req->argv[0], PERM_READ, &path,
	    &v)) != 0)
		return err;
	if ((s = perms_format(req->ctx, v.perms, &len)) == NULL)
		return ENOMEM;
	req->reply = s;
	req->reply_len = len;
	return 0;
}


int
op_set_perms(struct request *req)
{
	const char *perm_strs = req->argv[1];
	unsigned int nperms;
	struct perm_caller caller;
	struct perms perms;
	struct txn_view v;
	const char *path;
	int err;

	/* The perm strings may be more than REQUEST_ARGS_MAX: re-split. */
	nperms = framing_split(req->payload, req->len, NULL, 0, NULL) - 1;
	if (!conn_privileged(req->conn) && quota_limit(conn_domid(req->conn), QUOTA_PERMISSIONS) &&
	    nperms > quota_limit(conn_domid(req->conn), QUOTA_PERMISSIONS))
		return ENOSPC;
	err = perms_parse(req->ctx, perm_strs,
	    req->len - (perm_strs - req->payload), nperms, &perms);
	if (err != 0)
		return err;
	/* Before the path is looked at, as C xenstored 4.17. */
	if ((err = domain_check_perms(&perms)) != 0)
		return err;
	if (req->argv[0][0] == '@') {
		/*
		 * Special watch paths (xenstore.txt, SET_PERMS).  Unknown
		 * ones, and all of them for the unprivileged, do not exist:
		 * ENOENT, as C xenstored 4.17.
		 */
		if (domain_special_perms(req->argv[0]) == NULL ||
		    !conn_privileged(req->conn))
			return ENOENT;
		if ((err = domain_set_special_perms(req->argv[0],
		    &perms)) == 0)
			journal_node(req->argv[0], "", 0,
			    domain_special_perms(req->argv[0]));
		return err;
	}
	err = get_node(req, req->argv[0], PERM_WRITE | PERM_OWNER, &path, &v);
	if (err != 0)
		return err;
	caller_of(req, &caller);
	/* Only the privileged may give a node away (xenstore.txt). */
	if (!caller.privileged && perms.p[0].domid != v.perms->p[0].domid)
		return EPERM;
	return txn_set_perms(req->st, req->tx, path, &perms);
}

int
op_watch(struct request *req)
{
	const char *path;
	unsigned long depth = WATCH_DEPTH_ANY;
	unsigned int limit;
	char *base = NULL;
	bool relative;
	int err;

	err = path_watch_canonicalize(req->ctx, req->argv[0],
	    conn_domid(req->conn), &path, &relative);
	if (err != 0)
		return err;
	/* The path-max quota holds for watched node paths too (as C's). */
	limit = quota_limit(conn_domid(req->conn), QUOTA_PATH_MAX);
	if (path[0] != '@' && limit != 0 &&
	    path_len_below_domain(path) > limit)
		return EINVAL;
	/* Optional depth (xenstore.txt, WATCH); "" is the reserved field. */
	if (req->argc > 2 && req->argv[2][0] != '\0' &&
	    ops_parse_uint(req->argv[2], XENSTORE_ABS_PATH_MAX, &depth) != 0)
		return EINVAL;
	if (relative &&
	    (base = path_domain_base(req->ctx, conn_domid(req->conn))) == NULL)
		return ENOMEM;
	err = watch_add(req->watches, req->conn, path, req->argv[1], base, depth);
	if (err != 0)
		return err;
	journal_watch(req->conn, req->argv[0], req->argv[1], depth);
	/* The first event goes out after the OK. */
	req->event_path = req->argv[0];
	req->event_token = req->argv[1];
	return 0;
}

int
op_unwatch(struct request *req)
{
	const char *path;
	bool relative;
	int err;

	err = path_watch_canonicalize(req->ctx, req->argv[0],
	    conn_domid(req->conn), &path, &relative);
	if (err != 0)
		return err;
	if ((err = watch_remove(req->conn, path, req->argv[1])) == 0)
		journal_watch_del(req->conn, req->argv[0], req->argv[1]);
	return err;
}

int
op_reset_watches(struct request *req)
{
	watch_remove_all(req->watches);
	txn_list_clear(req->txns);
	journal_watch_reset(req->conn);
	return 0;
}

int
op_transaction_start(struct request *req)
{
	uint32_t id;
	int err;

	/* tx_id was checked by dispatch: a live one here means nesting. */
	if (req->tx != NULL)
		return EBUSY;
	err = txn_start(req->txns, req->st, conn_domid(req->conn),
	    conn_privileged(req->conn), &id);
	if (err != 0)
		return err;
	journal_ta(req->conn, id);
	return request_reply_string(req, talloc_asprintf(req->ctx, "%u", id));
}

int
op_transaction_end(struct request *req)
{
	bool commit;

	if (strcmp(req->argv[0], "T") == 0)
		commit = true;
	else if (strcmp(req->argv[0], "F") == 0)
		commit = false;
	else
		return EINVAL;
	if (req->tx == NULL)
		return ENOENT;
	/* Ended either way: a failed commit frees it too. */
	journal_ta_end(req->conn, req->tx_id);
	return txn_end(req->tx, commit);
}

int
op_get_domain_path(struct request *req)
{
	unsigned long domid;

	if (ops_parse_uint(req->argv[0], PERMS_DOMID_MAX, &domid) != 0)
		return EINVAL;
	return request_reply_string(req, path_domain_base(req->ctx, domid));
}

int
op_get_quota(struct request *req)
{
	unsigned int domid;
	enum quota_id q;
	char *s;

	if (req->argc == 0) {
		/* All names, separated by blanks. */
		s = talloc_strdup(req->ctx, "");
		for (q = 0; q < QUOTA_COUNT && s != NULL; q++)
			s = talloc_asprintf_append(s, "%s%s", q ? " " : "",
			    quota_name(q));
		return request_reply_string(req, s);
	}
	if (req->argc == 2) {
		if (ops_parse_domid(req->argv[0], &domid) != 0 ||
		    quota_lookup(req->argv[1], &q) != 0)
			return EINVAL;
		return request_reply_string(req,
		    talloc_asprintf(req->ctx, "%u", quota_limit(domid, q)));
	}
	if (quota_lookup(req->argv[0], &q) != 0)
		return EINVAL;
	return request_reply_string(req,
	    talloc_asprintf(req->ctx, "%u", quota_get(q)));
}

int
op_set_quota(struct request *req)
{
	unsigned long value;
	unsigned int domid;
	enum quota_id q;
	int i = req->argc == 3;

	if (i && ops_parse_domid(req->argv[0], &domid) != 0)
		return EINVAL;
	if (quota_lookup(req->argv[i], &q) != 0)
		return EINVAL;
	if (ops_parse_uint(req->argv[i + 1], ~0u, &value) != 0)
		return EINVAL;
	if (i) {
		int err = quota_domain_set(domid, q, value);

		if (err == 0)
			journal_quota(true, domid);
		return err;
	}
	quota_set(q, value);
	journal_quota(false, 0);
	return 0;
}
