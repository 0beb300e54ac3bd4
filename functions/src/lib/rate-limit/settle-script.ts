/**
 * Replaces the cost of one admitted entry (a reservation settled at its actual cost), atomically
 * in every window log that still holds it: the entry keeps its admission time, so it leaves each
 * window when the reservation would have, and the running sums move by the difference. A new
 * cost of 0 removes the entry. An entry already trimmed from a window is left alone there: it
 * no longer counts.
 * KEYS: 1 meta hash, 2..1+MAX_WINDOWS window zsets. ARGV: 1 reserved cost, 2 entry id, 3 new cost.
 * Returns the number of windows adjusted.
 */
export const ADJUST_SCRIPT = `
local old = ARGV[1] .. ':' .. ARGV[2]
local oldCost = tonumber(ARGV[1])
local newCost = tonumber(ARGV[3])
local changed = 0
for i = 2, #KEYS do
  local score = redis.call('ZSCORE', KEYS[i], old)
  if score then
    redis.call('ZREM', KEYS[i], old)
    if newCost > 0 then redis.call('ZADD', KEYS[i], score, ARGV[3] .. ':' .. ARGV[2]) end
    local field = 's' .. (i - 1)
    local sum = tonumber(redis.call('HGET', KEYS[1], field) or '-1')
    if sum >= 0 then
      sum = sum - oldCost + newCost
      if sum < 0 then sum = 0 end
      redis.call('HSET', KEYS[1], field, sum)
    end
    changed = changed + 1
  end
end
return changed
`;
