#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Four IPv4 sources flood rl-dst at once: each gets burst + rate * t through,
# by the receiver's count and by the module's own entry.  A fifth source sends
# below the rate during the flood and loses nothing.  The burst is ten
# seconds of rate, so that no entry goes idle long enough for GC to forget
# it before it is read.  (Topology: lib.sh.)

. "$(dirname "$0")/lib.sh"

RATE=50
BURST=500
HEAVY="203.0.113.1 203.0.113.2 203.0.113.3 203.0.113.4"
LIGHT=203.0.113.100

require
trap cleanup EXIT
ktap_header 14

load rate=$RATE burst=$BURST || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
start_sink || exit $KSFT_FAIL

flood "$TMP/light" -d $DST4 -s $LIGHT -r 20 -t 3 &
light_pid=$!
flood "$TMP/heavy" -d $DST4 -s 203.0.113.1 -n 4 -r 2000 -t 3
wait $light_pid
stop_sink

for a in $HEAVY; do
	sent=$(flood_field "$TMP/heavy" $a sent)
	first=$(flood_field "$TMP/heavy" $a first)
	last=$(flood_field "$TMP/heavy" $a last)
	maxgap=$(flood_field "$TMP/heavy" $a maxgap)
	got=$(sink_count $a)
	# The ideal for the time this source actually sent.  Tolerance: 50 ms
	# of delivery jitter at either end plus one packet; a send gap longer
	# than the bucket's fill time (burst / rate) forfeits tokens, which
	# lowers the floor by what the sender measured.  A sender slower than
	# the rate (the debug kernel: 628 sent for a floor of 646) must get
	# everything it sent: the floor is at most that.
	read -r lo hi <<-AWK
	$(awk -v f="$first" -v l="$last" -v g="$maxgap" -v s="$sent" -v r=$RATE -v b=$BURST 'BEGIN {
		ideal = b + r * (l - f) / 1e9
		tol = 1 + r * 0.05
		lost = r * (g / 1e9 - b / r); if (lost < 0) lost = 0
		lo = ideal - lost - tol; if (lo > s) lo = s
		printf "%f %f\n", lo, ideal + tol }')
	AWK
	diag "$a: sent $sent in $(( (last - first) / 1000000 )) ms, received $got, allowed $lo..$hi"
	check "$a received burst + rate * t" within "$got" "$lo" "$hi"
	check "$a module entry counts what was received" \
		[ "$(rl_entry $a/32 passed)" = "$got" ]
	check "$a module saw every packet sent" \
		[ $(( $(rl_entry $a/32 passed) + $(rl_entry $a/32 dropped) )) = "$sent" ]
done

sent=$(flood_field "$TMP/light" $LIGHT sent)
diag "$LIGHT: sent $sent, received $(sink_count $LIGHT)"
check "source below its rate loses nothing during a flood" \
	[ "$(sink_count $LIGHT)" = "$sent" ]
check "source below its rate has no drops" [ "$(rl_entry $LIGHT/32 dropped)" = 0 ]
ktap_finish
