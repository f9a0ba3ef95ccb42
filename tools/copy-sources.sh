#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Copy the project's sources as a release tarball would hold them: the
# tracked files and new ones not yet committed, never build products.
# make deb and the packaging tests build in such a copy.
#
#   copy-sources.sh DEST
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
git -C "$top" ls-files -z --cached --others --exclude-standard |
	(cd "$top" && xargs -0 cp -P --parents -t "$1")
