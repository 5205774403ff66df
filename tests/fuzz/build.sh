#!/bin/sh
# Build the libFuzzer harnesses of tests/fuzz/ with clang:
# -fsanitize=fuzzer,address,undefined.  The daemon's own sources from
# xenstored/ (never copies) are compiled once with the fuzzer's coverage
# instrumentation and linked into each harness that needs them.
#
# usage: build.sh [BUILDDIR] [HARNESS...]
#   BUILDDIR  default build-fuzz (relative to the source tree's top)
#   HARNESS   default all: framing path perms ring stream daemon restart
# Needs clang and its libFuzzer runtime (Debian 12: clang,
# libclang-rt-14-dev; scripts/setup-debian.sh installs both), talloc and
# libevent.  CC overrides clang.  Needs no configure run.  The harnesses
# end up as BUILDDIR/tests/fuzz/fuzz_HARNESS; a second run rebuilds only
# what changed (make, with header dependencies).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
b=${1:-build-fuzz}
[ $# -eq 0 ] || shift
case $b in /*) ;; *) b=$top/$b ;; esac
harnesses=${*:-framing path perms ring stream daemon restart}
CC=${CC:-clang}
out=$b/tests/fuzz
mkdir -p "$out/obj"

# Is libFuzzer there?  Say which package brings it if not.
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
    >"$out/probe.c"
if ! $CC -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" 2>"$out/probe.err"
then
	cat "$out/probe.err" >&2
	echo "fuzz/build.sh: $CC cannot link -fsanitize=fuzzer; install" \
	    "clang and libclang-rt-14-dev (scripts/setup-debian.sh)" >&2
	exit 1
fi
rm -f "$out/probe" "$out/probe.c" "$out/probe.err"

# What configure defines that the sources rely on
# (AC_USE_SYSTEM_EXTENSIONS).
cat >"$out/config.h.new" <<'EOF'
/* Written by tests/fuzz/build.sh for the fuzz build. */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE 1
#endif
#define PACKAGE "xenstore-stable"
EOF
cmp -s "$out/config.h.new" "$out/config.h" 2>/dev/null ||
    mv "$out/config.h.new" "$out/config.h"
rm -f "$out/config.h.new"


cat >"$out/Makefile.new" <<EOF
# Written by tests/fuzz/build.sh.
CC = $CC
TOP = $top
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
# The project's warnings (configure.ac), as errors.
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer \$(WARN) \$(SAN) \\
	-fsanitize=fuzzer-no-link -MMD -MP -I. -I\$(TOP)/xenstored \\
	-I\$(TOP)/libxs-stable/include -I\$(TOP)/tests/fuzz \\
	$(pkg-config --cflags talloc libevent_core)
LIBS = $(pkg-config --libs talloc libevent_core)
# Every daemon module but main.c; the small harnesses link the archive,
# which gives each only the modules it calls (and what those call).
DAEMON = \$(filter-out main,\$(basename \$(notdir \$(wildcard \$(TOP)/xenstored/*.c))))
DAEMON_OBJS = \$(DAEMON:%=obj/%.o)

obj/%.o: \$(TOP)/xenstored/%.c config.h
	@echo "  CC      xenstored/\$*.c"
	@\$(CC) \$(CFLAGS) -c \$< -o \$@
obj/%.o: \$(TOP)/tests/fuzz/%.c config.h
	@echo "  CC      tests/fuzz/\$*.c"
	@\$(CC) \$(CFLAGS) -c \$< -o \$@

fuzz_%:
	@echo "  CCLD    tests/fuzz/\$@"
	@\$(CC) \$(SAN) -fsanitize=fuzzer -o \$@ \$^ \$(LIBS)

libxsd-fuzz.a: \$(DAEMON_OBJS)
	@rm -f \$@
	@ar cr \$@ \$^

fuzz_framing: obj/fuzz_framing.o libxsd-fuzz.a
fuzz_path: obj/fuzz_path.o libxsd-fuzz.a
fuzz_perms: obj/fuzz_perms.o libxsd-fuzz.a
fuzz_ring: obj/fuzz_ring.o libxsd-fuzz.a
# state.c's check needs the daemon's modules, and they libxs-stable.
fuzz_stream: obj/fuzz_stream.o obj/fakexen.o libxsd-fuzz.a
# The whole daemon: every module, linked whole; fuzz_restart is it
# starting from a restart's state (fuzz_daemon.c, FUZZ_RESTART).
fuzz_daemon: obj/fuzz_daemon.o obj/fakexen.o \$(DAEMON_OBJS)
fuzz_restart: obj/fuzz_restart.o obj/fakexen.o \$(DAEMON_OBJS)

obj/fuzz_restart.o: \$(TOP)/tests/fuzz/fuzz_daemon.c config.h
	@echo "  CC      tests/fuzz/fuzz_daemon.c (FUZZ_RESTART)"
	@\$(CC) \$(CFLAGS) -DFUZZ_RESTART -c \$< -o \$@

# mkseeds: the seed corpora from the conformance cases (no fuzzer).
mkseeds: \$(TOP)/tests/fuzz/mkseeds.c \$(TOP)/tests/fuzz/fuzz_daemon.h
	@echo "  CCLD    tests/fuzz/\$@"
	@\$(CC) -std=gnu11 -g -O1 \$(WARN) -I\$(TOP)/tests/fuzz -I. -o \$@ \$<

# mkseeds-stream: fuzz_stream's seeds, by stream.c's writer (no fuzzer).
mkseeds-stream: \$(TOP)/tests/fuzz/mkseeds_stream.c \$(TOP)/xenstored/stream.c \
    \$(TOP)/xenstored/stream.h
	@echo "  CCLD    tests/fuzz/\$@"
	@\$(CC) -std=gnu11 -g -O1 \$(WARN) -I. -I\$(TOP)/xenstored \
	    $(pkg-config --cflags talloc) -o \$@ \$(filter %.c,\$^) \$(LIBS)

-include obj/*.d
EOF
cmp -s "$out/Makefile.new" "$out/Makefile" 2>/dev/null ||
    mv "$out/Makefile.new" "$out/Makefile"
rm -f "$out/Makefile.new"

targets=
for h in $harnesses; do
	case $h in
	framing|path|perms|ring|stream|daemon|restart) targets="$targets fuzz_$h" ;;
	mkseeds|mkseeds-stream) targets="$targets $h" ;;
	*) echo "fuzz/build.sh: no harness $h" >&2; exit 2 ;;
	esac
done
# shellcheck disable=SC2086
make -s -C "$out" -j"$(nproc 2>/dev/null || echo 2)" $targets
