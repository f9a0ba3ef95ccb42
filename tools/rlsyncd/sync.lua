-- SPDX-License-Identifier: GPL-2.0
--
-- rlsyncd's sync script: one call per batch of sources of one cluster rule.
--
-- KEYS[i]   "rl:{RULE}:SOURCE", one per source; the {RULE} hash tag keeps a
--           batch in one slot of a Redis Cluster.
-- ARGV[1]   host id (the share of each host is kept per id)
-- ARGV[2]   window W in ms
-- ARGV[3]   the cluster's allowance per window: burst + rate * W, packets
-- ARGV[3+i] packets KEYS[i] offered this host since its last sync (>= 0)
--
-- Per key, a hash: w (the current window's number), c and p (the cluster's
-- count in the current and the previous window), c:HOST and p:HOST (the same
-- per host).  The estimate over the last W is Cloudflare's sliding window,
-- p * (W - elapsed) / W + c.  The time is the server's (TIME), so that the
-- hosts' clocks never matter, and only the writes are replicated (Redis 7
-- replicates a script's effects, not the script).
--
-- Returns { now_ms, i, estimate, share_ppm, ... }: for each source whose
-- estimate is over the allowance, its index in KEYS, the estimate, and this
-- host's share of it in millionths.  Every key expires 2 W after its last
-- update, so memory holds the active sources only.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local host = ARGV[1]
local W = tonumber(ARGV[2])
local allow = tonumber(ARGV[3])
if not W or W < 1 or not allow or allow < 0 or #ARGV ~= 3 + #KEYS then
	return redis.error_reply('rlsyncd: bad arguments')
end
local win = math.floor(now / W)
local weight = (W - (now - win * W)) / W
local out = { now }

for i, key in ipairs(KEYS) do
	local delta = tonumber(ARGV[3 + i])
	if not delta or delta < 0 then
		return redis.error_reply('rlsyncd: bad delta')
	end
	local h = redis.call('HGETALL', key)
	local f = {}
	for j = 1, #h, 2 do
		f[h[j]] = h[j + 1]
	end
	local kw = tonumber(f.w)
	if kw ~= win then
		-- A new window: the current counts become the previous ones, or
		-- are forgotten if more than one window went by.
		local keep = kw == win - 1
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
	if delta > 0 then
		redis.call('HINCRBY', key, 'c', delta)
		redis.call('HINCRBY', key, 'c:' .. host, delta)
	end
	redis.call('PEXPIRE', key, 2 * W)
	local r = redis.call('HMGET', key, 'c', 'p', 'c:' .. host, 'p:' .. host)
	local est = (tonumber(r[2]) or 0) * weight + (tonumber(r[1]) or 0)
	if est > allow then
		local mine = (tonumber(r[4]) or 0) * weight + (tonumber(r[3]) or 0)
		out[#out + 1] = i
		out[#out + 1] = math.floor(est)
		out[#out + 1] = math.floor(mine * 1000000 / est)
	end
end
return out
