-- The token bucket of MemoryRateLimitStore::try_acquire (rate_limit.rs), on
-- Redis: capacity rps, refilled at rps per second, one request per call, a
-- clock that steps back refills nothing, and the same slack. The rps a bucket
-- was last used with is kept ('r'): when a name's rps changes, the time since
-- the last request refills at that old rate, a refilled bucket counts as a new
-- one at the new rate, and the new rate applies from then on. take() answers
-- {granted, tokens left, seconds to wait}, numbers as %.17g text so Rust reads
-- back the exact doubles. A bucket that has refilled equals a new one, so it
-- expires then. tests/redis_bucket.rs runs this against the memory store.
local function take(key, rps, now)
  local state = redis.call('HMGET', key, 't', 'u', 'r')
  local tokens = tonumber(state[1]) or rps
  local updated = tonumber(state[2]) or now
  local last = tonumber(state[3]) or rps
  local refilled = math.min(last, tokens + math.max(0, now - updated) * last)
  local level = rps
  if refilled < last then level = math.min(refilled, rps) end
  if updated < now then updated = now end
  local granted = 0
  local wait = 0
  if level + 0.000001 * rps >= 1 then
    level = math.max(0, level - 1)
    granted = 1
  else
    wait = (1 - level) / rps
  end
  redis.call('HSET', key, 't', string.format('%.17g', level), 'u', string.format('%.17g', updated), 'r', string.format('%.17g', rps))
  redis.call('PEXPIRE', key, math.ceil((rps - level) / rps * 1000) + 1000)
  return {granted, string.format('%.17g', level), string.format('%.17g', wait)}
end
