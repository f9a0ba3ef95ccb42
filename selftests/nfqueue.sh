#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Packets reinjected by NFQUEUE.  Netfilter runs hooks in softirq, but a
# userspace verdict reinjects its packet into the hooks after the queueing
# one from the verdict's sendmsg(): process context, bottom halves enabled.
# The module's locks (an entry's, the insert lock, the overflow bucket's)
# are also taken in softirq, so a hook that took them with bottom halves on
# could be interrupted, on its own CPU, by a softirq spinning on the lock it
# holds.  Here one prefix's packets are queued to rl_nfq before the module's
# hook while other sources' packets take the usual softirq path through the
# same locks (a full table: max_entries=8, full_policy=shared).  The debug
# kernel's lockdep reports "inconsistent lock state" if the hook ever takes
# them with bottom halves on; on every kernel, reinjected packets are counted
# and limited like any others.
#
#   rl-src                    rl-dst
#   rl_flood 203.0.113.0/24 --> nft prerouting -350: queue 0 ---> rl_nfq
#                                                                  | verdict
#   rl_flood 198.18.0.0/16 ---> nf_ratelimit prerouting -300 <-----+ accept
#                               rl_sink
#
# (Topology otherwise as in lib.sh.)

. "$(dirname "$0")/lib.sh"

RLCTL="$BIN/rlctl"
# A refill of 5 s keeps the prefix's entry from GC until it is read.
RATE=2
BURST=10
SECS=3

require
[ -x "$BIN/rl_nfq" ] || ktap_skip_all "rl_nfq not built"
command -v nft >/dev/null || ktap_skip_all "nft not installed"
trap 'kill "$(cat "$TMP/nfq.ready" 2>/dev/null)" 2>/dev/null; cleanup' EXIT
ktap_header 6

load rate=1000/second burst=1000 max_entries=8 || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
ip netns exec $DST "$RLCTL" rule add 203.0.113.0/24 rate $RATE/second \
	burst $BURST prefix-len 24 || exit $KSFT_FAIL
ip netns exec $DST nft -f - <<-EOF || ktap_skip_all "nft cannot queue here (nf_tables, nft_queue, nfnetlink_queue)"
	table ip rl_nfq {
		chain pre {
			type filter hook prerouting priority -350;
			ip saddr 203.0.113.0/24 queue num 0
		}
	}
	EOF

ip netns exec $DST "$BIN/rl_nfq" -q 0 -f "$TMP/nfq.ready" >"$TMP/nfq" 2>&1 &
nfq_pid=$!
check "rl_nfq bound the queue" wait_ready "$TMP/nfq.ready"
start_sink || exit $KSFT_FAIL

# The prefix's entry first, from a reinjected packet: the table is full soon.
since=$(uptime_s)
flood "$TMP/q0" -d $DST4 -s 203.0.113.1 -c 1
flood "$TMP/q" -d $DST4 -s 203.0.113.1 -n 20 -r 1000 -t $SECS &
q_pid=$!
flood "$TMP/s" -d $DST4 -s 198.18.0.1 -n 200 -r 2000 -t $SECS
wait $q_pid
stop_sink
kill "$(cat "$TMP/nfq.ready")"
wait $nfq_pid
diag "$(cat "$TMP/nfq")"

verdicts=$(awk '$1 == "verdicts" { print $2 }' "$TMP/nfq")
passed=$(rl_entry 203.0.113.0/24 passed)
dropped=$(rl_entry 203.0.113.0/24 dropped)
received=0
for a in $(awk '$1 ~ /^203\.0\.113\./ { print $1 }' "$TMP/sink"); do
	received=$((received + $(sink_count "$a")))
done
diag "queued prefix: $verdicts verdicts, $passed passed, $dropped dropped, $received received"
check "queued packets came back through verdicts" [ "${verdicts:-0}" -gt $BURST ]
check "the hook charged every reinjected packet" \
	[ "$((passed + dropped))" = "$verdicts" ]
# The queue delays packets; a generous second covers it.
check "reinjected packets are limited to burst + rate * t" \
	within "$passed" $BURST $((BURST + RATE * (SECS + 1)))
check "what passed reached the receiver" [ "$received" = "$passed" ]
check "no lock-state, sleep-in-atomic or other report in the kernel log" \
	[ -z "$(kernel_splats "$since")" ]
ktap_finish
