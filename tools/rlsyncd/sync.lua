-- SPDX-License-Identifier: GPL-2.0
--
-- rlsyncd's sync script: one call per batch of sources of one cluster rule.
--
-- KEYS[i]   "PREFIX:{RULE}:SOURCE", one per source; the {RULE} hash tag
--           keeps a batch in one slot of a Redis Cluster.
-- ARGV[1]   host id
-- ARGV[2]   window W in ms, of the rate estimate and of each host's share
-- ARGV[3]   the cluster rule's burst B, in packets
-- ARGV[4]   its rate: ARGV[4] packets per ARGV[5] ms
-- ARGV[6]   the allowance of a window, B + rate x W (for deny-above)
-- ARGV[6+i] packets KEYS[i] offered this host since its last sync (>= 0)
--
-- Per key, a hash.  tk and ts: a token bucket of the whole cluster (burst
-- B, refilled at the rate), charged with every host's deltas: a source is
-- over its cluster limit while it owes tokens, which is exactly when one
-- token bucket in front of all the hosts would drop it.  Its debt stops at
-- one burst, so that a source that stops is free again within 2 B / rate.
-- w, c, p, c:HOST, p:HOST: the cluster's and each host's counts in the
-- current and the previous window, for Cloudflare's sliding estimate
-- p x (W - elapsed) / W + c, which gives the rate and this host's share.
-- The time is the server's (TIME), so the hosts' clocks never matter, and
-- only the writes are replicated (Redis 7 replicates a script's effects).
--
-- Returns { now_ms, i, estimate, share_ppm, ... }: for each source over
-- its limit, its index in KEYS, its estimated packets in the last W, and
-- this host's share of them in millionths.  A key expires once its bucket
-- would be full and its windows empty, so memory holds the active sources.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local host = ARGV[1]
local W = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local n, per = tonumber(ARGV[4]), tonumber(ARGV[5])
local allow = tonumber(ARGV[6])
if not W or W < 1 or not burst or burst < 1 or not n or n < 1 or
   not per or per < 1 or not allow or #ARGV ~= 6 + #KEYS then
	return redis.error_reply('rlsyncd: bad arguments')
end
local rate = n / per			-- tokens per ms
local win = math.floor(now / W)
local weight = (W - (now - win * W)) / W
local ttl = math.max(2 * W, math.ceil(2 * burst / rate))
local out = { now }

for i, key in ipairs(KEYS) do
	local delta = tonumber(ARGV[6 + i])
	if not delta or delta < 0 then
		return redis.error_reply('rlsyncd: bad delta')
	end
	local h = redis.call('HGETALL', key)
	local f = {}
	for j = 1, #h, 2 do
		f[h[j]] = h[j + 1]
	end
	local tk = tonumber(f.tk) or burst
	local ts = tonumber(f.ts) or now
	if now > ts then
		tk = math.min(burst, tk + (now - ts) * rate)
	end
	tk = math.max(-burst, tk - delta)
	if tonumber(f.w) ~= win then
		-- A new window: the current counts become the previous ones, or
		-- are forgotten if more than one window went by.
		local keep = tonumber(f.w) == win - 1
		redis.call('DEL', key)
		local set = { 'w', win }
		if keep then
			for name, v in pairs(f) do
				if name == 'c' then
					set[#set + 1] = 'p'
					set[#set + 1] = v
				elseif string.sub(name, 1, 2) == 'c:' then
					set[#set + 1] = 'p:' .. string.sub(name, 3)
					set[#set + 1] = v
				end
			end
		end
		redis.call('HSET', key, unpack(set))
	end
	redis.call('HSET', key, 'tk', tostring(tk), 'ts', math.max(now, ts))
	if delta > 0 then
		redis.call('HINCRBY', key, 'c', delta)
		redis.call('HINCRBY', key, 'c:' .. host, delta)
	end
	redis.call('PEXPIRE', key, ttl)
	if tk < 0 then
		local r = redis.call('HMGET', key, 'c', 'p', 'c:' .. host, 'p:' .. host)
		local est = (tonumber(r[2]) or 0) * weight + (tonumber(r[1]) or 0)
		local mine = (tonumber(r[4]) or 0) * weight + (tonumber(r[3]) or 0)
		out[#out + 1] = i
		out[#out + 1] = math.floor(est)
		out[#out + 1] = est > 0 and math.floor(mine * 1000000 / est) or 1000000
	end
end
return out
