#!/bin/sh
# The real-Xen test: Debian's Xen 4.17 and a Debian Linux PV dom0 booted
# under QEMU (software emulation), with our freshly built xenstored and
# domain-state service as dom0's xenstore, and PV guests driven by xl
# through their lifecycles (dom0-init.sh says what each scenario checks).
# The dom0 and guest images are initramfs archives made from this host's
# own packages; each boot appends its /test.conf as a second archive.
#
# usage: run.sh BUILDDIR               the whole matrix (make check-xen):
#            1. our daemon, every scenario, under its keeper
#               (--crash-restart) and killed once (kill9): must pass;
#            2. Debian's C xenstored, the same scenarios (but the one about
#               our service): must pass, or the harness itself is wrong;
#            3. our daemon without its domain-state service, so it never
#               learns of a guest's death: must fail, or the harness
#               cannot tell a broken xenstore from a working one;
#            4. oxenstored with ocaml-bindings/'s two patch series
#               (ox-stable: rings by grant, no libxenctrl, deaths from
#               our service), tools poweroff reboot crash three
#               service-restart: must pass;
#            5. Debian's oxenstored (ox), three guests: must pass, and
#               shows the foreign mappings (privcmd) that 4 replaces
#               with grant mappings (gntdev);
#            6. our daemon in the xenstore stub domain (stub), every
#               scenario but cycles: must pass;
#            7. the same without the service's VIRQ_DOM_EXC reclaim:
#               must fail, with the missing @releaseDomain/<domid> (on
#               the patched hypervisor: the service's EBUSY bind).
#        run.sh BUILDDIR [--daemon ours|c|ox|ox-stable|stub] [--no-service]
#               [--stub-memory MIB] [--no-reclaim] [SCENARIO...]
#               one boot; SCENARIO as in dom0-init.sh.  stub: our
#               xenstored in the xenstore stub domain (`make stubdom`),
#               MIB of memory (default: xenstore-stubdom's); --no-reclaim: the service
#               leaves VIRQ_DOM_EXC with it (-k), so must miss deaths
#        run.sh BUILDDIR --daemon pkg|pkg-stub|pkg-nostub|pkg-purged [SCENARIO...]
#               with XEN_QEMU_DEBS=DIR (tests/debian/package.sh's output):
#               dom0 installs the packages with dpkg -i and Debian's
#               /etc/init.d/xen starts the daemon the one setting of
#               docs/debian.md names: ours (pkg; scenarios pkg-refused,
#               pkg-upgrade, pkg-refused-removal and pkg-purge), ours in the xenstore stub
#               domain of xenstored-stable-stubdom (pkg-stub, with
#               XENSTORETYPE=domain; pkg-upgrade, and pkg-purge, which
#               must be refused), ours in dom0 when XENSTORETYPE=domain
#               is left set but xenstored-stable-stubdom was removed
#               (pkg-nostub), or Debian's default once the packages
#               are purged (pkg-purged)
#        run.sh BUILDDIR --shell [--daemon ours|c|ox|ox-stable]
#               an interactive dom0 shell (docs/testing.md)
#        [--patched|--stock]  which hypervisor this is (default: stock
#               unless XEN_QEMU_XEN names a build of xen-patches/build.sh,
#               found by the BUILD-INFO it writes beside xen.gz; or
#               XEN_QEMU_HV=patched|stock).  On the patched hypervisor
#               our service must take mode hypervisor (on stock: mode
#               snapshot), and the matrix's first boot adds the scenarios
#               only it can pass: restart reuse starve scale.
# Logs are kept in BUILDDIR/xen-qemu-logs/.
# XEN_QEMU_XEN=FILE boots that hypervisor (gzipped or not) instead of
# Debian's /boot/xen-4.17-amd64.gz, e.g. the patched one from
# xen-patches/build.sh (docs/hypervisor-patch.md).
# XEN_QEMU_OXENSTORED=DIR takes oxenstored-stable from DIR, the output of
# ocaml-bindings/build.sh, which run.sh calls first (it does nothing
# when its inputs are unchanged); default: build.sh's own default.
# Needs: scripts/setup-debian.sh --xen
set -eu
build=$(cd "${1:?usage: run.sh BUILDDIR [options]}" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
all="tools poweroff shutdown reboot crash destroy three cycles service-restart"
patched_only="restart reuse starve scale"
xen=${XEN_QEMU_XEN:-/boot/xen-4.17-amd64.gz}
hv=${XEN_QEMU_HV:-}
if [ -z "$hv" ]; then
	hv=stock
	[ -n "${XEN_QEMU_XEN:-}" ] &&
	    grep -qs '^Debian xen .* + xen-patches/' "$(dirname "$xen")/BUILD-INFO" &&
	    hv=patched
fi
kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)
kver=${kernel#/boot/vmlinuz-}
for f in "$xen" "$kernel" /usr/bin/qemu-system-x86_64 /usr/bin/busybox \
    /usr/bin/zstd /usr/lib/xen-4.17/bin/xl /usr/lib/xen-4.17/bin/xenstored; do
	[ -e "$f" ] || { echo "run.sh: $f missing: sh scripts/setup-debian.sh --xen" >&2; exit 1; }
done

daemon=ours service=yes shell=no scenarios=
matrix=yes stub_mem= reclaim=yes
while [ $# -gt 0 ]; do
	case $1 in
	--daemon) daemon=$2; shift; matrix=no ;;
	--no-service) service=no; matrix=no ;;
	--stub-memory) stub_mem=$2; shift ;;
	--no-reclaim) reclaim=no; matrix=no ;;
	--shell) shell=yes; matrix=no ;;
	--patched) hv=patched ;;
	--stock) hv=stock ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) scenarios="$scenarios $1"; matrix=no ;;
	esac
	shift
