#!/bin/sh
# Install what building and testing need on Debian 12.  Runs apt-get as
# root (through sudo when not root).  Safe to run again.
# clang and libclang-rt-14-dev (its libFuzzer and sanitizer runtimes)
# build the fuzzing harnesses (tests/fuzz/build.sh); ocaml-nox and
# ocaml-findlib build oxenstored and the libxengnttab binding
# (ocaml-bindings/build.sh, tests/ocaml/); debhelper and lintian build
# and check the Debian packages (tests/debian/package.sh).
set -eu

PKGS="build-essential autoconf automake libtool pkg-config
libtalloc-dev libevent-dev libsystemd-dev libcunit1-dev uthash-dev
libxen-dev xenstore-utils xen-utils-4.17 xz-utils
clang libclang-rt-14-dev ocaml-nox ocaml-findlib
debhelper lintian fakeroot"
# --xen: also what `make check-xen` boots (Xen and Linux under QEMU),
# and what `make stubdom` builds the stub domain's kernel from
# (toolstack-hooks/stubdom/build-kernel.sh).
if [ "${1:-}" = --xen ]; then
	PKGS="$PKGS qemu-system-x86 xen-hypervisor-4.17-amd64
linux-image-amd64 busybox-static zstd cpio
linux-source-6.1 bc bison flex libelf-dev libssl-dev"
fi

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing:$missing"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $missing
fi
