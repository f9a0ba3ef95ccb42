#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Rules with selectors against real traffic: the six recipes of README's
# "Selectors" and the rows of its precedence table.  Each count is the
# receiver's own (its TCP, UDP and ICMP counters, or rl_tcp's), bounded by
# burst + rate x the time the packets actually took.
#
#   +--------------------------+          +------------------------------+
#   | netns rl-src             |          | netns rl-dst                 |
#   |   rl_flood, rl_tcp -c/-s |          |   nf_ratelimit, rl_tcp -l 22 |
#   |   veth-src ------------------------------ veth-dst  (limited)    |
#   |   198.51.100.1/24        |          |   198.51.100.2/24            |
#   |   2001:db8::1/64         |          |   2001:db8::2/64             |
#   |   veth-src2 ----------------------------- veth-dst2 (not limited) |
#   |   192.0.2.1/24           |          |   192.0.2.2/24               |
#   +--------------------------+          +------------------------------+

. "$(dirname "$0")/lib.sh"

rl() {	# rl ARGS...: rlctl in rl-dst; output in $TMP/out, errors in $TMP/err
	ip netns exec $DST "$BIN/rlctl" "$@" >"$TMP/out" 2>"$TMP/err"
}

snmp() {	# snmp Tcp|Udp|Icmp FIELD: a counter of rl-dst's /proc/net/snmp
	ip netns exec $DST awk -v p="$1:" -v f="$2" '$1 == p && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
		$1 == p { print $col[f] }' /proc/net/snmp
}

snmp6() {	# snmp6 FIELD: a counter of rl-dst's /proc/net/snmp6
	ip netns exec $DST awk -v f="$1" '$1 == f { print $2 }' /proc/net/snmp6
}

# bound FLOODFILE BURST RATE: what a limit of RATE/s and BURST lets through
# over the time the flood took, plus one for a token refilled at its edge.
bound() {
	awk -v b="$2" -v r="$3" '{ if (!f || $3 < f) f = $3; if ($4 > l) l = $4 }
		END { printf "%d\n", b + r * (l - f) / 1e9 + 1 }' "$1"
}

delta() {	# delta BEFORE AFTER
	echo $(($2 - $1))
}

require
[ -x "$BIN/rlctl" ] && [ -x "$BIN/rl_tcp" ] || ktap_skip_all "rlctl and rl_tcp not built"
trap cleanup EXIT
ktap_header 24

load rate=1000000/second || exit $KSFT_FAIL
setup_topology || exit $KSFT_FAIL
ip -n $SRC link add veth-src2 type veth peer name veth-dst2 netns $DST
ip -n $SRC addr add 192.0.2.1/24 dev veth-src2
ip -n $DST addr add 192.0.2.2/24 dev veth-dst2
ip -n $SRC link set veth-src2 up
ip -n $DST link set veth-dst2 up
MAC2=$(ip -n $DST link show veth-dst2 | awk '/link\/ether/ { print $2 }')

# Recipe 1 with precedence row 1: SSH at most 3 new connections a minute
# (burst 5) per source, under a broad source rule that would allow far more.
cat >"$TMP/rules.conf" <<EOF
# the recipes, as a sysadmin would write them
rule 198.51.100.0/24 rate 1000/second
rule 0.0.0.0/0 proto tcp dport 22 syn rate 3/minute burst 5
rule 0.0.0.0/0 proto udp dport 53 prefix-len 24 rate 50/second
rule 0.0.0.0/0 proto icmp icmp-type echo-request rate 5/second
rule ::/0 proto icmpv6 icmp-type echo-request rate 5/second
rule ::/0 proto icmpv6 icmp-type nd-neighbor-solicit,nd-neighbor-advert action allow
rule ::/0 rate 1/minute burst 2
rule 0.0.0.0/0 proto tcp dport 80,443 syn rate 100/second
rule 0.0.0.0/0 iif veth-dst proto udp dport 7000-7999 rate 1/minute burst 2
rule 0.0.0.0/0 proto udp dport 5000-5999 per-port rate 1/minute burst 3
rule 203.0.113.64/26 action deny
rule 0.0.0.0/0 proto udp dport 6000 action allow
EOF
ip netns exec $DST "$BIN/rlctl" apply -f "$TMP/rules.conf" 2>"$TMP/err"
check "apply: the six recipes from one file" [ $? = 0 ]
rl save
cp "$TMP/out" "$TMP/saved"
ip netns exec $DST "$BIN/rlctl" apply -f "$TMP/saved" && rl save
check "save writes every rule with its selector, and apply reads it back" \
	sh -c "[ \$(grep -c '^rule ' '$TMP/saved') = 12 ] && cmp -s '$TMP/saved' '$TMP/out' &&
	       grep -q '^rule 0.0.0.0/0 proto tcp dport 22 syn rate 3/minute burst 5 prefix-len 32\$' '$TMP/saved' &&
	       grep -q '^rule ::/0 proto icmpv6 icmp-type nd-neighbor-solicit,nd-neighbor-advert action allow\$' '$TMP/saved' &&
	       grep -q '^rule 0.0.0.0/0 proto udp dport 7000-7999 iif veth-dst rate' '$TMP/saved' &&
	       grep -q '^rule 0.0.0.0/0 proto udp dport 5000-5999 per-port rate' '$TMP/saved'" ||
	sed 's/^/# /' "$TMP/saved"

