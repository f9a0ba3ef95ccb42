#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rlctl apply -f FILE and rlctl save: a file of rules and settings becomes
# the running configuration all at once; save writes it back so that save,
# apply, save is a fixed point; a file the kernel refuses halfway through
# (a rule it cannot hold after valid ones) or that does not parse leaves the
# old configuration exactly as it was; apply needs CAP_NET_ADMIN.
# (Topology: lib.sh; rlctl runs in rl-dst.)

. "$(dirname "$0")/lib.sh"

RLCTL="$BIN/rlctl"

rl() {	# rl ARGS...: rlctl in rl-dst; output in $TMP/out, errors in $TMP/err
	ip netns exec $DST "$RLCTL" "$@" >"$TMP/out" 2>"$TMP/err"
}

require
[ -x "$RLCTL" ] || ktap_skip_all "rlctl not built"
trap cleanup EXIT
ktap_header 14

load rate=10/second burst=10 max_entries=100 || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL

cat >"$TMP/good" <<'CONF'
# edge policy
set dry-run on full-policy drop
set max-entries 50
rule 0.0.0.0/0 rate 100/second burst 200 prefix-len 24
rule 198.18.0.0/15 rate 5/minute burst 5
rule 203.0.113.0/24 action deny
rule 2001:db8::/32 rate 1000/second prefix-len 48
CONF
rl apply -f "$TMP/good"
ktap_result $? "apply -f FILE"
rl save
cp "$TMP/out" "$TMP/saved"
diag "$(sed -n 2p "$TMP/saved")"
check "save shows the settings" \
	[ "$(grep '^set' "$TMP/saved" | tr '\n' '|')" = \
	  "set dry-run on|set full-policy drop|set max-entries 50|set log off|set owner-rules-max 4096|" ]
check "save shows exactly the file's rules, with their defaults filled in" \
	[ "$(grep '^rule' "$TMP/saved" | tr '\n' '|')" = \
"rule 0.0.0.0/0 rate 100/second burst 200 prefix-len 24|rule 198.18.0.0/15 rate 5/minute burst 5 prefix-len 32|rule 203.0.113.0/24 action deny|rule 2001:db8::/32 rate 1000/second burst 1000 prefix-len 48|" ]
check "the settings are in force" \
	[ "$(ip netns exec $DST grep -c -e 'dry_run 1' -e 'full_policy drop' \
		-e 'max_entries 50' /proc/net/nf_ratelimit/config)" = 3 ]
flood "$TMP/f" -d $DST4 -s 198.18.0.1 -c 10 -r 1000
check "the rules are in force (5 pass, 5 dry-run drops)" \
	[ "$(rl_stat passed)/$(rl_stat dry_run_dropped)" = 5/5 ]

rl apply -f "$TMP/saved"
rl save
check "save, apply, save is a fixed point" cmp -s "$TMP/out" "$TMP/saved"

# Valid rules, then one whose burst the kernel cannot hold: nothing applies.
cat >"$TMP/bad" <<'CONF'
set dry-run off
rule 0.0.0.0/0 action allow
rule 10.0.0.0/8 rate 1/hour burst 100000000
CONF
rl apply -f "$TMP/bad"
ktap_result $(( $? != 1 )) "a file the kernel refuses exits 1"
check "... with the kernel's message" grep -q 'burst window too long' "$TMP/err"
rl save
check "... and the old rules and settings stay, all of them" cmp -s "$TMP/out" "$TMP/saved"

printf 'rule 10.0.0.0/8 action allow\nrule 10.0.0.0/8 action deny\n' >"$TMP/dup"
rl apply -f "$TMP/dup"
ktap_result $(( $? != 2 )) "a file with two rules for one prefix is a usage error"
check "... naming both lines" grep -q 'lines 1 and 2: two rules for 10.0.0.0/8' "$TMP/err"
rl save
check "... and nothing changed" cmp -s "$TMP/out" "$TMP/saved"

# Thousands of rules go in one request, larger than a default socket buffer.
awk 'BEGIN { for (i = 0; i < 4096; i++)
	printf "rule 10.%d.%d.0/24 rate %d/second\n", i / 256, i % 256, i + 1 }' >"$TMP/many"
rl apply -f "$TMP/many"
check "4096 rules apply in one request" [ "$(rl_stat rules)" = 4096 ]

ip netns exec $DST su nobody -s /bin/sh -c "'$RLCTL' apply -f -" <"$TMP/good" 2>/dev/null
[ $? = 1 ] && [ "$(rl_stat rules)" = 4096 ]
ktap_result $? "an unprivileged user may not apply"
ktap_finish