done
case $daemon in
ours|c|ox|ox-stable|stub) ;;
pkg|pkg-stub|pkg-nostub|pkg-purged)
	[ -n "${XEN_QEMU_DEBS:-}" ] && ls "$XEN_QEMU_DEBS"/xenstored-stable_*.deb >/dev/null 2>&1 ||
	    { echo "run.sh: --daemon $daemon: XEN_QEMU_DEBS=DIR, the packages of tests/debian/package.sh" >&2; exit 2; } ;;
*) echo "run.sh: --daemon ours|c|ox|ox-stable|stub|pkg|pkg-stub|pkg-nostub|pkg-purged" >&2; exit 2 ;;
esac
case $hv in patched|stock) ;; *) echo "run.sh: XEN_QEMU_HV=patched|stock" >&2; exit 2 ;; esac

T=$(mktemp -d /tmp/xen-qemu.XXXXXX)
trap 'rm -rf "$T"' EXIT
logs=$build/xen-qemu-logs
mkdir -p "$logs"

# copy FILE...: into $root with the shared libraries they need.
copy() {
	for f; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
		ldd "$f" 2>/dev/null | awk '/=>/ { print $3 } /ld-linux/ { print $1 }' |
		while read -r l; do
			[ -e "$l" ] || continue
			mkdir -p "$root$(dirname "$l")"
			cp -Ln "$l" "$root$l"
		done
	done
}
# skeleton ROOT INIT: busybox with all its applets, and an /init.
skeleton() {
	root=$1
	mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" \
	    "$root/dev" "$root/tmp" "$root/run" "$root/etc"
	cp /usr/bin/busybox "$root/bin/"
	for c in $(busybox --list); do
		[ -e "$root/bin/$c" ] || ln -s busybox "$root/bin/$c"
	done
	cp "$2" "$root/init"
	chmod +x "$root/init"
}
pack() {
	(cd "$1" && find . | cpio -o -H newc 2>/dev/null | zstd -q -3 -T0) >"$2"
}

