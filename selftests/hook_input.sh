#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hook=input with a custom priority: limiting works at NF_INET_LOCAL_IN too.
# (Topology: lib.sh.)

. "$(dirname "$0")/lib.sh"

require
trap cleanup EXIT
ktap_header 4

load rate=1/minute burst=3 hook=input priority=10 || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
start_sink || exit $KSFT_FAIL
flood "$TMP/f" -d $DST4 -s 203.0.113.5 -c 20 -r 1000
stop_sink

check "burst of 3 received" [ "$(sink_count 203.0.113.5)" = 3 ]
check "17 dropped" [ "$(rl_stat dropped)" = 17 ]
check "config shows the hook" grep -qx 'hook input' /proc/net/nf_ratelimit/config
check "config shows the priority" grep -qx 'priority 10' /proc/net/nf_ratelimit/config
ktap_finish
