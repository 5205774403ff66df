/*
 * xq-watch PATH TOKEN DEPTH: a test-only client for the real-Xen test
 * (dom0-init.sh) that holds a watch with a depth (docs/misc/xenstore.txt,
 * WATCH's optional third field, which libxenstore 4.17 cannot send), so
 * that a live update to C xenstored, whose stream (version 1) cannot
 * carry it, is refused.  Speaks the wire protocol on the daemon's socket
 * ($XENSTORED_PATH, default /run/xenstored/socket); prints "watching
 * PATH" once the daemon said OK, then one line per event until the
 * daemon closes the connection or the process is killed.
 * Exits 1 with the reason on an error reply or a broken connection.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

static int
full(int fd, void *buf, size_t len, int out)
{
	char *p = buf;
	ssize_t n;

	for (; len > 0; p += n, len -= (size_t)n)
		if ((n = out ? write(fd, p, len) : read(fd, p, len)) <= 0)
			return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	const char *sock = getenv("XENSTORED_PATH");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct xsd_sockmsg h = { .type = XS_WATCH, .req_id = 1 };
	char body[XENSTORE_PAYLOAD_MAX + 1];
	size_t a, b, c;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: xq-watch PATH TOKEN DEPTH\n");
		return 2;
	}
	if (sock == NULL)
		sock = "/run/xenstored/socket";
	a = strlen(argv[1]) + 1;
	b = strlen(argv[2]) + 1;
	c = strlen(argv[3]) + 1;
	if (strlen(sock) >= sizeof(sa.sun_path) ||
	    a + b + c > XENSTORE_PAYLOAD_MAX) {
		fprintf(stderr, "xq-watch: socket path or payload too long\n");
		return 2;
	}
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	memcpy(body, argv[1], a);
	memcpy(body + a, argv[2], b);
	memcpy(body + a + b, argv[3], c);
	h.len = (uint32_t)(a + b + c);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    full(fd, &h, sizeof(h), 1) != 0 || full(fd, body, h.len, 1) != 0) {
		perror("xq-watch: send");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		if (full(fd, &h, sizeof(h), 0) != 0 ||
		    h.len > XENSTORE_PAYLOAD_MAX ||
		    full(fd, body, h.len, 0) != 0) {
			fprintf(stderr, "xq-watch: connection closed\n");
			return 1;
		}
		body[h.len] = '\0';
		if (h.type == XS_ERROR) {
			fprintf(stderr, "xq-watch: WATCH: %s\n", body);
			return 1;
		}
		if (h.type == XS_WATCH)
			printf("watching %s (depth %s)\n", argv[1], argv[3]);
		else if (h.type == XS_WATCH_EVENT)
			printf("event %s\n", body);
	}
}
