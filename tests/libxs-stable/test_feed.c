/*
 * The domain-state feed: order, EAGAIN, fd readiness, bad pushes, the
 * datagram source (records, malformed ones dropped and counted, a live
 * socket refused, a stale one replaced).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cu_main.h"
#include "xs-stable.h"

static struct xss_feed *f;
static char dir[] = "/tmp/xss-feed.XXXXXX", path[128];

static void
setup(void)
{
	int err = 0;

	f = xss_feed_new(&err);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/feed", dir);
}

static void
teardown(void)
{
	xss_feed_free(f);
	unlink(path);
	rmdir(dir);
	strcpy(dir, "/tmp/xss-feed.XXXXXX");
}

static bool
readable(void)
{
	struct pollfd p = { xss_feed_fd(f), POLLIN, 0 };

	return poll(&p, 1, 0) == 1;
}

static void
test_push_order(void)
{
	struct xss_domain_event ev, in[3] = {
		{ 5, XSS_DOMAIN_SHUTDOWN, 2 }, { 5, XSS_DOMAIN_DYING, 0 },
		{ 7, XSS_DOMAIN_DEAD, 0 } };
	int i;

	CU_ASSERT(!readable());
	CU_ASSERT_EQUAL(xss_feed_next(f, &ev), EAGAIN);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(xss_feed_push(f, &in[i]), 0);
	CU_ASSERT(readable());
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(xss_feed_next(f, &ev), 0);
		CU_ASSERT(memcmp(&ev, &in[i], sizeof(ev)) == 0);
	}
	CU_ASSERT_EQUAL(xss_feed_next(f, &ev), EAGAIN);
	CU_ASSERT(!readable());
}

static void
test_push_invalid(void)
{
	struct xss_domain_event bad_state = { 1, 4, 0 },
	    bad_domid = { 0x7ff0, XSS_DOMAIN_DEAD, 0 };

	CU_ASSERT_EQUAL(xss_feed_push(f, &bad_state), EINVAL);
	CU_ASSERT_EQUAL(xss_feed_push(f, &bad_domid), EINVAL);
	CU_ASSERT(!readable());
}

static int
sender(void)
{
	return socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

static void
send_to(int fd, const void *buf, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	strcpy(sun.sun_path, path);
	CU_ASSERT(sendto(fd, buf, len, 0, (struct sockaddr *)&sun,
	    sizeof(sun)) == (ssize_t)len);
}

static void
test_socket_source(void)
{
	struct xss_domain_event ev, in = { 9, XSS_DOMAIN_DYING, 0 },
	    bad = { 9, 17, 0 };
	char junk[5] = "junk";
	int s = sender();

	CU_ASSERT_EQUAL(xss_feed_add_socket(f, path), 0);
	send_to(s, junk, sizeof(junk));
	send_to(s, &bad, sizeof(bad));
	send_to(s, &in, sizeof(in));
	CU_ASSERT(readable());
	CU_ASSERT_EQUAL(xss_feed_next(f, &ev), 0);
	CU_ASSERT(memcmp(&ev, &in, sizeof(ev)) == 0);
	CU_ASSERT_EQUAL(xss_feed_next(f, &ev), EAGAIN);
	CU_ASSERT_EQUAL(xss_feed_dropped(f), 2);
	close(s);
}

static void
test_socket_live_and_stale(void)
{
	struct xss_feed *g;
	int err = 0;

	CU_ASSERT_EQUAL(xss_feed_add_socket(f, path), 0);
	g = xss_feed_new(&err);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(xss_feed_add_socket(g, path), EEXIST);
	/* Once f is gone the file left behind is stale: taken over. */
	xss_feed_free(f);
	f = g;
	CU_ASSERT_EQUAL(xss_feed_add_socket(f, path), 0);
}

static void
test_names(void)
{
	EXPECT_STR(xss_domain_state_name(XSS_DOMAIN_RUNNING), "running");
	EXPECT_STR(xss_domain_state_name(XSS_DOMAIN_SHUTDOWN), "shutdown");
	EXPECT_STR(xss_domain_state_name(XSS_DOMAIN_DYING), "dying");
	EXPECT_STR(xss_domain_state_name(XSS_DOMAIN_DEAD), "dead");
	EXPECT_STR(xss_domain_state_name(99), "?");
	xss_feed_free(NULL);
	xss_close(NULL);
}

static const struct cu_test feed_tests[] = {
	TEST(test_push_order),
	TEST(test_push_invalid),
	TEST(test_socket_source),
	TEST(test_socket_live_and_stale),
	TEST(test_names),
	TEST_END
};

static const struct cu_suite suites[] = {
	{ "feed", setup, teardown, feed_tests },
};

int
main(void)
{
	return cu_run(suites, sizeof(suites) / sizeof(suites[0]));
}
