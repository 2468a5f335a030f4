// Rate limits: `limiter.consume(grant)` draws one request from the budget
// `verifier.authorize` put on the grant (`grant.rateLimit`). In memory the
// token bucket is Rust's (wasm RateLimiter); with Redis it is the same rule
// in one Lua script on Redis's clock (Rust's text: src/authz/redis_bucket.lua),
// so every process shares one budget, and Rust reads the script's answer
// exactly as it reads the memory store's.
import { rethrow, TokenError } from './errors.mjs';
import { claimsJson, optionsJson } from './serialise.mjs';

class RateLimiter {
  #inner;
  #redis;
  #script;
  #settings;

  constructor(inner, redis, script) {
    this.#inner = inner;
    this.#redis = redis;
    this.#script = script;
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
      // A plain {key, rps} (what authorize returns) goes to Rust as two values;
      // anything else is checked from its JSON first, which names what is wrong.
      const given = grant.rateLimit;
      let key;
      let rps;
      if (isPlainLimit(given)) {
        ({ key, rps } = given);
      } else {
        const limit = JSON.parse(this.#inner.check(claimsJson(given ?? null)));
        if (limit === null) return null;
        ({ key, rps } = limit);
      }
      if (this.#redis === undefined) return this.#outcome(this.#inner.consumeKey(key, rps));
      return await this.#consumeShared(key, rps);
    } catch (error) {
      rethrow(error);
    }
  }

  // One request through Redis; Rust checks the limit and reads the script's
  // answer as it reads the memory store's. Numbers both ways, no JSON.
  async #consumeShared(key, rps) {
    const inner = this.#inner;
    inner.checkKey(key, rps);
    let reply;
    try {
      reply = await this.#runScript(this.#settings.prefix + key, rps);
      if (!Array.isArray(reply) || reply.length !== 3) throw new Error('the script answered something else than [granted, level, wait]');
    } catch (error) {
      if (this.#settings.onRedisError === 'memory') return this.#outcome(inner.consumeKey(key, rps));
      throw inner.unavailable(error?.message ?? String(error));
    }
    const [granted, level, wait] = reply;
    return this.#outcome(inner.outcomeKey(rps, Number(granted) === 1, Number(level), Number(wait)));
  }

  #outcome(remaining) {
    return { limit: this.#inner.lastLimit(), remaining, resetSeconds: this.#inner.lastResetSeconds() };
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
        return await redis.evalsha(this.#script.sha1, 1, key, rps);
      } catch (error) {
        if (!/NOSCRIPT/.test(error?.message ?? '')) throw error;
        return redis.eval(this.#script.text, 1, key, rps);
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

// Whether a grant's rateLimit is a plain {key, rps} that JSON would carry as
// exactly these two values (what authorize returns). Only picks the path: Rust
// checks both values either way; anything else (extra members, a fractional
// or non-number rps, a lone surrogate in the key, toJSON) goes through JSON,
// whose errors name the field.
function isPlainLimit(limit) {
  if (limit === null || typeof limit !== 'object' || Object.getPrototypeOf(limit) !== Object.prototype) return false;
  const names = Object.keys(limit);
  if (names.length !== 2 || !((names[0] === 'key' && names[1] === 'rps') || (names[0] === 'rps' && names[1] === 'key'))) return false;
  const { key, rps } = limit;
  return typeof key === 'string' && Number.isSafeInteger(rps) && rps > 0 && limit.toJSON === undefined &&
    typeof key.isWellFormed === 'function' && key.isWellFormed();
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
  const script = redis === undefined ? undefined : { text: wasm.redisBucketScript(), sha1: wasm.redisBucketSha1() };
  return new RateLimiter(new wasm.RateLimiter(optionsJson(settings, 'createRateLimiter')), redis, script);
}
