#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rlctl monitor and the "events" multicast group: a source that starts being
# limited is reported with its rule and drops, and again when its bucket has
# refilled, or when rlctl flush forgets it; a flood of sources crossing their
# limits at once is rate limited (every event is either sent or counted lost,
# and no more are sent than the kernel's event rate allows); -j prints JSON.  (Topology: lib.sh; rlctl
# runs in rl-dst.)

. "$(dirname "$0")/lib.sh"

RLCTL="$BIN/rlctl"
EVENTS_BURST=200	# RL_EVENTS_BURST and RL_EVENTS_PER_SEC in kmod/netlink.c
EVENTS_PER_SEC=100

uptime_cs() {	# centiseconds since boot
	awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime
}

# monitor NETNS OUTFILE [RLCTL-ARGS...]: rlctl monitor in the background,
# its pid in OUTFILE.pid (ip may be a shell function: $! would be a subshell).
monitor() {
	ns=$1 out=$2
	shift 2
	rm -f "$out" "$out.pid"
	ip netns exec $ns sh -c "echo \$\$ >'$out.pid'; exec '$RLCTL' $* monitor" \
		>"$out" &
}

# monitor_start [RLCTL-ARGS...]: monitor in rl-dst into $TMP/mon, then new
# sources under the default rule (burst 1) send two packets each until it has
# reported one: only then is it surely subscribed.
prime=0
monitor_start() {
	monitor $DST "$TMP/mon" "$@"
	i=0
	while ! grep -q . "$TMP/mon" 2>/dev/null && [ $i -lt 100 ]; do
		prime=$((prime + 1))
		flood "$TMP/p" -d $DST4 -s 198.19.$((prime / 200)).$((prime % 200 + 1)) \
			-c 2 -r 1000
		sleep 0.1
		i=$((i + 1))
	done
	grep -q . "$TMP/mon"
}

# monitor_stop OUTFILE...: end those monitors, which must be all that run
# in the background (wait waits for every one).
monitor_stop() {
	for f in "$@"; do
		kill "$(cat "$f.pid")" 2>/dev/null
	done
	wait
}

require
[ -x "$RLCTL" ] || ktap_skip_all "rlctl not built"
trap cleanup EXIT
ktap_header 11

load rate=1/minute burst=1 max_entries=2000 || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
ip netns exec $DST "$RLCTL" rule add 198.18.3.0/24 rate 100/second burst 2 ||
	exit $KSFT_FAIL

monitor_start
ktap_result $? "monitor receives events"

flood "$TMP/f" -d $DST4 -s 198.18.3.1 -c 5 -r 10000
# Its drops, read now: GC frees an entry idle for a second (releasing it
# with these drops), and the next flood can come that late on a loaded
# debug kernel; its packet then starts an entry of its own.
dropped=$(rl_entry 198.18.3.1/32 dropped)
sleep 0.2	# the bucket refills in 20 ms: the next packet releases it
flood "$TMP/f" -d $DST4 -s 198.18.3.1 -c 1
sleep 0.5
diag "$(grep 198.18.3.1 "$TMP/mon")"
check "a source crossing its limit is reported, with its rule" \
	grep -Eq '^limited +198\.18\.3\.1/32 rule 198\.18\.3\.0/24 dropped [1-9]' "$TMP/mon"
check "... and released once its bucket refilled, with its drops" \
	grep -Eq "^released +198\\.18\\.3\\.1/32 rule 198\\.18\\.3\\.0/24 dropped $dropped\$" "$TMP/mon"

# A limited source that rlctl forgets, alone or with the whole table, is
# released: without the event, listeners would think it limited for ever.
# (A rule slow enough that neither a refill nor GC releases them first.)
ip netns exec $DST "$RLCTL" rule add 198.18.20.0/24 rate 1/minute burst 2
flood "$TMP/f" -d $DST4 -s 198.18.20.7 -c 5
flood "$TMP/f" -d $DST4 -s 198.18.20.8 -c 5
ip netns exec $DST "$RLCTL" flush 198.18.20.7/32
ip netns exec $DST "$RLCTL" flush
sleep 0.5
diag "$(grep -E '198\.18\.20\.' "$TMP/mon")"
check "a limited source deleted by flush PREFIX is released" \
	grep -Eq '^released +198\.18\.20\.7/32 rule 198\.18\.20\.0/24 dropped 3$' "$TMP/mon"
check "... and one flushed with the whole table" \
	grep -Eq '^released +198\.18\.20\.8/32 rule 198\.18\.20\.0/24 dropped 3$' "$TMP/mon"

# 1000 sources, each over its limit at once.
before=$(rl_stat events_lost)
t0=$(uptime_cs)
flood "$TMP/f" -d $DST4 -s 198.18.4.0 -n 1000 -c 2 -r 5000
t1=$(uptime_cs)
sleep 1
monitor_stop "$TMP/mon"
sent=$(grep -c '^limited .*198\.18\.[4-7]\.' "$TMP/mon")
lost=$(( $(rl_stat events_lost) - before ))
limit=$(( EVENTS_BURST + EVENTS_PER_SEC * (t1 - t0 + 100) / 100 ))
diag "1000 sources limited in $((t1 - t0)) cs: $sent events sent, $lost lost (at most $limit may be sent)"
check "every event is sent or counted lost" [ $((sent + lost)) = 1000 ]
check "no more are sent than the event rate allows" [ "$sent" -le "$limit" ]
check "the event burst goes through" [ "$sent" -ge $((EVENTS_BURST / 2)) ]
check "listeners are told events were lost" grep -q '^lost ' "$TMP/mon"

monitor_start -j
monitor_stop "$TMP/mon"
check "monitor -j prints one JSON object per event" \
	grep -Eq '^\{"event":"limited","source":"198\.19\.[0-9]+\.[0-9]+/32","rule":"0\.0\.0\.0/0","selector":"","dropped":1,"lost":[0-9]+\}$' "$TMP/mon"

# A monitor in rl-src, while rl-dst (monitored too, as a control) limits.
monitor $SRC "$TMP/other"
monitor_start
flood "$TMP/f" -d $DST4 -s 198.19.9.1 -c 2
sleep 0.5
monitor_stop "$TMP/other" "$TMP/mon"
check "events stay in their namespace" \
	sh -c "grep -q 198.19.9.1 '$TMP/mon' && [ ! -s '$TMP/other' ]"

ktap_finish