echo "run.sh: images from this host's packages, kernel $kver"
# An uncompressed kernel boots guests faster than the bzImage: the
# payload is xz, found by its magic number.
off=$(LC_ALL=C grep -obUa "$(printf '\3757zXZ')" "$kernel" | head -1 | cut -d: -f1)
tail -c +$((off + 1)) "$kernel" | xz -dc --single-stream >"$T/vmlinux"

skeleton "$T/guest" "$here/guest-init.sh"
# What the guest kernel runs for xl shutdown and xl reboot.
printf '#!/bin/sh\nexec busybox poweroff -f\n' >"$root/sbin/poweroff"
printf '#!/bin/sh\nexec busybox reboot -f\n' >"$root/sbin/reboot"
chmod +x "$root/sbin/poweroff" "$root/sbin/reboot"
copy /usr/bin/xenstore-read /usr/bin/xenstore-write /usr/bin/xenstore-watch
pack "$T/guest" "$T/guest.img"

# The xenstore stub domain's kernel and initramfs (toolstack-hooks/stubdom),
# built first so that the install holds them where xenstore-stubdom looks.
if [ "$matrix" = yes ] || [ "$daemon" = stub ]; then
	make -C "$build" stubdom >/dev/null ||
	    { echo "run.sh: make stubdom failed" >&2; exit 1; }
fi
make -C "$build" install DESTDIR="$T/inst" >/dev/null
make -C "$build" tests/xen-qemu/xq-domains tests/xen-qemu/xq-latency \
    tests/xen-qemu/xq-watch >/dev/null
skeleton "$T/dom0" "$here/dom0-init.sh"
copy /usr/bin/xenstore-read /usr/bin/xenstore-write /usr/bin/xenstore-watch \
    /usr/bin/xenstore-ls /usr/bin/xenstore-exists /usr/bin/xenstore-rm \
    /usr/bin/xenstore-list /usr/bin/xenstore-chmod \
    /usr/lib/xen-4.17/bin/xl /usr/lib/xen-4.17/bin/xen-init-dom0 \
    /usr/lib/xen-4.17/bin/xenconsoled /usr/lib/xen-4.17/bin/xenstore-control \
    /usr/lib/xen-4.17/bin/xenstored /usr/lib/xen-4.17/bin/test-xenstore \
    /usr/lib/xen-4.17/bin/oxenstored \
    /usr/lib/xen-4.17/bin/init-xenstore-domain
# Debian's /etc/init.d/xen and what it runs (the stub-domain boots start
# the domain through it), with Debian's /bin/sh: busybox's sh would run
# its own start-stop-daemon, which ignores --test.
copy /etc/init.d/xen /lib/init/vars.sh /lib/lsb/init-functions /usr/bin/dash \
    /sbin/start-stop-daemon /usr/bin/choom /usr/lib/xen-common/bin/xen-version \
    /usr/lib/xen-common/bin/xen-dir
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$root/lib/x86_64-linux-gnu/"
mkdir -p "$root/usr/local" "$root/etc/xen" "$root/var/lib/xen" "$root/mods"
cp -a "$T/inst/usr/local/sbin" "$T/inst/usr/local/lib" "$root/usr/local/"
# The host libraries our daemons need.
LD_LIBRARY_PATH=$T/inst/usr/local/lib copy \
    "$T/inst/usr/local/sbin/xenstored" \
    "$T/inst/usr/local/sbin/xenstore-domain-state" 2>/dev/null || true
# The test tools: empty domains for the patched-only scenarios, the
# latency figures, and a watch with a depth.
for t in xq-domains xq-latency xq-watch; do
	cp "$build/tests/xen-qemu/$t" "$T/$t"
	LD_LIBRARY_PATH=$T/inst/usr/local/lib copy "$T/$t"
	mv "$root$T/$t" "$root/usr/local/sbin/"
