#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# 200,000 malformed generic netlink requests (rl_nlfuzz: random commands,
# flags and attribute trees, lying lengths, truncated messages, nearly valid
# rules with edge values) are refused without harm: from an unprivileged
# user and from a new user namespace nothing changes; as root the family
# still answers afterwards.  The debug kernel's
# KASAN, lockdep and kmemleak checks run after all tests.  (Topology: lib.sh.)

. "$(dirname "$0")/lib.sh"

FUZZ="$BIN/rl_nlfuzz"

snapshot() {	# the state an unprivileged caller must not change
	ip netns exec $DST cat /proc/net/nf_ratelimit/config
	ip netns exec $DST cat /proc/net/nf_ratelimit/rules
	ip netns exec $DST awk 'NR > 1 { print $1, $3, $4 }' /proc/net/nf_ratelimit/entries | sort
}

require
[ -x "$FUZZ" ] || ktap_skip_all "rl_nlfuzz not built"
trap cleanup EXIT
ktap_header 6

load rate=1/minute burst=5 || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
flood "$TMP/f" -d $DST4 -s 203.0.113.1 -n 3 -c 10 -r 1000
snapshot >"$TMP/before"

ip netns exec $DST su nobody -s /bin/sh -c "'$FUZZ' -n 50000 -s 1" >"$TMP/out" 2>&1
ktap_result $? "unprivileged user: 50000 malformed requests all answered"
diag "$(cat "$TMP/out")"
snapshot >"$TMP/after"
check "unprivileged user: nothing changed" cmp -s "$TMP/before" "$TMP/after"

ip netns exec $DST unshare -U "$FUZZ" -n 50000 -s 2 >"$TMP/out" 2>&1
ktap_result $? "new user namespace: 50000 malformed requests all answered"
diag "$(cat "$TMP/out")"
snapshot >"$TMP/after"
check "new user namespace: nothing changed" cmp -s "$TMP/before" "$TMP/after"

ip netns exec $DST "$FUZZ" -n 100000 -s 3 >"$TMP/out" 2>&1
ktap_result $? "root: 100000 malformed requests all answered"
diag "$(cat "$TMP/out")"
check "root: the family still answers" rlctl_answers
diag "rules the root fuzzer left: $(ip netns exec $DST "$BIN/rlctl" rule list | tail -n +2 | wc -l)"
ktap_finish
