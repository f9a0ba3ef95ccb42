#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: install what is missing, build the module for Debian's stock
# kernel, boot that kernel in a VM and show nf_ratelimit limiting a flood.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
echo "==> dependencies (Debian packages, installed only if missing)" >&2
tools/install-deps.sh
stock=$(tools/stock-kernel.sh)
echo "==> building nf_ratelimit.ko for Linux $stock and the traffic tools" >&2
mods=$(tools/build-module.sh stock "/usr/src/linux-headers-$stock")
# The selftests' helpers (their kselftest Makefile), rlctl and rlsyncd, which
# the VM harness copies with their libraries.
make -s -C selftests OUTPUT="$top/.build/bin"
make -s -C tools/rlctl rlctl
make -s -C tools/rlsyncd rlsyncd
cp tools/rlctl/rlctl tools/rlsyncd/rlsyncd .build/bin/
echo "==> booting Linux $stock under qemu (about 30 s without KVM)" >&2
out=.build/demo
tools/vm/run.sh -k "/boot/vmlinuz-$stock" -m demo -o "$out" -b .build/bin \
	-M "$mods/nf_ratelimit.ko" -x "/lib/modules/$stock/kernel/drivers/net/veth.ko"
sed -n 's/^# \{0,1\}//p' "$out/results.ktap" | grep -v '^NF_RL_VM_DONE$'
