/*
 * The journal: records built in memory while requests are handled and
 * written with one writev() before the replies go out.  No fsync: what
 * must be survived is the daemon's death, not the host's, and a write
 * that returned is in the page cache for the next daemon to read.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "conn.h"
#include "journal.h"
#include "log.h"
#include "loop.h"
#include "stream.h"
#include "watch.h"

#define BUSY_FDS	65536

static struct {
	bool			 on;
	int			 fd;
	char			*dir;
	struct stream_writer	*w;		/* the pending batch */
	size_t			 bytes;		/* journal file length */
	size_t			 snapshot_bytes;
	uint32_t		 gen;
	bool			 rotate_queued;
	bool			 flush_queued;
	struct store		*st;
	struct socket_listener	*listener;
	int			 evtchn_fd;
	uint8_t			*busy;		/* BUSY_FDS flags, shared */
	const struct journal_ops *ops;
	void			*ctx;
} J = { .fd = -1 };

char *
journal_snapshot_path(void *ctx, const char *dir)
{
	return talloc_asprintf(ctx, "%s/state_snapshot", dir);
}

char *
journal_journal_path(void *ctx, const char *dir)
{
	return talloc_asprintf(ctx, "%s/state_journal", dir);
}

char *
journal_busy_path(void *ctx, const char *dir)
{
	return talloc_asprintf(ctx, "%s/state_busy", dir);
}

bool
journal_enabled(void)
{
	return J.on;
}

bool
journal_pending(void)
{
	return J.on && stream_writer_len(J.w) > STREAM_HEADER_LEN;
}

/* A write failed: no more journal, and no snapshot a restart would trust. */
static void
journal_fail(const char *what, int err)
{
	char *p;

	log_warnx("journal: %s: %s: crash restart is off (a restart would "
	    "lose acknowledged writes)", what, strerror(err));
	if ((p = journal_snapshot_path(NULL, J.dir)) != NULL)
		unlink(p);
	talloc_free(p);
	journal_stop();
}

void
journal_discard(const char *dir)
{
	char *(*path[])(void *, const char *) = { journal_snapshot_path,
	    journal_journal_path, journal_busy_path };
	char *p[sizeof(path) / sizeof(path[0])];
	unsigned int i;

	/* The names first: dir may be the journal's own, which stopping
	 * frees. */
	for (i = 0; i < sizeof(path) / sizeof(path[0]); i++)
		p[i] = path[i](NULL, dir);
	if (J.on)
		journal_stop();
	for (i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
		if (p[i] != NULL)
			unlink(p[i]);
		talloc_free(p[i]);
	}
}

static void
flush_deferred(void *arg)
{
	(void)arg;
	J.flush_queued = false;
	journal_flush();
}

/*
 * A change no reply follows (a socket closed, a domain's death) is
 * written at the end of this loop iteration at the latest.
 */
static void
queue_flush(void)
{
	if (!J.flush_queued && loop_defer(flush_deferred, NULL) == 0)
		J.flush_queued = true;
}

/* The outcome of appending one record: on to the write, or off. */
static void
recorded(int err, const char *what)
{
	if (err != 0)
		journal_fail(what, err);
	else
		queue_flush();
}

/* A body of n u32 fields, then rlen bytes at rest, then tlen at tail. */
static void
put(uint32_t type, const uint32_t *v, size_t n, const void *rest,
    size_t rlen, const void *tail, size_t tlen)
{
	struct iovec iov[3] = { { (void *)v, n * sizeof(*v) },
	    { (void *)rest, rlen }, { (void *)tail, tlen } };

	if (J.on)
		recorded(stream_put_raw(J.w, type, iov, 3),
		    "cannot record a change");
}

