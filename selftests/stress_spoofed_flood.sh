#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A spoofed flood: two unpaced senders (one per vCPU of the VM) cycle
# through ten times max_entries distinct source addresses for
# NF_RL_STRESS_SECONDS (30 by default), while a legitimate host that was
# there first keeps sending below its rate.  The table must stay within
# max_entries and the entry cache's slab within its bound throughout (read
# from /proc/slabinfo before, during and after), the legitimate host must
# lose nothing, every packet must be counted exactly once, what passed must
# be what the receiver's UDP layer got, and the module must still answer
# rlctl.  The debug kernel's KASAN, lockdep, kmemleak and log checks run
# after all tests.  (Topology: lib.sh; the flood goes to UDP port 9001,
# where nothing listens, so that only the legitimate host's packets reach
# rl_sink on 9000.)

. "$(dirname "$0")/lib.sh"

MAX=1000
SECS=${NF_RL_STRESS_SECONDS:-30}
LEGIT=203.0.113.7

require
[ -x "$BIN/rlctl" ] || ktap_skip_all "rlctl not built"
trap cleanup EXIT
ktap_header 14

load rate=50 burst=50 max_entries=$MAX || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
start_sink || exit $KSFT_FAIL
slab_before=$(slab_bytes)
udp_before=$(udp_received)

# The legitimate host outlasts the flood, so that its entry can be read
# while it is still sending.
flood "$TMP/legit" -d $DST4 -s $LEGIT -r 20 -t $((SECS + 6)) &
legit=$!
sleep 1
spoof_flood "$SECS" $((10 * MAX))

# The table's size and the entry cache's slab, about once a second while the
# flood runs (a slow VM takes longer per sample: the loop follows the
# senders, not a count).
most=0 slab_most=0
while spoof_running; do
	sleep 1
	n=$(rl_stat entries)
	[ "${n:-0}" -gt $most ] && most=$n
	b=$(slab_bytes)
	[ "$b" != none ] && [ "$b" -gt $slab_most ] && slab_most=$b
done
spoof_wait
# The host's entry, while it still sends (GC forgets it a second after its
# last packet), through netlink: /proc's listing resumes by position between
# read() calls, which GC, freeing the flood's entries now, would upset.
ip netns exec $DST "$BIN/rlctl" -j entries $LEGIT/32 >"$TMP/legit.json"
lpassed=$(sed -n 's/.*"passed":\([0-9]*\).*/\1/p' "$TMP/legit.json")
ldropped=$(sed -n 's/.*"dropped":\([0-9]*\).*/\1/p' "$TMP/legit.json")
wait $legit
stop_sink

sent=$(( $(spoof_sent) + $(awk '{ s += $2 } END { print s + 0 }' "$TMP/legit") ))
counted=$(rl_counted)
received=$(( $(udp_received) - udp_before ))
got=$(sink_count $LEGIT)
lsent=$(flood_field "$TMP/legit" $LEGIT sent)
# Bound: max_entries objects, as many again freed by GC and waiting for
# their RCU grace period (a flood that outpaces GC replaces the whole table
# each interval), and what SLUB keeps per CPU (up to 120 objects of a small
# cache on its partial list plus the slab in use) and per node (up to 10
# partial slabs).
objsize=$(slab_field objsize)
per=$(slab_field objperslab)
bound=$(( (2 * MAX + $(nproc) * (120 + ${per:-0}) + 10 * ${per:-0}) * ${objsize:-0} ))
slab_after=$(slab_bytes)
diag "$SECS s: $sent packets from $((10 * MAX + 1)) sources, $(rl_stat dropped) dropped, table_full $(rl_stat table_full), at most $most entries (max_entries $MAX)"
diag "rl_entry slab: $slab_before bytes before, at most $slab_most during, $slab_after after; bound $bound ($objsize-byte objects, $per per slab)"
diag "$LEGIT: sent $lsent, received $got; at the flood's end the module had passed $lpassed, dropped $ldropped"

