#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of nf_ratelimit, from a bare Debian 12 machine.
#
#  1. install missing packages; build the debug test kernel (cached in
#     /var/cache/nf_ratelimit, about 6 minutes the first time);
#  2. rlctl's and rlsyncd's unit tests and fuzzing, rlsyncd against a real
#     redis-server, the netlink spec; packaging (make
#     install/uninstall, systemd units, DKMS builds for each kernel, make deb);
#  3. for each of Debian's kernels, 6.1 ("stock"), 6.12 ("stock612") and
#     6.12 PREEMPT_RT ("rt612"): build the module (W=1) and boot the kernel
#     with its selftests (tests_for: the churn and unload stress scenarios
#     run on RT and debug, fault injection on debug only);
#  4. the debug kernel: lint (sparse, checkpatch --strict, cppcheck), then
#     boot it: KUnit, selftests, KASAN/lockdep/kmemleak checks of its log;
#  5. print the stress scenarios' table (also in .build/results/stress.md),
#     every result, "K skipped", and the closing line "N passed, M failed".
#
# NF_RL_TESTS="a.sh b.sh" limits the selftests; NF_RL_KERNELS="stock debug"
# (any of stock, stock612, rt612, debug) limits the kernels.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/.build/results
rm -rf "$out"
mkdir -p "$out"
kernels=${NF_RL_KERNELS:-stock stock612 rt612 debug}
step() { echo "==> $*" >&2; }

step "dependencies"
tools/install-deps.sh
case " $kernels " in *" debug "*) debug=$(tools/build-debug-kernel.sh) ;; esac

step "selftest programs and rlctl"
# The selftests' helpers (their kselftest Makefile), rlctl and rlsyncd, which
# the VM harness copies with their libraries.
make -s -C selftests OUTPUT="$top/.build/bin"
make -s -C tools/rlctl rlctl
make -s -C tools/rlsyncd rlsyncd
cp tools/rlctl/rlctl tools/rlsyncd/rlsyncd .build/bin/
make -s -C tools/rlctl tests/parse_test
tools/rlctl/tests/parse_test | sed 's/^\(\(not \)\{0,1\}ok [0-9]*\)/\1 rlctl parser:/' >"$out/rlctl-unit.ktap" || true
results=("rlctl=$out/rlctl-unit.ktap")
step "rlsyncd: configuration parser, and its script and client against a real redis-server"
make -s -C tools/rlsyncd tests/conf_test tests/redis_test
tools/rlsyncd/tests/conf_test | sed 's/^\(\(not \)\{0,1\}ok [0-9]*\)/\1 rlsyncd conf:/' >"$out/rlsyncd-conf.ktap" || true
tools/rlsyncd/tests/script_test.sh | sed 's/^\(\(not \)\{0,1\}ok [0-9]*\)/\1 rlsyncd redis:/' >"$out/rlsyncd-redis.ktap" || true
results+=("rlsyncd-conf=$out/rlsyncd-conf.ktap" "rlsyncd-redis=$out/rlsyncd-redis.ktap")
step "netlink spec"
schema=$(tools/linux-source-part.sh ynl-schema)
/usr/bin/python3 tools/check-spec.py Documentation/netlink/specs/nf_ratelimit.yaml \
	"$schema" kmod/uapi selftests/netlink_policy.expected >"$out/spec.ktap" || true
results+=("spec=$out/spec.ktap")
step "libFuzzer on rlctl's and rlsyncd's parsers (${NF_RL_FUZZ_SECONDS:-30} s each)"
: >"$out/fuzz.ktap"
i=0
for t in rlctl rlsyncd; do
	i=$((i + 1))
	if make -s -C tools/$t fuzz FUZZ_SECONDS="${NF_RL_FUZZ_SECONDS:-30}" >"$out/fuzz-$t.log" 2>&1; then
		echo "ok $i $t fuzz: parsers survive libFuzzer with ASan and UBSan" >>"$out/fuzz.ktap"
	else
		sed 's/^/# /' "$out/fuzz-$t.log" | tail -40 >>"$out/fuzz.ktap"
		echo "not ok $i $t fuzz: parsers survive libFuzzer with ASan and UBSan" >>"$out/fuzz.ktap"
	fi
done
results+=("fuzz=$out/fuzz.ktap")
step "packaging: make install and uninstall, units, DKMS, make deb"
tools/test-packaging.sh "$(tools/stock-kernel.sh linux-image-amd64)" \
	"$(tools/stock-kernel.sh linux-image-6.12-amd64)" \
	"$(tools/stock-kernel.sh linux-image-6.12-rt-amd64)" >"$out/packaging.ktap" || true
results+=("packaging=$out/packaging.ktap")

