#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# prealloc=1: each namespace's max_entries entries are allocated when its
# table is made, and a flood of new sources takes them from the table's
# pools: the rl_entry slab cache (the VMs boot with slab_nomerge, so it is
# the module's own) does not change through a flood of 1000 spoofed sources
# that fills the table, nor through a flush, while the table fills, turns
# the rest away and never fails an allocation.  Raising max_entries
# allocates the difference at once and lowering it gives back what the
# pools hold; the table then holds exactly the new number.  Leaks on any of
# these paths are the debug kernel's kmemleak scan's to find, and there a
# raise that fault injection makes fail is refused whole.
# (Topology: lib.sh; rlctl runs in rl-dst.)

. "$(dirname "$0")/lib.sh"

NSRC=1000
MAX=256

require
[ -x "$BIN/rlctl" ] || ktap_skip_all "rlctl not built"
trap 'fi_available && inject 0; cleanup' EXIT
ktap_header 16

# Objects of the rl_entry cache in use (all of them: the slab counts a
# CPU's current slab as in use).
slab_objs() {
	awk '$1 == "rl_entry" { print $2; f = 1 } END { if (!f) print 0 }' /proc/slabinfo
}
rl() { ip netns exec $DST "$BIN/rlctl" "$@"; }
fill() {	# fill FILE FIRST: NSRC new sources, one packet each
	flood "$1" -d $DST4 -s "$2" -n $NSRC -c 1 -r 5000
}

load rate=1/minute burst=1 max_entries=$MAX full_policy=drop prealloc=1 ||
	exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
check "config says prealloc" ip netns exec $DST grep -qx "prealloc 1" \
	/proc/net/nf_ratelimit/config

before=$(slab_objs)
fill "$TMP/a" 198.18.0.1
after=$(slab_objs)
diag "flood: entries $(rl_stat entries), table_full $(rl_stat table_full), alloc_failed $(rl_stat alloc_failed), rl_entry objects $before -> $after"
check "the flood fills the table" [ "$(rl_stat entries)" = $MAX ]
check "... turns the rest away" [ "$(rl_stat table_full)" = $((NSRC - MAX)) ]
check "... and no allocation fails" [ "$(rl_stat alloc_failed)" = 0 ]
check "... with no object allocated or freed" [ "$after" = "$before" ]

rl flush
fill "$TMP/b" 198.19.0.1
check "flushed entries serve new sources" [ "$(rl_stat entries)" = $MAX ]
check "... from the pools, not the slab" [ "$(slab_objs)" = "$after" ]

check "raising max_entries allocates the difference" rl set max-entries $((2 * MAX))
rl flush
raised=$(slab_objs)
fill "$TMP/c" 198.20.0.1
check "... and the table holds that many" [ "$(rl_stat entries)" = $((2 * MAX)) ]
check "... still from the pools" [ "$(slab_objs)" = "$raised" ]
check "... with no allocation failing" [ "$(rl_stat alloc_failed)" = 0 ]

rl flush
check "lowering it gives entries back" rl set max-entries $((MAX / 2))
fill "$TMP/d" 198.21.0.1
check "... and the table holds the new number" [ "$(rl_stat entries)" = $((MAX / 2)) ]

# A raise whose entries cannot all be allocated (every second of the
# module's allocations failing: the pools' fill fails in its first or
# second batch) is refused whole: max_entries and the table stay as they
# were.  Fault injection exists on the debug kernel only.
refused_for_memory() {
	[ "$rc" -ne 0 ] && grep -q "cannot preallocate" "$TMP/err"
}
if fi_available && setup_injection; then
	for f in failslab fail_page_alloc; do
		echo 2 >$FAULTS/$f/interval
	done
	inject 100
	rl set max-entries $((2 * MAX)) 2>"$TMP/err"
	rc=$?
	inject 0
	diag "raise under injection: rc $rc, $(cat "$TMP/err")"
	check "a raise that cannot be preallocated is refused" refused_for_memory
	check "... and max_entries stays" ip netns exec $DST grep -qx \
		"max_entries $((MAX / 2))" /proc/net/nf_ratelimit/config
	rl flush
	fill "$TMP/e" 198.22.0.1
	check "... and the table holds what it held" [ "$(rl_stat entries)" = $((MAX / 2)) ]
else
	for p in "a raise that cannot be preallocated is refused" \
		 "... and max_entries stays" "... and the table holds what it held"; do
		ktap_skip "$p" "no fault injection on this kernel"
	done
fi
ktap_finish
