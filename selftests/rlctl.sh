#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rlctl against the live module: status (text, JSON, Prometheus), entries and
# their prefix filter, top, deleting one entry and flushing all, runtime
# settings, the kernel's refusals with its message, usage errors, callers
# without CAP_NET_ADMIN, and a module that is not loaded.  (Topology: lib.sh;
# rlctl runs in rl-dst, where the flood arrives.)

. "$(dirname "$0")/lib.sh"

RLCTL="$BIN/rlctl"

rl() {	# rl ARGS...: rlctl in rl-dst; output in $TMP/out, errors in $TMP/err
	ip netns exec $DST "$RLCTL" "$@" >"$TMP/out" 2>"$TMP/err"
}

cfg_has() {	# cfg_has LINE...: rl-dst's config has every LINE
	for l in "$@"; do
		ip netns exec $DST grep -qx "$l" /proc/net/nf_ratelimit/config || return 1
	done
}

exits() {	# exits CODE ARGS...
	code=$1
	shift
	rl "$@"
	[ $? -eq "$code" ]
}

require
[ -x "$RLCTL" ] || ktap_skip_all "rlctl not built"
trap cleanup EXIT
ktap_header 42

rmmod nf_ratelimit 2>/dev/null
"$RLCTL" status >/dev/null 2>"$TMP/err"
ktap_result $(( $? != 1 )) "no module: status exits 1"
check "no module: ... and says so in one line" \
	sh -c "[ \$(wc -l <'$TMP/err') = 1 ] && grep -q 'module is not loaded' '$TMP/err'"

load rate=1/minute burst=5 max_entries=100 buckets=64 || exit $KSFT_FAIL
setup_topology noipv6 || exit $KSFT_FAIL
flood "$TMP/f" -d $DST4 -s 203.0.113.1 -n 3 -c 20 -r 1000
flood "$TMP/g" -d $DST4 -s 192.0.2.9 -c 2 -r 1000

rl status
check "status shows counters" grep -Eq '^passed +17$' "$TMP/out"
check "status shows drops" grep -Eq '^dropped +45$' "$TMP/out"
check "status shows settings" grep -Eq '^rate +1/minute$' "$TMP/out"

rl -j status
check "status -j is JSON with the counters" \
	grep -q '"stats":{"passed":17,"dropped":45,' "$TMP/out"
rl --prometheus status
check "status --prometheus: counters, labelled with the namespace" \
	grep -qx 'nf_ratelimit_packets_dropped_total{netns="rl-dst"} 45' "$TMP/out"
check "status --prometheus: typed" grep -qx '# TYPE nf_ratelimit_entries gauge' "$TMP/out"

rl entries
check "entries lists every source" [ "$(grep -c '/32 ' "$TMP/out")" = 4 ]
check "entries shows counters" grep -Eq '^203\.0\.113\.2/32 +0 +5 +15 ' "$TMP/out"
rl entries 203.0.113.0/24
check "entries PREFIX filters" [ "$(grep -c '/32 ' "$TMP/out")" = 3 ]
rl -j entries 192.0.2.0/24
check "entries -j" grep -q '^\[{"source":"192.0.2.9/32","tokens":3,"passed":2,"dropped":0,' "$TMP/out"

rl top -n 1 --sort passed
check "top --sort passed puts the busiest first" grep -q '^203\.0\.113\.' "$TMP/out"
rl top -n 2
check "top -n 2 shows two" [ "$(grep -c '/32 ' "$TMP/out")" = 2 ]
# --sort rate measures over one second: the one source sending now wins,
# though others have sent more in all.
flood "$TMP/h" -d $DST4 -s 192.0.2.77 -r 200 -t 3 &
flood_pid=$!
sleep 1
rl -j top -n 1 --sort rate
wait $flood_pid
diag "$(cat "$TMP/out")"
check "top --sort rate puts the source sending now first" \
	grep -q '^\[{"source":"192.0.2.77/32",.*"rate":[1-9]' "$TMP/out"

rl flush 192.0.2.9/32
check "flush PREFIX deletes that entry" [ "$(rl_stat entries)" = 4 ]
exits 1 flush 192.0.2.9/32
ktap_result $? "flush of a missing entry exits 1"
check "... saying why" grep -q 'no such entry' "$TMP/err"
rl flush
check "flush empties the table" [ "$(rl_stat entries)" = 0 ]

rl set dry-run on full-policy drop max-entries 50
check "set changes settings at once" \
	cfg_has 'dry_run 1' 'full_policy drop' 'max_entries 50'
