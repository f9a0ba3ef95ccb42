#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rlctl import on real rule sets: iptables (legacy) with hashlimit rules and
# nft with meters are loaded in rl-dst, dumped with iptables-save and nft
# list ruleset, and converted.  The same traffic then runs through the
# original rules and, with them removed, through nf_ratelimit configured
# with the conversion: every source must get the same share through, within
# tolerances computed from each run's own timing.  (Topology: lib.sh; the
# rules, rlctl and the sink are in rl-dst.)
#
# The rule sets limit 198.18.1.0/24 per address and 198.18.2.0/24 per /24
# (both 10/s, burst 20), and hold one rule import cannot convert (it also
# matches a UDP source port, on which no test traffic runs).  Sources:
# 198.18.1.1 and .2 (a bucket each), 198.18.2.1 and .2 (one bucket),
# 203.0.113.7 (no rule: never limited).  They also hold three recipes of
# README's "Selectors", counted by the receiver's TCP and UDP counters:
# SSH SYNs at 3/minute burst 5 (198.18.3.1, 20 SYNs to port 22), DNS at
# 50/s burst 50 per /24 (198.18.4.1 to .40, 10 each to port 53), and SYNs
# to 80 and 443 at 100/s burst 100 (198.18.5.1, 300 SYNs to 443).

. "$(dirname "$0")/lib.sh"

RLCTL="$BIN/rlctl"
RATE=10
BURST=20
PER_SOURCE=100		# packets each source sends, at PPS each
PPS=100
IPT=${NF_RL_XTABLES:-/usr/sbin/xtables-legacy-multi}
NFT=${NF_RL_NFT:-/usr/sbin/nft}

require
[ -x "$RLCTL" ] || ktap_skip_all "rlctl not built"
[ -x "$IPT" ] || ktap_skip_all "no $IPT (iptables)"
[ -x "$NFT" ] || ktap_skip_all "no $NFT"
trap cleanup EXIT
ktap_header 18

in_dst() { ip netns exec $DST "$@"; }

# traffic NAME: the three groups in turn, then the sink's per-source counts
# in $TMP/NAME.got ("ADDR RECEIVED EXPECTED") and the floods' in
# $TMP/NAME.flood.  EXPECTED is burst + rate x the group's sending time,
# or everything sent for the unlimited source.
traffic() {
	start_sink || return 1
	flood "$TMP/$1.g1" -d $DST4 -s 198.18.1.1 -n 2 -c $PER_SOURCE -r $((2 * PPS))
	flood "$TMP/$1.g2" -d $DST4 -s 198.18.2.1 -n 2 -c $PER_SOURCE -r $((2 * PPS))
	flood "$TMP/$1.g3" -d $DST4 -s 203.0.113.7 -n 1 -c $PER_SOURCE -r $PPS
	stop_sink
	cat "$TMP/$1".g? >"$TMP/$1.flood"
	{
		for a in 198.18.1.1 198.18.1.2; do
			awk -v a=$a -v got="$(sink_count $a)" -v r=$RATE -v b=$BURST \
				'$1 == a { print a, got, b + r * ($4 - $3) / 1e9 }' "$TMP/$1.g1"
		done
		# One bucket for the /24: its two sources' sum, over the
		# group's whole sending time.
		awk -v got=$(($(sink_count 198.18.2.1) + $(sink_count 198.18.2.2))) \
			-v r=$RATE -v b=$BURST '
			NR == 1 || $3 < first { first = $3 }
			$4 > last { last = $4 }
			END { print "198.18.2.0/24", got, b + r * (last - first) / 1e9 }' "$TMP/$1.g2"
		awk -v got="$(sink_count 203.0.113.7)" '{ print $1, got, $2 }' "$TMP/$1.g3"
	} >"$TMP/$1.got"
	diag "$1: source received expected: $(tr '\n' ';' <"$TMP/$1.got")"
}

snmp() {	# snmp Tcp|Udp FIELD: a counter of rl-dst's /proc/net/snmp
	in_dst awk -v p="$1:" -v f="$2" '$1 == p && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
		$1 == p { print $col[f] }' /proc/net/snmp
}

