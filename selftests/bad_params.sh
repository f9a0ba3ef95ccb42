#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bad module parameters: insmod fails, dmesg says why in one line that names
# the parameter, and nothing is left behind.  Then good ones load.  (No
# traffic; no topology.)

. "$(dirname "$0")/lib.sh"

BAD="
rate rate=abc
rate rate=10/fortnight
rate rate=-1
rate rate=1.5
burst burst=abc
burst burst=-1
rate rate=1/hour burst=10000000
v4_prefix v4_prefix=33
v6_prefix v6_prefix=129
hook hook=forward
priority priority=-2147483648
priority priority=2147483647
max_entries max_entries=0
max_entries max_entries=99999999
buckets buckets=1000
buckets buckets=8
buckets buckets=1024 max_entries=65536
full_policy full_policy=maybe
dry_run dry_run=maybe
prealloc prealloc=maybe
idle_timeout idle_timeout=0
idle_timeout idle_timeout=3601
algo algo=leaky
algo algo=sliding-window rate=5000000000/second
rate rate=10kb/s
rate rate=1bytes/week burst=10
"

require
trap cleanup EXIT
ktap_header 30

echo "$BAD" >"$TMP/bad"
while read -r param args; do
	[ -n "$param" ] || continue
	rmmod nf_ratelimit 2>/dev/null
	dmesg -c >/dev/null
	# shellcheck disable=SC2086 # the arguments are meant to split
	insmod "$NF_RL_KO" $args 2>/dev/null
	rc=$?
	msg=$(dmesg | grep "nf_ratelimit: " | tail -n 1)
	diag "$args -> $msg"
	ok=0
	[ $rc -ne 0 ] || ok=1
	echo "$msg" | grep -q "$param" || ok=1
	! grep -q '^nf_ratelimit ' /proc/modules || ok=1
	[ ! -e /proc/net/nf_ratelimit ] || ok=1
	ktap_result $ok "refused: $args"
done <"$TMP/bad"

check "good parameters load" load rate=10/second burst=5 hook=input priority=0 \
	v4_prefix=24 v6_prefix=48 max_entries=1000 buckets=512 full_policy=drop \
	prealloc=1 idle_timeout=60
check "config shows them" sh -c '
	c=/proc/net/nf_ratelimit/config
	grep -qx "rate 10/second" $c && grep -qx "burst 5" $c &&
	grep -qx "hook input" $c && grep -qx "priority 0" $c &&
	grep -qx "v4_prefix 24" $c && grep -qx "v6_prefix 48" $c &&
	grep -qx "max_entries 1000" $c && grep -qx "buckets 512" $c &&
	grep -qx "prealloc 1" $c && grep -qx "full_policy drop" $c &&
	grep -qx "idle_timeout 60" $c'
# Without lib.sh's load(), which sets idle_timeout=1: the defaults.
rmmod nf_ratelimit
check "a byte rate and an algorithm load" insmod "$NF_RL_KO" rate=100kbit/s algo=gcra
check "config shows the byte rate, its 64 KiB default burst, the algorithm and the default idle_timeout" sh -c '
	c=/proc/net/nf_ratelimit/config
	grep -qx "rate 100kbit/second" $c && grep -qx "burst 65536" $c &&
	grep -qx "algo gcra" $c && grep -qx "idle_timeout 10" $c'
ktap_finish
