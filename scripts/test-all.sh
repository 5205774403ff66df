#!/bin/sh
# Everything CI runs: install dependencies, fetch Xen's test-xenstore
# source, then `make check` in a plain build and in an ASan+UBSan build,
# `make check-xen` (real Xen under QEMU) with each build, the OCaml
# binding's and the patched oxenstoreds' tests (tests/ocaml/), the
# patched hypervisor (xen-patches/build.sh) and `make check-xen` on it
# with the plain build, the fuzzing harnesses (tests/fuzz/run.sh, about
# 6 min), then `make distcheck`, the Debian packages and their
# packaged path on real Xen.
# Ends with "N passed, N failed".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
t_start=$(date +%s)
# step NAME: a header line with the minutes and seconds since the start,
# so that a log shows where the run's time goes.
step() {
	e=$(($(date +%s) - t_start))
	printf '=== [%d:%02d] %s\n' $((e / 60)) $((e % 60)) "$*"
}

step "setup"
sh scripts/setup-debian.sh --xen
sh tests/xen/fetch-xen-source.sh
XEN_SOURCE_DIR=$(sh tests/xen/fetch-xen-source.sh --print-dir)
export XEN_SOURCE_DIR

# Out-of-tree builds need an unconfigured source tree.
[ ! -f config.status ] || make distclean >/dev/null
step "autoreconf"
autoreconf -fi
jobs=$(nproc)
pass=0
fail=0

skip=0
# count DIR: add the results in DIR's test-suite.log to the totals.
count() {
	num() { sed -n "s/^# $1: *//p" "$dir/test-suite.log" | head -1; }
	[ -f "$dir/test-suite.log" ] || { fail=$((fail + 1)); return; }
	failed_logs
	pass=$((pass + $(num PASS)))
	fail=$((fail + $(num FAIL) + $(num ERROR) + $(num XPASS)))
	skip=$((skip + $(num SKIP)))
}

# failed_logs: the end of each failed test's log in $dir, so that CI's
# output says why (the build tree does not outlive the run).
failed_logs() {
	find "$dir" -name '*.trs' | while read -r trs; do
		grep -q -E '^:test-result: (FAIL|ERROR|XPASS)' "$trs" || continue
		echo "--- ${trs%.trs}.log (last 80 lines)"
		tail -n 80 "${trs%.trs}.log"
	done
}

status=0
for variant in plain sanitizers; do
	dir=build-$variant
	rm -rf "$dir"
	mkdir "$dir"
	flags=""
	[ "$variant" = sanitizers ] && flags=--enable-sanitizers
	step "make check ($variant)"
	(cd "$dir" && ../configure -q $flags && make -j"$jobs" &&
	    make -j"$jobs" check) || status=1
	count
	# The whole matrix once; the sanitizer build serves as dom0's
	# xenstore through every scenario but the ten "cycles" (which repeat
	# the others; the plain build's exact memory baseline covers them),
	# without the controls.
	xenargs=
	[ "$variant" = sanitizers ] &&
	    xenargs="--daemon ours tools poweroff shutdown reboot crash destroy three service-restart kill9"
	step "make check-xen $xenargs ($variant)"
	if (cd "$dir" && make check-xen XEN_QEMU_ARGS="$xenargs"); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		status=1
	fi
done

# The libxengnttab binding for OCaml, oxenstored with patch series 1 and
# with series 1 and 2 (no libxenctrl) on the simulated Xen (tests/ocaml,
# docs/oxenstored.md); the first builds oxenstored, control, patched and
# stable (about 60 s, skipped when unchanged).  One test each.
for t in gnttab oxenstored-grant oxenstored-stable; do
	step "tests/ocaml/$t.sh"
	if abs_top_builddir=$top/build-plain abs_top_srcdir=$top \
	    sh tests/ocaml/$t.sh; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		status=1
	fi
done

# Xen 4.17 with xen-patches/ (XEN_DOMCTL_get_domain_state): both
# configurations must build (the FLASK one only to show it compiles;
# each about 1.5 minutes on 2 cores, skipped when its inputs are unchanged),
# then the real-Xen matrix boots the release one (docs/testing.md).
step "xen-patches/build.sh"
hv=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/xenstore-stable/hv-4.17
if sh xen-patches/build.sh "$hv"; then
	pass=$((pass + 1))
	step "make check-xen (plain, patched hypervisor)"
	if (cd build-plain && XEN_QEMU_XEN=$hv/xen.gz make check-xen); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		status=1
	fi
else
	fail=$((fail + 1))
	status=1
fi

# The libFuzzer harnesses under ASan+UBSan (tests/fuzz, docs/testing.md):
# each harness's regressions, then a bounded run; one test per harness.
step "fuzzing"
if sh tests/fuzz/build.sh build-fuzz; then
	sh tests/fuzz/run.sh -b build-fuzz || status=1
	fp=$(grep -c ' pass ' build-fuzz/tests/fuzz/results || true)
	ff=$(grep -c ' fail ' build-fuzz/tests/fuzz/results || true)
	pass=$((pass + fp))
	fail=$((fail + ff))
else
	fail=$((fail + 1))
	status=1
fi

# The README's first command, as a new user runs it, with the stub part:
# it must end well and show what it promises.
step "scripts/demo.sh --stub"
if sh scripts/demo.sh --stub >build-plain/demo.log 2>&1 &&
    [ "$(grep -c '^@releaseDomain/2$' build-plain/demo.log)" -eq 3 ] &&
    grep -qxF 'write /local/domain/0/name evil -> ERR EACCES' build-plain/demo.log &&
    grep -qxF 'isintroduced 6 -> "F"' build-plain/demo.log; then
	pass=$((pass + 1))
else
	tail -30 build-plain/demo.log
	fail=$((fail + 1))
	status=1
fi

step "make distcheck"
(cd build-plain && make -j"$jobs" distcheck) || status=1

# The Debian packages (tests/debian/package.sh): built from a clean
# clone, lintian, installed beside Debian's Xen, upgraded and purged.
step "tests/debian/package.sh"
if sh tests/debian/package.sh . build-deb; then
	pass=$((pass + 1))
	# The packaged path on real Xen (docs/debian.md): dom0 installs them
	# with dpkg -i and Debian's /etc/init.d/xen starts ours through the
	# one setting; lifecycles, an upgrade with a guest running, a purge
	# with one running; the same daemon in the packaged xenstore stub
	# domain (an upgrade, a removal that must be refused); ours in dom0
	# when XENSTORETYPE=domain outlived the stub domain's package; then
	# a boot where the purged packages leave Debian's default daemon.
	for b in "pkg tools poweroff reboot crash three pkg-refused pkg-upgrade pkg-refused-removal pkg-purge" \
	    "pkg-stub tools poweroff three pkg-upgrade pkg-purge" \
	    "pkg-nostub tools poweroff pkg-purge" \
	    "pkg-purged tools poweroff three"; do
		step "tests/xen-qemu/run.sh --daemon $b"
		# shellcheck disable=SC2086
		if XEN_QEMU_DEBS=$top/build-deb sh tests/xen-qemu/run.sh \
		    build-plain --daemon $b; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			status=1
		fi
	done
else
	fail=$((fail + 1))
	status=1
fi

step "end"
echo "tests: $pass passed, $fail failed, $skip skipped"
exit $status