int
journal_put_node(struct stream_writer *w, TALLOC_CTX *tmp, const char *path,
    const void *value, size_t len, const struct perms *perms)
{
	struct stream_node n = { .path = path, .value = value,
	    .value_len = (uint16_t)len, .n_perms = (uint16_t)perms->num };
	struct stream_perm *sp;
	unsigned int i;

	if (len > UINT16_MAX || perms->num > UINT16_MAX)
		return EINVAL;
	if ((sp = talloc_array(tmp, struct stream_perm,
	    perms->num + 1)) == NULL)
		return ENOMEM;
	for (i = 0; i < perms->num; i++) {
		sp[i].perm = perms_letter(perms->p[i].perms);
		sp[i].flags = perms->p[i].perms & PERM_IGNORE ?
		    STREAM_PERM_STALE : 0;
		sp[i].domid = perms->p[i].domid;
	}
	return stream_put_node(w, &n, sp);
}

void
journal_node(const char *path, const void *value, size_t len,
    const struct perms *perms)
{
	TALLOC_CTX *tmp;

	if (!J.on)
		return;
	tmp = talloc_new(NULL);
	recorded(tmp == NULL ? ENOMEM :
	    journal_put_node(J.w, tmp, path, value, len, perms),
	    "cannot record a node");
	talloc_free(tmp);
}

void
journal_node_del(const char *path)
{
	put(JOURNAL_NODE_DEL, NULL, 0, path, strlen(path) + 1, NULL, 0);
}

void
journal_watch(const struct connection *c, const char *path,
    const char *token, unsigned int depth)
{
	struct stream_watch w = { conn_id(c), path, token,
	    depth == WATCH_DEPTH_ANY ? STREAM_DEPTH_UNLIMITED :
	    (uint16_t)depth };

	if (J.on)
		recorded(stream_put_watch(J.w, &w), "cannot record a watch");
}

void
journal_watch_del(const struct connection *c, const char *path,
    const char *token)
{
	uint32_t id = conn_id(c);

	put(JOURNAL_WATCH_DEL, &id, 1, path, strlen(path) + 1, token,
	    strlen(token) + 1);
}

void
journal_watch_reset(const struct connection *c)
{
	uint32_t id = conn_id(c);

	put(JOURNAL_WATCH_RESET, &id, 1, NULL, 0, NULL, 0);
}

static void
put_conn(const struct stream_conn *sc)
{
	if (J.on)
		recorded(stream_put_conn(J.w, sc),
		    "cannot record a connection");
}

void
journal_conn_ring(const struct connection *c, unsigned int domid,
    unsigned int tdomid, uint32_t local_port)
{
	put_conn(&(struct stream_conn){ .conn_id = conn_id(c),
	    .conn_type = STREAM_CONN_RING, .domid = (uint16_t)domid,
	    .tdomid = (uint16_t)tdomid, .evtchn = local_port });
}

void
journal_conn_socket(const struct connection *c, int fd)
{
	put_conn(&(struct stream_conn){ .conn_id = conn_id(c),
	    .conn_type = STREAM_CONN_SOCKET, .socket_fd = fd });
}

void
journal_conn_del(const struct connection *c)
{
	uint32_t id = conn_id(c);

	put(JOURNAL_CONN_DEL, &id, 1, NULL, 0, NULL, 0);
}

void
journal_target(const struct connection *c, unsigned int target)
{
	uint32_t v[2] = { conn_id(c), target };

	put(JOURNAL_TARGET, v, 2, NULL, 0, NULL, 0);
}

void
journal_domain_end(unsigned int domid)
{
	uint32_t v = domid;

	put(JOURNAL_DOMAIN_END, &v, 1, NULL, 0, NULL, 0);
}

void
journal_ta(const struct connection *c, uint32_t tx_id)
{
	struct stream_ta ta = { conn_id(c), tx_id };

	if (J.on)
		recorded(stream_put_ta(J.w, &ta),
		    "cannot record a transaction");
}

