#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel under qemu (TCG: there is no KVM here) with an initramfs built
# on the fly from busybox-static, iproute2, the given modules and the
# selftests, and collect the guest's KTAP output.
#
#   run.sh -k BZIMAGE -m MODE -o OUTDIR [-M KO]... [-x KO]... [-t "a.sh b.sh"]
#
#   -k  kernel image          -m  guest mode: kunit,selftests,debugchecks,demo
#   -o  output directory: console.log (kernel console), results.ktap (tests)
#   -M  one of our modules     -x  another module to load first (e.g. veth.ko)
#   -b  directory of selftest helper binaries (rl_flood, rl_sink)
#   -t  only these selftests   -s  CPUs (default 2)    -T  timeout in s
#   -f  a file for /lib/nf_ratelimit (e.g. the bench's guest script)
#   -p  a host program to copy, with its libraries (e.g. /usr/sbin/nft)
#   -I  count guest time in instructions (qemu -icount shift=0; one CPU only)
#   -A  more kernel command-line arguments (e.g. make bench's init_on_alloc=0)
#
# Exit status: 0 if the guest ran to the end, 1 if it crashed or timed out
# (results.ktap then holds what was reported before).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
kernel= mode= out= bindir= tests= smp=2 timeout=1500 append=
mods=() extra=() files=() progs=() accel=()
while getopts "k:m:o:M:x:b:t:s:T:f:p:IA:" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	m) mode=$OPTARG ;;
	o) out=$OPTARG ;;
	M) mods+=("$OPTARG") ;;
	x) extra+=("$OPTARG") ;;
	b) bindir=$OPTARG ;;
	t) tests=$OPTARG ;;
	s) smp=$OPTARG ;;
	T) timeout=$OPTARG ;;
	f) files+=("$OPTARG") ;;
	p) progs+=("$OPTARG") ;;
	I) accel=(-icount shift=0) ;;
	A) append=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ -n "$kernel" ] && [ -n "$mode" ] && [ -n "$out" ] || { echo "usage: see $0" >&2; exit 2; }

mkdir -p "$out"
root=$out/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib/nf_ratelimit/extra,selftests/bin,proc,sys,dev,tmp,run,etc}

cp /bin/busybox "$root/bin/busybox"
cp "$here/init" "$root/init"
cp "$here/guest_run.sh" "$here/demo.sh" "$root/lib/nf_ratelimit/"

# iproute2's ip (busybox's cannot manage namespaces), with its libraries.
copy_bin() {
	local bin=$1 dest=$2 lib
	cp "$bin" "$root$dest"
	# Static programs have no libraries: ldd then fails, which is fine.
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*' || true); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
copy_bin /usr/sbin/ip /usr/sbin/ip

for m in "${mods[@]}"; do cp "$m" "$root/lib/nf_ratelimit/"; done
# The guest loads extra modules in name order: keep the order given.
i=10
for m in "${extra[@]}"; do
	cp "$m" "$root/lib/nf_ratelimit/extra/$i-$(basename "$m")"
	i=$((i + 1))
done
for f in "${files[@]}"; do cp "$f" "$root/lib/nf_ratelimit/"; done
for p in "${progs[@]}"; do
	mkdir -p "$root$(dirname "$p")"
	copy_bin "$p" "$p"
done
cp "$top"/selftests/*.sh "$top"/selftests/*.expected "$root/selftests/"
if [ -n "$bindir" ]; then
	for b in "$bindir"/*; do copy_bin "$b" "/selftests/bin/$(basename "$b")"; done
fi
# An unprivileged user for the permission tests.
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
[ -n "$tests" ] && echo "NF_RL_TESTS=\"$tests\"" >"$root/etc/nf_rl_env"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.cpio.gz"

rm -f "$out/console.log" "$out/results.ktap"
# slab_nomerge: the module's entry cache shows in /proc/slabinfo under its own
# name instead of sharing a kmalloc cache, so the stress tests can bound it.
set +e
timeout "$timeout" qemu-system-x86_64 \
	-machine q35 -cpu max -smp "$smp" -m 2048 "${accel[@]}" \
	-kernel "$kernel" -initrd "$out/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=4 slab_nomerge${append:+ $append} nf_rl.mode=$mode" \
	-display none -no-reboot -nic none \
	-serial "file:$out/console.log" -serial "file:$out/results.ktap" \
	-monitor none
rc=$?
set -e
# The guest's serial line ends lines with CR LF.
sed -i 's/\r$//' "$out/results.ktap" "$out/console.log" 2>/dev/null || true

if ! grep -q '^# NF_RL_VM_DONE' "$out/results.ktap" 2>/dev/null; then
	echo "run.sh: the VM did not finish (qemu exit $rc); end of its console:" >&2
	tail -40 "$out/console.log" >&2 || true
	exit 1
fi
exit 0
