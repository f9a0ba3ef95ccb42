#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A flood from 1000 distinct (spoofed) sources against max_entries=32, for
# each full_policy.  The flood sends three rounds, one packet per source per
# round, with rate 1/minute and burst 1: the first 32 sources get entries and
# pass one packet each; the other 968 find the table full, 2904 packets that
# then share one bucket (shared), are dropped (drop) or pass (accept).
# (Topology: lib.sh.)

. "$(dirname "$0")/lib.sh"

NSRC=1000
MAX=32
FULL=$(( (NSRC - MAX) * 3 ))

require
trap cleanup EXIT
ktap_header 15

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
ktap_finish