void
journal_ta_end(const struct connection *c, uint32_t tx_id)
{
	uint32_t v[2] = { conn_id(c), tx_id };

	put(JOURNAL_TA_END, v, 2, NULL, 0, NULL, 0);
}

void
journal_quota(bool dom, unsigned int domid)
{
	if (J.on)
		recorded(J.ops->put_quotas(J.w, dom, domid),
		    "cannot record a limit");
}

void
journal_ring_in(const struct connection *c, uint32_t req_cons,
    const void *in, size_t len)
{
	uint32_t v[3] = { conn_id(c), req_cons, (uint32_t)len };

	put(JOURNAL_RING_IN, v, 3, in, len, NULL, 0);
}

void
journal_ring_out(const struct connection *c, uint32_t pos, const void *hdr,
    size_t hlen, const void *payload, size_t plen)
{
	uint32_t v[3] = { conn_id(c), pos, (uint32_t)(hlen + plen) };

	put(JOURNAL_RING_OUT, v, 3, hdr, hlen, payload, plen);
}

static void rotate(void *arg);

void
journal_flush(void)
{
	const uint8_t *data;
	uint32_t hdr[2];
	struct iovec iov[2];
	size_t len;
	ssize_t n;

	if (!journal_pending())
		return;
	data = stream_writer_data(J.w, &len);
	hdr[0] = JOURNAL_BATCH;
	hdr[1] = (uint32_t)(len - STREAM_HEADER_LEN);
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = (void *)(data + STREAM_HEADER_LEN);
	iov[1].iov_len = len - STREAM_HEADER_LEN;
	do
		n = writev(J.fd, iov, 2);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)(sizeof(hdr) + len - STREAM_HEADER_LEN)) {
		journal_fail("cannot write the journal",
		    n < 0 ? errno : ENOSPC);
		return;
	}
	J.bytes += n;
	stream_writer_truncate(J.w, STREAM_HEADER_LEN);
	if (J.bytes >= JOURNAL_ROTATE_BYTES && J.bytes > J.snapshot_bytes &&
	    !J.rotate_queued && loop_defer(rotate, NULL) == 0)
		J.rotate_queued = true;
}

void
journal_socket_busy(int fd, bool busy)
{
	if (J.busy != NULL && fd >= 0 && fd < BUSY_FDS)
		__atomic_store_n(&J.busy[fd], busy, __ATOMIC_RELAXED);
}

bool
journal_socket_was_busy(const char *dir, int fd)
{
	char *p = journal_busy_path(NULL, dir);
	uint8_t b = 1;
	int bfd;

	if (p != NULL && fd >= 0 && fd < BUSY_FDS &&
	    (bfd = open(p, O_RDONLY | O_CLOEXEC)) >= 0) {
		if (pread(bfd, &b, 1, fd) != 1)
			b = 1;
		close(bfd);
	}
	talloc_free(p);
	return b != 0;
}

/* A new, empty journal file for generation gen, at path. */
static int
new_journal(const char *path, uint32_t gen, int *fdp)
{
	struct stream_writer *w;
	const void *data;
	size_t len;
	int fd, err = 0;

	if ((w = stream_writer_new(NULL, STREAM_VERSION_2)) == NULL)
		return ENOMEM;
	if ((err = stream_put_raw(w, JOURNAL_GEN,
	    &(struct iovec){ &gen, sizeof(gen) }, 1)) != 0) {
		talloc_free(w);
		return err;
	}
	data = stream_writer_data(w, &len);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
	    0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	talloc_free(w);
	if (err != 0) {
		if (fd >= 0)
			close(fd);
		return err;
	}
	*fdp = fd;
	J.bytes = len;
	return 0;
}

/*
 * Snapshot, then journal: a crash between the two renames leaves a new
 * snapshot with the old journal, whose generation then does not match
 * and which is not replayed (the snapshot holds all of it).
 */
