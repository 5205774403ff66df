#!/bin/sh
# The Xengnttab binding's unit tests (gnttab_test.ml) on the simulated
# Xen: builds the binding with ocaml-bindings/build.sh (cached in
# $OXENSTORED_OUT, see there), links the test program against it and
# runs it with the simulator's libxengnttab.so.1 against a created
# domain.  Fails, rather than skips, without OCaml: a CI run that silently
# dropped these tests would look green.
# usage: abs_top_builddir=BUILD abs_top_srcdir=SRC gnttab.sh
#   (make check sets both; BUILD holds the simulator, simxen/).
. "$(dirname "$0")/../sim/lib.sh"

command -v ocamlfind >/dev/null ||
    fail "ocamlfind missing: run scripts/setup-debian.sh (ocaml-nox, ocaml-findlib)"
[ -x "$SIMXEN" ] || fail "$SIMXEN missing: build the simulator first"

out=${OXENSTORED_OUT:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/xenstore-stable/oxenstored-4.17}
sh "$abs_top_srcdir/ocaml-bindings/build.sh" "$out" >"$T/build.log" 2>&1 ||
    { cat "$T/build.log" >&2; fail "ocaml-bindings/build.sh failed"; }
lib=$out/ocaml
# Into $T: the compiler writes its .cmi/.cmx beside the source.
cp "$(dirname "$0")/gnttab_test.ml" "$T/"
ocamlfind ocamlopt -package unix -linkpkg \
    -I "$lib/xenmmap" -I "$lib/xengnttab" \
    -ccopt "-L$lib/xenmmap -L$lib/xengnttab" \
    xenmmap.cmxa xengnttab.cmxa "$T/gnttab_test.ml" -o "$T/gnttab_test" \
    >"$T/compile.log" 2>&1 ||
    { cat "$T/compile.log" >&2; fail "the test program does not build"; }

"$SIMXEN" init >/dev/null || fail "simxen init"
created=$("$SIMXEN" create) || fail "simxen create"
domid=${created%% *}	# "domid gfn port"
LD_LIBRARY_PATH=$SIMLIB "$T/gnttab_test" "$SIMXEN" "$domid" $((domid + 100)) ||
    fail "gnttab_test"
echo "PASS: the Xengnttab binding on the simulated Xen"
