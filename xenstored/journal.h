/*
 * Crash restart (docs/crash-restart.md): a snapshot of the whole state
 * in the migration stream format ($XENSTORED_RUNDIR/state_snapshot)
 * and a journal of every change since ($XENSTORED_RUNDIR/state_journal),
 * written before any reply or event leaves the daemon.  A ring's bytes
 * are journalled too (what was taken from it, what was queued for it),
 * so that a restarted daemon knows exactly which requests it answered.
 *
 * Every journal_*() call is a no-op until journal_start() succeeds, and
 * again after a write fails (the journal is then off, the snapshot
 * removed, and that logged: a crash would lose acknowledged writes).
 */
#ifndef XSD_JOURNAL_H
#define XSD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perms.h"

struct connection;
struct node;
struct socket_listener;
struct store;

/* Journal-only record types: outside the design's range (0-8). */
#define JOURNAL_GEN		0x80	/* u32 gen: pairs snapshot, journal */
#define JOURNAL_BATCH		0x81	/* the records of one write */
#define JOURNAL_NODE_DEL	0x82	/* path\0: the node and its subtree */
#define JOURNAL_WATCH_DEL	0x83	/* u32 conn, path\0, token\0 */
#define JOURNAL_WATCH_RESET	0x84	/* u32 conn */
#define JOURNAL_CONN_DEL	0x85	/* u32 conn */
#define JOURNAL_TA_END		0x86	/* u32 conn, u32 tx_id */
#define JOURNAL_RING_POS	0x87	/* u32 conn, u32 pos of the CONN's out */
#define JOURNAL_RING_IN		0x88	/* u32 conn, u32 req_cons, u32 len, in */
#define JOURNAL_RING_OUT	0x89	/* u32 conn, u32 pos, u32 len, message */
#define JOURNAL_TARGET		0x8a	/* u32 conn, u32 target domid */
#define JOURNAL_DOMAIN_END	0x8b	/* u32 domid: released or dead */

/* A new journal once it is this long and longer than the snapshot. */
#define JOURNAL_ROTATE_BYTES	(4u << 20)

/* What the journal needs of the state module (state.c provides both). */
struct stream_writer;
struct journal_ops {
	int	(*snapshot)(const char *path, uint32_t gen, int evtchn_fd,
		    struct socket_listener *listener, struct store *st,
		    size_t *len, const char **why);
	int	(*put_quotas)(struct stream_writer *w, bool dom,
		    unsigned int domid);
};

/*
 * Write a snapshot of everything (st, the rings, the listener's
 * connections, the limits) and start an empty journal after it, in
 * dir, as generation gen + 1 (gen: the one recovered from, or 0).
 * From then on changes are journalled.  Returns 0 or an errno (*why
 * says which step failed; the journal stays off).
 */
int	journal_start(const char *dir, struct store *st,
		    struct socket_listener *listener, int evtchn_fd, uint32_t gen,
	    const struct journal_ops *ops, const char **why);

/*
 * One NODE record of path (value len bytes, perms) on w, tmp for
 * scratch; the snapshot's and the journal's.  0, ENOMEM, EINVAL (a
 * value or perms list the format cannot carry).
 */
int	journal_put_node(struct stream_writer *w, void *tmp, const char *path,
	    const void *value, size_t len, const struct perms *perms);

/* Stop journalling and close the files (they stay). */
void	journal_stop(void);

/*
 * Stop journalling (if on) and remove the files in dir, whether this
 * daemon wrote them or an earlier one did (a live update to a daemon
 * that will not keep them: none may restart from them later).
 */
void	journal_discard(const char *dir);

bool	journal_enabled(void);

/* Paths of the two files in dir, on ctx (NULL: ENOMEM). */
char	*journal_snapshot_path(void *ctx, const char *dir);
char	*journal_journal_path(void *ctx, const char *dir);
char	*journal_busy_path(void *ctx, const char *dir);

/* A committed node (its path, perms and value now), or one removed with
 * its subtree.  path may be "@releaseDomain" or "@introduceDomain". */
void	journal_node(const char *path, const void *value, size_t len,
	    const struct perms *perms);
void	journal_node_del(const char *path);

/* A watch added or removed (as WATCH and UNWATCH gave it), or all. */
void	journal_watch(const struct connection *c, const char *path,
	    const char *token, unsigned int depth);
void	journal_watch_del(const struct connection *c, const char *path,
	    const char *token);
void	journal_watch_reset(const struct connection *c);

/* A connection made (ring: its domid, target, local port) or gone. */
void	journal_conn_ring(const struct connection *c, unsigned int domid,
	    unsigned int tdomid, uint32_t local_port);
void	journal_conn_socket(const struct connection *c, int fd);
void	journal_conn_del(const struct connection *c);
void	journal_target(const struct connection *c, unsigned int target);
/* An introduced domain ended (its ring unmapped, its port unbound). */
void	journal_domain_end(unsigned int domid);

/* A transaction opened or ended (committed or not). */
void	journal_ta(const struct connection *c, uint32_t tx_id);
void	journal_ta_end(const struct connection *c, uint32_t tx_id);

/* The limits (dom false) or one domain's features and limits changed. */
void	journal_quota(bool dom, unsigned int domid);

/*
 * A ring's input: req_cons now, and the len bytes taken but not yet
 * handled (a partial request).  Its output: one message of len bytes
 * queued at out position pos (the ring's rsp_prod when it is sent).
 */
void	journal_ring_in(const struct connection *c, uint32_t req_cons,
	    const void *in, size_t len);
void	journal_ring_out(const struct connection *c, uint32_t pos,
	    const void *hdr, size_t hlen, const void *payload, size_t plen);

/*
 * Write what was recorded since the last call, as one record (a torn
 * write is dropped whole on replay).  Call before any byte is sent.
 */
void	journal_flush(void);
bool	journal_pending(void);

/*
 * A socket connection is in the middle of something (bytes read but
 * not answered, output queued): after a crash it is closed rather than
 * left waiting or answered twice.  fd's flag lives in a shared file
 * (state_busy) that outlives the process; fds past 65535 always count
 * as busy.
 */
void	journal_socket_busy(int fd, bool busy);
/* At a restart: fd's flag as the crashed daemon left it. */
bool	journal_socket_was_busy(const char *dir, int fd);

#endif
