#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print a directory holding the YNL JSON schemas (genetlink*.yaml), taken
# once from Debian's linux-source-6.12 and cached beside the debug kernel.
set -euo pipefail

cache=${NF_RL_CACHE:-/var/cache/nf_ratelimit}
tarball=/usr/src/linux-source-6.12.tar.xz
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
dir=$cache/ynl-schema-$ver

if [ ! -f "$dir/genetlink-legacy.yaml" ]; then
	mkdir -p "$dir.tmp"
	tar -C "$dir.tmp" --strip-components=3 -xf "$tarball" --wildcards \
		'linux-source-6.12/Documentation/netlink/*.yaml'
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
fi
echo "$dir"