done
# oxenstored with both patch series (ocaml-bindings/, docs/oxenstored.md).
if [ "$matrix" = yes ] || [ "$daemon" = ox-stable ]; then
	sh "$here/../../ocaml-bindings/build.sh" ${XEN_QEMU_OXENSTORED:+"$XEN_QEMU_OXENSTORED"} ||
	    { echo "run.sh: ocaml-bindings/build.sh failed" >&2; exit 1; }
	oxdir=${XEN_QEMU_OXENSTORED:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/xenstore-stable/oxenstored-4.17}
	cp "$oxdir/oxenstored-stable" "$T/oxenstored-stable"
	copy "$T/oxenstored-stable"
	mv "$root$T/oxenstored-stable" "$root/usr/local/sbin/"
fi
# The Debian packages (docs/debian.md), and dpkg to install them: its
# database holds only the packages ours depend on, as this host has them
# but with no dependencies of their own (with their file lists, so that
# a file conflict shows), and a newer
# version of each of ours (the same build with its version raised) for
# the upgrade.
case $daemon in pkg*)	# one of the packaged boots checked above
	copy /usr/bin/dpkg /usr/bin/dpkg-deb /usr/bin/dpkg-query \
	    /usr/bin/dpkg-split /usr/bin/dpkg-trigger /usr/bin/tar /sbin/ldconfig
	db=$root/var/lib/dpkg
	mkdir -p "$db/info" "$db/updates" "$db/triggers" "$root/etc/dpkg" \
	    "$root/var/log" "$root/debs/old" "$root/debs/new"
	: >"$db/available"
	arch=$(dpkg --print-architecture)
	for f in "$XEN_QEMU_DEBS"/*.deb; do
		case $f in *-dbgsym_*) continue ;; esac
		cp "$f" "$root/debs/old/"
		dpkg-deb -f "$f" Depends
	done | tr ',|' '\n\n' | sed 's/(.*//; s/:any//; s/[[:space:]]//g' |
	    { cat; echo xen-utils-4.17; } | sort -u | while read -r n; do
		[ -n "$n" ] || continue
		# Their own dependencies are the image's business (copy()).
		dpkg-query -s "$n" 2>/dev/null |
		    grep -v -E '^(Pre-)?Depends:|^(Breaks|Conflicts):' \
		    >"$T/stanza" && [ -s "$T/stanza" ] || continue
		{ cat "$T/stanza"; echo; } >>"$db/status"
		for l in "/var/lib/dpkg/info/$n.list" "/var/lib/dpkg/info/$n:$arch.list"; do
			[ ! -f "$l" ] || cp "$l" "$db/info/"
		done
	done
	# debs/new: VERSION+1; debs/bad: VERSION+0bad (between the two),
	# whose daemon fails its --help check, so that a live update to
	# it is refused.
	mkdir -p "$root/debs/bad"
	for f in "$root"/debs/old/*.deb; do
		v=$(dpkg-deb -f "$f" Version)
		for to in new:1 bad:0bad; do
			rm -rf "$T/repack"
			dpkg-deb -R "$f" "$T/repack"
			sed -i -e "s/^Version: .*/Version: $v+${to#*:}/" \
			    -e "s/(= $v)/(= $v+${to#*:})/" "$T/repack/DEBIAN/control"
			b=$T/repack/usr/lib/xenstore-stable/xenstored
			if [ "${to%:*}" = bad ] && [ -f "$b" ]; then
				printf '#!/bin/sh\nexit 1\n' >"$b"
				# Its checksum, so that the package stays whole.
				(cd "$T/repack" && md5sum usr/lib/xenstore-stable/xenstored) >"$T/sum"
				sed -i "\\| usr/lib/xenstore-stable/xenstored\$|d" \
				    "$T/repack/DEBIAN/md5sums"
				cat "$T/sum" >>"$T/repack/DEBIAN/md5sums"
			fi
			dpkg-deb -b "$T/repack" "$root/debs/${to%:*}/" >/dev/null
		done
	done ;;
esac
rm -rf "$root$T"
touch "$root/etc/xen/xl.conf"
mods=/lib/modules/$kver/kernel/drivers/xen
cp $mods/xen-evtchn.ko* $mods/xen-gntdev.ko* $mods/xen-gntalloc.ko* \
    $mods/xen-privcmd.ko* $mods/xenfs/xenfs.ko* "$root/mods/"
cp "$T/vmlinux" "$root/vmlinuz"
cp "$T/guest.img" "$root/guest.img"
cp "$here/g1.cfg" "$root/g1.cfg"
pack "$T/dom0" "$T/dom0.img"
case $(od -An -tx1 -N2 "$xen" | tr -d ' ') in
1f8b) gunzip -c "$xen" >"$T/xen" ;;
*) cp "$xen" "$T/xen" ;;
esac
echo "run.sh: hypervisor $xen ($hv)"

