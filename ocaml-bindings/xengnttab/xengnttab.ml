(* SPDX-License-Identifier: LGPL-2.1-only WITH OCaml-LGPL-linking-exception *)

type handle

(* The stubs raise Unix.Unix_error, which exists only once the Unix module
   is initialised: referring to it here links it into every program. *)
let () = ignore (Unix.getpid ())

let xenstore_grant_ref = 1

external interface_open : unit -> handle = "stub_xengnttab_open"
external interface_close : handle -> unit = "stub_xengnttab_close"
external map_grant_ref : handle -> int -> int -> Xenmmap.mmap_interface
  = "stub_xengnttab_map_grant_ref"
external unmap : handle -> Xenmmap.mmap_interface -> unit
  = "stub_xengnttab_unmap"