# tests_for NAME: the selftests a kernel's VM runs (NF_RL_TESTS overrides).
# The control-plane stress scenarios run where the locking differs (RT) and
# under the sanitizers (debug); fault injection (stress_alloc_failure.sh,
# load_failures.sh) exists on the debug kernel only; rlctl import's
# comparison with iptables and nft (userspace, mostly) on 6.1 only; reading
# a large entries file (proc_entries.sh: procfs, the same on every kernel,
# and slow to fill) on 6.1 and the debug kernel.  Every kernel gets the
# spoofed flood and everything else.
tests_for() {
	local skip=(-e lib.sh)
	if [ -n "${NF_RL_TESTS:-}" ]; then
		echo "$NF_RL_TESTS"
		return
	fi
	case $1 in
	stock)	skip+=(-e stress_churn.sh -e stress_unload.sh -e stress_alloc_failure.sh
		       -e load_failures.sh) ;;
	stock612)
		skip+=(-e stress_churn.sh -e stress_unload.sh -e stress_alloc_failure.sh
		       -e load_failures.sh -e import.sh -e proc_entries.sh) ;;
	rt612)	skip+=(-e stress_alloc_failure.sh -e load_failures.sh -e import.sh
		       -e proc_entries.sh) ;;
	debug)	skip+=(-e import.sh) ;;
	esac
	(cd selftests && ls -- *.sh) | grep -vx "${skip[@]}" | tr '\n' ' '
}

# distro NAME METAPACKAGE: one of Debian's kernels, with its selftests.
# Besides veth, the guest gets nf_tables and nft: guest_run.sh keeps a base
# chain in the initial namespace so that netfilter's static keys stay on;
# nfqueue.sh queues with them (nft_queue, nfnetlink_queue); import.sh also
# uses them, nft_limit, and iptables-legacy with hashlimit, tcp/udp and
# multiport matches (the recipes' original rules).
# In every VM: the three-host test's Redis, with its libraries, and
# iproute2's genl, with which netlink_policy.sh reads the module's policies.
vmprogs=(-p /usr/bin/redis-server -p /usr/bin/redis-cli -p /usr/sbin/genl)

distro() {
	local name=$1 rel mods ko so extra=() progs=(-p /usr/sbin/nft "${vmprogs[@]}")
	rel=$(tools/stock-kernel.sh "$2")
	step "module for Debian's kernel $rel"
	mods=$(tools/build-module.sh "$name" "/usr/src/linux-headers-$rel")
	# In load order, as the host's modules.dep for that kernel says.
	for ko in $(for m in veth nf_tables nft_limit nft_queue nfnetlink_queue \
			iptable_filter xt_hashlimit xt_tcpudp xt_multiport; do
			modprobe -S "$rel" --show-depends "$m"
		done |
			awk '$1 == "insmod" && !seen[$2]++ { print $2 }'); do
		# 6.12 ships its modules xz-compressed; the VM's insmod wants them plain.
		case $ko in *.xz)
			xz -dc "$ko" >"$top/.build/$name/$(basename "$ko" .xz)"
			ko=$top/.build/$name/$(basename "$ko" .xz) ;;
		esac
		extra+=(-x "$ko")
	done
	progs+=(-p /usr/sbin/xtables-legacy-multi)
	for so in libxt_hashlimit libxt_standard libxt_udp libxt_tcp libxt_multiport; do
		progs+=(-p "/usr/lib/x86_64-linux-gnu/xtables/$so.so")
	done
	step "VM: $rel, selftests"
	tools/vm/run.sh -k "/boot/vmlinuz-$rel" -m selftests \
		-o "$out/$name" -b .build/bin -t "$(tests_for "$name")" \
		-M "$mods/nf_ratelimit.ko" "${extra[@]}" "${progs[@]}" ||
		echo "not ok 1 vm: the $rel VM ran to the end" >>"$out/$name/results.ktap"
	results+=("$name=$out/$name/results.ktap")
}

for k in $kernels; do
	case $k in
	stock) distro stock linux-image-amd64 ;;
	stock612) distro stock612 linux-image-6.12-amd64 ;;
	rt612) distro rt612 linux-image-6.12-rt-amd64 ;;
	debug)
		step "module for the debug kernel"
		mods=$(tools/build-module.sh debug "$debug")
		step "lint"
		tools/lint.sh "$debug" >"$out/lint.ktap" || true
		results+=("lint=$out/lint.ktap")
		step "VM: debug kernel, KUnit and selftests"
		# Its longest run: KUnit, every selftest under KASAN and lockdep,
		# and kmemleak's scans.  A CI machine once ran past run.sh's
		# default 25 minutes with every test passed: 45 leave room.
		tools/vm/run.sh -k "$debug/arch/x86/boot/bzImage" -T 2700 \
			-m kunit,selftests,debugchecks -o "$out/debug" \
			-b .build/bin -t "$(tests_for debug)" -p /usr/sbin/nft "${vmprogs[@]}" \
			-M "$mods/nf_ratelimit.ko" -M "$mods/nf_ratelimit_kunit.ko" ||
			echo "not ok 1 vm: the debug kernel VM ran to the end" >>"$out/debug/results.ktap"
		results+=("debug=$out/debug/results.ktap")
		;;
	esac
done

step "stress scenarios (packets sent, dropped by the module; violations = failed checks)"
tools/stress-table.sh "${results[@]}" | tee "$out/stress.md"
step "results (details: $out/*/results.ktap, console.log)"
tools/ktap-summary.sh "${results[@]}"
