/*
 * The seeds of fuzz_stream (tests/fuzz/corpus/stream/), written with
 * stream.c's own writer: a version-1 stream of each record 4.17 knows,
 * and a version-2 stream with WATCH_EXT, GLOBAL_QUOTA and DOMAIN.
 *
 * usage: mkseeds-stream DIR
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

static void
put(int err, const char *what)
{
	if (err != 0) {
		fprintf(stderr, "mkseeds-stream: %s: %s\n", what, strerror(err));
		exit(1);
	}
}

static void
save(const char *dir, const char *name, const struct stream_writer *w)
{
	char path[4096];
	const void *data;
	size_t len;
	FILE *f;

	data = stream_writer_data(w, &len);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	TALLOC_CTX *ctx = talloc_new(NULL);
	struct stream_writer *w;
	const struct stream_global g = { 3, 4 };
	const struct stream_conn ring = { .conn_id = 1,
	    .conn_type = STREAM_CONN_RING, .tdomid = 0x7ff4, .evtchn = 7 };
	const struct stream_conn sock = { .conn_id = 2,
	    .conn_type = STREAM_CONN_SOCKET, .socket_fd = 9,
	    .in = (const uint8_t *)"\x02\0\0\0", .in_len = 4,
	    .out = (const uint8_t *)"ok", .out_len = 2, .out_resp_len = 1 };
	const struct stream_watch wa = { 2, "/local/domain", "tok",
	    STREAM_DEPTH_UNLIMITED };
	const struct stream_watch deep = { 2, "/tool", "t2", 1 };
	const struct stream_ta ta = { 2, 7 };
	const struct stream_perm perms[] = { { 'n', 0, 0 }, { 'r', 1, 5 } };
	const struct stream_node root = { .path = "/", .n_perms = 1 };
	const struct stream_node node = { .path = "/local", .value =
	    (const uint8_t *)"a\0b", .value_len = 3, .n_perms = 2 };
	const struct stream_node tnode = { .conn_id = 2, .tx_id = 7,
	    .path = "/local/x", .access = STREAM_ACCESS_WRITTEN,
	    .value = (const uint8_t *)"v", .value_len = 1, .n_perms = 1 };
	const struct stream_node tdel = { .conn_id = 2, .tx_id = 7,
	    .path = "/local/y" };
	const struct stream_quota gq = { .n_dom = 2, .n_quota = 3 };
	const uint32_t gvals[] = { 1000, 128, 0 };
	const char *const gnames[] = { "nodes", "watches", "memory" };
	const struct stream_quota dq = { .domid = 5, .n_quota = 1,
	    .features = 1 };
	const uint32_t dvals[] = { 42 };
	const char *const dnames[] = { "nodes" };
	int v;

	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds-stream DIR\n");
		return 2;
	}
	for (v = STREAM_VERSION_1; v <= STREAM_VERSION_2; v++) {
		w = stream_writer_new(ctx, v);
		if (w == NULL)
			put(ENOMEM, "writer");
		put(stream_put_global(w, &g), "GLOBAL");
		put(stream_put_conn(w, &ring), "CONN ring");
		put(stream_put_conn(w, &sock), "CONN socket");
		put(stream_put_watch(w, &wa), "WATCH");
		put(stream_put_ta(w, &ta), "TA");
		put(stream_put_node(w, &root, perms), "NODE /");
		put(stream_put_node(w, &node, perms), "NODE");
		put(stream_put_node(w, &tnode, perms), "NODE in a TA");
		put(stream_put_node(w, &tdel, NULL), "NODE deleted");
		if (v == STREAM_VERSION_2) {
			put(stream_put_watch(w, &deep), "WATCH_EXT");
			put(stream_put_quota(w, STREAM_GLOBAL_QUOTA, &gq,
			    gvals, gnames), "GLOBAL_QUOTA");
			put(stream_put_quota(w, STREAM_DOMAIN, &dq, dvals,
			    dnames), "DOMAIN");
		}
		put(stream_put_end(w), "END");
		save(argv[1], v == STREAM_VERSION_1 ? "v1" : "v2", w);
	}
	talloc_free(ctx);
	return 0;
}
