#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Each limiting algorithm, and a byte rate, on real traffic: four sources
# flood rl-dst at once, each under a rule of 50 packets/s with a burst of 10
# (token-bucket, gcra, sliding-window, and 3000 bytes/s with a 600-byte burst
# for 60-byte packets, the same in packets).  Token bucket, GCRA and the byte
# rate must let burst + rate * t through; the sliding window at most two
# bursts more and at least half the rate (its documented bound, swin.c).
# Tolerances come from the times the sender measured.  Then the rules go
# through save and apply unchanged.  (Topology: lib.sh.)

. "$(dirname "$0")/lib.sh"

RLCTL="$BIN/rlctl"
RATE=50
BURST=10

rl() {
	ip netns exec $DST "$RLCTL" "$@"
}

# bounds FLOODFILE ADDR ALGO: "LOW HIGH" received packets for what was sent.
bounds() {
	awk -v f="$(flood_field "$1" "$2" first)" -v l="$(flood_field "$1" "$2" last)" \
	    -v g="$(flood_field "$1" "$2" maxgap)" -v r=$RATE -v b=$BURST -v a="$3" 'BEGIN {
		t = (l - f) / 1e9
		ideal = b + r * t
		# 50 ms of delivery jitter at either end, and one packet.
		tol = 1 + r * 0.05
		# A send gap beyond the burst window forfeits what it would refill.
		lost = r * (g / 1e9 - b / r); if (lost < 0) lost = 0
		if (a == "sliding-window")
			printf "%f %f\n", r * t / 2 - lost - tol, ideal + b + tol
		else
			printf "%f %f\n", ideal - lost - tol, ideal + tol }'
}

require
[ -x "$RLCTL" ] || ktap_skip_all "rlctl not built"
trap cleanup EXIT
ktap_header 11

load || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
rl rule add 198.18.1.0/24 rate $RATE/s burst $BURST &&
rl rule add 198.18.2.0/24 rate $RATE/s burst $BURST algo gcra &&
rl rule add 198.18.3.0/24 rate $RATE/s burst $BURST algo sliding-window &&
rl rule add 198.18.4.0/24 rate 3000bytes/s burst 600bytes
ktap_result $? "rules with each algorithm and a byte rate"
start_sink || exit $KSFT_FAIL

pids=
for i in 1 2 3 4; do
	flood "$TMP/f$i" -d $DST4 -s 198.18.$i.1 -r 500 -t 3 &
	pids="$pids $!"
done
# shellcheck disable=SC2086 # one pid per word
wait $pids
stop_sink

i=1
for algo in token-bucket gcra sliding-window bytes; do
	a=198.18.$i.1
	got=$(sink_count $a)
	read -r lo hi <<-EOF2
	$(bounds "$TMP/f$i" $a $algo)
	EOF2
	diag "$algo: sent $(flood_field "$TMP/f$i" $a sent), received $got, allowed $lo..$hi"
	check "$algo: received what the algorithm allows" within "$got" "$lo" "$hi"
	check "$algo: the module counted it" [ "$(rl_entry $a/32 passed)" = "$got" ]
	i=$((i + 1))
done

rl save >"$TMP/saved"
check "save writes the algorithms and the byte rate" sh -c "
	grep -qx 'rule 198.18.2.0/24 rate 50/second burst 10 prefix-len 32 algo gcra' '$TMP/saved' &&
	grep -qx 'rule 198.18.3.0/24 rate 50/second burst 10 prefix-len 32 algo sliding-window' '$TMP/saved' &&
	grep -qx 'rule 198.18.4.0/24 rate 24kbit/second burst 600bytes prefix-len 32' '$TMP/saved'"
rl apply -f "$TMP/saved" && rl save | cmp -s - "$TMP/saved"
ktap_result $? "save, apply, save keeps them"
ktap_finish
