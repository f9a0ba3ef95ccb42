#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers of the nf_ratelimit selftests, sourced by each test.
#
# Topology (every test; traffic never leaves these two namespaces):
#
#   +--------------------------+          +----------------------------+
#   | netns rl-src             |          | netns rl-dst               |
#   |   rl_flood (AF_PACKET,   |          |   nf_ratelimit hooks       |
#   |   any source address)   |          |   rl_sink (UDP :9000)      |
#   |                          |          |                            |
#   |   veth-src ------------------------------ veth-dst             |
#   |   198.51.100.1/24        |          |   198.51.100.2/24          |
#   |   2001:db8::1/64         |          |   2001:db8::2/64           |
#   +--------------------------+          +----------------------------+
#
# Sources are sent from the documentation and benchmarking ranges
# (203.0.113.0/24, 198.18.0.0/15, 2001:db8::/32), never configured anywhere.

# The test VM's busybox runs its own applets before anything in PATH, and its
# ip knows no namespaces: it points NF_RL_IP at iproute2's.
if [ -n "$NF_RL_IP" ]; then
	ip() { "$NF_RL_IP" "$@"; }
fi

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

SRC=rl-src
DST=rl-dst
DST4=198.51.100.2
DST6=2001:db8::2
NF_RL_KO=${NF_RL_KO:-/lib/nf_ratelimit/nf_ratelimit.ko}
BIN=${NF_RL_BIN:-$(cd "$(dirname "$0")" && pwd)/bin}
TMP=$(mktemp -d)

