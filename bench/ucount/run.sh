#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Instructions per decision of each algorithm (callgrind, deterministic),
# as CSV on stdout: algo,mode,instructions_per_charge.  The loop's own
# instructions (mode "empty") are subtracted.
set -euo pipefail
cd "$(dirname "$0")"
make -s ucount
N=100000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

count() {	# count ALGO MODE: callgrind's instructions inside measure()
	valgrind --tool=callgrind --collect-atstart=no --toggle-collect=measure \
		--callgrind-out-file="$tmp/out" ./ucount "$1" "$2" $N >/dev/null 2>&1
	sed -n 's/^totals: \([0-9]*\).*/\1/p' "$tmp/out"
}

empty=$(count token-bucket empty)
echo "algo,mode,instructions_per_charge"
for algo in token-bucket gcra sliding-window; do
	for mode in pass drop bytes; do
		total=$(count "$algo" "$mode")
		awk -v t="$total" -v e="$empty" -v n=$N -v a="$algo" -v m="$mode" \
			'BEGIN { printf "%s,%s,%.1f\n", a, m, (t - e) / n }'
	done
done
