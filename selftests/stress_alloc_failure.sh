#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failure.  failslab and fail_page_alloc (debugfs fault
# injection, narrowed by stack filter to calls from the module's own text)
# fail one allocation in five, first in the packet path, then in the netlink
# handlers.  Documented degradation:
#   - a new source whose entry cannot be allocated is handled as if the
#     table were full: full_policy decides (accept here, so nothing is lost)
#     and alloc_failed counts it; its next packet tries again;
#   - a request that cannot allocate fails whole with ENOMEM ("out of
#     memory" or "Cannot allocate memory"; a dump may end with "No buffer
#     space available") and changes nothing.
# Every change is checked, with injection off, against what rlctl said:
# done means in force, refused means the previous state.  The debug
# kernel's kmemleak scan after all tests finds anything leaked on the
# failure paths.  Kernels built without fault injection skip this test.
# (Topology: lib.sh; rlctl runs in rl-dst.)

. "$(dirname "$0")/lib.sh"

SOURCES=1000
ROUNDS=100

require
[ -x "$BIN/rlctl" ] || ktap_skip_all "rlctl not built"
if ! fi_available; then
	# Only the debug kernel is built with fault injection.
	[ -n "$NF_RL_DEBUG_KERNEL" ] && ktap_skip_all "the debug kernel lacks failslab, fail_page_alloc or their stack filter"
	echo "1..0 # SKIP this kernel has no failslab, fail_page_alloc or stack filter"
	exit $KSFT_SKIP
fi
trap 'inject 0; cleanup' EXIT
ktap_header 11

load rate=1/minute burst=10 max_entries=$((2 * SOURCES)) full_policy=accept || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
check "fault injection narrowed to the module's text" setup_injection
udp_before=$(udp_received)

# Packet path: three packets from each new source, one allocation in five
# failing; then one more each with injection off.
inject 20
flood "$TMP/a" -d $DST4 -s 198.18.0.1 -n $SOURCES -c 3 -P 9001
inject 0
packet_faults=$(injected)
failed=$(rl_stat alloc_failed)
entries=$(rl_stat entries)
sent=$(awk '{ s += $2 } END { print s }' "$TMP/a")
diag "packet path: $sent packets from $SOURCES sources, $packet_faults failures injected, alloc_failed $failed, $entries entries"
check "allocations failed in the packet path" [ "$failed" -gt 0 ]
all_passed() { [ "$(rl_stat passed)" = "$sent" ] && [ "$(rl_stat dropped)" = 0 ]; }
check "full_policy=accept passed every packet of the sources left without an entry" all_passed
check "... and the receiver's UDP layer got every one" \
	[ "$(( $(udp_received) - udp_before ))" = "$sent" ]
flood "$TMP/b" -d $DST4 -s 198.18.0.1 -n $SOURCES -c 1 -P 9001
check "with memory back, every source has exactly one entry" \
	[ "$(rl_stat entries)" = $SOURCES ]

# Control plane: each change made under injection, then checked without.
# rl ARGS...: rlctl in rl-dst, with its output in $TMP/out and errors in
# $TMP/err; returns 0 done, 1 refused for memory, 2 anything else.
rl() {
	ip netns exec $DST "$BIN/rlctl" "$@" >"$TMP/out" 2>"$TMP/err" && return 0
	grep -Eq "out of memory|Cannot allocate memory|No buffer space available" "$TMP/err" &&
		return 1
	echo "rlctl $*: $(cat "$TMP/err")" >>"$TMP/bad"
	return 2
}
saved() {	# the running configuration, read with injection off
	ip netns exec $DST "$BIN/rlctl" save
}

done_ok=0 refused=0 wrong=0
before=$(injected)
i=0
while [ $i -lt $ROUNDS ]; do
	i=$((i + 1))
	old=$(saved)
	case $((i % 4)) in
	1) set -- rule replace 203.0.113.0/24 rate $i/second burst $((i + 1)) ;;
	2) set -- rule del 203.0.113.0/24 ;;
	3) set -- set dry-run $([ $((i % 8)) = 3 ] && echo on || echo off) max-entries $((SOURCES + i)) ;;
	0)	# a whole configuration: forty rules and the settings
		{
			echo "set full-policy $([ $((i % 8)) = 0 ] && echo drop || echo accept)"
			echo "rule 0.0.0.0/0 rate 1/minute burst 10"
			for j in $(seq 40); do
				echo "rule 2001:db8:$i:$j::/64 rate $j/second algo gcra"
			done
		} >"$TMP/conf"
		set -- apply -f "$TMP/conf" ;;
	esac
	inject 20
	rl "$@"
	rc=$?
	# Reads under injection too: they may fail, never otherwise.
	rl -j rule list
	rl entries
	rl status
	inject 0
	new=$(saved)
	case $rc in
	0)	done_ok=$((done_ok + 1))
		[ "$new" != "$old" ] || {
			wrong=$((wrong + 1)); diag "rlctl $* succeeded but changed nothing"; } ;;
	1)	refused=$((refused + 1))
		[ "$new" = "$old" ] || {
			wrong=$((wrong + 1)); diag "rlctl $* was refused but changed the configuration"; } ;;
	esac
	# (rc 2: "rule del" after a refused "rule replace" finds no rule.)
done
nl_faults=$(( $(injected) - before ))
diag "control plane: $ROUNDS changes, $done_ok done, $refused refused for memory, $wrong inconsistent; $nl_faults failures injected"
grep -v "no rule for this prefix" "$TMP/bad" 2>/dev/null | head -20 | sed 's/^/# /'

check "allocations failed in the netlink handlers" [ "$refused" -gt 0 ]
check "... and some changes still went through" [ "$done_ok" -gt 0 ]
check "a change is either in force or refused with nothing applied" [ "$wrong" = 0 ]
check "no error but memory (and deleting a rule a refused add left absent)" \
	[ -z "$(grep -v "no rule for this prefix" "$TMP/bad" 2>/dev/null)" ]
check "with memory back, the module answers rlctl" rl status
check "... and takes a whole configuration" rl apply -f "$TMP/conf"
stress_summary alloc-failure "$sent" "$(rl_stat dropped)" - 
ktap_finish
