#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload the module five times while an unpaced flood from 256
# sources runs: each load must attach to the existing namespaces and limit
# at once, each unload must finish cleanly.  The debug kernel's KASAN,
# lockdep and kmemleak checks run after all tests.  (Topology: lib.sh.)

. "$(dirname "$0")/lib.sh"

ROUNDS=5

require
trap cleanup EXIT
ktap_header $((ROUNDS * 3 + 1))

setup_topology noipv6 || exit $KSFT_FAIL
since=$(uptime_s)
flood "$TMP/f" -d $DST4 -s 198.18.1.0 -n 256 -t 60 &
flood_pid=$!
sleep 1

for i in $(seq $ROUNDS); do
	check "round $i: loads under flood" load rate=100 burst=10 max_entries=128
	sleep 1
	passed=$(rl_stat passed)
	dropped=$(rl_stat dropped)
	diag "round $i: passed $passed dropped $dropped entries $(rl_stat entries)"
	check "round $i: limits at once" [ "${dropped:-0}" -gt 0 ]
	check "round $i: unloads under flood" rmmod nf_ratelimit
done
kill $flood_pid 2>/dev/null
wait $flood_pid 2>/dev/null

check "no kernel report in the log since the first load" \
	[ -z "$(kernel_splats "$since")" ]
ktap_finish
