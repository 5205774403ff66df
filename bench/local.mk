# Benchmarks: `make bench` (never part of `make check`); bench/run.sh
# drives xs-bench against ours, Debian's C xenstored and oxenstored on the
# simulated Xen, and prints medians and ratios (docs/performance.md).
noinst_PROGRAMS += bench/xs-bench
bench_xs_bench_SOURCES = bench/xs-bench.c bench/latency.h
bench_xs_bench_CPPFLAGS = -I$(top_srcdir)/simxen/include \
	-I$(top_srcdir)/simxen/guest
bench_xs_bench_LDADD = simxen/guest/libsimguest.a simxen/libsimxen.a
EXTRA_DIST += bench/run.sh

bench: all
	sh $(srcdir)/bench/run.sh $(BENCH_ARGS)
.PHONY: bench
