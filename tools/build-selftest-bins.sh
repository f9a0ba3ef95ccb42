#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the selftests' C programs (statically, for the VM's busybox
# initramfs), rlctl and rlsyncd (which the VM harness copies with their
# libmnl and libhiredis) into .build/bin.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$top/.build/bin"
for p in rl_flood rl_sink rl_failnth rl_tcp; do
	gcc -O2 -Wall -Wextra -Werror -Wno-unused-parameter -static \
		-o "$top/.build/bin/$p" "$top/selftests/$p.c"
done
gcc -O2 -Wall -Wextra -Werror -Wno-unused-parameter -I"$top/kmod/uapi" \
	-o "$top/.build/bin/rl_nlfuzz" "$top/selftests/rl_nlfuzz.c" -lmnl
gcc -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	-o "$top/.build/bin/rl_nfq" "$top/selftests/rl_nfq.c" -lmnl
make -s -C "$top/tools/rlctl" rlctl
make -s -C "$top/tools/rlsyncd" rlsyncd
cp "$top/tools/rlctl/rlctl" "$top/tools/rlsyncd/rlsyncd" "$top/.build/bin/"
