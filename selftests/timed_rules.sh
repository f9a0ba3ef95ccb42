#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Timed rules and owners, through rlctl: a rule with a timeout drops out by
# itself (no userspace involved) and reports the time it has left; replacing
# it renews it; an agent's rules (an owner tag) survive the administrator's
# "apply" unless the file has a rule for the same prefix, are left out of
# "save", and are capped per owner; an agent cannot touch the administrator's
# rules.  Entry dumps filter by rule and by recent activity in the kernel.
# (Topology: lib.sh; rlctl runs in rl-dst.)

. "$(dirname "$0")/lib.sh"

RLCTL="$BIN/rlctl"

rl() {	# rl ARGS...: rlctl in rl-dst; output in $TMP/out, errors in $TMP/err
	ip netns exec $DST "$RLCTL" "$@" >"$TMP/out" 2>"$TMP/err"
}

# proc_rule PREFIX FIELD: a column of /proc/net/nf_ratelimit/rules, or "none".
proc_rule() {
	ip netns exec $DST awk -v p="$1" -v f="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == p { print $col[f]; found = 1 }
		END { if (!found) print "none" }' /proc/net/nf_ratelimit/rules
}

# gone_within SECONDS PREFIX: polls until the kernel has removed the rule
# (rules_expired counts it; /proc leaves it out from its expiry on).
gone_within() {
	i=0
	while [ "$(proc_rule "$2" owner)" != none ] || [ "$(rl_stat rules_expired)" = 0 ]; do
		[ $i -ge $(($1 * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

require
[ -x "$RLCTL" ] || ktap_skip_all "rlctl not built"
trap cleanup EXIT
ktap_header 21

load rate=1/minute burst=2 max_entries=4096 || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL

# A ban that lifts itself.
rl rule add 203.0.113.7 action deny timeout 3s
ktap_result $? "rule add ... timeout 3s"
left=$(proc_rule 203.0.113.7/32 timeout_ms)
diag "time left just after the add: ${left} ms"
check "/proc shows the time left, at most the timeout" within "$left" 1 3000
rl rule list
check "rule list shows the timeout" \
	grep -Eq '^203\.0\.113\.7/32 +deny .* - +(3s|[0-9]+ms)( +-)?$' "$TMP/out"
flood "$TMP/f" -d $DST4 -s 203.0.113.7 -c 5 -r 1000
check "the timed deny drops while it lasts" [ "$(rl_stat denied)" = 5 ]
t0=$(uptime_s)
gone_within 8 203.0.113.7/32
ktap_result $? "the rule is gone within its timeout and a few seconds, untouched"
diag "gone after $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { print b - a }') s of the 3 s"
check "rules_expired counts it" [ "$(rl_stat rules_expired)" = 1 ]
flood "$TMP/f" -d $DST4 -s 203.0.113.7 -c 5 -r 1000
diag "denied/passed/dropped: $(rl_stat denied)/$(rl_stat passed)/$(rl_stat dropped)"
check "its source meets the default rule again (2 pass, 3 more dropped)" \
	[ "$(rl_stat denied)/$(rl_stat passed)/$(rl_stat dropped)" = 5/2/8 ]

# Replacing renews: 2 s, then replaced with 30 s, has more than 2 s left.
rl rule add 203.0.113.8 action deny timeout 2s &&
	rl rule replace 203.0.113.8 action deny timeout 30s
check "rule replace renews the timeout" within "$(proc_rule 203.0.113.8/32 timeout_ms)" 20001 30000
rl rule replace 203.0.113.8 action deny
check "rule replace without a timeout makes it permanent" \
	[ "$(proc_rule 203.0.113.8/32 timeout_ms)" = - ]

# An agent's rules beside the administrator's.
rl rule add 198.51.100.77 action deny timeout 1m owner cluster
ktap_result $? "rule add ... owner cluster"
rl rule del 0.0.0.0/0 owner cluster
check "an owner cannot delete the administrator's rule" \
	sh -c "[ $? = 1 ] && grep -q 'another owner' '$TMP/err'"
cat >"$TMP/conf" <<'CONF'
rule 0.0.0.0/0 rate 1/minute burst 2
rule 203.0.113.8 action deny
CONF
rl apply -f "$TMP/conf"
check "apply keeps the agent's rule" [ "$(proc_rule 198.51.100.77/32 owner)" = cluster ]
rl save
check "save leaves the agent's rule out, and says so" \
	sh -c "! grep -q 198.51.100.77 '$TMP/out' && grep -q '^# 1 rules of agents' '$TMP/out'"
echo "rule 198.51.100.77 action deny owner cluster" >>"$TMP/conf"
rl apply -f "$TMP/conf"
check "apply refuses a file with an owner's rule" \
	sh -c "[ $? = 2 ] && grep -q 'owner' '$TMP/err'"
rl set owner-rules-max 1
rl rule add 198.51.100.78 action deny owner cluster
check "an owner at owner-rules-max is refused" \
	sh -c "[ $? = 1 ] && grep -q 'owner-rules-max' '$TMP/err'"
check "owner_rules_refused is 1" [ "$(rl_stat owner_rules_refused)" = 1 ]
rl rule add 198.51.100.78 action deny
check "the administrator is not capped" [ $? = 0 ]
echo "rule 198.51.100.77 action allow" >"$TMP/conf2"
rl apply -f "$TMP/conf2"
check "the administrator's rule for the same prefix wins over the agent's" \
	[ "$(proc_rule 198.51.100.77/32 action)/$(proc_rule 198.51.100.77/32 owner)" = allow/- ]

# Entry dumps filtered in the kernel: by rule, and by recent activity.
cat >"$TMP/conf3" <<'CONF'
rule 0.0.0.0/0 rate 1/minute burst 2
rule 198.18.5.0/24 rate 1/minute burst 2
CONF
rl apply -f "$TMP/conf3"
flood "$TMP/f" -d $DST4 -s 198.19.0.1 -n 2000 -c 1 -r 4000
flood "$TMP/f" -d $DST4 -s 198.18.5.1 -n 3 -c 3 -r 2000
rl entries rule 198.18.5.0/24
check "entries rule PREFIX lists that rule's sources only" \
	[ "$(tail -n +2 "$TMP/out" | awk '{ print $1 }' | sort | tr '\n' ' ')" = \
	  "198.18.5.1/32 198.18.5.2/32 198.18.5.3/32 " ]
sleep 1.5
flood "$TMP/f" -d $DST4 -s 198.19.0.1 -c 1 -r 2000
rl entries active 1s
diag "$(ip netns exec $DST awk 'NR > 1' /proc/net/nf_ratelimit/entries | wc -l) entries in the table"
check "entries active 1s lists the one source of 2003 heard since" \
	[ "$(tail -n +2 "$TMP/out" | awk '{ print $1 }' | tr '\n' ' ')" = "198.19.0.1/32 " ]
rl rule add 10.0.0.1 action deny timeout 31d
check "a timeout over 30 days is refused" [ $? = 2 ]

ktap_finish
