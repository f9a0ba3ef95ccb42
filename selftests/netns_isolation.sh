#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Two namespaces never share buckets or counters: one source address is
# limited in rl-dst, then sends the same flood into rl-src, which has a full
# bucket of its own and counters of its own.  (Topology: lib.sh; the second
# flood runs from rl-dst towards rl-src.)

. "$(dirname "$0")/lib.sh"

require
trap cleanup EXIT
ktap_header 6

load rate=1/minute burst=5 || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL

flood "$TMP/a" -d $DST4 -s 203.0.113.9 -c 100 -r 1000
check "rl-dst: burst of 5 passed" [ "$(rl_stat passed)" = 5 ]
check "rl-dst: the rest dropped" [ "$(rl_stat dropped)" = 95 ]
check "rl-src: nothing counted" [ "$(rl_stat passed $SRC)$(rl_stat entries $SRC)" = 00 ]

flood_back "$TMP/b" -d 198.51.100.1 -s 203.0.113.9 -c 100 -r 1000
check "rl-src: same source has its own full bucket" \
	[ "$(rl_entry 203.0.113.9/32 passed $SRC)" = 5 ]
check "rl-src: drops counted there" [ "$(rl_stat dropped $SRC)" = 95 ]
check "rl-dst: counters unchanged" \
	[ "$(rl_stat passed)/$(rl_stat dropped)" = 5/95 ]
ktap_finish
