/*
 * The domain-state feed (libxs-stable): which domain changed to which
 * state, from whichever sources this host has, handed to domain.c.
 */
#ifndef XSD_DOMAIN_FEED_H
#define XSD_DOMAIN_FEED_H

#include <talloc.h>

/*
 * Open the feed and poll it from the loop.  socket_path, if not NULL, is
 * a datagram socket where local sources (the simulated hypervisor, a
 * toolstack service) send 12-byte records (docs/libxs-stable.md).
 * The feed lives until domain_feed_fini().  Returns 0, ENOMEM, or the
 * error of xss_feed_add_socket() (EEXIST: another daemon listens there).
 */
int	domain_feed_init(TALLOC_CTX *ctx, const char *socket_path);
void	domain_feed_fini(void);

#endif
