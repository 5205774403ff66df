/*
 * libsimxen-procxen.so: an LD_PRELOAD library that lets Debian's xenstore
 * daemons find dom0's ring on the simulated Xen.
 *
 *   - open/openat/fopen (and their 64 variants) of /proc/xen/xsd_kva and
 *     /proc/xen/xsd_port go to $SIMXEN_DIR/xsd_kva and xsd_port, which
 *     `simxen init` creates (Xen's C xenstored reads these at start:
 *     tools/xenstore/xenstored_posix.c);
 *   - open, fopen, stat and unlink of oxenstored's live-update dump,
 *     /var/run/xenstored/db (or /run/...), go to $SIMXEN_DIR/xenstored-db,
 *     so that a live update works without that directory;
 *   - when $SIMXEN_XENSTORED_SOCKET is set, bind/unlink of the compiled-in
 *     socket path /var/run/xenstored/socket (or /run/...) and mkdir of its
 *     directory go to that path instead: oxenstored has no option for its
 *     socket (tools/ocaml/xenstored/define.ml);
 *   - setrlimit(RLIMIT_NOFILE) beyond the hard limit, which fails without
 *     CAP_SYS_RESOURCE (containers), is retried at the hard limit:
 *     oxenstored raises it to /proc/sys/fs/nr_open and exits on EPERM
 *     (tools/ocaml/xenstored/poll.ml).
 *
 * Other paths pass through untouched.
 */
#define _GNU_SOURCE 1

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simxen.h"

/* Interposed entry points: prototypes come from libc's headers, but
 * open64 & co. may be macros or absent without _LARGEFILE64_SOURCE. */
int	open64(const char *, int, ...);
int	openat64(int, const char *, int, ...);
FILE	*fopen64(const char *, const char *);
int	stat64(const char *, struct stat64 *);

static const char *
redirect(const char *path, char *buf, size_t len)
{
	const char *dir, *base;

	if (path == NULL)
		return path;
	if (strcmp(path, "/proc/xen/xsd_kva") == 0)
		base = "xsd_kva";
	else if (strcmp(path, "/proc/xen/xsd_port") == 0)
		base = "xsd_port";
	else if (strcmp(path, "/var/run/xenstored/db") == 0 ||
	    strcmp(path, "/run/xenstored/db") == 0)
		base = "xenstored-db";
	else
		return path;
	dir = getenv("SIMXEN_DIR");
	if (dir == NULL || *dir == '\0')
		dir = SIMXEN_DEFAULT_DIR;
	if ((size_t)snprintf(buf, len, "%s/%s", dir, base) >= len)
		return path;
	return buf;
}

static int
is_xs_socket(const char *path)
{
	return strcmp(path, "/var/run/xenstored/socket") == 0 ||
	    strcmp(path, "/run/xenstored/socket") == 0;
}

static const char *
socket_redirect(void)
{
	const char *s = getenv("SIMXEN_XENSTORED_SOCKET");

	return s != NULL && *s != '\0' ? s : NULL;
}

static void *
next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

#define OPEN_MODE(flags, mode) do {					\
	va_list ap;							\
	if ((flags) & (O_CREAT | O_TMPFILE)) {				\
		va_start(ap, flags);					\
		mode = va_arg(ap, int);					\
		va_end(ap);						\
	}								\
} while (0)

