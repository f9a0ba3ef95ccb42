#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A spoofed flood: two unpaced senders (one per vCPU of the VM) cycle
# through ten times max_entries distinct source addresses for
# NF_RL_STRESS_SECONDS (30 by default), while a legitimate host that was
# there first keeps sending below its rate.  The table must stay within
# max_entries throughout, the legitimate host must lose nothing, every
# packet must be counted exactly once (passed + dropped = sent), and the
# module must still answer rlctl.  The debug kernel's KASAN, lockdep,
# kmemleak and log checks run after all tests.  (Topology: lib.sh; the
# flood goes to UDP port 9001, where nothing listens, so that only the
# legitimate host's packets reach rl_sink on 9000.)

. "$(dirname "$0")/lib.sh"

MAX=1000
SECS=${NF_RL_STRESS_SECONDS:-30}
LEGIT=203.0.113.7

require
[ -x "$BIN/rlctl" ] || ktap_skip_all "rlctl not built"
trap cleanup EXIT
ktap_header 6

load rate=50 burst=50 max_entries=$MAX || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
start_sink || exit $KSFT_FAIL

# The legitimate host outlasts the flood, so that its entry can be read
# while it is still sending.
flood "$TMP/legit" -d $DST4 -s $LEGIT -r 20 -t $((SECS + 6)) &
legit=$!
sleep 1
flood "$TMP/a" -d $DST4 -s 198.18.0.1 -n $((5 * MAX)) -t "$SECS" -P 9001 &
a=$!
flood "$TMP/b" -d $DST4 -s 198.19.0.1 -n $((5 * MAX)) -t "$SECS" -P 9001 &
b=$!

# The table's size, about once a second while the flood runs (a slow VM
# takes longer per sample: the loop follows the senders, not a count).
most=0
while kill -0 $a 2>/dev/null || kill -0 $b 2>/dev/null; do
	sleep 1
	n=$(rl_stat entries)
	[ "${n:-0}" -gt $most ] && most=$n
done
wait $a $b
# The host's entry, while it still sends (GC forgets it a second after its
# last packet), through netlink: /proc's listing resumes by position between
# read() calls, which GC, freeing the flood's entries now, would upset.
ip netns exec $DST "$BIN/rlctl" -j entries $LEGIT/32 >"$TMP/legit.json"
lpassed=$(sed -n 's/.*"passed":\([0-9]*\).*/\1/p' "$TMP/legit.json")
ldropped=$(sed -n 's/.*"dropped":\([0-9]*\).*/\1/p' "$TMP/legit.json")
wait $legit
stop_sink

sent=$(awk '{ s += $2 } END { print s + 0 }' "$TMP/a" "$TMP/b" "$TMP/legit")
counted=$(( $(rl_stat passed) + $(rl_stat dropped) ))
got=$(sink_count $LEGIT)
lsent=$(flood_field "$TMP/legit" $LEGIT sent)
diag "$SECS s: $sent packets from $((10 * MAX + 1)) sources, $(rl_stat dropped) dropped, table_full $(rl_stat table_full), at most $most entries (max_entries $MAX)"
diag "$LEGIT: sent $lsent, received $got; at the flood's end the module had passed $lpassed, dropped $ldropped"

check "the table never grew past max_entries" [ "$most" -le $MAX ]
check "the flood reached the table's limit" [ "$most" -eq $MAX ]
check "every packet was counted once: passed + dropped = sent" [ "$counted" = "$sent" ]
check "the legitimate host lost nothing" [ "$got" = "$lsent" ]
check "... and the module dropped none of its packets" [ "$ldropped" = 0 ]
check "the module still answers rlctl" \
	ip netns exec $DST "$BIN/rlctl" status >/dev/null
ktap_finish
