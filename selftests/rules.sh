#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CIDR rules against the live module, driven by rlctl: the most specific rule
# decides (allow, deny, or limit at its own rate and aggregation prefix); a
# rate changed with "rule replace" applies at once without resetting the
# buckets it covers; the default rules can go; refusals carry the kernel's
# message and change nothing; rules are per namespace and need CAP_NET_ADMIN.
# (Topology: lib.sh; rlctl runs in rl-dst.)

. "$(dirname "$0")/lib.sh"

RLCTL="$BIN/rlctl"

rl() {	# rl ARGS...: rlctl in rl-dst; output in $TMP/out, errors in $TMP/err
	ip netns exec $DST "$RLCTL" "$@" >"$TMP/out" 2>"$TMP/err"
}

exits() {	# exits CODE ARGS...
	code=$1
	shift
	rl "$@"
	[ $? -eq "$code" ]
}

stats_are() {	# stats_are passed/dropped/allowed/denied
	[ "$(rl_stat passed)/$(rl_stat dropped)/$(rl_stat allowed)/$(rl_stat denied)" = "$1" ]
}

require
[ -x "$RLCTL" ] || ktap_skip_all "rlctl not built"
trap cleanup EXIT
ktap_header 26

load rate=1/minute burst=2 max_entries=100 || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL

rl rule list
check "the module parameters are the default rules" \
	sh -c "grep -Eq '^0\.0\.0\.0/0 +limit +1/minute +2 +32 token-bucket +- +- +-$' '$TMP/out' &&
	       grep -Eq '^::/0 +limit +1/minute +2 +64 token-bucket +- +- +-$' '$TMP/out'"

# 203.0.113.0/24 allowed, but its upper half denied, and within that the top
# quarter limited as one source.
rl rule add 203.0.113.0/24 action allow &&
rl rule add 203.0.113.128/25 action deny &&
rl rule add 203.0.113.192/26 rate 1/minute burst 5 prefix-len 26
ktap_result $? "rule add, three nested rules"

flood "$TMP/f" -d $DST4 -s 198.18.0.1 -c 10 -r 1000
check "outside them, the default rule limits: 2 of 10 pass" stats_are 2/8/0/0
flood "$TMP/f" -d $DST4 -s 203.0.113.1 -c 10 -r 1000
check "allow /24: 10 of 10 pass, counted as allowed" stats_are 12/8/10/0
flood "$TMP/f" -d $DST4 -s 203.0.113.129 -c 10 -r 1000
check "deny /25 inside it: 10 of 10 dropped, counted as denied" stats_are 12/18/10/10
flood "$TMP/f" -d $DST4 -s 203.0.113.193 -n 2 -c 10 -r 1000
check "limit /26 inside that: two sources share its burst of 5" stats_are 17/33/10/10
check "... in one entry for the /26" [ "$(rl_entry 203.0.113.192/26 passed)" = 5 ]
rl entries 203.0.113.0/24
check "entries show the rule that governs each" \
	grep -Eq '^203\.0\.113\.192/26 .* 203\.0\.113\.192/26$' "$TMP/out"

rl rule list
check "rule list shows every rule in address order" \
	[ "$(awk 'NR > 1 { printf "%s ", $1 }' "$TMP/out")" = \
	  "0.0.0.0/0 203.0.113.0/24 203.0.113.128/25 203.0.113.192/26 ::/0 " ]
rl -j rule list
check "rule list -j" grep -q '{"prefix":"203.0.113.128/25","action":"deny"}' "$TMP/out"
rl rule get 203.0.113.192/26
check "rule get PREFIX" grep -Eq '^203\.0\.113\.192/26 +limit +1/minute +5 +26 token-bucket +- +- +-$' "$TMP/out"
check "/proc/net/nf_ratelimit/rules agrees" \
	ip netns exec $DST grep -qx '203.0.113.192/26 limit 1/minute 5 26 token-bucket - - -' \
		/proc/net/nf_ratelimit/rules

# Live change: 4 of a burst of 10 used, then the burst doubles: the 6 tokens
# left stay 6 (not a fresh 20), and a burst of 3 clamps them to 3.
rl rule add 198.18.1.0/24 rate 1/minute burst 10
flood "$TMP/f" -d $DST4 -s 198.18.1.1 -c 4 -r 1000
rl rule replace 198.18.1.0/24 rate 1/minute burst 20
check "rate change keeps the bucket: 6 tokens, not reset to 20" \
	[ "$(rl_entry 198.18.1.1/32 tokens)" = 6 ]
rl rule replace 198.18.1.0/24 rate 1/minute burst 3
check "a smaller burst clamps the tokens to 3" [ "$(rl_entry 198.18.1.1/32 tokens)" = 3 ]
flood "$TMP/f" -d $DST4 -s 198.18.1.1 -c 10 -r 1000
check "... and 3 more packets pass" [ "$(rl_entry 198.18.1.1/32 passed)" = 7 ]

exits 1 rule add 203.0.113.0/24 action deny
ktap_result $? "adding a prefix that has a rule exits 1"
check "... with the kernel's message" grep -q 'exists: use replace' "$TMP/err"
exits 1 rule add 10.0.0.0/8 rate 1/hour burst 100000000
ktap_result $? "a burst the kernel cannot hold exits 1"
check "... saying why" grep -q 'burst window too long' "$TMP/err"
exits 2 rule add 10.0.0.1/8 action allow
ktap_result $? "host bits set is a usage error"
exits 1 rule del 10.0.0.0/8
ktap_result $? "deleting a missing rule exits 1"
rl rule list
check "refusals changed nothing" [ "$(grep -c / "$TMP/out")" = 6 ]

rl rule del 0.0.0.0/0
flood "$TMP/f" -d $DST4 -s 198.18.2.1 -c 10 -r 1000
check "without the default rule, unmatched sources pass unmetered" \
	[ "$(rl_stat allowed)" = 20 ]

ip netns exec $SRC "$RLCTL" rule list >"$TMP/out"
check "rules are per namespace: rl-src still has the two default rules" \
	[ "$(grep -c / "$TMP/out")" = 2 ]
ip netns exec $DST su nobody -s /bin/sh -c "'$RLCTL' rule del ::/0" 2>"$TMP/err"
[ $? = 1 ] && grep -q CAP_NET_ADMIN "$TMP/err"
ktap_result $? "an unprivileged user may not change rules"
ip netns exec $DST unshare -U "$RLCTL" rule add 10.0.0.0/8 action allow 2>/dev/null
[ $? = 1 ] && ! rl rule get 10.0.0.0/8
ktap_result $? "nor a caller without CAP_NET_ADMIN in the namespace"
ktap_finish
