#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Count the top-level test points of KTAP results and print them, then the
# closing line CI reads: "N passed, M failed, K skipped".
#
#   ktap-summary.sh LABEL=FILE...     exit status 1 if anything failed
set -uo pipefail

pass=0 fail=0 skip=0
for arg in "$@"; do
	label=${arg%%=*} file=${arg#*=}
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*)	skip=$((skip + 1)); echo "[$label] $line" ;;
		"ok "*)			pass=$((pass + 1)); echo "[$label] $line" ;;
		"not ok "*)		fail=$((fail + 1)); echo "[$label] $line" ;;
		esac
	done <"$file"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
