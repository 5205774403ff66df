/*
 * A hypervisor in memory for the whole-daemon harness: fakexen.c
 * implements libxs-stable's API (xs-stable.h) over pages and queues of
 * this process, and these calls let the harness play the guests and the
 * toolstack.
 *
 * Domains 0 .. FX_DOMS-1.  Each existing domain has one store ring page
 * (from a pool: the daemon's view of it is poisoned for AddressSanitizer
 * while not mapped, so that a daemon that keeps using a page it unmapped
 * is seen) and an unbound store port FX_STORE_PORT.  Domain 0's page is
 * the "local" ring (xss_ring_map_local()).  A destroyed domain's page
 * stays the daemon's as long as it maps it; a new life of the domid
 * gets a fresh page.
 *
 * fakexen checks what the daemon does with it: unmapping a page it did
 * not map, unbinding or notifying a port it did not bind, or leaving
 * any mapping or binding behind at xss_close(), is a CHECK failure.
 */
#ifndef XSD_FAKEXEN_H
#define XSD_FAKEXEN_H

#include <stdbool.h>
#include <stdint.h>

#include <xs-stable.h>

#include "fuzz_daemon.h"

#define FX_DOMS		16
#define FX_STORE_PORT	FD_STORE_PORT

/* Once per process. */
void	fx_init(void);
/* Start of an input: domains 0 .. live-1 exist with fresh pages. */
void	fx_reset(unsigned int live);
/*
 * After fx_reset(): each existing domain's store port bound as by an
 * earlier daemon, at FX_PREBOUND_PORT(domid) (the numbers the simulated
 * Xen gives when dom0's ring and then guests 1, 2, ... are bound in
 * order, so that a restart's state written there restores here).  The
 * daemon may adopt each once (xss_evtchn_adopt()); one it does not
 * adopt stays bound.
 */
void	fx_prebind(void);
#define FX_PREBOUND_PORT(domid)	(2u + (domid))

/* End of an input: free the pages (the daemon must be gone). */
void	fx_finish(void);

bool	fx_domain_exists(unsigned int domid);
/* Create domid (a fresh page) if it does not exist.  */
void	fx_domain_create(unsigned int domid);
/* Destroy domid: its page goes (mappings the daemon holds stay). */
void	fx_domain_destroy(unsigned int domid);
/* The guest's view of its ring page, or NULL if the domain is gone. */
struct xenstore_domain_interface *fx_guest_ring(unsigned int domid);
/* The guest signals its store event channel. */
void	fx_guest_notify(unsigned int domid);
/* Times the daemon signalled domid's store port. */
unsigned long fx_notified(unsigned int domid);
/* Is domid's store port bound by the daemon? */
bool	fx_bound(unsigned int domid);

/* Events or feed records wait for the daemon. */
bool	fx_busy(void);

/* Queue a domain-state change on the feed the daemon opened (if any). */
void	fx_feed_push(uint32_t domid, uint32_t state, uint32_t reason);

#endif
