(* Unit tests of the Xengnttab binding (ocaml-bindings/xengnttab) on the
   simulated Xen, which counts each domain's ring mappings.
   usage: gnttab_test SIMXEN-CLI DOMID MISSING-DOMID
   DOMID is a created domain, MISSING-DOMID one that does not exist.
   Prints "ok"/"not ok" per check and exits 1 if any failed. *)

let simxen = Sys.argv.(1)
let domid = int_of_string Sys.argv.(2)
let missing = int_of_string Sys.argv.(3)
let failures = ref 0

let check name ok =
  Printf.printf "%s - %s\n%!" (if ok then "ok" else "not ok") name;
  if not ok then incr failures

(* The simulator's count of mappings of [d]'s ring: "maps=N" of
   `simxen info`. *)
let maps d =
  let ic = Unix.open_process_in (Printf.sprintf "%s info %d" simxen d) in
  let line = input_line ic in
  ignore (Unix.close_process_in ic);
  Scanf.sscanf (List.find (fun w -> String.length w > 5
                                    && String.sub w 0 5 = "maps=")
                  (String.split_on_char ' ' line)) "maps=%d" (fun n -> n)

(* [raises_unix e f]: f raises Unix_error (e, fn, _) with fn a libxengnttab
   function. *)
let raises_unix e f =
  match f () with
  | _ -> false
  | exception Unix.Unix_error (e', fn, _) ->
    e' = e && String.length fn > 10 && String.sub fn 0 10 = "xengnttab_"

let round_trip page s =
  Xenmmap.write page s 0 (String.length s);
  Xenmmap.read page 0 (String.length s) = s

let () =
  check "the reserved xenstore grant ref is 1" (Xengnttab.xenstore_grant_ref = 1);
  let h = Xengnttab.interface_open () in
  check "no mapping before the test" (maps domid = 0);

  let page = Xengnttab.map_grant_ref h domid Xengnttab.xenstore_grant_ref in
  check "map of ref 1 is counted by the simulator" (maps domid = 1);
  check "the mapped page is one page" (Xenmmap.getpagesize () >= 4096);
  check "the mapped page reads back what was written" (round_trip page "ring");
  Xengnttab.unmap h page;
  check "unmap releases the mapping" (maps domid = 0);
  check "a second unmap does nothing"
    (match Xengnttab.unmap h page with () -> true | exception _ -> false);
  check "Xenmmap.unmap after it does nothing (oxenstored's Xb.close)"
    (match Xenmmap.unmap page with () -> true | exception _ -> false);
  check "still no mapping" (maps domid = 0);

  check "a ref the domain did not grant: EINVAL"
    (raises_unix Unix.EINVAL (fun () -> Xengnttab.map_grant_ref h domid 2));
  check "a missing domid: ESRCH"
    (raises_unix Unix.ESRCH
       (fun () -> Xengnttab.map_grant_ref h missing Xengnttab.xenstore_grant_ref));
  check "a negative domid: Invalid_argument"
    (match Xengnttab.map_grant_ref h (-1) 1 with
     | _ -> false | exception Invalid_argument _ -> true);
  check "failed maps leave no mapping" (maps domid = 0);

  (* A handle closed while its mapping lives: the page stays usable, the
     handle closes with the last unmap. *)
  let page = Xengnttab.map_grant_ref h domid Xengnttab.xenstore_grant_ref in
  Xengnttab.interface_close h;
  check "close with a live mapping keeps it" (maps domid = 1 && round_trip page "kept");
  check "map after close: EBADF"
    (raises_unix Unix.EBADF (fun () -> Xengnttab.map_grant_ref h domid 1));
  Xengnttab.unmap h page;
  check "unmap after close releases the mapping" (maps domid = 0);
  Xengnttab.interface_close h;
  check "closing twice is harmless" true;

  (* A handle unmapping a page it did not map. *)
  let h1 = Xengnttab.interface_open () and h2 = Xengnttab.interface_open () in
  let page = Xengnttab.map_grant_ref h1 domid Xengnttab.xenstore_grant_ref in
  check "unmap through another handle: EINVAL"
    (raises_unix Unix.EINVAL (fun () -> Xengnttab.unmap h2 page));
  check "the page is still mapped after the refusal"
    (maps domid = 1 && round_trip page "still");
  Xengnttab.unmap h1 page;
  Xengnttab.interface_close h1;
  Xengnttab.interface_close h2;

  (* A handle collected while its mapping lives. *)
  let collected = ref false in
  let page =
    let h = Xengnttab.interface_open () in
    Gc.finalise_last (fun () -> collected := true) h;
    Xengnttab.map_grant_ref h domid Xengnttab.xenstore_grant_ref
  in
  Gc.full_major ();
  Gc.full_major ();
  check "the handle was collected" !collected;
  check "the mapping outlives its collected handle"
    (maps domid = 1 && round_trip page "alive");
  Xenmmap.unmap page;
  check "Xenmmap.unmap of it is safe, and idempotent"
    (match Xenmmap.unmap page with () -> true | exception _ -> false);
  (* What the .mli says: munmap alone leaves the grant mapping recorded,
     and a handle collected with mappings is never closed. *)
  check "it stays recorded, as documented" (maps domid = 1);

  (* Handles collected without mappings release their simulator state:
     many of them must not run out of anything. *)
  for _ = 1 to 2000 do
    let h = Xengnttab.interface_open () in
    Xengnttab.unmap h (Xengnttab.map_grant_ref h domid 1)
  done;
  Gc.full_major ();
  check "2000 handles opened and collected, nothing left over" (maps domid = 1);

  if !failures > 0 then (Printf.printf "%d failed\n" !failures; exit 1)
