#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print a directory holding a part of Debian's linux-source-6.12, extracted
# once and cached beside the debug kernel:
#
#   linux-source-part.sh ynl-schema    Documentation/netlink/*.yaml (the YNL
#                                      JSON schemas: genetlink*.yaml)
#   linux-source-part.sh kselftest     tools/testing/selftests/kselftest/
#                                      (runner.sh...), as DIR/kselftest/
set -euo pipefail

case ${1:-} in
ynl-schema) strip=3 glob='linux-source-6.12/Documentation/netlink/*.yaml'
	marker=genetlink-legacy.yaml ;;
kselftest) strip=4 glob='linux-source-6.12/tools/testing/selftests/kselftest/*'
	marker=kselftest/runner.sh ;;
*) echo "usage: $0 ynl-schema|kselftest" >&2; exit 2 ;;
esac

cache=${NF_RL_CACHE:-/var/cache/nf_ratelimit}
tarball=/usr/src/linux-source-6.12.tar.xz
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
dir=$cache/$1-$ver

if [ ! -f "$dir/$marker" ]; then
	mkdir -p "$dir.tmp"
	tar -C "$dir.tmp" --strip-components=$strip -xf "$tarball" --wildcards "$glob"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
fi
echo "$dir"