rm -f "$TMP/tready"
ip netns exec $DST "$BIN/rl_tcp" -l 22 -f "$TMP/tready" >"$TMP/listener" &
wait_ready "$TMP/tready"
# The session's handshake takes one of the five; its 300 segments over 3 s
# then go on while new connections are refused, and all arrive.
ip netns exec $SRC "$BIN/rl_tcp" -s $DST4 -p 22 -n 300 -w 10 >"$TMP/session" 2>&1 &
session=$!
sleep 0.5
start=$(uptime_s)
ip netns exec $SRC "$BIN/rl_tcp" -c $DST4 -p 22 -n 12 >"$TMP/conn"
end=$(uptime_s)
wait $session
session_rc=$?
kill "$(cat "$TMP/tready")"
wait
got=$(awk '{ print $2 }' "$TMP/conn")
# 3 a minute: one more per 20 s the attempts took.
max=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%d\n", 4 + (e - s) / 20 + 1 }')
diag "ssh: $got of 12 connection attempts got through (at most $max), $(cat "$TMP/listener")"
check "ssh: new connections held to burst 5 (less the session's)" within "$got" 4 "$max"
check "ssh: the established session is untouched: all 30000 bytes" \
	sh -c "[ $session_rc = 0 ] && grep -qx 'sent 30000' '$TMP/session' &&
	       grep -q 'bytes 30000\$' '$TMP/listener'"

# Recipe 2: DNS at most 50/s per source /24, from spoofed sources.
before=$(snmp Udp InDatagrams)
before=$((before + $(snmp Udp NoPorts)))
flood "$TMP/f" -d $DST4 -s 203.0.113.1 -n 40 -c 10 -P 53 -r 2000
after=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
got=$(delta "$before" "$after") max=$(bound "$TMP/f" 50 50)
diag "dns: $got of 400 from 40 sources of one /24 (at most $max)"
check "dns: a /24 of spoofed sources shares one limit" within "$got" 50 "$max"
before=$after
flood "$TMP/f" -d $DST4 -s 203.0.113.1 -c 100 -P 54 -r 1000
after=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
check "dns: UDP to another port is not limited" [ "$(delta "$before" "$after")" = 100 ]

# Recipe 3: echo requests at most 5/s per source; neighbour discovery never.
before=$(snmp Icmp InEchos)
flood "$TMP/f" -d $DST4 -s 198.18.3.1 -n 2 -c 50 -T echo -r 1000
got=$(delta "$before" "$(snmp Icmp InEchos)") max=$(bound "$TMP/f" 10 10)
diag "echo: $got of 100 from 2 sources (at most $max)"
check "icmp: echo requests at most 5/s per source" within "$got" 10 "$max"
before=$(snmp6 Icmp6InNeighborSolicits)
flood "$TMP/f" -d $DST6 -s 2001:db8::100 -c 50 -T ns -r 1000
check "icmpv6: neighbour solicitations pass an IPv6 source limit of 2" \
	[ "$(delta "$before" "$(snmp6 Icmp6InNeighborSolicits)")" = 50 ]
before=$(snmp6 Icmp6InEchos)
flood "$TMP/f" -d $DST6 -s 2001:db8::101 -c 50 -T echo -r 1000
got=$(delta "$before" "$(snmp6 Icmp6InEchos)")
diag "echo6: $got of 50 (both the echo rule and the source rule of burst 2 apply)"
check "icmpv6: echo requests still held by the source rule too" within "$got" 2 3

# Recipe 4: SYNs to 80 and 443 at most 100/s per source; the rest unlimited.
before=$(snmp Tcp InSegs)
flood "$TMP/f" -d $DST4 -s 198.18.4.1 -c 400 -P 443 -T syn -r 2000
got=$(delta "$before" "$(snmp Tcp InSegs)") max=$(bound "$TMP/f" 100 100)
diag "web: $got of 400 SYNs to 443 (at most $max)"
check "web: SYNs to 443 at most 100/s" within "$got" 100 "$max"
before=$(snmp Tcp InSegs)
flood "$TMP/f" -d $DST4 -s 198.18.4.1 -c 400 -P 443 -T ack -r 1000
check "web: the same source's other segments to 443 all pass" \
	[ "$(delta "$before" "$(snmp Tcp InSegs)")" = 400 ]
