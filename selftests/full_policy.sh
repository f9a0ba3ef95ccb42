#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A flood from 1000 distinct (spoofed) sources against max_entries=32, for
# each full_policy.  The flood sends three rounds, one packet per source per
# round, with rate 1/minute and burst 1: the first 32 sources get entries and
# pass one packet each; the other 968 find the table full, 2904 packets that
# then share one bucket (shared), are dropped (drop) or pass (accept).
# Then shared again with an IPv4 rule under GCRA and an IPv6 rule under the
# token bucket, flooded at once: a rule of one algorithm must not reset the
# other's overflow state.  (Topology: lib.sh.)

. "$(dirname "$0")/lib.sh"

NSRC=1000
MAX=32
FULL=$(( (NSRC - MAX) * 3 ))

require
trap cleanup EXIT
ktap_header 18

for policy in shared drop accept; do
	case $policy in
	# One token in the shared bucket, plus one more if a minute passed.
	shared) lo=$((MAX + 1)) hi=$((MAX + 2)) ;;
	drop) lo=$MAX hi=$MAX ;;
	accept) lo=$((MAX + FULL)) hi=$((MAX + FULL)) ;;
	esac

	load rate=1/minute burst=1 max_entries=$MAX full_policy=$policy ||
		exit $KSFT_FAIL
	setup_topology noipv6 || exit $KSFT_FAIL
	start_sink || exit $KSFT_FAIL
	flood "$TMP/f" -d $DST4 -s 198.18.0.1 -n $NSRC -c 3 -r 5000
	stop_sink

	got=$(sink_total)
	diag "$policy: received $got, entries $(rl_stat entries), table_full $(rl_stat table_full)"
	check "$policy: entries stop at max_entries" [ "$(rl_stat entries)" = $MAX ]
	check "$policy: every packet from an untracked source is counted" \
		[ "$(rl_stat table_full)" = $FULL ]
	check "$policy: received $lo..$hi" within "$got" $lo $hi
	check "$policy: the first sources keep their entries" \
		[ "$(rl_entry 198.18.0.1/32 passed)" = 1 ] && \
		[ "$(rl_entry 198.18.0.32/32 passed)" = 1 ]
	check "$policy: later sources get none" [ "$(rl_entry 198.18.0.33/32 passed)" = none ]

	ip netns del $SRC
	ip netns del $DST
done

# Shared, with limit rules of two algorithms: IPv4 under GCRA, IPv6 under
# the token bucket, and spoofed floods of both families at once.  Each
# algorithm has its own overflow state, so together they pass each one's
# burst (one more each if a minute passed), however the families alternate.
load rate=1/minute burst=1 v6_prefix=128 max_entries=$MAX full_policy=shared ||
	exit $KSFT_FAIL
setup_topology || exit $KSFT_FAIL
ip netns exec $DST "$BIN/rlctl" rule replace 0.0.0.0/0 rate 1/minute burst 1 \
	prefix-len 32 algo gcra || exit $KSFT_FAIL
start_sink || exit $KSFT_FAIL
flood "$TMP/f4" -d $DST4 -s 198.18.0.1 -n 500 -c 3 -r 2500 &
f4_pid=$!
flood "$TMP/f6" -d $DST6 -s 2001:db8:1::1 -n 500 -c 3 -r 2500
wait $f4_pid
stop_sink
got=$(sink_total)
diag "two algorithms: received $got, entries $(rl_stat entries), table_full $(rl_stat table_full)"
check "two algorithms: the table filled up" [ "$(rl_stat entries)" = $MAX ]
check "two algorithms: the untracked sources went to the overflow" \
	[ "$(rl_stat table_full)" -gt $((2 * (1000 - MAX))) ]
# At most one packet per entry, and burst (+1) per algorithm's overflow.
check "two algorithms: received at most $((MAX + 4))" within "$got" 1 $((MAX + 4))
ktap_finish
