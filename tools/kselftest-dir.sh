#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print a directory laid out as a kernel tree's tools/testing/selftests with
# its kselftest/ runner (runner.sh, prefix.pl, ktap_helpers.sh), for
# "make -C selftests run_tests": taken once from Debian's linux-source-6.12
# and cached beside the debug kernel.
set -euo pipefail

cache=${NF_RL_CACHE:-/var/cache/nf_ratelimit}
tarball=/usr/src/linux-source-6.12.tar.xz
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
dir=$cache/kselftest-$ver

if [ ! -f "$dir/kselftest/runner.sh" ]; then
	mkdir -p "$dir.tmp"
	tar -C "$dir.tmp" --strip-components=4 -xf "$tarball" --wildcards \
		'linux-source-6.12/tools/testing/selftests/kselftest/*'
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
fi
echo "$dir"
