# The libFuzzer harnesses: built with clang by tests/fuzz/build.sh and
# run by tests/fuzz/run.sh (scripts/test-all.sh), not by make
# (docs/testing.md, "Fuzzing").  Shipped whole: sources, scripts, seed
# corpora and regression inputs.
EXTRA_DIST += tests/fuzz
