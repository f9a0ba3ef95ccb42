#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo, inside the VM: three sources flood a host at 200 packets/s each
# while a fourth sends politely at 5/s; nf_ratelimit holds each flood to
# 10/s after a burst of 20 and leaves the polite source alone.  Then a tour of
# rlctl: rules, events, save.  Uses the selftests' topology and helpers
# (selftests/lib.sh).

NF_RL_BIN=/selftests/bin
. /selftests/lib.sh
trap cleanup EXIT

echo "== nf_ratelimit demo on Linux $(uname -r) =="
echo "\$ insmod nf_ratelimit.ko rate=10/second burst=20"
# Not lib.sh's load(), which shortens idle_timeout for the tests: the
# defaults, as a user loading the module gets them.
rmmod nf_ratelimit 2>/dev/null
insmod "$NF_RL_KO" rate=10/second burst=20 || exit 1
setup_topology noipv6 || exit 1
start_sink || exit 1

echo "Flooding 198.51.100.2 (netns rl-dst) for 5 s from 203.0.113.1-3 at 200 packets/s"
echo "each, and from 203.0.113.50 at 5 packets/s..."
flood "$TMP/polite" -d $DST4 -s 203.0.113.50 -r 5 -t 5 &
polite=$!
flood "$TMP/flood" -d $DST4 -s 203.0.113.1 -n 3 -r 600 -t 5
wait $polite
stop_sink

echo
printf "%-16s %8s %9s\n" source sent received
for a in 203.0.113.1 203.0.113.2 203.0.113.3; do
	printf "%-16s %8s %9s\n" $a "$(flood_field "$TMP/flood" $a sent)" "$(sink_count $a)"
done
printf "%-16s %8s %9s\n" 203.0.113.50 "$(flood_field "$TMP/polite" 203.0.113.50 sent)" \
	"$(sink_count 203.0.113.50)"
echo "(expected for a flood: 20 + 10/s x 5 s = about 70 received)"
echo
echo "\$ cat /proc/net/nf_ratelimit/entries    # in netns rl-dst"
ip netns exec $DST cat /proc/net/nf_ratelimit/entries
for cmd in "status" "top -n 3" "-j entries 203.0.113.50"; do
	echo
	echo "\$ rlctl $cmd    # in netns rl-dst"
	# shellcheck disable=SC2086 # the command is meant to split
	ip netns exec $DST "$BIN/rlctl" $cmd
done

rlctl() {
	echo
	echo "\$ rlctl $*"
	ip netns exec $DST "$BIN/rlctl" "$@"
}

echo
echo "== Rules: the flood's /24 as one source, the polite host allowed =="
rlctl rule add 203.0.113.0/24 rate 50/second burst 50 prefix-len 24
rlctl rule add 203.0.113.50 action allow
rlctl rule replace 0.0.0.0/0 rate 20/second burst 40
rlctl rule list
rlctl -j rule get 203.0.113.0/24
rlctl flush

# Two events: the /24 limited, then released when GC finds it idle, its
# bucket refilled and idle_timeout (10 s) after the flood stops.
ip netns exec $DST timeout 30 "$BIN/rlctl" monitor count 2 >"$TMP/mon" &
sleep 1
echo
echo "(203.0.113.1-3 flood again for 2 s, at 600 packets/s in all)"
flood "$TMP/flood" -d $DST4 -s 203.0.113.1 -n 3 -r 600 -t 2
rlctl entries 203.0.113.0/24
wait
echo
echo "\$ rlctl monitor    # started before the flood"
cat "$TMP/mon"
rlctl save
