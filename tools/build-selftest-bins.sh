#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the selftests' C programs, statically so that they run in the VM's
# busybox initramfs, into .build/bin.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$top/.build/bin"
for p in rl_flood rl_sink; do
	gcc -O2 -Wall -Wextra -Werror -Wno-unused-parameter -static \
		-o "$top/.build/bin/$p" "$top/selftests/$p.c"
done
