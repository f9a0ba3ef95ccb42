#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rlsyncd's sync script and Redis client against a real redis-server
# (Debian's), started here on 127.0.0.1 with a temporary directory and no
# persistence, and stopped at the end; then against a fake server with
# hostile replies.  KTAP; exit 1 on a failure, 4 when redis-server is absent.
set -u
cd "$(dirname "$0")/.."

command -v redis-server >/dev/null || { echo "1..0 # SKIP redis-server not installed"; exit 4; }
tmp=$(mktemp -d)
port=$((20000 + $$ % 20000))
fake=$((port + 1))
n=0
failed=0

start() {	# start [redis-server options...]
	redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$tmp" --daemonize yes --pidfile "$tmp/redis.pid" \
		--logfile "$tmp/redis.log" "$@" || return 1
	for _ in $(seq 50); do
		redis-cli -p $port ping 2>/dev/null | grep -q PONG && return 0
		redis-cli -p $port ping 2>&1 | grep -q NOAUTH && return 0
		sleep 0.1
	done
	return 1
}

stop() {
	[ -f "$tmp/redis.pid" ] && kill "$(cat "$tmp/redis.pid")" 2>/dev/null
	for _ in $(seq 50); do
		[ -f "$tmp/redis.pid" ] && kill -0 "$(cat "$tmp/redis.pid" 2>/dev/null)" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$tmp/redis.pid"
}

cleanup() {
	stop
	for p in sentinel replica; do
		[ -f "$tmp/$p.pid" ] && kill "$(cat "$tmp/$p.pid")" 2>/dev/null
	done
	[ -n "${fake_pid:-}" ] && kill "$fake_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

point() {	# point STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}

run() {	# run DESCRIPTION redis_test-args...: one point, its lines as diagnostics
	desc=$1
	shift
	out=$(tests/redis_test "$@" 2>&1)
	st=$?
	echo "$out" | sed 's/^/# /'
	point $st "$desc"
}

lua() {	# lua KEYS... , ARGS...
	redis-cli -p $port --eval sync.lua "$@"
}

echo "TAP version 13"
start || { echo "Bail out! redis-server did not start"; exit 1; }
diag_version=$(redis-server --version)
echo "# $diag_version"

# The script alone: estimates, expiry, refusals.
# Window 200 ms, burst 10, 1 per 1000 ms: no refill worth speaking of
# between two calls.
out=$(lua 'rl:{t}:192.0.2.1/32' , h1 200 10 1 1000 10 10 | tr '\n' ' ')
point $([ "$(echo "$out" | awk '{ print NF }')" = 1 ] && echo 0 || echo 1) \
	"script: 10 packets are within a burst of 10 (no verdict)"
out=$(lua 'rl:{t}:192.0.2.1/32' , h1 200 10 1 1000 10 2 | tr '\n' ' ')
point $([ "$(echo "$out" | awk '{ print NF }')" = 4 ] && echo 0 || echo 1) \
	"script: 2 more owe a token: a verdict (now, index, estimate, share): $out"
# Burst 10 at 100 per second refills in 200 ms: the key lives 2 windows.
lua 'rl:{t}:192.0.2.9/32' , h1 200 10 100 1000 30 1 >/dev/null
ttl=$(redis-cli -p $port pttl 'rl:{t}:192.0.2.9/32')
point $([ "$ttl" -gt 0 ] && [ "$ttl" -le 400 ] && echo 0 || echo 1) \
	"script: the key expires once its bucket would be full (pttl $ttl of 400 ms)"
sleep 0.6
point $([ "$(redis-cli -p $port exists 'rl:{t}:192.0.2.9/32')" = 0 ] && echo 0 || echo 1) \
	"script: an idle source's key is gone: memory holds the active ones"
out=$(lua 'rl:{t}:192.0.2.1/32' , h1 1000 10 100 1000 110 -3 2>&1)
point $(echo "$out" | grep -q "bad delta" && echo 0 || echo 1) "script: a negative delta is refused"
out=$(lua 'rl:{t}:192.0.2.1/32' , h1 0 10 100 1000 110 3 2>&1)
point $(echo "$out" | grep -q "bad arguments" && echo 0 || echo 1) "script: a zero window is refused"
out=$(lua 'rl:{t}:192.0.2.1/32' 'rl:{t}:192.0.2.2/32' , h1 1000 10 100 1000 110 3 2>&1)
point $(echo "$out" | grep -q "bad arguments" && echo 0 || echo 1) "script: a delta missing is refused"

# The C client: three hosts, batches, recovery.
run "three hosts: estimates and shares" $port estimates
run "a batch of the largest size" $port batch
run "NOSCRIPT: reloaded and resent" $port noscript
RESTART="kill \$(cat $tmp/redis.pid); sleep 0.5; rm -f $tmp/redis.pid; redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no --dir $tmp --daemonize yes --pidfile $tmp/redis.pid --logfile $tmp/redis.log; sleep 0.5" \
	run "the server restarted mid-run" $port restart

# Sentinel: the agent asks it for the master, and again after a failover.
rport=$((port + 2))
sport=$((port + 3))
redis-server --port $rport --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$tmp" --daemonize yes --pidfile "$tmp/replica.pid" \
	--logfile "$tmp/replica.log" --replicaof 127.0.0.1 $port
printf 'port %s\nbind 127.0.0.1\ndir %s\nsentinel monitor mymaster 127.0.0.1 %s 1\nsentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 5000\n' \
	$sport "$tmp" $port >"$tmp/sentinel.conf"
redis-server "$tmp/sentinel.conf" --sentinel --daemonize yes \
	--pidfile "$tmp/sentinel.pid" --logfile "$tmp/sentinel.log"
for _ in $(seq 100); do
	redis-cli -p $rport info replication 2>/dev/null | grep -q 'master_link_status:up' &&
		redis-cli -p $sport sentinel replicas mymaster 2>/dev/null | grep -q "$rport" && break
	sleep 0.1
done
FAILOVER="redis-cli -p $sport sentinel failover mymaster >/dev/null; for i in \$(seq 100); do redis-cli -p $rport role | head -1 | grep -qx master && redis-cli -p $port role | head -1 | grep -qx slave && exit 0; sleep 0.1; done; exit 1" \
	run "Sentinel: the master it names, and the new one after a failover" $sport sentinel
kill "$(cat "$tmp/sentinel.pid")" "$(cat "$tmp/replica.pid")" 2>/dev/null
stop
start --requirepass right || { echo "Bail out! redis-server did not restart"; exit 1; }
run "a wrong password" $port auth
stop

# Hostile replies, from a fake server.
echo string >"$tmp/case"
python3 tests/fake_redis.py $fake "$tmp/fake.ready" &
fake_pid=$!
for _ in $(seq 50); do [ -e "$tmp/fake.ready" ] && break; sleep 0.1; done
for c in string shape index0 index2 negative share twice nested huge-array \
	 huge-string error garbage close; do
	echo $c >"$tmp/case"
	run "hostile reply: $c" $fake hostile $c
done

echo "1..$n"
exit $failed
