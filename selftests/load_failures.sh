#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Loading the module with each of its allocations failing in turn, while
# packets flow through init_net.  rl_failnth makes the Nth allocation of the
# loading thread that has module code on its stack fail
# (/proc/thread-self/fail-nth, with failslab's stack filter) for N = 1, 2,
# ... until a load goes through with nothing left to fail: on the way every
# error path of the module's init runs once, among them netfilter
# refusing the IPv6 hook after the IPv4 one went in, which it takes out
# again without waiting for the packets inside it.  Every load must either
# fail cleanly or load (and unload); KASAN, lockdep and kmemleak (after the
# last test) watch.  Only the debug kernel has fault injection; elsewhere
# this test skips.
#
#   init_net: rl_flood --(lo: 127.0.0.2 -> 127.0.0.1)--> hooks, while
#             rl_failnth N nf_ratelimit.ko loads, fails, unloads

. "$(dirname "$0")/lib.sh"

FI=/sys/kernel/debug/failslab
MAX_POINTS=1000

require
[ -x "$BIN/rl_failnth" ] || ktap_skip_all "rl_failnth not built"
if [ ! -e /proc/thread-self/fail-nth ] || [ ! -e $FI/ignore-gfp-wait ]; then
	[ -n "$NF_RL_DEBUG_KERNEL" ] && ktap_skip_all "the debug kernel lacks fail-nth or failslab"
	echo "1..0 # SKIP this kernel has no fault injection"
	exit $KSFT_SKIP
fi
trap '[ -n "$lo_pid" ] && kill $lo_pid 2>/dev/null; echo Y >$FI/ignore-gfp-wait; cleanup' EXIT
ktap_header 4

# Sleeping allocations count too; a forced failure prints no stack trace
# (it would read as a kernel report).  Only allocations with module code on
# their stack count (fail-nth honours the stack filter): the module's init
# and what the kernel allocates for it, not the loader's own hundreds of
# allocations, which are the kernel's to get right.  Module code lies above
# the end of the kernel image.
kend=$(awk '$3 == "_end" { print "0x" $1 }' /proc/kallsyms)
case $kend in 0x0*|"") ktap_skip_all "no address for _end in /proc/kallsyms" ;; esac
# Except below sysfs_slab_add(): when kobject_init_and_add() fails there,
# 6.12's mm/slub.c leaks the cache's name (no kobject_put()), a kernel leak
# kmemleak would pin on our kmem_cache_create().
slab_add=$(sort /proc/kallsyms | awk '
	found { print "0x" $1; exit }
	$3 == "sysfs_slab_add" { printf "0x%s ", $1; found = 1 }')
[ -n "$slab_add" ] || slab_add="0 0"
echo N >$FI/ignore-gfp-wait
echo 0 >$FI/verbose
echo 32 >$FI/stacktrace-depth
echo "$kend" >$FI/require-start
echo 0xffffffffffffffff >$FI/require-end
echo "${slab_add% *}" >$FI/reject-start
echo "${slab_add#* }" >$FI/reject-end

rmmod nf_ratelimit 2>/dev/null
ip link set lo up
"$BIN/rl_flood" -i lo -m 00:00:00:00:00:00 -d 127.0.0.1 -s 127.0.0.2 \
	-r 20000 -t 900 -P 9 >/dev/null &
lo_pid=$!

n=1 refused=0 loaded=0 bad= done=
while [ $n -le $MAX_POINTS ]; do
	since=$(uptime_s)
	set -- $("$BIN/rl_failnth" $n "$NF_RL_KO" rate=1000/second)
	[ "$1" = loaded ] || { bad="rl_failnth failed at point $n"; break; }
	if [ "$2" = 1 ]; then
		loaded=$((loaded + 1))
		rmmod nf_ratelimit || { bad="unloading after point $n failed"; break; }
	else
		refused=$((refused + 1))
	fi
	if [ -n "$(kernel_splats "$since")" ]; then
		bad="a kernel report with point $n failing"
		break
	fi
	if [ "$4" = 0 ]; then
		done=$n
		break
	fi
	n=$((n + 1))
done
kill $lo_pid
lo_pid=
diag "points: $n; loads refused $refused, loaded anyway $loaded${bad:+; $bad}"
check "each failing allocation: the load fails cleanly or loads and unloads" [ -z "$bad" ]
check "every allocation of a load was failed once (N went past the last)" [ -n "$done" ]
check "some loads were refused" [ "$refused" -gt 0 ]
check "the module loads again afterwards" load rate=1000/second
ktap_finish
