-- The token bucket of MemoryRateLimitStore::try_acquire (rate_limit.rs), on
-- Redis: capacity rps, refilled at rps per second, one request per call, a
-- clock that steps back refills nothing, and the same slack. take() answers
-- {granted, tokens left, seconds to wait}, numbers as %.17g text so Rust reads
-- back the exact doubles. A bucket that has refilled equals a new one, so it
-- expires then. tests/redis_bucket.rs runs this against the memory store.
local function take(key, rps, now)
  local state = redis.call('HMGET', key, 't', 'u')
  local tokens = tonumber(state[1]) or rps
  local updated = tonumber(state[2]) or now
  local level = math.min(rps, tokens + math.max(0, now - updated) * rps)
  if updated < now then updated = now end
  local granted = 0
  local wait = 0
  if level + 0.000001 * rps >= 1 then
    level = math.max(0, level - 1)
    granted = 1
  else
    wait = (1 - level) / rps
  end
  redis.call('HSET', key, 't', string.format('%.17g', level), 'u', string.format('%.17g', updated))
  redis.call('PEXPIRE', key, math.ceil((rps - level) / rps * 1000) + 1000)
  return {granted, string.format('%.17g', level), string.format('%.17g', wait)}
end
