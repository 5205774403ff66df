/*
 * The keeper: holds copies of the daemon's descriptors and restarts it
 * after a crash.  It is forked before the daemon opens anything, so it
 * holds exactly what the daemon gives it (SCM_RIGHTS over a socket
 * pair), and nothing it must not (a ring mapping, the domain feed).
 * An event channel's ports belong to the open file, which the keeper's
 * copy keeps open: the ports stay bound while no daemon runs.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <talloc.h>
#include <unistd.h>

#include "keeper.h"
#include "log.h"

#define KEEPER_ADD	1
#define KEEPER_DEL	2
#define KEEPER_READY	3
#define KEEPER_DETACH	4

/* Deaths in a row before serving (a state it cannot start from). */
#define RESTART_MAX	5

struct keeper_msg {
	uint32_t	op;
	int32_t		num;	/* the descriptor's number in the daemon */
};

/* The daemon's end, or -1 without a keeper. */
static int	ksock = -1;

static int
send_msg(uint32_t op, int num, int fd)
{
	struct keeper_msg m = { op, num };
	struct iovec iov = { &m, sizeof(m) };
	union {
		struct cmsghdr	h;
		char		buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	/* Blocking: the keeper reads at once, and order matters. */
	while (sendmsg(ksock, &mh, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return errno;
	}
	return 0;
}

int
keeper_fd_add(int fd)
{
	int err;

	if (ksock < 0)
		return 0;
	if ((err = send_msg(KEEPER_ADD, fd, fd)) != 0)
		log_warnx("keeper: cannot hand over fd %d: %s", fd,
		    strerror(err));
	return err;
}

void
keeper_ready(void)
{
	if (ksock >= 0)
		(void)send_msg(KEEPER_READY, -1, -1);
}

void
keeper_fd_del(int fd)
{
	if (ksock >= 0)
		(void)send_msg(KEEPER_DEL, fd, -1);
}

int
keeper_detach(void)
{
	int err;

	if (ksock < 0)
		return 0;
	if ((err = send_msg(KEEPER_DETACH, -1, -1)) != 0) {
		log_warnx("keeper: cannot detach: %s", strerror(err));
		return err;
	}
	close(ksock);
	ksock = -1;
	unsetenv("XENSTORED_KEEPER_FD");
	unsetenv("XENSTORED_KEEPER_FDS");
	return 0;
}

bool
keeper_present(void)
{
	return ksock >= 0;
}

int
keeper_attach(void)
{
	const char *s = getenv("XENSTORED_KEEPER_FD");
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return ENOENT;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > INT_MAX || fcntl((int)v, F_GETFD) < 0)
		return ENOENT;
	ksock = (int)v;
	return 0;
}

int *
keeper_restart_fds(void *ctx, unsigned int *n, bool *oom)
{
	const char *s = getenv("XENSTORED_KEEPER_FDS"), *q;
	unsigned int max = 1;
	int *fds;
	char *end;
	long v;

	*n = 0;
	*oom = false;
	if (s == NULL || *s == '\0')
		return NULL;
	for (q = s; *q != '\0'; q++)
		max += *q == ',';
	if ((fds = talloc_array(ctx, int, max)) == NULL) {
		*oom = true;
		return NULL;
	}
	while (*s != '\0' && *n < max) {
		v = strtol(s, &end, 10);
		if (end == s || v < 0 || v > INT_MAX)
			break;
		fds[(*n)++] = (int)v;
		s = *end == ',' ? end + 1 : end;
	}
	return fds;
}

/* The keeper's side. */

static int	*held;		/* held[num]: our copy, or -1 */
static int	 nheld;
static bool	 served;	/* the daemon said it serves */
static bool	 detached;	/* a live update left us: no restart */

static void
hold(int num, int fd)
{
	int *n, i;

	if (num < 0 || num > 1 << 20) {
		close(fd);
		return;
	}
	if (num >= nheld) {
		if ((n = realloc(held, (num + 64) * sizeof(*n))) == NULL) {
			log_warnx("keeper: out of memory: fd %d not kept", num);
			close(fd);
			return;
		}
		for (i = nheld; i < num + 64; i++)
			n[i] = -1;
		held = n;
		nheld = num + 64;
	}
	if (held[num] >= 0)
		close(held[num]);
	held[num] = fd;
}

static void
drop(int num)
{
	if (num >= 0 && num < nheld && held[num] >= 0) {
		close(held[num]);
		held[num] = -1;
	}
}

/* Everything the daemon has sent so far. */
static void
drain(int sock)
{
	struct keeper_msg m;
	struct iovec iov = { &m, sizeof(m) };
	union {
		struct cmsghdr	h;
		char		buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t n;
	int fd;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		fd = -1;
		cm = CMSG_FIRSTHDR(&mh);
		if (cm != NULL && cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		if ((size_t)n != sizeof(m)) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (m.op == KEEPER_READY)
			served = true;
		if (m.op == KEEPER_DETACH) {
			if (fd >= 0)
				close(fd);
			for (fd = 0; fd < nheld; fd++)
				drop(fd);
			detached = true;
			return;
		}
		if (m.op == KEEPER_ADD && fd >= 0)
			hold(m.num, fd);
		else {
			if (fd >= 0)
				close(fd);
			if (m.op == KEEPER_DEL)
				drop(m.num);
		}
	}
}

/* In the new child: the descriptors back at their numbers, then exec. */
static void
exec_daemon(const char *exe, char **argv, int child_end)
{
	char *list, *p, num[32];
	int i, top = child_end, *tmp;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (i = 0; i < nheld; i++)
		if (held[i] >= 0 && i > top)
			top = i;
	if ((tmp = calloc(nheld + 1, sizeof(*tmp))) == NULL ||
	    (list = malloc((size_t)nheld * 12 + 1)) == NULL)
		_exit(127);
	/* Above every target first, so that no dup2() hits a copy. */
	for (i = 0; i < nheld; i++)
		tmp[i] = held[i] < 0 ? -1 :
		    fcntl(held[i], F_DUPFD_CLOEXEC, top + 1);
	p = list;
	*p = '\0';
	for (i = 0; i < nheld; i++) {
		if (tmp[i] < 0 || dup2(tmp[i], i) < 0)
			continue;
		p += sprintf(p, "%s%d", p == list ? "" : ",", i);
	}
	i = fcntl(child_end, F_DUPFD, top + 1);
	snprintf(num, sizeof(num), "%d", i);
	if (i < 0 || setenv("XENSTORED_KEEPER_FD", num, 1) != 0 ||
	    setenv("XENSTORED_KEEPER_FDS", list, 1) != 0 ||
	    setenv("XENSTORED_RECOVER", "1", 1) != 0)
		_exit(127);
	execv(exe, argv);
	_exit(127);
}

static void
keeper_run(pid_t child, char **argv, const char *exe, int sock,
    int child_end, int sfd)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[2] = { { sock, POLLIN, 0 }, { sfd, POLLIN, 0 } };
	int status, restarts = 0, stopping = 0;
	pid_t pid;

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("keeper: poll");
			_exit(1);
		}
		if (pfd[0].revents)
			drain(sock);
		/* A binary that is not ours runs: nothing more to read. */
		if (detached)
			pfd[0].fd = -1;
		if (!pfd[1].revents)
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD) {
			if (si.ssi_signo != SIGHUP)
				stopping = 1;
			kill(child, (int)si.ssi_signo);
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid != child)
				continue;
			/* What it sent before dying is what it had (a
			 * DETACH just before an exec among it). */
			drain(sock);
			if (stopping || detached || (WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0))
				_exit(WIFEXITED(status) ?
				    WEXITSTATUS(status) : 1);
			if (WIFSIGNALED(status))
				log_warnx("keeper: xenstored (pid %ld) killed "
				    "by signal %d: restarting", (long)child,
				    WTERMSIG(status));
			else
				log_warnx("keeper: xenstored (pid %ld) exited "
				    "with %d: restarting", (long)child,
				    WEXITSTATUS(status));
			restarts = served ? 0 : restarts + 1;
			served = false;
			if (restarts >= RESTART_MAX) {
				log_warnx("keeper: xenstored died %d times in a "
				    "row before serving: giving up",
				    RESTART_MAX);
				_exit(1);
			}
			if ((child = fork()) < 0) {
				log_warn("keeper: fork");
				_exit(1);
			}
			if (child == 0) {
				close(sfd);
				close(sock);
				exec_daemon(exe, argv, child_end);
			}
		}
	}
}