static int
snapshot(const char **why)
{
	char *snap = NULL, *snap_new = NULL, *jour = NULL, *jour_new = NULL;
	uint32_t gen = J.gen + 1;
	size_t len = 0;
	int err, fd = -1;

	*why = "out of memory";
	if ((snap = journal_snapshot_path(J.ctx, J.dir)) == NULL ||
	    (jour = journal_journal_path(J.ctx, J.dir)) == NULL ||
	    (snap_new = talloc_asprintf(J.ctx, "%s.new", snap)) == NULL ||
	    (jour_new = talloc_asprintf(J.ctx, "%s.new", jour)) == NULL) {
		err = ENOMEM;
		goto out;
	}
	if ((err = J.ops->snapshot(snap_new, gen, J.evtchn_fd, J.listener,
	    J.st, &len, why)) != 0)
		goto out;
	*why = "cannot write the journal";
	if ((err = new_journal(jour_new, gen, &fd)) != 0)
		goto out;
	*why = "cannot rename the snapshot or the journal";
	if (rename(snap_new, snap) != 0 || rename(jour_new, jour) != 0) {
		err = errno;
		close(fd);
		goto out;
	}
	if (J.fd >= 0)
		close(J.fd);
	J.fd = fd;
	J.gen = gen;
	J.snapshot_bytes = len;
	*why = NULL;
out:
	if (err != 0 && snap_new != NULL) {
		unlink(snap_new);
		if (jour_new != NULL)
			unlink(jour_new);
	}
	talloc_free(snap);
	talloc_free(snap_new);
	talloc_free(jour);
	talloc_free(jour_new);
	return err;
}

static void
rotate(void *arg)
{
	const char *why;
	int err;

	(void)arg;
	J.rotate_queued = false;
	if (!J.on)
		return;
	/* Nothing may be pending: the snapshot is of the state now. */
	journal_flush();
	if (J.on && (err = snapshot(&why)) != 0)
		journal_fail(why, err);
}

static int
open_busy(void)
{
	char *p = journal_busy_path(NULL, J.dir);
	int fd;
	void *m;

	if (p == NULL)
		return ENOMEM;
	unlink(p);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	talloc_free(p);
	if (fd < 0)
		return errno;
	if (ftruncate(fd, BUSY_FDS) != 0) {
		close(fd);
		return errno;
	}
	m = mmap(NULL, BUSY_FDS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return errno;
	J.busy = m;
	return 0;
}

int
journal_start(const char *dir, struct store *st,
    struct socket_listener *listener, int evtchn_fd, uint32_t gen,
    const struct journal_ops *ops, const char **why)
{
	int err;

	if (J.ctx == NULL &&
	    (J.ctx = talloc_named_const(NULL, 0, "journal")) == NULL)
		return ENOMEM;
	*why = "out of memory";
	talloc_free(J.dir);
	if ((J.dir = talloc_strdup(J.ctx, dir)) == NULL ||
	    (J.w == NULL &&
	    (J.w = stream_writer_new(J.ctx, STREAM_VERSION_2)) == NULL))
		return ENOMEM;
	J.st = st;
	J.ops = ops;
	J.listener = listener;
	J.evtchn_fd = evtchn_fd;
	if (J.busy == NULL && (err = open_busy()) != 0) {
		*why = "cannot map the busy flags";
		return err;
	}
	stream_writer_truncate(J.w, STREAM_HEADER_LEN);
	J.gen = gen;
	if ((err = snapshot(why)) != 0)
		return err;
	J.on = true;
	log_info("crash restart: snapshot of %zu bytes in %s", J.snapshot_bytes,
	    dir);
	return 0;
}

void
journal_stop(void)
{
	J.on = false;
	if (J.fd >= 0)
		close(J.fd);
	J.fd = -1;
	if (J.busy != NULL)
		munmap(J.busy, BUSY_FDS);
	J.busy = NULL;
	TALLOC_FREE(J.ctx);
	J.w = NULL;
	J.dir = NULL;
}