# Minimal KTAP output, after tools/testing/selftests/kselftest/ktap_helpers.sh
# (Linux 6.9 and later; Debian 12's 6.1 sources predate it).
ktap_n=0
ktap_failed=0
ktap_header() { echo "TAP version 13"; echo "1..$1"; }
ktap_result() {	# ktap_result 0|1 DESCRIPTION
	ktap_n=$((ktap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $ktap_n $2"
	else
		echo "not ok $ktap_n $2"
		ktap_failed=$((ktap_failed + 1))
	fi
}
ktap_skip() {	# ktap_skip DESCRIPTION REASON: one point that could not be checked here
	ktap_n=$((ktap_n + 1))
	echo "ok $ktap_n $1 # SKIP $2"
}
# In the project's own VMs (NF_RL_STRICT=1) nothing may be missing: a skip
# there would hide a broken harness, so it fails instead.
ktap_skip_all() {
	echo "1..0 # SKIP $1"
	[ -n "$NF_RL_STRICT" ] && exit $KSFT_FAIL
	exit $KSFT_SKIP
}
ktap_finish() {
	echo "# $ktap_n checks, $ktap_failed failed"
	[ "$ktap_failed" -eq 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}
diag() { echo "# $*"; }

# Kernel reports that fail a run: sanitizers, lockdep, RCU stalls, hung tasks,
# soft lockups and oopses.  tools/vm/guest_run.sh checks the whole log with
# it after the last test.
SPLATS='BUG:|WARNING:|UBSAN:|KASAN|lockdep|circular locking|recursive locking|inconsistent lock state|suspicious RCU|sleeping function called|Objects remaining|general protection|Oops|Call Trace|blocked for more than|soft lockup|rcu_.*stall|rcu: INFO|leak detector disabled'

# Seconds since boot, as kernel_log's SINCE and the log's timestamps count.
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# kernel_log [SINCE]: the kernel log from uptime SINCE (seconds) on.
kernel_log() {
	dmesg | awk -v since="${1:-0}" '{ t = $0; sub(/^\[ */, "", t) } t + 0 >= since + 0'
}

# kernel_splats [SINCE]: the lines of such reports in the kernel log.  An
# allocation failure's report ("page allocation failure", "vmalloc error",
# a slab cache that could not be created: a stack trace, perhaps memory
# statistics) is none: failing allocations is what stress_alloc_failure.sh
# and load_failures.sh do, and the module must cope with it.
kernel_splats() {
	kernel_log "$@" | awk -v pat="$SPLATS" '
		/page allocation failure|vmalloc error|kmem_cache_create.*failed with error/ { skip = 1 }
		skip { if ($0 ~ /<\/TASK>/) skip = 0; next }
		$0 ~ pat'
}

# check DESCRIPTION COMMAND...: one KTAP point from a command's status.
check() {
	desc=$1
	shift
	"$@"
	ktap_result $? "$desc"
}

# within VALUE LOW HIGH (integers; LOW and HIGH may be fractional)
within() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'
}

cleanup() {
	[ -n "$sink_pid" ] && kill "$(cat "$TMP/ready")" 2>/dev/null
	ip netns del $SRC 2>/dev/null
	ip netns del $DST 2>/dev/null
	rmmod nf_ratelimit 2>/dev/null
	rm -rf "$TMP"
}

require() {
	[ "$(id -u)" = 0 ] || ktap_skip_all "must run as root"
	[ -f "$NF_RL_KO" ] || ktap_skip_all "$NF_RL_KO not found"
	[ -x "$BIN/rl_flood" ] && [ -x "$BIN/rl_sink" ] ||
		ktap_skip_all "rl_flood and rl_sink not built"
	err=$(ip netns add rl-probe 2>&1) || ktap_skip_all "no network namespaces: $err"
	ip netns del rl-probe
}

# load PARAM=VALUE...: with idle_timeout=1 unless given (later wins), the
# shortest, so that entries go a second or two after their last packet, as
# the tests' waits assume; bad_params.sh and proc_entries.sh see the default.
load() {
	rmmod nf_ratelimit 2>/dev/null
	insmod "$NF_RL_KO" idle_timeout=1 "$@"
}

# setup_topology [noipv6]: with noipv6, the namespaces send no IPv6 at all
# (no DAD, router solicitations or MLD), for tests that count every packet.
setup_topology() {
	ip netns add $SRC || return 1
	ip netns add $DST || return 1
	for ns in $SRC $DST; do
		ip netns exec $ns sh -c '
			echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter
			echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter'
		if [ "$1" = noipv6 ]; then
			ip netns exec $ns sh -c '
				echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
				echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'
		fi
	done
	ip -n $SRC link add veth-src type veth peer name veth-dst netns $DST || return 1
	ip -n $SRC addr add 198.51.100.1/24 dev veth-src
	ip -n $DST addr add $DST4/24 dev veth-dst
	if [ "$1" != noipv6 ]; then
		ip -n $SRC addr add 2001:db8::1/64 dev veth-src nodad
		ip -n $DST addr add $DST6/64 dev veth-dst nodad
	fi
	ip -n $SRC link set veth-src up
	ip -n $DST link set veth-dst up
	ip -n $SRC link set lo up
	ip -n $DST link set lo up
	DSTMAC=$(ip -n $DST link show veth-dst | awk '/link\/ether/ { print $2 }')
}

# wait_ready FILE: waits up to 10 s for a program's ready file to appear.
wait_ready() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

start_sink() {
	rm -f "$TMP/ready"
	ip netns exec $DST "$BIN/rl_sink" -f "$TMP/ready" >"$TMP/sink" &
	sink_pid=$!
	wait_ready "$TMP/ready"
}

# stop_sink: waits for the packets in flight, then ends the sink so that
# $TMP/sink holds its per-source counts.
stop_sink() {
	sleep 0.5
	kill "$(cat "$TMP/ready")"
	wait "$sink_pid"
	sink_pid=
}

sink_count() {	# sink_count ADDR
	awk -v a="$1" '$1 == a { c = $2 } END { print c + 0 }' "$TMP/sink"
}

sink_total() {
	awk '{ c += $2 } END { print c + 0 }' "$TMP/sink"
}

# flood OUTFILE rl_flood-args...: send from rl-src; OUTFILE gets, per source,
# "ADDR SENT FIRST_NS LAST_NS MAXGAP_NS".
flood() {
	out=$1
	shift
	ip netns exec $SRC "$BIN/rl_flood" -i veth-src -m "$DSTMAC" "$@" >"$out"
}

# flood_back OUTFILE rl_flood-args...: the same, from rl-dst towards rl-src.
flood_back() {
	out=$1
	shift
	mac=$(ip -n $SRC link show veth-src | awk '/link\/ether/ { print $2 }')
	ip netns exec $DST "$BIN/rl_flood" -i veth-dst -m "$mac" "$@" >"$out"
}

# A flood's per-source columns, by address: sent|first|last|maxgap.
flood_field() {	# flood_field OUTFILE ADDR FIELD
	awk -v a="$2" -v f="$3" 'BEGIN { c["sent"] = 2; c["first"] = 3; c["last"] = 4; c["maxgap"] = 5 }
		$1 == a { print $c[f] }' "$1"
}

# Every packet the hook saw, counted once.
rl_counted() {	# rl_counted [NETNS]
	echo $(( $(rl_stat passed "$@") + $(rl_stat dropped "$@") + $(rl_stat dry_run_dropped "$@") ))
}

# The receiver's own count of what got past the hook: every UDP datagram that
# reached the UDP layer (queued to a socket, no socket on its port, or an
# error such as a full receive buffer).
udp_received() {	# udp_received [NETNS]
	ip netns exec "${1:-$DST}" awk '$1 == "Udp:" && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
		$1 == "Udp:" { print $col["InDatagrams"] + $col["NoPorts"] + $col["InErrors"] }' /proc/net/snmp
}

# The module's entries occupy whole slab objects of its own cache (the VMs
# boot with slab_nomerge, so it is not merged into a kmalloc cache):
# num_objs x objsize, "none" if the cache is not there.
slab_bytes() {
	awk '$1 == "rl_entry" { print $3 * $4; found = 1 } END { if (!found) print "none" }' /proc/slabinfo
}

slab_field() {	# slab_field objsize|objperslab
	awk -v f="$1" 'BEGIN { c["objsize"] = 4; c["objperslab"] = 5 }
		$1 == "rl_entry" { print $c[f] }' /proc/slabinfo
}

# Fault injection (debugfs failslab and fail_page_alloc), which only the
# debug kernel has.
FAULTS=/sys/kernel/debug
fi_available() {
	[ -d $FAULTS/failslab ] && [ -d $FAULTS/fail_page_alloc ] &&
		[ -e $FAULTS/failslab/require-start ]
}

# inject PERCENT: fail that share of the module's slab and page allocations.
inject() {
	for f in failslab fail_page_alloc; do
		echo "$1" >$FAULTS/$f/probability
	done
}

# The failures to inject: any allocation, sleeping or not, of any order,
# whose call stack passes through the module: from the start of its text to
# the top of the address space (the module area lies above the kernel's
# text, and no module is loaded after this one).
setup_injection() {
	start=$(cat /sys/module/nf_ratelimit/sections/.text)
	case $start in 0x0*|"") return 1 ;; esac
	for f in failslab fail_page_alloc; do
		d=$FAULTS/$f
		echo 0 >$d/probability
		echo 1 >$d/interval
		echo 1000000000 >$d/times
		echo 0 >$d/space
		echo 0 >$d/verbose
		echo N >$d/task-filter
		echo N >$d/ignore-gfp-wait
		echo 32 >$d/stacktrace-depth
		echo "$start" >$d/require-start
		echo 0xffffffffffffffff >$d/require-end
	done
	echo N >$FAULTS/fail_page_alloc/ignore-gfp-highmem
	echo 0 >$FAULTS/fail_page_alloc/min-order
}

injected() {	# failures injected so far, both kinds
	echo $(( 2000000000 - $(cat $FAULTS/failslab/times) - $(cat $FAULTS/fail_page_alloc/times) ))
}

# spoof_flood SECS SOURCES: two unpaced senders (one per vCPU), SOURCES/2
# addresses each from 198.18.0.1 and 198.19.0.1, to UDP port 9001 where
# nothing listens (so that rl_sink on 9000 hears only the other senders).
spoof_flood() {
	flood "$TMP/spoof.a" -d $DST4 -s 198.18.0.1 -n $(($2 / 2)) -t "$1" -P 9001 &
	spoof_a=$!
	flood "$TMP/spoof.b" -d $DST4 -s 198.19.0.1 -n $(($2 / 2)) -t "$1" -P 9001 &
	spoof_b=$!
}

spoof_running() {
	kill -0 "$spoof_a" 2>/dev/null || kill -0 "$spoof_b" 2>/dev/null
}

spoof_wait() {
	wait "$spoof_a" "$spoof_b"
}

spoof_sent() {
	awk '{ s += $2 } END { print s + 0 }' "$TMP"/spoof.*
}

# stress_summary SCENARIO PACKETS DROPS MAX_SLAB_BYTES: the row of the stress
# table tools/check.sh prints; violations are the test's failed checks so far.
stress_summary() {
	echo "# stress-summary: $1 $2 $3 $4 $ktap_failed"
}

rlctl_answers() {	# rlctl_answers [NETNS]: the module answers "rlctl status"
	ip netns exec "${1:-$DST}" "$BIN/rlctl" status >/dev/null
}

rl_stat() {	# rl_stat NAME [NETNS]: a counter of /proc/net/nf_ratelimit/stats
	ip netns exec "${2:-$DST}" awk -v k="$1" '$1 == k { print $2 }' \
		/proc/net/nf_ratelimit/stats
}

# rl_entry SOURCE/PREFIX FIELD [NETNS]: FIELD is tokens|passed|dropped, from
# /proc/net/nf_ratelimit/entries, or from the copy of it $RL_ENTRIES names.
rl_entry() {
	ip netns exec "${3:-$DST}" awk -v s="$1" -v f="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == s { print $col[f]; found = 1 }
		END { if (!found) print "none" }' \
		"${RL_ENTRIES:-/proc/net/nf_ratelimit/entries}"
}