int
open(const char *path, int flags, ...)
{
	int (*f)(const char *, int, ...) = next("open");
	char buf[PATH_MAX];
	int mode = 0;

	OPEN_MODE(flags, mode);
	return f(redirect(path, buf, sizeof(buf)), flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	int (*f)(const char *, int, ...) = next("open64");
	char buf[PATH_MAX];
	int mode = 0;

	OPEN_MODE(flags, mode);
	return f(redirect(path, buf, sizeof(buf)), flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	int (*f)(int, const char *, int, ...) = next("openat");
	char buf[PATH_MAX];
	int mode = 0;

	OPEN_MODE(flags, mode);
	return f(dirfd, redirect(path, buf, sizeof(buf)), flags, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	int (*f)(int, const char *, int, ...) = next("openat64");
	char buf[PATH_MAX];
	int mode = 0;

	OPEN_MODE(flags, mode);
	return f(dirfd, redirect(path, buf, sizeof(buf)), flags, mode);
}

FILE *
fopen(const char *path, const char *mode)
{
	FILE *(*f)(const char *, const char *) = next("fopen");
	char buf[PATH_MAX];

	return f(redirect(path, buf, sizeof(buf)), mode);
}

FILE *
fopen64(const char *path, const char *mode)
{
	FILE *(*f)(const char *, const char *) = next("fopen64");
	char buf[PATH_MAX];

	return f(redirect(path, buf, sizeof(buf)), mode);
}

int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	int (*f)(int, const struct sockaddr *, socklen_t) = next("bind");
	const struct sockaddr_un *sun = (const struct sockaddr_un *)addr;
	struct sockaddr_un alt;
	const char *to = socket_redirect();

	if (to != NULL && addr != NULL && addr->sa_family == AF_UNIX &&
	    len > offsetof(struct sockaddr_un, sun_path) &&
	    strnlen(sun->sun_path, sizeof(sun->sun_path)) <
	    sizeof(sun->sun_path) && is_xs_socket(sun->sun_path) &&
	    strlen(to) < sizeof(alt.sun_path)) {
		memset(&alt, 0, sizeof(alt));
		alt.sun_family = AF_UNIX;
		strcpy(alt.sun_path, to);
		return f(fd, (struct sockaddr *)&alt, sizeof(alt));
	}
	return f(fd, addr, len);
}

int
stat(const char *path, struct stat *st)
{
	int (*f)(const char *, struct stat *) = next("stat");
	char buf[PATH_MAX];

	return f(redirect(path, buf, sizeof(buf)), st);
}

int
stat64(const char *path, struct stat64 *st)
{
	int (*f)(const char *, struct stat64 *) = next("stat64");
	char buf[PATH_MAX];

	return f(redirect(path, buf, sizeof(buf)), st);
}

int
unlink(const char *path)
{
	int (*f)(const char *) = next("unlink");
	const char *to = socket_redirect();
	char buf[PATH_MAX];

	if (to != NULL && is_xs_socket(path))
		path = to;
	return f(redirect(path, buf, sizeof(buf)));
}

int
mkdir(const char *path, mode_t mode)
{
	int (*f)(const char *, mode_t) = next("mkdir");
	const char *to = socket_redirect();

	/* The socket's directory: make the redirected one's instead. */
	if (to != NULL &&
	    (strcmp(path, "/var/run/xenstored") == 0 ||
	    strcmp(path, "/run/xenstored") == 0)) {
		char buf[PATH_MAX], *slash;

		if (strlen(to) >= sizeof(buf))
			return f(path, mode);
		strcpy(buf, to);
		if ((slash = strrchr(buf, '/')) != NULL && slash != buf)
			*slash = '\0';
		return f(buf, mode);
	}
	return f(path, mode);
}

static int
clamp_rlimit(const char *name, __rlimit_resource_t resource,
    const struct rlimit *rl)
{
	int (*f)(__rlimit_resource_t, const struct rlimit *) = next(name);
	struct rlimit cur, clamped;

	if (f(resource, rl) == 0)
		return 0;
	if (errno != EPERM || resource != RLIMIT_NOFILE ||
	    getrlimit(RLIMIT_NOFILE, &cur) == -1)
		return -1;
	clamped = *rl;
	if (clamped.rlim_max > cur.rlim_max)
		clamped.rlim_max = cur.rlim_max;
	if (clamped.rlim_cur > clamped.rlim_max)
		clamped.rlim_cur = clamped.rlim_max;
	return f(resource, &clamped);
}

int
setrlimit(__rlimit_resource_t resource, const struct rlimit *rl)
{
	return clamp_rlimit("setrlimit", resource, rl);
}
