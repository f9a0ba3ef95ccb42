#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the module (and, where the kernel has KUnit, its test module) against
# KDIR in a tree of its own, .build/NAME, so that builds for several kernels
# do not overwrite each other's objects.
#
#   build-module.sh NAME KDIR [MAKEVAR=VALUE...]
#                                  prints the directory holding the .ko files
set -euo pipefail

name=$1 kdir=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/.build/$name

mkdir -p "$dir"
rm -rf "$dir/kmod"
cp -r "$top/kmod" "$top/Kbuild" "$top/VERSION" "$dir/"
# W=1: the extra warnings a maintainer's build enables, which must stay clean.
make -s -C "$kdir" M="$dir" W=1 "$@" modules >"$dir/build.log" 2>&1 || {
	cat "$dir/build.log" >&2
	exit 1
}
# A warning is a failure: the module must build cleanly on every kernel.
if grep -E "warning:|error:" "$dir/build.log" >&2; then
	exit 1
fi
echo "$dir/kmod"
