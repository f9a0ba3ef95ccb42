#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot Debian's 6.1 kernel under qemu and time nf_ratelimit,
# xt_hashlimit (iptables-legacy), an nft meter, an nft counter and nothing
# ("floor") on the same traffic (bench/bench-guest.sh), then write
# bench/results/ (bench/report.py).  For the edit loop, BENCH_VARIANTS,
# BENCH_SOURCES, BENCH_ORDERS, BENCH_COUNT narrow the instruction sweep
# (run BENCH_REPEAT times, 3 by default, the report taking each cell's
# median), BENCH_FLOODS sets the sources of the flood through the decision
# alone, BENCH_APPEND the boots' kernel arguments, BENCH_NO_ICOUNT=1
# and BENCH_NO_SCALING=1 skip it or the wall-clock one, BENCH_KBENCH_SOURCES
# sets the microbenchmark's table sizes, BENCH_RECIPES its recipes under
# -icount (BENCH_RECIPE_SOURCES their sources), BENCH_MODULE_DIR=DIR takes
# DIR/nf_ratelimit.ko as built, and BENCH_NF_RL_PARAMS adds module
# parameters.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/.build/bench
mkdir -p "$out"
rm -f "$out"/*.rows "$out"/*.kbench "$out"/*.recipes "$out"/*.floods

tools/install-deps.sh
rel=$(tools/stock-kernel.sh linux-image-amd64)
mods=${BENCH_MODULE_DIR:-$(tools/build-module.sh bench-module "/usr/src/linux-headers-$rel")}
# The same module exporting its internals, and the microbenchmark using them.
kbench=$(tools/build-module.sh bench-kbench "/usr/src/linux-headers-$rel" NF_RL_BENCH=1)
cp "$kbench/nf_ratelimit.ko" "$out/nf_ratelimit_exports.ko"
# The variants' modules and what they need, in load order (modprobe reads
# modules.dep on the host; the guest has only insmod).
extra=()
for ko in $(for m in veth pktgen iptable_raw xt_hashlimit nf_tables nft_limit; do
		modprobe -S "$rel" --show-depends "$m"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'); do
	extra+=(-x "$ko")
done
progs=(-p /usr/sbin/nft -p /usr/sbin/xtables-legacy-multi)
for so in libxt_hashlimit libxt_standard; do
	progs+=(-p "/usr/lib/x86_64-linux-gnu/xtables/$so.so")
done

# Kernel arguments of every bench boot.  init_on_alloc=0: Debian zeroes
# every slab object and page as it is allocated, and -icount counts each
# step of the `rep stosb` that does it as an instruction (a 4 KiB page: 4,096)
# where the CPU retires one.  With it on, that zeroing was ~1,860 of the
# floor's 6,670 "instructions" a packet and varied from run to run by
# ~10 a packet, as much as the rows the full-table target compares; off,
# a row's runs agree within ~6 (README, Performance).
append=${BENCH_APPEND-init_on_alloc=0}

# bench_vm NAME CPUS CONF [-I]: one boot running the sweep CONF describes.
bench_vm() {
	local name=$1 cpus=$2 conf=$3
	shift 3
	mkdir -p "$out/$name"
	printf '%s\n' "$conf" >"$out/$name/bench.conf"
	tools/vm/run.sh -k "/boot/vmlinuz-$rel" -m bench -o "$out/$name" -s "$cpus" \
		-A "$append" \
		-T 3600 -M "$mods/nf_ratelimit.ko" -f "$out/$name/bench.conf" \
		-f bench/bench-guest.sh -f "$out/nf_ratelimit_exports.ko" \
		-f "$kbench/nf_ratelimit_bench.ko" "${extra[@]}" "${progs[@]}" "$@"
	sed -n "s/^# bench-row: /$name /p" "$out/$name/results.ktap" >"$out/$name.rows"
	sed -n "s/^# bench-kbench: /$name /p" "$out/$name/results.ktap" >"$out/$name.kbench"
	sed -n "s/^# bench-recipe: /$name /p" "$out/$name/results.ktap" >"$out/$name.recipes"
	sed -n "s/^# bench-flood: /$name /p" "$out/$name/results.ktap" >"$out/$name.floods"
}

# Every variant passes every packet (RATE above what the VM can send, so no
# source is ever limited): the runs compare the cost of deciding.
common="CAPACITY=${BENCH_CAPACITY:-65536}
KBENCH_SOURCES=
RATE=1000000
BURST=10000
NF_RL_PARAMS=\"${BENCH_NF_RL_PARAMS:-}\""

# 1. Instructions: one vCPU, guest time counted in instructions, every
#    variant over the sweep of sources, both orders.
[ -n "${BENCH_NO_ICOUNT:-}" ] || bench_vm icount 1 "VARIANTS=\"${BENCH_VARIANTS:-floor counter nf_ratelimit nf_ratelimit-prealloc xt_hashlimit nft-meter}\"
SOURCES=\"${BENCH_SOURCES:-1 1024 65536 262144 1048576}\"
ORDERS=\"${BENCH_ORDERS:-random sequential}\"
COUNT=${BENCH_COUNT:-200000}
THREADS=1
REPEAT=${BENCH_REPEAT:-3}
$common" -I

# 1b. Selectors: the in-kernel decision under recipes 1 and 4, one vCPU
#     under -icount, so instructions again; then sweep 1's random-order
#     traffic through the decision alone (BENCH_FLOODS: its sources).
export BENCH_RECIPE_SOURCES=${BENCH_RECIPE_SOURCES:-1024}
[ -n "${BENCH_NO_RECIPES:-}" ] || bench_vm recipes 1 "VARIANTS=
SOURCES=
ORDERS=
COUNT=0
THREADS=1
REPEAT=1
$common
KBENCH_RECIPES=\"${BENCH_RECIPES:-source source6 prealloc ssh web other}\"
KBENCH_RECIPE_SOURCES=$BENCH_RECIPE_SOURCES
KBENCH_DECISIONS=262144
KBENCH_FLOODS=\"${BENCH_FLOODS-65536 262144 1048576}\"
KBENCH_FLOOD_DECISIONS=${BENCH_COUNT:-200000}" -I

# 2. Scaling: wall-clock packets per second on one vCPU, then on two with a
#    pktgen thread each, three repeats of the variants in turn per boot
#    (TCG's wall clock is noisy: only the ratio of medians means anything);
#    the two-vCPU boot also runs the in-kernel microbenchmark.
if [ -z "${BENCH_NO_SCALING:-}" ]; then
	for cpus in 1 2; do
		bench_vm "wall$cpus" $cpus "VARIANTS=\"floor nf_ratelimit\"
SOURCES=1024
ORDERS=random
COUNT=${BENCH_WALL_COUNT:-400000}
THREADS=$cpus
REPEAT=3
$common
KBENCH_SOURCES=\"$([ $cpus = 2 ] && echo "${BENCH_KBENCH_SOURCES:-1024 65536 1048576}")\""
	done
fi

# 3. The algorithms alone, in userspace: callgrind's exact count.
bench/ucount/run.sh >"$out/ucount.csv"
echo "$rel" >"$out/kernel"
echo "${BENCH_CAPACITY:-65536}" >"$out/capacity"
bench/report.py "$out" "$top/bench/results"
