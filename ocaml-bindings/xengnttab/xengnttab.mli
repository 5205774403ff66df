(* SPDX-License-Identifier: LGPL-2.1-only WITH OCaml-LGPL-linking-exception *)

(** Grant mappings for OCaml programs: a thin binding of libxengnttab
    ([xengnttab.h], tools/libs/gnttab), the stable interface through which
    a privileged domain maps a page another domain has granted to it.  A
    mapped page is a {!Xenmmap.mmap_interface}, the type oxenstored already
    uses for rings ([Xs_ring] reads and writes it).

    Every error is [Unix.Unix_error (e, fn, "")], [e] the errno the
    library reported and [fn] the C function that failed. *)

type handle
(** An open libxengnttab handle (on Linux, an open [/dev/xen/gntdev]).
    It is released by {!interface_close} or, failing that, when the garbage
    collector finalises it; while pages mapped through it are still mapped
    it stays open underneath, so that they stay valid. *)

val xenstore_grant_ref : int
(** [GNTTAB_RESERVED_XENSTORE] (1), the grant reference under which a
    domain builder grants a guest's xenstore ring page to the domain
    running xenstored (xen/include/public/grant_table.h). *)

val interface_open : unit -> handle
(** [interface_open ()] opens a handle ([xengnttab_open]).
    Raises [Unix.Unix_error (e, "xengnttab_open", "")], e.g. [ENOENT]
    without the gntdev device. *)

val interface_close : handle -> unit
(** [interface_close h] stops [h] from mapping more pages.  The handle
    itself is closed ([xengnttab_close]) now if nothing mapped through it
    is still mapped, else when {!unmap} unmaps the last such page.
    Closing twice does nothing. *)

val map_grant_ref : handle -> int -> int -> Xenmmap.mmap_interface
(** [map_grant_ref h domid gref] maps the page domain [domid] granted to
    us under grant reference [gref], readable and writable
    ([xengnttab_map_grant_ref] with [PROT_READ|PROT_WRITE]).  The page is
    [Xenmmap.getpagesize ()] bytes and stays mapped until {!unmap}; the
    caller owns it.  [Xenmmap.unmap] only [munmap]s it and leaves the
    grant mapping recorded in the handle until the handle is closed, so
    unmap with {!unmap} first.
    Raises [Unix.Unix_error (e, "xengnttab_map_grant_ref", "")] with the
    library's errno (e.g. [ESRCH] for a domain that does not exist and
    [EINVAL] for a reference it has not granted, on the simulated Xen),
    [Unix_error (EBADF, ...)] after {!interface_close}, and
    [Invalid_argument] for a [domid] or [gref] outside 0..2{^32}-1. *)

val unmap : handle -> Xenmmap.mmap_interface -> unit
(** [unmap h page] unmaps a page {!map_grant_ref} mapped through [h]
    ([xengnttab_unmap]) and marks [page] unmapped, so that a later
    [unmap] or [Xenmmap.unmap] of it does nothing: unmapping is
    idempotent, as oxenstored needs (a dying domain's ring is unmapped by
    [Domain.close], then again by [Xb.close]).  A page already unmapped
    by either is left alone.  Raises
    [Unix.Unix_error (e, "xengnttab_unmap", "")] if the library refuses
    (e.g. [EINVAL] for a page [h] did not map); [page] is then left as it
    was. *)