# qemu [COMMAND...]: QEMU with Xen and the dom0 image, run by COMMAND.
qemu() {
	"$@" qemu-system-x86_64 -machine q35 -accel tcg -cpu qemu64,+rdrand \
	    -m 2048 -smp 2 -nographic -no-reboot \
	    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	    -kernel "$T/xen" \
	    -append "console=com1 com1=115200,8n1 dom0_mem=768M,max:768M dom0_max_vcpus=2 bootscrub=0" \
	    -initrd "$kernel console=hvc0 quiet,$T/run.img"
}
# boot NAME DAEMON SERVICE SCENARIOS: one boot; 0 if dom0 said PASS.
boot() {
	mkdir -p "$T/conf"
	# The packaged boots: ours, or Debian's default (oxenstored).
	case $2 in
	pkg) d=ours p=yes ;;
	pkg-stub) d=stub p=yes ;;
	pkg-nostub) d=ours p=nostub ;;
	pkg-purged) d=ox p=purged ;;
	*) d=$2 p=no ;;
	esac
	printf 'DAEMON=%s\nSERVICE=%s\nSCENARIOS="%s"\nSHELL_ONLY=%s\nHV=%s\n' \
	    "$d" "$3" "$4" "$shell" "$hv" >"$T/conf/test.conf"
	echo "PKG=$p" >>"$T/conf/test.conf"
	printf 'STUB_MEM=%s\nSTUB_RECLAIM=%s\nRELEASE_WAIT=%s\n' "$stub_mem" \
	    "${5:-$reclaim}" "${RELEASE_WAIT:-30}" >>"$T/conf/test.conf"
	(cd "$T/conf" && echo test.conf | cpio -o -H newc 2>/dev/null) >"$T/conf.cpio"
	# The kernel takes an uncompressed archive only at a 4-byte offset.
	pad=$(((4 - $(stat -c %s "$T/dom0.img") % 4) % 4))
	{ cat "$T/dom0.img"; head -c $pad /dev/zero; cat "$T/conf.cpio"; } >"$T/run.img"
	if [ "$shell" = yes ]; then
		qemu
		return 0
	fi
	log=$logs/$1.log
	echo "run.sh: [$1] booting Xen under QEMU (TCG): $2 xenstored," \
	    "scenarios:$4"
	start=$(date +%s)
	# A generous bound: 5 minutes, and 4 per scenario or cycle (a
	# stub-domain scenario took 2 minutes on a host loaded by another
	# QEMU run).
	n=$(echo "$4" | wc -w)
	case " $4 " in *" cycles "*) n=$((n + 9)) ;; esac
	qemu timeout $((300 + 240 * n)) >"$log" 2>&1 </dev/null || true
	# dom0's own lines: the scenario headers and what they print.
	sed -n '/^== /,$p' "$log" | grep -v -e '^\[' -e '^(XEN)' || true
	echo "run.sh: [$1] $(($(date +%s) - start)) s, log in $log"
	grep -q '^RESULT: PASS' "$log"
}