check "the table never grew past max_entries" [ "$most" -le $MAX ]
check "the flood reached the table's limit" [ "$most" -eq $MAX ]
slab_bounded() {
	[ "$slab_before" != none ] && [ "$slab_most" -gt 0 ] && [ "$slab_most" -le "$bound" ]
}
# KASAN keeps freed objects in quarantine, still allocated in their slab, so
# on the debug kernel the slab follows the flood's churn, not the table.
if grep -q " __asan_load8$" /proc/kallsyms; then
	ktap_skip "the entry cache's slab stayed within its bound" \
		"KASAN's quarantine holds freed entries"
else
	check "the entry cache's slab stayed within its bound" slab_bounded
fi
# README's Memory: 128 bytes an entry, alignment and SLUB's free pointer
# included (outside the object, since the cache has a constructor).  Lock
# debugging (the debug kernel) and PREEMPT_RT's sleeping spinlocks make it
# larger.
if [ -n "$NF_RL_DEBUG_KERNEL" ] || [ "$(cat /sys/kernel/realtime 2>/dev/null)" = 1 ]; then
	ktap_skip "an entry takes 128 bytes of slab" "its lock is larger on this kernel"
else
	check "an entry takes 128 bytes of slab ($objsize)" [ "$objsize" = 128 ]
fi
check "every packet was counted once: passed + dropped = sent" [ "$counted" = "$sent" ]
check "what passed is what the receiver's UDP layer got" [ "$(rl_stat passed)" = "$received" ]
check "the legitimate host lost nothing" [ "$got" = "$lsent" ]
check "... and the module dropped none of its packets" [ "$ldropped" = 0 ]
check "the module still answers rlctl" rlctl_answers
dropped=$(rl_stat dropped)
rmmod nf_ratelimit
check "unloading destroyed the entry cache" [ "$(slab_bytes)" = none ]
stress_summary spoofed-flood "$sent" "$dropped" "$slab_most"

# A full table under a flood of sources it has not seen: MAX sources fill it
# with two packets each (a count, not a time: the debug kernel under load
# sends a few thousand packets a second) and go quiet, then others, which
# never had an entry, flood it for 4 s.  With idle_timeout's default (10 s) GC keeps the first MAX and
# every packet of the others finds the table full (the overflow state);
# with idle_timeout=1 GC frees the first MAX a second after their last
# packet and the flood takes their places, an entry made and freed for
# each (what make bench measured as a full table dearer than 65,536
# sources).
refill() {	# refill PARAM...: "KEPT GC_FREED OTHERS_SENT TABLE_FULL"
	load rate=50 burst=50 max_entries=$MAX "$@" || return 1
	flood "$TMP/fill" -d $DST4 -s 198.18.0.1 -n $MAX -c 2 -t 60 -P 9001 &&
	flood "$TMP/others" -d $DST4 -s 198.19.0.1 -n 65536 -t 4 -P 9001
	echo "$(ip netns exec $DST grep -c '^198\.18\.' /proc/net/nf_ratelimit/entries)" \
		"$(rl_stat gc_freed)" \
		"$(awk '{ s += $2 } END { print s + 0 }' "$TMP/others")" \
		"$(rl_stat table_full)"
}
read -r kept freed others full <<EOF2
$(refill idle_timeout=10)
EOF2
diag "idle_timeout=10: $kept of the first $MAX sources kept their entries, GC freed $freed; the others sent $others, $full found the table full"
check "idle_timeout=10: the first sources kept the table, GC freed nothing" \
	sh -c "[ '$kept' = $MAX ] && [ '$freed' = 0 ]"
check "... and every packet of the others found it full" [ "$full" = "$others" ]
read -r kept freed others full <<EOF2
$(refill idle_timeout=1)
EOF2
diag "idle_timeout=1: $kept of the first $MAX sources kept their entries, GC freed $freed; the others sent $others, $full found the table full"
check "idle_timeout=1: GC freed the first sources' entries" \
	sh -c "[ '$kept' = 0 ] && [ '${freed:-0}' -ge $MAX ]"
check "... and the others took their places" [ "${full:-0}" -lt "${others:-0}" ]
rmmod nf_ratelimit
ktap_finish
