#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the debug test kernel: Debian's linux-source-6.12 with
# tinyconfig + kvm_guest.config + tools/kconfig/debug.config (KUnit, KASAN,
# lockdep, kmemleak, UBSAN, fault injection, hung-task and lockup detectors).
# The result is cached outside the clone, keyed by the source package version
# and the config fragment, so that repeat runs skip the build.
#
# NF_RL_DEBUG_SERIES=6.1 builds the same configuration from linux-source-6.1
# instead (the fragment is valid for both); both trees can sit in the cache.
#
# Prints the build directory (usable as KDIR) on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${NF_RL_CACHE:-/var/cache/nf_ratelimit}
frag=$here/kconfig/debug.config
series=${NF_RL_DEBUG_SERIES:-6.12}
tarball=/usr/src/linux-source-$series.tar.xz

[ -f "$tarball" ] || {
	echo "missing $tarball (apt-get install linux-source-$series)" >&2
	exit 1
}

srcver=$(dpkg-query -W -f='${Version}' "linux-source-$series")
# Bump when the way the kernel is built changes (not for edits to comments).
recipe=2
key=$( (cat "$frag"; echo "recipe $recipe") | sha256sum | cut -c1-12)
dir=$cache/linux-$srcver-$key

mkdir -p "$cache"
# One build at a time per cache: a second caller waits, then reuses it.
exec 9>"$cache/.lock"
flock 9

if [ -f "$dir/.nf_rl_done" ]; then
	echo "$dir"
	exit 0
fi

# A half-built tree (no marker) from an interrupted run is started afresh.
rm -rf "$dir"
mkdir -p "$dir"
echo "build-debug-kernel: extracting linux-source $srcver into $dir" >&2
tar -C "$dir" --strip-components=1 -xf "$tarball"
cd "$dir"

log=$dir/build.log
{
	make ARCH=x86_64 tinyconfig
	make ARCH=x86_64 kvm_guest.config
	scripts/kconfig/merge_config.sh -m .config "$frag"
	make ARCH=x86_64 olddefconfig
} >"$log" 2>&1

# merge_config only warns about options Kconfig dropped; we want a hard error.
missing=0
while read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qx "$line" .config || { echo "build-debug-kernel: $line did not stick" >&2; missing=1; }
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" .config || { echo "build-debug-kernel: $opt should be unset" >&2; missing=1; }
		;;
	esac
done <"$frag"
[ "$missing" = 0 ] || exit 1

echo "build-debug-kernel: building vmlinux, bzImage and modules (log: $log)" >&2
start=$(date +%s)
if ! make ARCH=x86_64 -j"$(($(nproc) + 1))" bzImage modules >>"$log" 2>&1; then
	tail -40 "$log" >&2
	exit 1
fi
echo "build-debug-kernel: built in $(($(date +%s) - start)) s" >&2

touch .nf_rl_done
# Trees of older configs or sources of this series are 2 GB each and never
# used again.
find "$cache" -mindepth 1 -maxdepth 1 -name "linux-$series.*" ! -name "$(basename "$dir")" \
	-exec rm -rf {} +
echo "$dir"
