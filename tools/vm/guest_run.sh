#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM.  Prints one flat KTAP stream: one test point per
# KUnit case and per selftest script, then the kernel-log checks on a debug
# kernel.  Usage: guest_run.sh MODE, MODE a comma list of kunit, selftests,
# debugchecks, demo, bench.

LIB=/lib/nf_ratelimit
n=0
mode=",$1,"
# SPLATS, kernel_log and kernel_splats: the patterns every check shares.
. /selftests/lib.sh
rm -rf "$TMP"

point() {	# point ok|not ok NAME [# SKIP reason]
	n=$((n + 1))
	echo "$1 $n $2"
}

# Modules the tests need that a stock kernel builds as modules (veth; for the
# keeper below and import.sh, nf_tables, nft_limit and xt_hashlimit).
for ko in "$LIB"/extra/*.ko; do
	[ -e "$ko" ] && insmod "$ko" 2>/dev/null
done

# Netfilter turns the hook calls in ip_rcv() and friends on and off with
# static keys, which patch kernel text through an int3.  Two boots (Debian's
# 6.12 and 6.12-rt) under qemu's multi-threaded TCG died of "Oops: int3" at
# that site in ip_rcv() while the module was unloaded under a flood: the
# emulator, not the kernel, as far as we can tell.  A base chain held in the
# initial namespace for the whole boot keeps the keys on, so loading and
# unloading the module no longer patches code.  (The debug kernel has no
# jump labels, hence no patching and no nft.)
if [ -x /usr/sbin/nft ] && ! nft -f - <<-EOF
	table inet rl_keep {
		chain pre { type filter hook prerouting priority 0; }
		chain in { type filter hook input priority 0; }
	}
	EOF
then
	echo "# nft: could not keep netfilter's static keys on"
fi

echo "KTAP version 1"
echo "# kernel $(uname -r), $(nproc) CPUs"

if [ -e /sys/kernel/debug/kmemleak ]; then
	echo clear >/sys/kernel/debug/kmemleak
fi
dmesg -c >/dev/null

case "$mode" in *,kunit,*)
	if ! insmod "$LIB/nf_ratelimit.ko" || ! insmod "$LIB/nf_ratelimit_kunit.ko"; then
		point "not ok" "kunit: loading the modules"
	else
		# The suites ran at load.  Their KTAP is read from the kernel log:
		# debugfs keeps only a fixed-size, truncated copy.  Cases are the
		# results indented once under a suite's "# Subtest:" line.
		dmesg | sed 's/^\[[^]]*\] //' >/tmp/kunit.log
		sed 's/^/# /' /tmp/kunit.log
		awk -v n=$n '
			/^    # Subtest: / { suite = $3; next }
			/^    (not )?ok [0-9]+ / && suite ~ /^nf_ratelimit_/ {
				verdict = $1 == "not" ? "not ok" : "ok"
				sub(/^    (not )?ok [0-9]+ (- )?/, "")
				print verdict, ++n, "kunit: " suite "." $0
			}' /tmp/kunit.log >/tmp/kunit_points
		cat /tmp/kunit_points
		n=$((n + $(wc -l </tmp/kunit_points)))
		[ -s /tmp/kunit_points ] || point "not ok" "kunit: the suites reported results"
		rmmod nf_ratelimit_kunit && rmmod nf_ratelimit ||
			point "not ok" "kunit: unloading the modules"
	fi
esac

case "$mode" in *,selftests,*)
	cd /selftests || exit 1
	export NF_RL_STRICT=1 NF_RL_IP=/usr/sbin/ip
	# Tests that need the debug kernel's features may skip elsewhere only.
	case "$mode" in *,debugchecks,*) export NF_RL_DEBUG_KERNEL=1 ;; esac
	for t in ${NF_RL_TESTS:-*.sh}; do
		[ "$t" = lib.sh ] && continue
		out=/tmp/$t.out
		# A hung test fails alone instead of stalling the whole VM.  The
		# longest, netlink_fuzz.sh, takes about 4 minutes on the debug
		# kernel: 10 leave room for a loaded host.
		since=$(uptime_s)
		timeout "${NF_RL_TEST_TIMEOUT:-600}" ./"$t" >"$out" 2>&1
		rc=$?
		sed 's/^/# /' "$out"
		# Where make check's time goes: guest seconds per test.
		awk -v s="$since" -v e="$(uptime_s)" -v t="$t" \
			'BEGIN { printf "# %s took %d s\n", t, e - s }'
		# A kernel report during a test fails it, whatever it checked.
		kernel_splats "$since" >/tmp/splats
		[ $rc = 0 ] && [ -s /tmp/splats ] && rc=report
		case $rc in
		0) point "ok" "selftests: $t" ;;
		4) point "ok" "selftests: $t # SKIP" ;;
		124|143) point "not ok" "selftests: $t # timed out" ;;
		report) point "not ok" "selftests: $t # kernel report in its log" ;;
		*) point "not ok" "selftests: $t # exit=$rc" ;;
		esac
		if [ $rc != 0 ] && [ $rc != 4 ]; then
			echo "# kernel log during $t (last 60 lines):"
			kernel_log "$since" | tail -60 | sed 's/^/#   /'
		fi
		# A test that timed out, leaving its namespaces and the module
		# behind, must not spoil the next one.
		/usr/sbin/ip netns del rl-src 2>/dev/null
		/usr/sbin/ip netns del rl-dst 2>/dev/null
		rmmod nf_ratelimit 2>/dev/null
	done
esac

case "$mode" in *,bench,*)
	"$LIB/bench-guest.sh"
esac

case "$mode" in *,demo,*)
	NF_RL_IP=/usr/sbin/ip "$LIB/demo.sh" 2>&1 | sed 's/^/# /'
esac

case "$mode" in *,debugchecks,*)
	if [ -e /sys/kernel/debug/kmemleak ]; then
		# kmemleak only reports objects older than 5 s: scan, wait, scan.
		echo scan >/sys/kernel/debug/kmemleak
		sleep 6
		echo scan >/sys/kernel/debug/kmemleak
		leaks=$(cat /sys/kernel/debug/kmemleak)
		if [ -n "$leaks" ]; then
			echo "$leaks" | sed 's/^/# /'
			point "not ok" "debug: kmemleak found no leak"
		else
			point "ok" "debug: kmemleak found no leak"
		fi
	fi
	desc="debug: no KASAN, lockdep, UBSAN, RCU-stall, hung-task or lockup report in the kernel log"
	if [ -n "$(kernel_splats)" ]; then
		dmesg | sed 's/^/# /'
		point "not ok" "$desc"
	else
		point "ok" "$desc"
	fi
esac

echo "1..$n"
