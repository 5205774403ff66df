/* SPDX-License-Identifier: LGPL-2.1-only WITH OCaml-LGPL-linking-exception */
/*
 * OCaml stubs for libxengnttab (xengnttab.h): a handle as a custom block,
 * grant mappings as the Xenmmap page type of tools/ocaml/libs/mmap.
 *
 * The handle's C state lives outside the OCaml heap, because a mapping
 * must outlive a collected handle: Xenmmap pages cannot point back at the
 * handle, and closing a libxengnttab handle may take its mappings with it
 * (the simulated Xen does), so the handle is closed only when nothing
 * mapped through it is left.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xengnttab.h>

#define CAML_NAME_SPACE
#include <caml/alloc.h>
#include <caml/custom.h>
#include <caml/fail.h>
#include <caml/memory.h>
#include <caml/mlvalues.h>
#include <caml/signals.h>
#include <caml/unixsupport.h>

#include "mmap_stubs.h"

struct gnttab {
	xengnttab_handle	*xgt;		/* NULL once closed */
	unsigned int		 nr_maps;	/* pages mapped, not yet unmapped */
	bool			 closing;	/* interface_close or finalised */
	bool			 finalised;	/* the OCaml block is gone */
};

#define Gnttab_val(v)	(*(struct gnttab **)Data_custom_val(v))
#define Page_val(v)	((struct mmap_interface *)Data_abstract_val(v))

/* Close the library handle once closing was asked for and nothing mapped
 * through it is left; free the state once the OCaml block is gone too. */
static void
gnttab_release(struct gnttab *g)
{
	if (g->closing && g->nr_maps == 0 && g->xgt != NULL) {
		xengnttab_close(g->xgt);
		g->xgt = NULL;
	}
	if (g->finalised && g->xgt == NULL)
		free(g);
}

/* No allocation and no blocking section: this runs inside the GC. */
static void
gnttab_finalize(value v)
{
	struct gnttab *g = Gnttab_val(v);

	if (g == NULL)
		return;
	g->closing = true;
	g->finalised = true;
	/* With pages still mapped g stays, open, for as long as they do. */
	gnttab_release(g);
}

static struct custom_operations gnttab_ops = {
	.identifier	= "xengnttab",
	.finalize	= gnttab_finalize,
	.compare	= custom_compare_default,
	.hash		= custom_hash_default,
	.serialize	= custom_serialize_default,
	.deserialize	= custom_deserialize_default,
	.compare_ext	= custom_compare_ext_default,
	.fixed_length	= custom_fixed_length_default,
};

/* An OCaml int that must fit a uint32_t (domid_t and grant_ref_t are
 * narrower or equal, and libxengnttab takes uint32_t). */
static uint32_t
uint32_of_val(value v, const char *what)
{
	intnat n = Long_val(v);

	if (n < 0 || (uintnat)n > UINT32_MAX)
		caml_invalid_argument(what);
	return (uint32_t)n;
}

CAMLprim value
stub_xengnttab_open(value unit)
{
	CAMLparam1(unit);
	CAMLlocal1(result);
	struct gnttab *g;
	xengnttab_handle *xgt;
	int err;

	result = caml_alloc_custom(&gnttab_ops, sizeof(struct gnttab *), 0, 1);
	Gnttab_val(result) = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		caml_raise_out_of_memory();

	caml_enter_blocking_section();
	xgt = xengnttab_open(NULL, 0);
	err = errno;
	caml_leave_blocking_section();

	if (xgt == NULL) {
		free(g);
		unix_error(err, "xengnttab_open", Nothing);
	}
	g->xgt = xgt;
	Gnttab_val(result) = g;
	CAMLreturn(result);
}

CAMLprim value
stub_xengnttab_close(value handle)
{
	CAMLparam1(handle);
	struct gnttab *g = Gnttab_val(handle);

	g->closing = true;
	gnttab_release(g);
	CAMLreturn(Val_unit);
}

CAMLprim value
stub_xengnttab_map_grant_ref(value handle, value domid, value gref)
{
	CAMLparam3(handle, domid, gref);
	CAMLlocal1(result);
	struct gnttab *g = Gnttab_val(handle);
	xengnttab_handle *xgt;
	uint32_t c_domid, c_gref;
	void *addr;
	int err;

	c_domid = uint32_of_val(domid, "Xengnttab.map_grant_ref: domid");
	c_gref = uint32_of_val(gref, "Xengnttab.map_grant_ref: gref");
	if (g->closing)
		unix_error(EBADF, "xengnttab_map_grant_ref", Nothing);

	/* Allocated first: failing after the map would leak the mapping. */
	result = caml_alloc(Wsize_bsize(sizeof(struct mmap_interface)),
	    Abstract_tag);
	Page_val(result)->addr = MAP_FAILED;
	Page_val(result)->len = 0;

	xgt = g->xgt;
	caml_enter_blocking_section();
	addr = xengnttab_map_grant_ref(xgt, c_domid, c_gref,
	    PROT_READ | PROT_WRITE);
	err = errno;
	caml_leave_blocking_section();

	if (addr == NULL)
		unix_error(err, "xengnttab_map_grant_ref", Nothing);
	g->nr_maps++;
	Page_val(result)->addr = addr;
	Page_val(result)->len = getpagesize();
	CAMLreturn(result);
}

CAMLprim value
stub_xengnttab_unmap(value handle, value page)
{
	CAMLparam2(handle, page);
	struct gnttab *g = Gnttab_val(handle);
	xengnttab_handle *xgt;
	void *addr = Page_val(page)->addr;
	int rc, err;

	/* Unmapped already, by us or by Xenmmap.unmap: the double unmap. */
	if (addr == MAP_FAILED)
		CAMLreturn(Val_unit);
	/* Nothing can be mapped through a handle without any mapping left. */
	if (g->xgt == NULL || g->nr_maps == 0)
		unix_error(EINVAL, "xengnttab_unmap", Nothing);

	xgt = g->xgt;
	caml_enter_blocking_section();
	rc = xengnttab_unmap(xgt, addr, 1);
	err = errno;
	caml_leave_blocking_section();

	if (rc != 0)
		unix_error(err, "xengnttab_unmap", Nothing);
	Page_val(page)->addr = MAP_FAILED;
	g->nr_maps--;
	gnttab_release(g);
	CAMLreturn(Val_unit);
}
