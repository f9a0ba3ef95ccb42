#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The stress scenarios' summary, as a Markdown table: one row per scenario
# and kernel, from the "stress-summary:" lines the selftests print
# (selftests/lib.sh, stress_summary).
#
#   stress-table.sh LABEL=RESULTS.KTAP...
set -uo pipefail

echo "| kernel | scenario | packets | drops | max slab bytes | violations |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
for arg in "$@"; do
	label=${arg%%=*} file=${arg#*=}
	sed -n 's/^[# ]*stress-summary: //p' "$file" 2>/dev/null |
	while read -r scenario packets drops slab violations; do
		echo "| $label | $scenario | $packets | $drops | $slab | $violations |"
	done
done
