#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dry_run: a source over its limit loses nothing, and the module counts what
# it would have dropped.  (Topology: lib.sh.)

. "$(dirname "$0")/lib.sh"

require
trap cleanup EXIT
ktap_header 6

load rate=1/second burst=10 dry_run=1 || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
start_sink || exit $KSFT_FAIL
flood "$TMP/f" -d $DST4 -s 203.0.113.7 -c 300 -r 1000
stop_sink

would=$(rl_stat dry_run_dropped)
diag "received $(sink_count 203.0.113.7), passed $(rl_stat passed), would-be drops $would"
check "every packet is received" [ "$(sink_count 203.0.113.7)" = 300 ]
check "nothing is dropped" [ "$(rl_stat dropped)" = 0 ]
check "would-be drops are counted" [ "$would" -ge 250 ]
check "passed + would-be drops = all packets" [ $(( $(rl_stat passed) + would )) = 300 ]
check "the entry counts the would-be drops" [ "$(rl_entry 203.0.113.7/32 dropped)" = "$would" ]
check "config shows dry_run" grep -qx 'dry_run 1' /proc/net/nf_ratelimit/config
ktap_finish
