#!/bin/sh
# Regenerate the seed corpora tests/fuzz/corpus/*/ from the conformance
# cases and tests/fuzz/seeds.t (mkseeds.c says what each harness gets),
# and fuzz_stream's from mkseeds_stream.c.
# Run after changing them or the input formats, then commit
# tests/fuzz/corpus.
#
# usage: seeds.sh [BUILDDIR]   (default build-fuzz; builds mkseeds there)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
b=${1:-build-fuzz}
sh "$top/tests/fuzz/build.sh" "$b" mkseeds mkseeds-stream
case $b in /*) ;; *) b=$top/$b ;; esac
rm -rf "$top/tests/fuzz/corpus"
"$b/tests/fuzz/mkseeds" "$top/tests/fuzz/corpus" \
    "$top"/tests/conformance/cases/*.t "$top/tests/fuzz/seeds.t"
mkdir "$top/tests/fuzz/corpus/stream"
"$b/tests/fuzz/mkseeds-stream" "$top/tests/fuzz/corpus/stream"
for d in "$top"/tests/fuzz/corpus/*; do
	echo "$(basename "$d"): $(ls "$d" | wc -l) seeds," \
	    "$(cat "$d"/* | wc -c) bytes"
done
