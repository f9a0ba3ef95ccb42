#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unload under load.  For NF_RL_STRESS_SECONDS (30 by default), while two
# unpaced senders cycle through ten times max_entries spoofed sources into
# rl-dst and an rlctl loop reconfigures it:
#   - the module is loaded, left to limit for a moment, and unloaded, over
#     and over;
#   - side namespaces rl-tN, each fed by its own flood over a veth pair from
#     rl-src, are deleted while that flood runs (the veth pair dies with the
#     namespace, which ends its sender).
#
#   rl-src --veth-- rl-dst       (the spoofed flood, rlctl loop)
#     |
#     +----veth---- rl-t1, rl-t2, ... (a flood each, deleted under it)
#
# Every load must succeed and every unload too (waiting, as "modprobe -r
# --wait" would, while an rlctl request holds the module), rlctl may only
# find the module there or not there, and once the storm is over the module
# must load, limit and count exactly.  The debug kernel's KASAN, lockdep, hung-task and kmemleak
# checks run after all tests.  (Main topology: lib.sh.)

. "$(dirname "$0")/lib.sh"

MAX=1000
SECS=${NF_RL_STRESS_SECONDS:-30}

require
[ -x "$BIN/rlctl" ] || ktap_skip_all "rlctl not built"
trap 'touch "$TMP/stop"; for t in $(ip netns list | grep -o "^rl-t[0-9]*"); do ip netns del $t; done; cleanup' EXIT
ktap_header 8

setup_topology noipv6 || exit $KSFT_FAIL
spoof_flood "$SECS" $((10 * MAX))
# The last load starts early enough to see the flood (a round waits up to
# 5 s for its first drop).
last_load=$(( $(date +%s) + SECS - 8 ))

# rlctl's only acceptable outcomes while the module comes and goes: done,
# refused because it is not loaded, or the family vanishing mid-request.
churn() {
	while [ ! -e "$TMP/stop" ]; do
		for cmd in "rule replace 198.18.0.0/16 rate 10/second burst 5" \
			   "set dry-run off full-policy drop" "flush" "entries" \
			   "rule del 198.18.0.0/16"; do
			# shellcheck disable=SC2086 # cmd is a word list
			ip netns exec $DST "$BIN/rlctl" $cmd >/dev/null 2>"$TMP/err.churn"
			rc=$?
			echo $rc >>"$TMP/churn.rc"
			[ $rc -le 1 ] || echo "rlctl $cmd: exit $rc: $(cat "$TMP/err.churn")" >>"$TMP/bad.churn"
		done
	done
}
churn &
churn_pid=$!

# Side namespaces, created and deleted under their own flood.
netns_storm() {
	i=0
	while [ ! -e "$TMP/stop" ]; do
		i=$((i + 1))
		t=rl-t$i
		ip netns add $t || break
		ip -n $SRC link add veth-t$i type veth peer name veth-p netns $t || break
		ip -n $t addr add 192.0.2.2/24 dev veth-p
		ip -n $t link set veth-p up
		ip -n $SRC link set veth-t$i up
		mac=$(ip -n $t link show veth-p | awk '/link\/ether/ { print $2 }')
		ip netns exec $SRC "$BIN/rl_flood" -i veth-t$i -m "$mac" -d 192.0.2.2 \
			-s 198.18.128.1 -n 256 -t 10 >/dev/null 2>&1 &
		sleep 1
		ip netns del $t && echo >>"$TMP/netns.deleted"
		wait $!
	done
}
netns_storm &
storm_pid=$!

# unload: rmmod as "modprobe -r --wait" does it.  The kernel refuses to
# unload a module in use (EAGAIN, busybox's rmmod does not wait), and a
# genetlink request or dump of the rlctl loop holds a reference while it
# runs: wait for it, at most 5 s (a reference never put back fails).
unload() {
	i=0
	until rmmod nf_ratelimit 2>"$TMP/rmmod.err"; do
		grep -q "temporarily unavailable" "$TMP/rmmod.err" && [ $i -lt 50 ] ||
			{ cat "$TMP/rmmod.err"; return 1; }
		[ $i = 0 ] && busy=$((busy + 1))
		i=$((i + 1))
		sleep 0.1
	done
}

# One packet per source and minute: the flood's second packet from a source,
# or its first once the table is full, is dropped.
rounds=0 bad_load=0 bad_unload=0 limited=0 busy=0
while [ "$(date +%s)" -lt $last_load ]; do
	if load rate=1/minute burst=1 max_entries=$MAX; then
		i=0
		while [ "$(rl_stat dropped)" = 0 ] && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		[ "$(rl_stat dropped)" -gt 0 ] && limited=$((limited + 1))
		unload || bad_unload=$((bad_unload + 1))
	else
		bad_load=$((bad_load + 1))
	fi
	rounds=$((rounds + 1))
done
spoof_wait
touch "$TMP/stop"
wait $churn_pid $storm_pid
sent=$(spoof_sent)
deleted=$(wc -l <"$TMP/netns.deleted" 2>/dev/null || echo 0)
diag "$rounds load/unload rounds ($limited limited at once, $busy found in use by rlctl and waited for), $deleted namespaces deleted under flood, $(wc -l <"$TMP/churn.rc") rlctl commands; $sent packets"
head -20 "$TMP/bad.churn" 2>/dev/null | sed 's/^/# /'

check "the module loaded and unloaded several times under flood" [ "$rounds" -ge 3 ]
check "every load succeeded" [ "$bad_load" = 0 ]
check "every unload succeeded (within 5 s of the module being in use)" [ "$bad_unload" = 0 ]
check "each loaded module limited the flood at once" [ "$limited" = "$rounds" ]
check "several namespaces were deleted under their flood" [ "$deleted" -ge 3 ]
check "rlctl only ever found the module there or not there" [ ! -e "$TMP/bad.churn" ]

# After the storm: a fresh load limits a known flood and counts it exactly.
load rate=1/minute burst=10 max_entries=$MAX
flood "$TMP/after" -d $DST4 -s 198.18.200.1 -n 100 -c 20 -P 9001
check "after the storm, the module counts every packet once" \
	[ "$(rl_counted)" = "$(awk '{ s += $2 } END { print s }' "$TMP/after")" ]
check "... and limits: 10 of each source's 20 packets pass" \
	[ "$(rl_stat passed)" = 1000 ]
stress_summary unload "$sent" - -
ktap_finish
