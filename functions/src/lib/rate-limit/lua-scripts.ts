/**
 * The Lua run by Redis. One EVALSHA decides a request completely (ban, challenge, override and
 * every window with its cost), so a decision is one round trip and atomic across instances.
 *
 * Windows are sorted-set logs: one member per admitted request (`<cost>:<unique id>`, scored by
 * its admission time) plus a running cost sum per window in the meta hash, trimmed as entries
 * leave. A log is exact in every rolling window (no fixed-window edge, no interpolation) at a
 * memory cost of one member per admitted request within the window. `now` comes from the
 * caller's clock (tests inject one) and is made monotonic per identity (`t` in the meta hash),
 * so an instance whose request arrives late cannot count against a window that already moved.
 */

/** Window zset keys passed on every call; an override may use up to this many windows. */
export const MAX_WINDOWS = 4;

/**
 * KEYS: 1 ban hash (IP), 2 ban hash (identity), 3 challenge flag, 4 violations zset, 5 override,
 * 6 meta hash, 7..6+MAX_WINDOWS window zsets.
 * ARGV: 1 now, 2 cost, 3 unique id, 4 mode (check|charge), 5 violation threshold (0 = off),
 * 6 violation window ms, 7 challenge ttl ms, 8 window count, then limit/windowMs pairs.
 * Returns {status, now, retryAfterMs, challengeTriggered, n, (limit, windowMs, remaining, resetAt)*n}
 * with status 0 allowed, 1 limited, 2 IP banned, 3 challenge required, 4 identity banned.
 */
export const CHECK_SCRIPT = `
local now = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local member = ARGV[2] .. ':' .. ARGV[3]
local charge = ARGV[4] == 'charge'

local banUntil = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if banUntil > now then return {2, now, banUntil - now, 0, 0} end
local identityBanUntil = tonumber(redis.call('HGET', KEYS[2], 'until') or '0')
if identityBanUntil > now then return {4, now, identityBanUntil - now, 0, 0} end
local chalUntil = tonumber(redis.call('GET', KEYS[3]) or '0')
if chalUntil > now then return {3, now, chalUntil - now, 0, 0} end

local limits, windows = {}, {}
local ov = redis.call('GET', KEYS[5])
if ov then
  for l, w in string.gmatch(ov, '(%d+):(%d+)') do
    limits[#limits + 1] = tonumber(l)
    windows[#windows + 1] = tonumber(w)
  end
end
if #limits == 0 then
  for i = 1, tonumber(ARGV[8]) do
    limits[i] = tonumber(ARGV[7 + 2 * i])
    windows[i] = tonumber(ARGV[8 + 2 * i])
  end
end
local n = math.min(#limits, #KEYS - 6)

local meta = KEYS[6]
local last = tonumber(redis.call('HGET', meta, 't') or '0')
if last > now then now = last end

local function costOf(m) return tonumber(string.match(m, '^(%d+):')) or 1 end

local used = {}
local longest = 0
for i = 1, n do
  local key = KEYS[6 + i]
  local floor = now - windows[i]
  if windows[i] > longest then longest = windows[i] end
  local sum = tonumber(redis.call('HGET', meta, 's' .. i) or '-1')
  if redis.call('EXISTS', key) == 0 then
    sum = 0
  elseif sum >= 0 then
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', floor)) do sum = sum - costOf(m) end
    redis.call('ZREMRANGEBYSCORE', key, '-inf', floor)
  else
    redis.call('ZREMRANGEBYSCORE', key, '-inf', floor)
    sum = 0
    for _, m in ipairs(redis.call('ZRANGE', key, 0, -1)) do sum = sum + costOf(m) end
  end
  used[i] = sum
end

local allowed = true
if not charge then
  for i = 1, n do
    if used[i] + cost > limits[i] then allowed = false end
  end
end

local retry = 0
local triggered = 0
if allowed then
  for i = 1, n do
    redis.call('ZADD', KEYS[6 + i], now, member)
    redis.call('PEXPIRE', KEYS[6 + i], windows[i])
    used[i] = used[i] + cost
    redis.call('HSET', meta, 's' .. i, used[i])
  end
  redis.call('HSET', meta, 't', now)
  redis.call('PEXPIRE', meta, longest)
else
  for i = 1, n do
    if used[i] + cost > limits[i] then
      local wait = windows[i]
      if cost <= limits[i] then
        local need = used[i] + cost - limits[i]
        local freed, start, found = 0, 0, false
        while not found do
          local chunk = redis.call('ZRANGE', KEYS[6 + i], start, start + 99, 'WITHSCORES')
          if #chunk == 0 then break end
          for j = 1, #chunk, 2 do
            freed = freed + costOf(chunk[j])
            if freed >= need then
              wait = tonumber(chunk[j + 1]) + windows[i] - now
              found = true
              break
            end
          end
          start = start + 100
        end
      end
      if wait > retry then retry = wait end
    end
  end
  local threshold = tonumber(ARGV[5])
  if threshold > 0 then
    local violWindow = tonumber(ARGV[6])
    redis.call('ZADD', KEYS[4], now, member)
    redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - violWindow)
    redis.call('PEXPIRE', KEYS[4], violWindow)
    if redis.call('ZCARD', KEYS[4]) >= threshold then
      local ttl = tonumber(ARGV[7])
      redis.call('SET', KEYS[3], now + ttl, 'PX', ttl)
      redis.call('DEL', KEYS[4])
      triggered = 1
    end
  end
end

local out = {allowed and 0 or 1, now, retry, triggered, n}
for i = 1, n do
  local first = redis.call('ZRANGE', KEYS[6 + i], 0, 0, 'WITHSCORES')
  local resetAt = now
  if #first > 0 then resetAt = tonumber(first[2]) + windows[i] end
  local remaining = limits[i] - used[i]
  if remaining < 0 then remaining = 0 end
  out[#out + 1] = limits[i]
  out[#out + 1] = windows[i]
  out[#out + 1] = remaining
  out[#out + 1] = resetAt
end
return out
`;

