#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# log=1 and "rlctl set log on|off": a kernel log line when a source starts
# being limited and when it is released, with its rule, its drops and the
# namespace; none when off; a flood of sources limited at once is paced by
# net_ratelimit() (at most message_burst lines per message_cost seconds).
# (Topology: lib.sh; rlctl runs in rl-dst.)

. "$(dirname "$0")/lib.sh"

RLCTL="$BIN/rlctl"
rl() { ip netns exec $DST "$RLCTL" "$@"; }
status_says_log() { rl status | grep -Eqx "log +$1"; }
save_says_log() { rl save | grep -qx "set log $1"; }
logged() { kernel_log "$since" | grep -q "nf_ratelimit: $1"; }

require
[ -x "$RLCTL" ] || ktap_skip_all "rlctl not built"
trap cleanup EXIT
ktap_header 11

load log=2 2>/dev/null
ktap_result $((! $?)) "log=2 is refused at load"
load rate=1/minute burst=1 log=1 || exit $KSFT_FAIL
setup_topology || exit $KSFT_FAIL
inum=$(ip netns exec $DST readlink /proc/self/ns/net | tr -dc 0-9)
rl rule add 198.18.3.0/24 rate 100/second burst 2 || exit $KSFT_FAIL
rl rule add 198.18.4.0/24 proto udp dport 9000 per-port rate 1/minute burst 1 || exit $KSFT_FAIL

check "log=1 shows in rlctl status" status_says_log on

since=$(uptime_s)
flood "$TMP/f" -d $DST4 -s 198.18.3.1 -c 5 -r 10000
# Its drops, read while its last packets keep the entry from being idle: it
# is released either by its next packet or, on a slow kernel where that
# comes more than a second later, by GC, which then frees the entry.
dropped=$(rl_entry 198.18.3.1/32 dropped)
flood "$TMP/f" -d $DST6 -s 2001:db8:5::1 -c 3 -r 10000
flood "$TMP/f" -d $DST4 -s 198.18.4.1 -c 3 -r 10000
sleep 0.2	# the /24's bucket refills in 20 ms: the next packet releases it
flood "$TMP/f" -d $DST4 -s 198.18.3.1 -c 1
sleep 0.5
kernel_log "$since" | grep 'nf_ratelimit: ' >"$TMP/log"
diag "$(cat "$TMP/log")"
check "limited: the source, its rule, drops and namespace" grep -Eq \
	"nf_ratelimit: 198\\.18\\.3\\.1/32 limited by rule 198\\.18\\.3\\.0/24, [1-9][0-9]* dropped, netns $inum\$" "$TMP/log"
check "released: with all its drops" grep -Eq \
	"nf_ratelimit: 198\\.18\\.3\\.1/32 released by rule 198\\.18\\.3\\.0/24, $dropped dropped, netns $inum\$" "$TMP/log"
check "IPv6: the source's /64 under ::/0" grep -Eq \
	"nf_ratelimit: 2001:db8:5::/64 limited by rule ::/0, [1-9][0-9]* dropped, netns $inum\$" "$TMP/log"
check "a selector rule: the source's port, the rule's selector" grep -Eq \
	"nf_ratelimit: 198\\.18\\.4\\.1/32 port 9000 limited by rule 198\\.18\\.4\\.0/24 proto=udp;dport=9000;per-port, [1-9][0-9]* dropped, netns $inum\$" "$TMP/log"

rl set log off
check "set log off shows in rlctl save" save_says_log off
since=$(uptime_s)
flood "$TMP/f" -d $DST4 -s 198.18.3.9 -c 5 -r 10000
sleep 0.2
check "log off: the source was limited" test "$(rl_entry 198.18.3.9/32 dropped)" -gt 0
! logged "198\\.18\\.3\\.9/"
ktap_result $? "log off: nothing logged"

# 300 sources limited at once (burst 1, two packets each): net_ratelimit()
# lets through message_burst lines per message_cost seconds, in every
# interval the flood touched.
rl set log on
burst=$(cat /proc/sys/net/core/message_burst)
cost=$(cat /proc/sys/net/core/message_cost)
before=$(rl_stat dropped)
since=$(uptime_s)
flood "$TMP/f" -d $DST4 -s 198.18.4.1 -n 300 -c 2 -r 20000
sleep 0.2
elapsed=$(awk -v s="$since" -v e="$(uptime_s)" 'BEGIN { print e - s }')
lines=$(kernel_log "$since" | grep -c 'nf_ratelimit: 198\.18\.4\..* limited by rule')
limited=$(($(rl_stat dropped) - before))
bound=$(awk -v e="$elapsed" -v b="$burst" -v c="$cost" 'BEGIN { print b * (int(e / c) + 2) }')
diag "$limited drops from 300 new sources in ${elapsed} s; $lines lines logged, at most $bound allowed"
check "flood of sources: every one limited" test "$limited" -ge 300
check "flood of sources: the log is paced" test "$lines" -ge 1 -a "$lines" -le "$bound"

ktap_finish
