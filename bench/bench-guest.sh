#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the bench VM (tools/vm/run.sh -m bench): pktgen in netns
# rl-gen sends COUNT UDP packets over a veth pair into netns rl-dut, where
# one limiter variant sits at PREROUTING, priority -300 (raw).  Prints one
# line per run:
#
#   # bench-row: VARIANT SOURCES ORDER CPUS PACKETS USEC SEEN
#
# USEC is pktgen's elapsed time for all PACKETS, sender and receiver alike
# (pktgen's xmit runs the receiving softirq as it re-enables bottom
# halves); under qemu -icount shift=0 a guest microsecond is 1000
# instructions.  SEEN is how many packets the variant counted, "-" where it
# has no counter.
#
#   +-------------------------+          +-------------------------------+
#   | netns rl-gen            |          | netns rl-dut                  |
#   |   pktgen, sources from  |          |   PREROUTING -300: a variant  |
#   |   100.64.0.0/10         |          |   then routing drops it (to   |
#   |   veth-g ---------------------------- veth-d   192.0.2.99, no    |
#   |                         |          |            forwarding)        |
#   +-------------------------+          +-------------------------------+
#
# Configuration, from /lib/nf_ratelimit/bench.conf: VARIANTS, SOURCES,
# ORDERS (random, sequential: pktgen's next address for every packet),
# COUNT (packets per run), THREADS (pktgen threads, one per CPU), CAPACITY
# (table capacity of every variant), RATE and BURST (high enough that no
# variant drops: every run measures the pass path), NF_RL_PARAMS, and
# KBENCH_SOURCES (the in-kernel microbenchmark's table sizes, or nothing),
# KBENCH_RECIPES and KBENCH_RECIPE_SOURCES (its runs with selector rules),
# KBENCH_FLOODS and KBENCH_FLOOD_DECISIONS (its runs of the random-order
# traffic alone, per number of sources).

LIB=/lib/nf_ratelimit
. $LIB/bench.conf
IP=/usr/sbin/ip
GEN="$IP netns exec rl-gen"
DUT="$IP netns exec rl-dut"
IPT="/usr/sbin/xtables-legacy-multi iptables"

echo "# bench: kernel $(uname -r), $(nproc) CPUs"

# A fresh pair of namespaces for every run: what a variant leaves behind in
# rl-dut must not weigh on the next.  iptables-legacy's raw table, once
# xt_hashlimit's run has made it, stays in its namespace until the
# namespace goes (flushing its chain does not remove it): in one shared
# rl-dut, every later floor and variant passed through it, about 280
# instructions a packet, and netfilter's hook entry counted in none of
# their extra costs.
topology() {
	$IP netns add rl-gen
	$IP netns add rl-dut
	$IP -n rl-gen link add veth-g type veth peer name veth-d netns rl-dut
	$IP -n rl-gen addr add 192.0.2.1/24 dev veth-g
	$IP -n rl-dut addr add 192.0.2.2/24 dev veth-d
	$IP -n rl-gen link set veth-g up
	$IP -n rl-dut link set veth-d up
	# IPv4 only: no router solicitations or MLD reports among the counted.
	for ns in rl-gen rl-dut; do
		$IP netns exec $ns sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
			echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'
	done
	$DUT sh -c 'echo 0 > /proc/sys/net/ipv4/ip_forward
		echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter
		echo 0 > /proc/sys/net/ipv4/conf/veth-d/rp_filter'
	mac=$($IP -n rl-dut link show veth-d | awk '/link\/ether/ { print $2 }')
}

untopology() {
	$IP netns del rl-gen
	$IP netns del rl-dut
}

# ip_last N: the Nth address from 100.64.0.0 on.
ip_last() {
	i=$(($1 - 1))
	echo "100.$((64 + i / 65536)).$((i / 256 % 256)).$((i % 256))"
}

setup() {	# setup VARIANT
	case $1 in
	floor) ;;
	counter)
		$DUT nft -f - <<NFT
table ip bench {
	chain pre { type filter hook prerouting priority -300; counter; }
}
NFT
		;;
	nf_ratelimit)
		insmod $LIB/nf_ratelimit.ko rate=$RATE/second burst=$BURST \
			max_entries=$CAPACITY $NF_RL_PARAMS ;;
	nf_ratelimit-prealloc)
		insmod $LIB/nf_ratelimit.ko rate=$RATE/second burst=$BURST \
			max_entries=$CAPACITY prealloc=1 $NF_RL_PARAMS ;;
	xt_hashlimit)
		$DUT $IPT -t raw -A PREROUTING -m hashlimit \
			--hashlimit-above $RATE/second --hashlimit-burst $BURST \
			--hashlimit-mode srcip --hashlimit-name bench \
			--hashlimit-htable-size $CAPACITY --hashlimit-htable-max $CAPACITY \
			-j DROP ;;
	nft-meter)
		$DUT nft -f - <<NFT
table ip bench {
	set m { type ipv4_addr; size $CAPACITY; flags dynamic,timeout; timeout 60s; }
	chain pre {
		type filter hook prerouting priority -300;
		update @m { ip saddr limit rate over $RATE/second burst $BURST packets } counter drop
	}
}
NFT
		;;
	esac
}

teardown() {	# teardown VARIANT
	case $1 in
	counter|nft-meter) $DUT nft delete table ip bench ;;
	nf_ratelimit*) rmmod nf_ratelimit ;;
	xt_hashlimit) $DUT $IPT -t raw -F PREROUTING ;;
	esac
}