/**
 * Counts one failed request for a subject (an anonymous request's IP, or an authenticated
 * identity, each with its own keys and settings) and bans it when the threshold is reached. The ban hash
 * keeps `until` (injected-clock ms), `level` (position on the ladder) and survives the ban by
 * `ladderResetMs` so the next ban escalates; a quiet period that long starts the ladder again.
 * KEYS: 1 failures zset, 2 ban hash. ARGV: 1 now, 2 unique id, 3 threshold, 4 window ms,
 * 5 ladder reset ms, 6.. ladder durations ms.
 * Returns {status, banMs or 0, level, failures}: status 0 counted, 1 banned now, 2 already banned.
 */
export const FAILURE_SCRIPT = `
local now = tonumber(ARGV[1])
local ban = redis.call('HMGET', KEYS[2], 'until', 'level')
local banUntil = tonumber(ban[1] or '0')
if banUntil > now then return {2, banUntil - now, tonumber(ban[2] or '0'), 0} end
local window = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
  local resetMs = tonumber(ARGV[5])
  local level = tonumber(ban[2] or '0')
  if banUntil == 0 or now - banUntil > resetMs then level = 0 end
  level = level + 1
  local steps = #ARGV - 5
  local duration = tonumber(ARGV[5 + math.min(level, steps)])
  redis.call('HSET', KEYS[2], 'until', now + duration, 'level', level)
  redis.call('PEXPIRE', KEYS[2], duration + resetMs)
  redis.call('DEL', KEYS[1])
  return {1, duration, level, count}
end
redis.call('PEXPIRE', KEYS[1], window)
return {0, 0, 0, count}
`;

/**
 * Reads an identity's state for operations (read-only). KEYS: 1 ban hash, 2 challenge,
 * 3 failures zset, 4 override, 5.. window zsets. ARGV: 1 now, 2 failure window ms, 3.. the
 * window length of each window key. Returns {banUntil, banLevel, challengeUntil, failures,
 * "ov=<override>", used cost per window key...}.
 */
export const STATE_SCRIPT = `
local now = tonumber(ARGV[1])
local ban = redis.call('HMGET', KEYS[1], 'until', 'level')
local out = {tonumber(ban[1] or '0'), tonumber(ban[2] or '0'), tonumber(redis.call('GET', KEYS[2]) or '0')}
out[4] = redis.call('ZCOUNT', KEYS[3], '(' .. (now - tonumber(ARGV[2])), '+inf')
out[5] = 'ov=' .. (redis.call('GET', KEYS[4]) or '')
for i = 5, #KEYS do
  local sum = 0
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[i], '(' .. (now - tonumber(ARGV[i - 2])), '+inf')) do
    sum = sum + (tonumber(string.match(m, '^(%d+):')) or 1)
  end
  out[#out + 1] = sum
end
return out
`;

/** Deletes every key given; returns how many existed. */
export const DELETE_SCRIPT = `return redis.call('DEL', unpack(KEYS))`;

/** KEYS: 1 override. ARGV: 1 value, 2 ttl ms (0 = none). */
export const SET_OVERRIDE_SCRIPT = `
if tonumber(ARGV[2]) > 0 then return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return redis.call('SET', KEYS[1], ARGV[1])
`;
