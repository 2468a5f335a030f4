// Rate limits: `limiter.consume(grant)` draws one request from the budget
// `verifier.authorize` put on the grant (`grant.rateLimit`). In memory the
// token bucket is Rust's (wasm RateLimiter); with Redis it is the same rule
// in one Lua script on Redis's clock, so every process shares one budget, and
// Rust reads the script's answer exactly as it reads the memory store's.
import { rethrow, TokenError } from './errors.mjs';
import { claimsJson, optionsJson } from './serialise.mjs';

// KEYS[1]: bucket; ARGV[1]: rps. Returns {granted, tokens left, seconds to wait}.
// A bucket that has refilled equals a new one, so it expires then.
const REDIS_BUCKET_SCRIPT = `local rps = tonumber(ARGV[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 't', 'u')
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
redis.call('HSET', KEYS[1], 't', string.format('%.17g', level), 'u', string.format('%.17g', updated))
redis.call('PEXPIRE', KEYS[1], math.ceil((rps - level) / rps * 1000) + 1000)
return {granted, string.format('%.17g', level), string.format('%.17g', wait)}`;
// SHA-1 of the script, for EVALSHA (tests/js/rate-limit.test.mjs checks it).
const REDIS_BUCKET_SHA = 'e1fb6c5aed95bd78ba7a554abffd790c5760f15d';

class RateLimiter {
  #inner;
  #redis;
  #settings;

  constructor(inner, redis) {
    this.#inner = inner;
    this.#redis = redis;
    const settings = inner.sharedSettings();
    this.#settings = settings === undefined ? undefined : JSON.parse(settings);
  }

  get backend() {
    return this.#redis === undefined ? 'memory' : 'redis';
  }

  /** Buckets held in this process's memory. */
  get size() {
    return this.#inner.size();
  }

  // Resolves to { limit, remaining, resetSeconds }, or null when the grant
  // carries no limit; rejects with ERR_RATE_LIMITED (retryAfter: whole seconds).
  async consume(grant) {
    try {
      if (grant === null || typeof grant !== 'object') {
        throw new TokenError('ERR_INVALID_OPTION', 'consume(grant): pass the grant that verifier.authorize returned', 'grant');
      }
      const limitJson = claimsJson(grant.rateLimit ?? null);
      if (this.#redis === undefined) return JSON.parse(this.#inner.consume(limitJson));
      const limit = JSON.parse(this.#inner.check(limitJson));
      if (limit === null) return null;
      let reply;
      try {
        reply = await this.#runScript(this.#settings.prefix + limit.key, limit.rps);
        if (!Array.isArray(reply) || reply.length !== 3) throw new Error('the script answered something else than [granted, level, wait]');
      } catch (error) {
        if (this.#settings.onRedisError === 'memory') return JSON.parse(this.#inner.consume(limitJson));
        throw this.#inner.unavailable(error?.message ?? String(error));
      }
      const [granted, level, wait] = reply;
      return JSON.parse(this.#inner.outcome(limitJson, Number(granted) === 1, Number(level), Number(wait)));
    } catch (error) {
      rethrow(error);
    }
  }

  // One round trip: EVALSHA, or EVAL (which also caches the script) the
  // first time a Redis server sees it. Bounded by timeoutMs.
  async #runScript(key, rps) {
    const redis = this.#redis;
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#settings.timeoutMs} ms`)), this.#settings.timeoutMs);
    });
    const run = (async () => {
      try {
        return await redis.evalsha(REDIS_BUCKET_SHA, 1, key, rps);
      } catch (error) {
        if (!/NOSCRIPT/.test(error?.message ?? '')) throw error;
        return redis.eval(REDIS_BUCKET_SCRIPT, 1, key, rps);
      }
    })();
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
      run.catch(() => {}); // a late failure after the timeout is already answered
    }
  }
}

// createRateLimiter(options) on a wasm build; the caller turns its errors into TokenError.
export function createRateLimiter(wasm, options) {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TokenError('ERR_INVALID_OPTION', 'createRateLimiter: options must be an object');
  }
  const { redis, ...rest } = options ?? {};
  if (redis !== undefined && (redis === null || typeof redis.evalsha !== 'function' || typeof redis.eval !== 'function')) {
    throw new TokenError('ERR_INVALID_OPTION', 'redis: must be an ioredis client (evalsha and eval are used)', 'redis');
  }
  const settings = redis === undefined ? rest : { ...rest, redis: true };
  return new RateLimiter(new wasm.RateLimiter(optionsJson(settings, 'createRateLimiter')), redis);
}
