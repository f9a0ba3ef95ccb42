#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Count the top-level test points of KTAP results and print them, then
# "K skipped" and the plain closing line CI reads: "N passed, M failed".
#
# CI keeps only the tail of a run's output, so the failed points are printed
# once more just above the closing line, each with the diagnostic lines its
# test printed before it (the last 40).
#
#   ktap-summary.sh LABEL=FILE...     exit status 1 if anything failed
set -uo pipefail

pass=0 fail=0 skip=0
failures=()
for arg in "$@"; do
	label=${arg%%=*} file=${arg#*=}
	diag=()
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*)	skip=$((skip + 1)); echo "[$label] $line" ;;
		"ok "*)			pass=$((pass + 1)); echo "[$label] $line" ;;
		"not ok "*)
			fail=$((fail + 1))
			echo "[$label] $line"
			from=$((${#diag[@]} > 40 ? ${#diag[@]} - 40 : 0))
			failures+=("$(printf '%s\n' "${diag[@]:from}" "[$label] $line")")
			;;
		*)	diag+=("[$label]   $line"); continue ;;
		esac
		diag=()
	done <"$file"
done
if [ "$fail" -gt 0 ]; then
	echo
	echo "==> what failed, with its diagnostics"
	printf '%s\n' "${failures[@]}"
	echo
fi
echo "$skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
