#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Control-plane churn under a spoofed flood.  While two unpaced senders
# cycle through ten times max_entries sources for NF_RL_STRESS_SECONDS (30
# by default), four rlctl loops run in the flooded namespace:
#   rules     adds, replaces, reads and deletes limit, allow and deny rules
#             over the flood's own addresses, IPv4 and IPv6;
#   settings  flips dry-run, full-policy and max-entries, and changes the
#             default rule's rate and algorithm;
#   sets      flushes the entries, saves the configuration and applies it
#             back whole;
#   readers   dumps entries, rules and status.
# The only failures a loop may see are the others' doing: "no rule for this
# prefix" when an apply restored a set without the rule it was about to
# delete, "no such entry" when the source to flush was flushed or forgotten
# already.  Afterwards every packet must have been counted exactly once, what
# passed must be what the receiver's UDP layer got, the table must have
# stayed within max_entries, and the module must take a configuration and
# show it back exactly.  (Topology: lib.sh; rlctl runs in rl-dst.)

. "$(dirname "$0")/lib.sh"

MAX=1000
SECS=${NF_RL_STRESS_SECONDS:-30}

require
[ -x "$BIN/rlctl" ] || ktap_skip_all "rlctl not built"
trap cleanup EXIT
ktap_header 8

load rate=50 burst=50 max_entries=$MAX || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
udp_before=$(udp_received)

# rl NAME ARGS...: rlctl in rl-dst.  Counts the loop's commands, and records
# any failure that is not another loop's doing in $TMP/bad.NAME.
rl() {
	name=$1
	shift
	echo >>"$TMP/ops.$name"
	ip netns exec $DST "$BIN/rlctl" "$@" >/dev/null 2>"$TMP/err.$name" && return 0
	grep -Eq "no rule for this prefix|no such entry" "$TMP/err.$name" && return 0
	echo "rlctl $*: $(cat "$TMP/err.$name")" >>"$TMP/bad.$name"
}

churn_rules() {
	i=0
	while [ ! -e "$TMP/stop" ]; do
		n=$((i % 20))
		rl rules rule replace 198.18.$n.0/24 rate 10/second burst 5 prefix-len 28 algo sliding-window
		rl rules rule replace 198.19.$n.0/24 action deny
		rl rules rule replace 2001:db8:$n::/48 rate 1kbytes/second algo gcra
		rl rules rule get 198.18.$n.0/24
		rl rules rule replace 198.18.$n.0/24 action allow
		rl rules rule del 198.18.$n.0/24
		rl rules rule del 198.19.$n.0/24
		rl rules rule del 2001:db8:$n::/48
		i=$((i + 1))
	done
}

churn_settings() {
	i=0
	while [ ! -e "$TMP/stop" ]; do
		set -- shared drop accept
		shift $((i % 3))
		rl settings set dry-run $([ $((i % 2)) = 0 ] && echo on || echo off) \
			full-policy "$1" max-entries $((MAX / 2 + i % 2 * MAX / 2))
		rl settings rule replace 0.0.0.0/0 rate $((50 + i % 50))/second burst 50 \
			algo $([ $((i % 2)) = 0 ] && echo gcra || echo token-bucket)
		i=$((i + 1))
	done
}

# A save that the rules loop interrupts warns that it may miss or repeat
# rules (the dump was flagged NLM_F_DUMP_INTR): another loop's doing, and
# that copy is not applied (a repeated rule would be refused).
churn_sets() {
	while [ ! -e "$TMP/stop" ]; do
		rl sets flush
		echo >>"$TMP/ops.sets"
		if ! ip netns exec $DST "$BIN/rlctl" save >"$TMP/saved" 2>"$TMP/err.save"; then
			echo "rlctl save: $(cat "$TMP/err.save")" >>"$TMP/bad.sets"
		elif grep -q "changed during the listing" "$TMP/err.save"; then
			echo >>"$TMP/interrupted.sets"
		elif [ -s "$TMP/err.save" ]; then
			echo "rlctl save: $(cat "$TMP/err.save")" >>"$TMP/bad.sets"
		else
			rl sets apply -f "$TMP/saved"
		fi
		rl sets flush 198.18.0.1/32
	done
}

churn_readers() {
	while [ ! -e "$TMP/stop" ]; do
		rl readers entries
		rl readers -j rule list
		rl readers status
		cat /proc/net/nf_ratelimit/entries >/dev/null 2>&1
	done
}

spoof_flood "$SECS" $((10 * MAX))
pids=
for loop in churn_rules churn_settings churn_sets churn_readers; do
	$loop &
	pids="$pids $!"
done

most=0
while spoof_running; do
	sleep 1
	n=$(rl_stat entries)
	[ "${n:-0}" -gt $most ] && most=$n
done
spoof_wait
touch "$TMP/stop"
# shellcheck disable=SC2086 # a list of pids
wait $pids

sent=$(spoof_sent)
counted=$(rl_counted)
received=$(( $(udp_received) - udp_before ))
passed=$(( $(rl_stat passed) + $(rl_stat dry_run_dropped) ))
dropped=$(rl_stat dropped)
for loop in rules settings sets readers; do
	diag "$loop: $(wc -l <"$TMP/ops.$loop" 2>/dev/null || echo 0) commands, $(cat "$TMP"/bad.$loop 2>/dev/null | wc -l) unexpected failures"
done
diag "saves interrupted by the rules loop (not applied): $(cat "$TMP/interrupted.sets" 2>/dev/null | wc -l)"
cat "$TMP"/bad.* 2>/dev/null | head -20 | sed 's/^/# /'
diag "$SECS s: $sent packets, $dropped dropped, $(rl_stat dry_run_dropped) dry-run drops, at most $most entries; $received reached UDP"

ran() { [ "$(wc -l <"$TMP/ops.$1" 2>/dev/null || echo 0)" -ge 10 ]; }
all_ran() { ran rules && ran settings && ran sets && ran readers; }
check "each of the four loops ran at least ten commands" all_ran
check "no command failed but for another loop's doing" \
	[ -z "$(cat "$TMP"/bad.* 2>/dev/null)" ]
check "the table never grew past max_entries" [ "$most" -le $MAX ]
check "every packet was counted once: passed + dropped + dry-run = sent" \
	[ "$counted" = "$sent" ]
check "what passed (dry-run drops pass) is what the receiver's UDP layer got" \
	[ "$passed" = "$received" ]
check "the module still answers rlctl" rlctl_answers

# After the churn, a configuration goes in whole and comes back exactly.
cat >"$TMP/final" <<CONF
# nf_ratelimit configuration: rlctl apply -f FILE
set dry-run off
set full-policy drop
set max-entries $MAX
set log off
set owner-rules-max 4096
rule 0.0.0.0/0 rate 50/second burst 50 prefix-len 32
rule 198.18.0.0/15 action deny
rule 2001:db8::/32 rate 1kbytes/second burst 65536bytes prefix-len 64 algo gcra
CONF
check "a configuration applies after the churn" \
	ip netns exec $DST "$BIN/rlctl" apply -f "$TMP/final"
ip netns exec $DST "$BIN/rlctl" save >"$TMP/back"
check "... and saves back exactly as applied" cmp -s "$TMP/final" "$TMP/back"
[ -s "$TMP/back" ] && ! cmp -s "$TMP/final" "$TMP/back" && diff "$TMP/final" "$TMP/back" | sed 's/^/# /'
stress_summary churn "$sent" "$dropped" -
ktap_finish
