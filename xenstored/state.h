/*
 * The daemon's state in the migration stream (stream.h,
 * docs/migration-stream.md): taking over from the daemon this one
 * replaces (-U, a live update), Xen's C xenstored 4.17 or ours.  The
 * state file is read and checked whole before anything is adopted; then
 * each record goes to the module that owns it, in stream order.
 */
#ifndef XSD_STATE_H
#define XSD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

struct connection;
struct socket_listener;
struct store;
struct state;
struct xsd_sockmsg;
struct stream_writer;
struct perms;

/*
 * Where the replaced daemon left its state: $XENSTORED_RUNDIR/state_dump,
 * else /var/run/xenstored/state_dump (C xenstored 4.17's
 * xs_daemon_rundir()).  Allocated on ctx; NULL: ENOMEM.
 */
char	*state_default_path(TALLOC_CTX *ctx);

/* $XENSTORED_RUNDIR, else /var/run/xenstored (as C xenstored 4.17). */
const char *state_run_dir(void);

/*
 * Read the state file at path and check all of it: a stream of version
 * 1 or 2 (stream.h's rules) ending in END, with GLOBAL before any CONN,
 * CONN ids unique, and every WATCH after its CONN.  *socket_fd and
 * *evtchn_fd get GLOBAL's (socket -1: none).  The state is allocated on
 * ctx.  NULL with *why (allocated on ctx) saying what is wrong: the
 * file unreadable, malformed, or without GLOBAL.
 */
struct state *state_load(TALLOC_CTX *ctx, const char *path, int *socket_fd,
	    int *evtchn_fd, char **why);

/* The same on a copy of the len bytes at buf (tests, fuzzing). */
struct state *state_load_buffer(TALLOC_CTX *ctx, const void *buf, size_t len,
	    int *socket_fd, int *evtchn_fd, char **why);

/*
 * Take over what the records hold, once domain_init() runs on the
 * inherited event-channel fd (xss_open_fd()) and the listening socket is
 * adopted (socket_adopt_listener(); NULL in the xenstore domain): each
 * CONN ring through domain_restore(), each CONN socket through
 * socket_adopt_conn(), their unsent output queued as it was; each WATCH
 * registered as its client gave it (no event fires); each committed
 * NODE into st as it was (special nodes' perms through
 * domain_set_special_perms()), charged to its owner; each TA opened
 * again under its id (txn_restore(): its commit gives EAGAIN); each
 * GLOBAL_QUOTA and DOMAIN's limits set (unknown names logged, no
 * effect) and DOMAIN's features kept (domain_restore_feature()).  A
 * transaction's NODE records (with a conn-id) are not carried: its view
 * is lost, which the EAGAIN tells the client.  Unknown records are
 * logged and skipped.  Returns 0, or an errno with *why: a ring that
 * cannot be mapped, a socket that cannot be adopted, a NODE whose parent
 * is missing, ENOMEM.
 */
int	state_restore(struct state *s, struct store *st,
	    struct socket_listener *listener, char **why);

/*
 * Then: every connection's saved input handled (requests run, a partial
 * one waiting for its rest), every ring served for what came meanwhile,
 * domains gone meanwhile ended (domain_restore_done()), and the state
 * file removed, as C xenstored 4.17 does.  Frees s.
 */
void	state_finish(struct state *s);

/*
 * Hand over (CONTROL live-update -s): write this daemon's state to path
 * as a stream of version (1: what Xen's C xenstored 4.17 reads): GLOBAL
 * (listener's fd, -1 without one; evtchn_fd), each ring (the master
 * domain's first) and each socket client with its unhandled input, its
 * unsent output and its watches, the requester's output followed by
 * the reply "OK" to req, then the special nodes and the tree in
 * pre-order, END.  Version 2 (what ours reads) adds a TA record for each
 * open transaction, after its connection's watches, a DOMAIN after each
 * ring (features, own limits) and GLOBAL_QUOTA after GLOBAL; version 1
 * drops them, as C 4.17 does.  Returns 0, or an
 * errno with *why (static) or NULL: EINVAL or ENOTSUP for what the
 * version cannot carry (e.g. a watch with a depth in version 1),
 * ENOMEM, or the errno of writing the file (then removed).
 */
/*
 * The line our --help prints: a daemon that live-updates to a binary
 * printing it writes version 2, transactions included; to any other
 * binary (Xen's C xenstored 4.17) version 1.
 */
/*
 * A restart's snapshot (docs/crash-restart.md): version 2 with our own
 * conn ids, a JOURNAL_GEN record of gen after GLOBAL and a
 * JOURNAL_RING_POS after each ring's CONN; written to path (no fsync),
 * its length in *len.  0 or an errno, *why as state_save()'s.
 */
int	state_snapshot(const char *path, uint32_t gen, int evtchn_fd,
	    struct socket_listener *listener, struct store *st, size_t *len,
	    const char **why);

/* One NODE record (tmp: scratch) and one quota record, for the journal:
 * 0, ENOMEM, EINVAL (what the format cannot carry). */
int	state_put_node(struct stream_writer *w, TALLOC_CTX *tmp,
	    const char *path, const void *value, size_t len,
	    const struct perms *perms);
int	state_put_quotas(struct stream_writer *w, bool dom,
	    unsigned int domid);

/*
 * A restart after a crash (docs/crash-restart.md): load dir's snapshot
 * and journal (a journal of another generation is not replayed), with
 * GLOBAL's descriptors in *socket_fd and *evtchn_fd.  NULL, *why on
 * ctx, for a snapshot that cannot be read.
 */
struct state *state_recover_load(TALLOC_CTX *ctx, const char *dir,
	    int *socket_fd, int *evtchn_fd, char **why);

/*
 * Replay them: the tree, the connections still open at the crash (a
 * socket that was busy is closed), their watches, transactions (each
 * to end in EAGAIN), limits; each ring's req_cons and unsent output as
 * the journal has them.  Then state_finish() (which keeps the files).
 * The descriptors the keeper gave back that no connection took are
 * closed.  0 or an errno with *why.
 */
int	state_recover(struct state *s, struct store *st,
	    struct socket_listener *listener, char **why);

/* The generation of the snapshot a restart read (journal_start()'s). */
uint32_t state_generation(const struct state *s);

#define STATE_HELP_LINE \
	"Live update: reads migration stream versions 1 and 2."

int	state_save(const char *path, uint32_t version, int evtchn_fd,
	    struct socket_listener *listener, struct store *st,
	    struct connection *requester, const struct xsd_sockmsg *req,
	    const char **why);

#endif