udp_in() {
	echo $(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
}

# recipes NAME: the three recipes' traffic; $TMP/NAME.rec gets, per recipe,
# "RECIPE RECEIVED BOUND": BOUND is burst + rate x its sending time, + 1.
recipes() {
	before=$(snmp Tcp InSegs)
	flood "$TMP/$1.r1" -d $DST4 -s 198.18.3.1 -c 20 -P 22 -T syn -r 200
	ssh=$(($(snmp Tcp InSegs) - before))
	before=$(udp_in)
	flood "$TMP/$1.r2" -d $DST4 -s 198.18.4.1 -n 40 -c 10 -P 53 -r 2000
	dns=$(($(udp_in) - before))
	before=$(snmp Tcp InSegs)
	flood "$TMP/$1.r4" -d $DST4 -s 198.18.5.1 -c 300 -P 443 -T syn -r 2000
	web=$(($(snmp Tcp InSegs) - before))
	{
		echo "ssh $ssh $(bound "$TMP/$1.r1" 5 0.05)"
		echo "dns $dns $(bound "$TMP/$1.r2" 50 50)"
		echo "web $web $(bound "$TMP/$1.r4" 100 100)"
	} >"$TMP/$1.rec"
	diag "$1: recipe received bound: $(tr '\n' ';' <"$TMP/$1.rec")"
}

bound() {	# bound FLOODFILE BURST RATE
	awk -v b="$2" -v r="$3" '{ if (!f || $3 < f) f = $3; if ($4 > l) l = $4 }
		END { printf "%d\n", b + r * (l - f) / 1e9 + 1 }' "$1"
}

# recipes_as_expected NAME: each recipe let through its burst at least, and
# no more than its bound.
recipes_as_expected() {
	awk -v burst="ssh 5 dns 50 web 100" 'BEGIN { split(burst, b, " "); for (i = 1; i < 6; i += 2) min[b[i]] = b[i + 1] }
		$2 < min[$1] || $2 > $3 { bad = 1 } END { exit bad || NR != 3 }' "$TMP/$1.rec"
}

recipes_both() {	# recipes_both ipt|nft: the original rules and the conversion
	recipes_as_expected "$1.orig" && recipes_as_expected "$1.nf_ratelimit"
}

# as_expected NAME: every source within 15 % (and 3 packets) of what its
# rate allowed in that run.
as_expected() {
	awk '{ d = $2 - $3; if (d < 0) d = -d; if (d > 3 + 0.15 * $3) bad = 1 } END { exit bad }' \
		"$TMP/$1.got"
}

# same_shares A B: run B got every source within 15 % (and 3 packets) of
# what run A did.
same_shares() {
	paste "$TMP/$1.got" "$TMP/$2.got" | awk '
		$1 != $4 { bad = 1 }
		{ d = $2 - $5; if (d < 0) d = -d; if (d > 3 + 0.15 * $2) bad = 1 }
		END { exit bad }'
}

# converted NAME: apply $TMP/NAME.conf and run the traffic through the module,
# then put the configuration the module loaded with back and forget every
# source: the next rule set's original run must not also cross these limits,
# nor its conversion find buckets this run emptied.
converted() {
	in_dst "$RLCTL" apply -f "$TMP/$1.conf" || return 1
	traffic "$1.nf_ratelimit"
	recipes "$1.nf_ratelimit"
	in_dst "$RLCTL" apply -f "$TMP/loaded.conf" && in_dst "$RLCTL" flush
}

load rate=0 || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
in_dst "$RLCTL" save >"$TMP/loaded.conf" || exit $KSFT_FAIL

# --- iptables -----------------------------------------------------------
in_dst "$IPT" iptables-restore <<EOF
*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 198.18.1.0/24 -m hashlimit --hashlimit-above $RATE/sec --hashlimit-burst $BURST --hashlimit-mode srcip --hashlimit-name a -j DROP
-A INPUT -s 198.18.2.0/24 -m hashlimit --hashlimit-above $RATE/sec --hashlimit-burst $BURST --hashlimit-mode srcip --hashlimit-srcmask 24 --hashlimit-name b -j DROP
-A INPUT -p udp -m udp --sport 9001 -m hashlimit --hashlimit-above 1/sec --hashlimit-mode srcip --hashlimit-name c -j DROP
-A INPUT -p tcp -m tcp --dport 22 --syn -m hashlimit --hashlimit-above 3/min --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name ssh -j DROP
-A INPUT -p udp -m udp --dport 53 -m hashlimit --hashlimit-above 50/sec --hashlimit-burst 50 --hashlimit-mode srcip --hashlimit-srcmask 24 --hashlimit-name dns -j DROP
-A INPUT -p tcp -m multiport --dports 80,443 --syn -m hashlimit --hashlimit-above 100/sec --hashlimit-burst 100 --hashlimit-mode srcip --hashlimit-name web -j DROP
COMMIT
EOF
ktap_result $? "iptables: the hashlimit rule set loads"
in_dst "$IPT" iptables-save >"$TMP/ipt.save"
"$RLCTL" import -f "$TMP/ipt.save" >"$TMP/ipt.conf" 2>"$TMP/ipt.err"
ktap_result $(($? != 1)) "iptables: import says one rule was not converted"
sed 's/^/# /' "$TMP/ipt.conf"
check "iptables: the two srcip limits convert" \
	grep -qx 'rule 198.18.1.0/24 rate 10/second burst 20 prefix-len 32' "$TMP/ipt.conf"
check "iptables: ... the per-/24 one with prefix-len 24" \
	grep -qx 'rule 198.18.2.0/24 rate 10/second burst 20 prefix-len 24' "$TMP/ipt.conf"
check "iptables: the source-port rule is explained" \
	grep -q "^# not converted: it also matches on '--sport 9001'" "$TMP/ipt.conf"
check "iptables: the three recipes convert with their selectors" sh -c "
	grep -qx 'rule 0.0.0.0/0 proto tcp dport 22 syn rate 3/minute burst 5 prefix-len 32' '$TMP/ipt.conf' &&
	grep -qx 'rule 0.0.0.0/0 proto udp dport 53 rate 50/second burst 50 prefix-len 24' '$TMP/ipt.conf' &&
	grep -qx 'rule 0.0.0.0/0 proto tcp dport 80,443 syn rate 100/second burst 100 prefix-len 32' '$TMP/ipt.conf'"

traffic ipt.orig
recipes ipt.orig
check "iptables: hashlimit limits as configured" as_expected ipt.orig
in_dst "$IPT" iptables -F INPUT
converted ipt
check "iptables: the conversion limits as configured" as_expected ipt.nf_ratelimit
check "iptables: every source gets the same share both ways" same_shares ipt.orig ipt.nf_ratelimit
check "iptables: the recipes limit as configured both ways" recipes_both ipt

# --- nft --------------------------------------------------------------------
in_dst "$NFT" -f - <<EOF
table inet rl_import {
	set a { type ipv4_addr; size 65535; flags dynamic; }
	set b { type ipv4_addr; size 65535; flags dynamic; }
	set c { type ipv4_addr; size 65535; flags dynamic; }
	set d { type ipv4_addr; size 65535; flags dynamic; }
	set e { type ipv4_addr; size 65535; flags dynamic; }
	set f { type ipv4_addr; size 65535; flags dynamic; }
	chain input {
		type filter hook input priority filter; policy accept;
		ip saddr 198.18.1.0/24 update @a { ip saddr limit rate over $RATE/second burst $BURST packets } drop
		ip saddr 198.18.2.0/24 update @b { ip saddr and 255.255.255.0 limit rate over $RATE/second burst $BURST packets } drop
		udp sport 9001 update @c { ip saddr limit rate over 1/second } drop
		tcp dport 22 tcp flags syn / fin,syn,rst,ack update @d { ip saddr limit rate over 3/minute burst 5 packets } drop
		udp dport 53 update @e { ip saddr and 255.255.255.0 limit rate over 50/second burst 50 packets } drop
		tcp dport { 80, 443 } tcp flags syn / fin,syn,rst,ack update @f { ip saddr limit rate over 100/second burst 100 packets } drop
	}
}
EOF
ktap_result $? "nft: the meter rule set loads"
in_dst "$NFT" list ruleset >"$TMP/nft.list"
"$RLCTL" import -f "$TMP/nft.list" >"$TMP/nft.conf" 2>"$TMP/nft.err"
ktap_result $(($? != 1)) "nft: import says one rule was not converted"
sed 's/^/# /' "$TMP/nft.conf"
check "nft: the two meters convert, one per /24" sh -c "
	grep -qx 'rule 198.18.1.0/24 rate 10/second burst 20 prefix-len 32' '$TMP/nft.conf' &&
	grep -qx 'rule 198.18.2.0/24 rate 10/second burst 20 prefix-len 24' '$TMP/nft.conf'"
check "nft: the three recipes convert with their selectors" sh -c "
	grep -qx 'rule 0.0.0.0/0 proto tcp dport 22 syn rate 3/minute burst 5 prefix-len 32' '$TMP/nft.conf' &&
	grep -qx 'rule 0.0.0.0/0 proto udp dport 53 rate 50/second burst 50 prefix-len 24' '$TMP/nft.conf' &&
	grep -qx 'rule 0.0.0.0/0 proto tcp dport 80,443 syn rate 100/second burst 100 prefix-len 32' '$TMP/nft.conf'"

traffic nft.orig
recipes nft.orig
check "nft: the meters limit as configured" as_expected nft.orig
in_dst "$NFT" flush ruleset
converted nft
check "nft: the conversion limits as configured" as_expected nft.nf_ratelimit
check "nft: every source gets the same share both ways" same_shares nft.orig nft.nf_ratelimit
check "nft: the recipes limit as configured both ways" recipes_both nft

ktap_finish
