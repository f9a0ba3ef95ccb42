#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /proc/net/nf_ratelimit/entries on a large table: every entry listed exactly
# once, in time linear in the table's size.  A reader that walked the table
# again from its start on every read() and skipped what it had shown would
# take time quadratic in the size: reading a 65,536-entry table once would
# then cost several times as much as reading a 4,096-entry table sixteen
# times (the same bytes); linear, the two cost about the same.  The ratio,
# not a time, is checked.  (Topology: lib.sh; the table is rl-dst's,
# quiet while it is read: rate 1/hour keeps every entry from GC.)

. "$(dirname "$0")/lib.sh"

SMALL=4096
LARGE=65536

uptime_cs() {	# centiseconds since boot
	awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime
}

# read_entries TIMES: one cat reads the file TIMES times (4 KiB of records
# per read(), whatever cat asks for), so that starting processes costs
# nothing; prints the centiseconds taken.
read_entries() {
	files=
	i=0
	while [ $i -lt "$1" ]; do
		files="$files /proc/net/nf_ratelimit/entries"
		i=$((i + 1))
	done
	t0=$(uptime_cs)
	ip netns exec $DST cat $files >/dev/null
	echo $(($(uptime_cs) - t0))
}

# wait_entries N: waits until the table holds N entries (paced sends: none lost).
wait_entries() {
	i=0
	while [ "$(rl_stat entries)" -lt "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(rl_stat entries)" = "$1" ]
}

require
trap cleanup EXIT
ktap_header 5

load rate=1/hour burst=1 max_entries=$((LARGE + 1024)) || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL

flood "$TMP/f1" -d $DST4 -s 198.18.0.1 -n $SMALL -c 1 -r 5000 -P 9001
check "the table holds $SMALL entries" wait_entries $SMALL
small=$(read_entries 16)

flood "$TMP/f2" -d $DST4 -s 198.19.0.1 -n $((LARGE - SMALL)) -c 1 -r 5000 -P 9001
check "the table holds $LARGE entries" wait_entries $LARGE
large=$(read_entries 1)
ip netns exec $DST cat /proc/net/nf_ratelimit/entries >"$TMP/entries"

lines=$(($(wc -l <"$TMP/entries") - 1))
dups=$(awk 'NR > 1 { print $1 }' "$TMP/entries" | sort | uniq -d | wc -l)
diag "$SMALL entries read 16 times: $small cs; $LARGE entries read once: $large cs; $lines lines, $dups repeated"
check "every entry is listed" [ "$lines" = $LARGE ]
check "... exactly once" [ "$dups" = 0 ]
# Linear: about 1.  Quadratic: the skipping alone grows sixteenfold (on the
# debug kernel, where formatting an entry costs most, about 5 in all).
check "reading grows linearly with the table" \
	awk -v s="$small" -v l="$large" 'BEGIN { exit !(l <= 2 * (s < 1 ? 1 : s)) }'
ktap_finish