if [ "$shell" = yes ]; then
	boot shell "$daemon" "$service" ""
	exit 0
fi
if [ "$matrix" = no ]; then
	if [ -z "$scenarios" ]; then
		scenarios=$all
		[ "$hv" = patched ] && [ "$daemon" = ours ] &&
		    [ "$service" = yes ] && scenarios="$all $patched_only"
	fi
	if boot "$daemon" "$daemon" "$service" "$scenarios"; then
		echo "run.sh: passed"
		exit 0
	fi
	echo "run.sh: FAILED; the serial log's tail:"
	tail -60 "$logs/$daemon.log"
	exit 1
fi

# What each boot says it shows: on the patched hypervisor, also that
# Debian's own xl and libxl (and C xenstored) work on it unchanged.
if [ "$hv" = patched ]; then
	first="$all $patched_only"
	on="on the patched hypervisor, with Debian's unmodified xl/libxl,"
	ours_says="our xenstored $on service in mode hypervisor"
	c_says="control, Debian's C xenstored $on"
else
	first=$all
	ours_says="our xenstored"
	c_says="control, Debian's C xenstored"
fi
# Ours runs its first boot under its keeper, killed once (kill9).
first="$first kill9"
status=0
# must_pass NAME DAEMON SCENARIOS SAYS [NOTE]: that boot must pass; a
# control ("control, ...") that fails means the harness is wrong.
must_pass() {
	if boot "$1" "$2" yes "$3"; then
		echo "run.sh: $4: passed${5:+ ($5)}"
		return
	fi
	case $4 in
	control,*) echo "run.sh: $4: FAILED (the harness is wrong); the serial log's tail:" ;;
	*) echo "run.sh: $4: FAILED; the serial log's tail:" ;;
	esac
	tail -60 "$logs/$1.log"
	status=1
}
# must_fail NAME SAYS BLIND CHECK: the boot NAME, run already, must have
# failed for the reason the command CHECK looks for; passing would mean
# BLIND.
must_fail() {
	if grep -q '^RESULT: PASS' "$logs/$1.log"; then
		echo "run.sh: $2: passed, but $3 (the harness is blind)"
		status=1
	elif $4; then
		echo "run.sh: $2: failed as it must"
	else
		echo "run.sh: $2: failed for another reason:"
		tail -60 "$logs/$1.log"
		status=1
	fi
}
must_pass ours ours "$first" "$ours_says"
# The controls run each lifecycle once: "cycles" repeats what the others
# check (each boot costs minutes).
# Then C hands the host to ours (live update, our -U), which serves the
# rest (docs/migration-stream.md).
must_pass c c "$(echo "$all" | sed 's/ cycles service-restart//') takeover" \
    "$c_says, then ours after a live update"
# The controls that must miss a death wait 30 s for it, not 90.
RELEASE_WAIT=10 boot broken ours no poweroff || true
broken_failed() {
	grep -q '^RESULT: FAIL \[poweroff\] no @releaseDomain/1 event' "$logs/broken.log"
}
must_fail broken "control, our xenstored without its domain-state service" \
    "it cannot see deaths" broken_failed
# oxenstored: patched, then Debian's own.  Each asserts, whenever a
# guest is ready, that the daemon maps every guest's ring the way it
# should (dom0-init.sh, check_maps).  On the patched hypervisor, where
# the service needs no libxenctrl either, a shorter list (each boot
# costs minutes).
# Every way a guest ends, but not "shutdown" and "destroy" (to the
# daemon the same death as "three"'s) nor "cycles" (repeats; the
# baseline after each scenario already shows a leak).
ox_scenarios="tools poweroff reboot crash three service-restart"
[ "$hv" = patched ] && ox_scenarios="poweroff reboot three service-restart"
ox_says="grant mappings, no libxenctrl in oxenstored"
[ "$hv" = patched ] && ox_says="$ox_says or the service"
must_pass ox-stable ox-stable "$ox_scenarios" \
    "oxenstored with both patch series, our service, $hv hypervisor" "$ox_says"