before=$(snmp Tcp InSegs)
flood "$TMP/f" -d $DST4 -s 198.18.4.2 -c 50 -P 8080 -T syn
check "web: SYNs to another port all pass" \
	[ "$(delta "$before" "$(snmp Tcp InSegs)")" = 50 ]

# Recipe 5: only the public interface is limited.
before=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
flood "$TMP/f" -d $DST4 -s 198.18.5.1 -c 20 -P 7000
after=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
check "iif: 2 of 20 pass on veth-dst" [ "$(delta "$before" "$after")" = 2 ]
ip netns exec $SRC "$BIN/rl_flood" -i veth-src2 -m "$MAC2" -d 192.0.2.2 \
	-s 198.18.5.1 -c 20 -P 7000 >"$TMP/f"
before=$after
after=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
check "iif: 20 of 20 pass on veth-dst2" [ "$(delta "$before" "$after")" = 20 ]
# Renaming needs the links down on 6.1.
ip -n $DST link set veth-dst2 down
ip -n $DST link set veth-dst down
ip -n $DST link set veth-dst2 name veth-dst-old
ip -n $DST link set veth-dst name veth-dst2
ip -n $DST link set veth-dst-old name veth-dst
ip -n $DST link set veth-dst up
ip -n $DST link set veth-dst2 up
sleep 0.2
before=$after
ip netns exec $SRC "$BIN/rl_flood" -i veth-src2 -m "$MAC2" -d 192.0.2.2 \
	-s 198.18.5.2 -c 20 -P 7000 >"$TMP/f"
after=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
check "iif: names swapped, the limit follows the name veth-dst" \
	[ "$(delta "$before" "$after")" = 2 ]

# Recipe 6: a state per source and destination port.
before=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
flood "$TMP/f" -d $DST4 -s 198.18.6.1 -c 10 -P 5353
flood "$TMP/f" -d $DST4 -s 198.18.6.1 -c 10 -P 5354
after=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
check "per-port: 3 of 10 to each of two ports" [ "$(delta "$before" "$after")" = 6 ]
rl entries 198.18.6.1
check "per-port: entries show each port with the rule's selector" \
	sh -c "grep -q 'port 5353\$' '$TMP/out' && grep -q 'port 5354\$' '$TMP/out' &&
	       grep -q 'proto udp dport 5000-5999 per-port' '$TMP/out'"
check "per-port: /proc shows the selector and port" \
	ip netns exec $DST grep -q '^198.18.6.1/32 .* 0.0.0.0/0 proto=udp;dport=5000-5999;per-port 5353$' \
		/proc/net/nf_ratelimit/entries

# Precedence: a deny wins over an allow of another selector.
before=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
flood "$TMP/f" -d $DST4 -s 203.0.113.65 -c 10 -P 6000
flood "$TMP/f" -d $DST4 -s 203.0.113.1 -c 10 -P 6000
after=$(($(snmp Udp InDatagrams) + $(snmp Udp NoPorts)))
check "precedence: deny beats allow (0 of 10), allow passes (10 of 10)" \
	[ "$(delta "$before" "$after")" = 10 ]

# rule get and del name a rule by prefix and selector.
rl rule get 0.0.0.0/0 proto tcp dport 443,80 syn
check "rule get PREFIX SELECTOR" grep -Eq '^0\.0\.0\.0/0 +limit +100/second .* proto tcp dport 80,443 syn +- +-$' "$TMP/out"
rl rule del 0.0.0.0/0 proto tcp dport 22
check "rule del with another selector is refused" \
	sh -c "[ $? = 1 ] && grep -q 'no rule for this prefix and selector' '$TMP/err'"
rl rule del 0.0.0.0/0 proto tcp dport 22 syn && rl rule list
check "rule del PREFIX SELECTOR removes that rule only" \
	sh -c "! grep -q 'dport 22 ' '$TMP/out' && grep -q 'dport 80,443 syn' '$TMP/out'"
rl rule add 0.0.0.0/0 proto udp dport 53 syn rate 1/s
check "a selector that cannot match is refused with its reason" \
	sh -c "[ $? = 2 ] && grep -q 'syn needs proto tcp' '$TMP/err'"

check "no kernel warnings" [ -z "$(kernel_splats)" ]
ktap_finish