exits 1 set max-entries 129 dry-run off
ktap_result $? "max-entries beyond twice buckets is refused"
grep -q 'at most twice buckets' "$TMP/err" && cfg_has 'dry_run 1' 'max_entries 50'
ktap_result $? "... with the kernel's message, nothing applied"

exits 2 set dry-run maybe
ktap_result $? "bad value is a usage error"
exits 2 entries 203.0.113.1/24
ktap_result $? "prefix with host bits is a usage error"

# A new user namespace has every capability, but not in the network
# namespace's own user namespace.
ip netns exec $DST unshare -U "$RLCTL" set dry-run off 2>"$TMP/err"
[ $? = 1 ] && grep -q 'CAP_NET_ADMIN' "$TMP/err" && cfg_has 'dry_run 1'
ktap_result $? "a caller without CAP_NET_ADMIN in the namespace is refused"
ip netns exec $DST su nobody -s /bin/sh -c "'$RLCTL' set dry-run off" 2>"$TMP/err"
[ $? = 1 ] && cfg_has 'dry_run 1'
ktap_result $? "an unprivileged user is refused"
check "an unprivileged user may read" \
	ip netns exec $DST su nobody -s /bin/sh -c "'$RLCTL' status >/dev/null"

# Entries, events and rules name clients: like conntrack's table, they need
# CAP_NET_ADMIN in the namespace (README: Permissions).  monitor would wait
# for events for ever if it were let in.
refused_one_line() {	# refused_one_line: rlctl exited 1 with one line naming the capability
	[ "$1" = 1 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q CAP_NET_ADMIN "$TMP/err"
}
for cmd in entries top monitor "rule list"; do
	ip netns exec $DST su nobody -s /bin/sh -c "timeout 10 '$RLCTL' $cmd" \
		>/dev/null 2>"$TMP/err"
	refused_one_line $?
	ktap_result $? "an unprivileged user may not run $cmd: one line names CAP_NET_ADMIN"
	ip netns exec $DST unshare -U timeout 10 "$RLCTL" $cmd >/dev/null 2>"$TMP/err"
	refused_one_line $?
	ktap_result $? "a new user namespace may not run $cmd: one line names CAP_NET_ADMIN"
done
for f in entries rules; do
	! ip netns exec $DST su nobody -s /bin/sh -c "cat /proc/net/nf_ratelimit/$f" \
		>/dev/null 2>&1
	ktap_result $? "an unprivileged user may not read /proc/net/nf_ratelimit/$f"
done

# A user namespace owning its own network namespace has CAP_NET_ADMIN there,
# but the entries it could make the module allocate are charged to no one,
# and log lines spend the host's net_ratelimit() budget: raising max_entries
# above the module parameter (100 here) and turning the log on need
# CAP_NET_ADMIN in the initial user namespace.
ip netns exec $DST unshare -U -r -n sh -c "
	'$RLCTL' set max-entries 16777216 2>'$TMP/huge'; echo \$? >>'$TMP/rc'
	'$RLCTL' set max-entries 120 2>'$TMP/raise'; echo \$? >>'$TMP/rc'
	'$RLCTL' set log on 2>'$TMP/log'; echo \$? >>'$TMP/rc'
	'$RLCTL' set max-entries 50; echo \$? >>'$TMP/rc'
	cat /proc/net/nf_ratelimit/config >'$TMP/userns.config'"
diag "$(cat "$TMP/huge" "$TMP/raise" "$TMP/log")"
[ "$(sed -n 1p "$TMP/rc")" = 1 ] && grep -q 'initial user namespace' "$TMP/huge"
ktap_result $? "a user namespace's own netns: max-entries 16777216 is refused, naming the initial user namespace"
[ "$(sed -n 2p "$TMP/rc")" = 1 ] && grep -q 'initial user namespace' "$TMP/raise"
ktap_result $? "... so is any raise above the module parameter"
[ "$(sed -n 3p "$TMP/rc")" = 1 ] && grep -q 'initial user namespace' "$TMP/log"
ktap_result $? "... and log on"
[ "$(sed -n 4p "$TMP/rc")" = 0 ] && grep -qx 'max_entries 50' "$TMP/userns.config" &&
	grep -qx 'log 0' "$TMP/userns.config"
ktap_result $? "... while lowering max-entries works, and nothing else changed"
rl set max-entries 120
check "the initial user namespace's root may raise max-entries" cfg_has 'max_entries 120'
ktap_finish
