#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the release of one of Debian's kernels, by its metapackage
# (linux-image-amd64 by default; linux-image-6.12-amd64,
# linux-image-6.12-rt-amd64), for which /boot/vmlinuz-RELEASE and
# /usr/src/linux-headers-RELEASE are installed.
set -euo pipefail

rel=$(dpkg-query -W -f='${Depends}' "${1:-linux-image-amd64}" |
      grep -o 'linux-image-[0-9][^ ,]*' | head -n 1)
rel=${rel#linux-image-}
for f in "/boot/vmlinuz-$rel" "/usr/src/linux-headers-$rel/Makefile"; do
	[ -r "$f" ] || { echo "stock-kernel: $f missing (run tools/install-deps.sh)" >&2; exit 1; }
done
echo "$rel"
