#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Each limiting algorithm, and a byte rate, on real traffic: four sources
# flood rl-dst at once, each under a rule of 20 packets/s with a burst of 40
# (token-bucket, gcra, sliding-window, and 1200 bytes/s with a 2400-byte
# burst for 60-byte packets, the same in packets).  The 2 s burst window
# keeps GC from forgetting a source before its entry is read.  Token bucket, GCRA and the byte
# rate must let burst + rate * t through; the sliding window at most two
# bursts more and at least half the rate (its documented bound, swin.c).
# Tolerances come from the times the sender measured.  Then the rules go
# through save and apply unchanged.  (Topology: lib.sh.)

. "$(dirname "$0")/lib.sh"

RLCTL="$BIN/rlctl"
RATE=20
BURST=40

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
ktap_header 13

load || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
rl rule add 198.18.1.0/24 rate $RATE/s burst $BURST &&
rl rule add 198.18.2.0/24 rate $RATE/s burst $BURST algo gcra &&
rl rule add 198.18.3.0/24 rate $RATE/s burst $BURST algo sliding-window &&
rl rule add 198.18.4.0/24 rate 1200bytes/s burst 2400bytes
ktap_result $? "rules with each algorithm and a byte rate"
start_sink || exit $KSFT_FAIL

pids=
for i in 1 2 3 4; do
	flood "$TMP/f$i" -d $DST4 -s 198.18.$i.1 -r 500 -t 3 &
	pids="$pids $!"
done
# shellcheck disable=SC2086 # one pid per word
wait $pids
ip netns exec $DST cat /proc/net/nf_ratelimit/entries >"$TMP/entries"
# At once: an entry idle past its refill time is GC's to free.
rl -j entries 198.18.4.1/32 >"$TMP/j"
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
	check "$algo: the module counted it" \
		[ "$(awk -v s=$a/32 '$1 == s { print $3 }' "$TMP/entries")" = "$got" ]
	i=$((i + 1))
done

# Entries count bytes beside packets (what rlsyncd syncs for byte rules):
# rl_flood's datagrams are 60 bytes at the IP layer.
p=$(awk '$1 == "198.18.4.1/32" { print $3 }' "$TMP/entries")
d=$(awk '$1 == "198.18.4.1/32" { print $4 }' "$TMP/entries")
diag "$(cat "$TMP/j")"
check "bytes: the entry counts the bytes passed and dropped, 60 a packet" \
	grep -q "\"passed\":$p,\"dropped\":$d,\"passed_bytes\":$((p * 60)),\"dropped_bytes\":$((d * 60))," "$TMP/j"

# A sliding window counts up to a burst in 32 bits: more is refused, with
# the kernel's reason, and leaves the rules as they were.
rl rule add 198.18.5.0/24 rate $RATE/s burst 4294967296 algo sliding-window \
	>"$TMP/out" 2>&1
rc=$?
diag "$(cat "$TMP/out")"
rl save >"$TMP/after"
check "a sliding window's burst over 2^32 - 1 is refused and changes nothing" sh -c "
	[ $rc -ne 0 ] &&
	grep -q 'sliding-window burst must be at most 4294967295' '$TMP/out' &&
	! grep -q 198.18.5.0 '$TMP/after'"

rl save >"$TMP/saved"
check "save writes the algorithms and the byte rate" sh -c "
	grep -qx 'rule 198.18.2.0/24 rate 20/second burst 40 prefix-len 32 algo gcra' '$TMP/saved' &&
	grep -qx 'rule 198.18.3.0/24 rate 20/second burst 40 prefix-len 32 algo sliding-window' '$TMP/saved' &&
	grep -qx 'rule 198.18.4.0/24 rate 1200bytes/second burst 2400bytes prefix-len 32' '$TMP/saved'"
rl apply -f "$TMP/saved" && rl save | cmp -s - "$TMP/saved"
ktap_result $? "save, apply, save keeps them"
ktap_finish