/* Close every descriptor above 2 but a, b and c. */
static void
close_others(int a, int b, int c)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int fd, *fds = NULL;
	size_t n = 0, cap = 0, i;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		fd = atoi(de->d_name);
		if (fd <= 2 || fd == a || fd == b || fd == c || fd == dirfd(d))
			continue;
		if (n == cap) {
			int *nf = realloc(fds, (cap = cap ? 2 * cap : 64) *
			    sizeof(*nf));

			if (nf == NULL)
				break;
			fds = nf;
		}
		fds[n++] = fd;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}

int
keeper_start(char **argv)
{
	static char exe[PATH_MAX];
	int sp[2], sfd, err;
	sigset_t set, old;
	ssize_t n;
	pid_t child;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) < 0)
		return -1;
	exe[n] = '\0';
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	if ((sfd = signalfd(-1, &set, SFD_CLOEXEC)) < 0 ||
	    (child = fork()) < 0) {
		err = errno;
		if (sfd >= 0)
			close(sfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(sp[0]);
		close(sp[1]);
		errno = err;
		return -1;
	}
	if (child == 0) {
		char num[32];

		sigprocmask(SIG_SETMASK, &old, NULL);
		close(sfd);
		close(sp[0]);
		/* Kept across a live update's exec, as the sockets are. */
		ksock = sp[1];
		fcntl(ksock, F_SETFD, 0);
		snprintf(num, sizeof(num), "%d", ksock);
		if (setenv("XENSTORED_KEEPER_FD", num, 1) != 0)
			return -1;
		unsetenv("XENSTORED_KEEPER_FDS");
		unsetenv("XENSTORED_RECOVER");
		return 0;
	}
	/* The daemon says when it serves, not us; and whatever we
	 * inherited (a live update's sockets) is held only as given. */
	close_others(sp[0], sp[1], sfd);
	keeper_run(child, argv, exe, sp[0], sp[1], sfd);
	_exit(1);
}