[ "$hv" = stock ] && must_pass ox ox three "control, Debian's oxenstored" \
    "foreign mappings, libxenctrl"
# The xenstore stub domain (toolstack-hooks/stubdom, docs/stubdom.md),
# then its control: without the reclaim the service cannot hear a death
# (stock Xen delivers VIRQ_DOM_EXC to the stub domain, which never binds
# it; the patched one refuses the service's bind with EBUSY).
# All but "cycles": each scenario's exact memory baseline (memreport
# through the ring) shows a leak of one lifecycle already.
stub_scenarios=$(echo "$all" | sed 's/ cycles//')
[ "$hv" = patched ] && stub_scenarios="poweroff three service-restart"
must_pass stub stub "$stub_scenarios" \
    "our xenstored in the xenstore stub domain${stub_mem:+ ($stub_mem MiB)}, $hv hypervisor"
RELEASE_WAIT=10 boot stub-noreclaim stub yes poweroff no || true
# noreclaim_failed: the control failed for the reason it must.
noreclaim_failed() {
	if [ "$hv" = patched ]; then
		grep -q '^RESULT: FAIL \[setup\] the service did not start' \
		    "$logs/stub-noreclaim.log" &&
		    grep -q '^xenstore-domain-state: VIRQ_DOM_EXC: Device or resource busy' \
		    "$logs/stub-noreclaim.log"
	else
		grep -q '^RESULT: FAIL \[poweroff\] no @releaseDomain/2 event' \
		    "$logs/stub-noreclaim.log"
	fi
}
must_fail stub-noreclaim "control, the stub domain without the service's reclaim" \
    "no death can be heard" noreclaim_failed

# The stub domain beside the dom0 daemon, from this run's boots 1 and 6
# (docs/performance.md): figures, never a pass or a fail.
# fig BOOT PATTERN: that boot's first line matching PATTERN.
fig() {
	grep -a -m1 -- "$2" "$logs/$1.log" 2>/dev/null | tr -d '\r'
}
for op in writes reads; do
	o=$(fig ours "^/dev/xen/xenbus: $op ")
	s=$(fig stub "^/dev/xen/xenbus: $op ")
	[ -n "$o" ] && [ -n "$s" ] || continue
	echo "$o|$s" | awk -F'|' -v op="$op" '
	    function v(line, key,   m) {
		    match(line, key "=[0-9]+"); return substr(line, RSTART + length(key) + 1, RLENGTH - length(key) - 1)
	    }
	    { printf "run.sh: %s through /dev/xen/xenbus, p50/p99 us: dom0 daemon %d/%d, stub domain %d/%d, stub/dom0 %.2f/%.2f\n",
		op, v($1, "p50"), v($1, "p99"), v($2, "p50"), v($2, "p99"),
		v($2, "p50") / v($1, "p50"), v($2, "p99") / v($1, "p99") }'
done
for b in ours stub; do
	r=$(fig "$b" '^xl create to guest ready: ')
	m=$(fig "$b" '^xenstored memory: ')
	i=$(fig "$b" '^/etc/init.d/xen start: ')
	k=$(fig "$b" '^xenstore-stubdom: starting ')
	d=$(fig "$b" '^xenstore-stubdom: the xenstore domain [0-9]* serves (')
	[ -z "$r$m$i$k$d" ] ||
	    echo "run.sh: [$b] ${r:+$r; }${m:+$m; }${i:+$i; }${k:+$k; }$d"
done

[ $status = 0 ] && echo "run.sh: passed" || echo "run.sh: FAILED"
exit $status
