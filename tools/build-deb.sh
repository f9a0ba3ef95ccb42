#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: build nf-ratelimit-dkms and rlctl with debhelper, from a copy of
# the tracked sources (what a release tarball would hold), into .build/deb,
# and run lintian on them.
#
#   build-deb.sh          prints the directory holding the .deb files
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/.build/deb
version=$(cat "$top/VERSION")
src=$out/nf-ratelimit-$version

changelog=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
if [ "$changelog" != "$version" ]; then
	echo "build-deb: debian/changelog says $changelog, VERSION says $version" >&2
	exit 1
fi
rm -rf "$out"
"$top/tools/copy-sources.sh" "$src"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
	tail -40 "$out/build.log" >&2
	exit 1
}
# Every tag lintian finds is a failure, unless debian/*.lintian-overrides
# says why it does not apply.
lintian --fail-on error,warning,info --suppress-tags-from-file /dev/null \
	"$out"/*.changes >"$out/lintian.log" 2>&1 || {
	cat "$out/lintian.log" >&2
	exit 1
}
echo "$out"