seen() {	# seen VARIANT: packets the variant counted
	case $1 in
	nf_ratelimit*)
		$DUT awk '$1 == "passed" || $1 == "dropped" { s += $2 } END { print s }' \
			/proc/net/nf_ratelimit/stats ;;
	counter)
		$DUT nft list table ip bench | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' ;;
	xt_hashlimit)
		# the chain's policy counter: the rule only counts drops
		$DUT $IPT -t raw -L PREROUTING -v -x -n |
			sed -n 's/.*policy ACCEPT \([0-9]*\) packets.*/\1/p' ;;
	*) echo - ;;
	esac
}

pg() {	# pg FILE COMMAND
	$GEN sh -c "echo '$2' > /proc/net/pktgen/$1"
}

run() {	# run VARIANT SOURCES ORDER
	topology
	setup "$1" || { echo "# bench: $1: setup failed"; untopology; return; }
	t=0
	while [ $t -lt "$THREADS" ]; do
		# One pktgen thread per CPU, each with its own queue of veth-g.
		dev=veth-g@$t
		pg kpktgend_$t rem_device_all
		pg kpktgend_$t "add_device $dev"
		pg $dev "count $((COUNT / THREADS))"
		pg $dev "pkt_size 60"
		pg $dev "delay 0"
		pg $dev "clone_skb 0"
		pg $dev "dst 192.0.2.99"
		pg $dev "dst_mac $mac"
		pg $dev "src_min 100.64.0.0"
		pg $dev "src_max $(ip_last "$2")"
		pg $dev "udp_dst_min 9"
		pg $dev "udp_dst_max 9"
		if [ "$3" = random ]; then
			pg $dev "flag IPSRC_RND"
		else
			pg $dev "flag !IPSRC_RND"
		fi
		t=$((t + 1))
	done
	pg pgctrl start
	# Packets sent by all threads; time of the slowest.
	sent=0 usec=0 t=0
	while [ $t -lt "$THREADS" ]; do
		r=$($GEN cat /proc/net/pktgen/veth-g@$t)
		u=$(echo "$r" | sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p')
		c=$(echo "$r" | sed -n 's/.*usec, \([0-9]*\) (.*/\1/p')
		sent=$((sent + ${c:-0}))
		[ "${u:-0}" -gt $usec ] && usec=$u
		t=$((t + 1))
	done
	echo "# bench-row: $1 $2 $3 $(nproc) $sent $usec $(seen "$1")"
	teardown "$1"
	untopology
}

for r in $(seq "$REPEAT"); do
for nsrc in $SOURCES; do
	for order in $ORDERS; do
		# One source is one source, in any order.
		[ "$nsrc" = 1 ] && [ "$order" != "${ORDERS%% *}" ] && continue
		# Variants interleaved, so that drift (if any) spreads evenly.
		for v in $VARIANTS; do
			run "$v" "$nsrc" "$order"
		done
	done
done
done

# The in-kernel microbenchmark with selector rules, per recipe.
for recipe in ${KBENCH_RECIPES:-}; do
	dmesg -c >/dev/null
	insmod $LIB/nf_ratelimit_exports.ko &&
		insmod $LIB/nf_ratelimit_bench.ko sources="$KBENCH_RECIPE_SOURCES" \
			decisions="${KBENCH_DECISIONS:-1048576}" recipe="$recipe" &&
		dmesg | sed -n "s/.*nf_ratelimit_bench: \([a-z0-9]*\) \([0-9.]*\)\$/# bench-recipe: $recipe \1 \2/p"
	dmesg | grep -i "nf_ratelimit_bench.*\(failed\|warn\|decisions met\)"
	rmmod nf_ratelimit_bench 2>/dev/null
	rmmod nf_ratelimit 2>/dev/null
done

# make bench's random-order traffic through the decision alone, for each
# number of sources: no receive path around it, so exact under -icount.
for nsrc in ${KBENCH_FLOODS:-}; do
	dmesg -c >/dev/null
	insmod $LIB/nf_ratelimit_exports.ko &&
		insmod $LIB/nf_ratelimit_bench.ko flood="$nsrc" capacity="$CAPACITY" \
			decisions="$KBENCH_FLOOD_DECISIONS" &&
		dmesg | sed -n "s/.*nf_ratelimit_bench: flood \([0-9.]*\)\$/# bench-flood: $nsrc \1/p"
	dmesg | grep "nf_ratelimit_bench.*\(flood [0-9]*:\|failed\|were drops\)"
	rmmod nf_ratelimit_bench 2>/dev/null
	rmmod nf_ratelimit 2>/dev/null
done

# The in-kernel microbenchmark (kmod/tests/bench.c), against the build of the
# module that exports what it calls.
for nsrc in $KBENCH_SOURCES; do
	dmesg -c >/dev/null
	insmod $LIB/nf_ratelimit_exports.ko &&
		insmod $LIB/nf_ratelimit_bench.ko sources="$nsrc" &&
		dmesg | sed -n "s/.*nf_ratelimit_bench: \([a-z0-9]*\) \([0-9.]*\)\$/# bench-kbench: $nsrc \1 \2/p"
	rmmod nf_ratelimit_bench 2>/dev/null
	rmmod nf_ratelimit 2>/dev/null
done
