// createRateLimiter: the memory store (Rust's token bucket in wasm) and the
// Redis store (one Lua script) behind one API, against a real redis-server.
// Tinybird semantics: https://www.tinybird.co/docs/forward/administration/tokens/jwt
// ("Rate limits for JWTs": requests counted per token name; rps <= 0 = no limit).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { createSigner, createVerifier, createRateLimiter } from 'scopemint';
import { isCode } from './helpers.mjs';
import { startRedis } from '../../examples-node/demo/local-redis.mjs';

const secret = 'admin-token-0123456789abcdef-0123456789abcdef';
const request = { type: 'PIPES:READ', resource: 'p' };
const verifier = createVerifier({ secret });

function grantFor({ workspaceId = 'ws_1', name = 'frontend_jwt', limits }) {
  const { token } = createSigner({ secret, workspaceId }).createJWT({
    name, expiresAt: new Date(Date.now() + 600e3), scopes: [{ type: 'PIPES:READ', resource: 'p' }],
    // Left out when not given: an undefined member is refused (ERR_INVALID_OPTION), not dropped.
    ...(limits === undefined ? {} : { limits }),
  });
  return verifier.authorize(token, request);
}

// Tokens createJWT refuses to mint (rps <= 0) but Tinybird accepts as "no limit".
function grantForClaims(claims) {
  const token = createSigner({ secret, ttlSeconds: 600 }).sign({ workspace_id: 'ws_1', name: 'n', scopes: [{ type: 'PIPES:READ', resource: 'p' }], ...claims });
  return verifier.authorize(token, request);
}


test('authorize puts the budget on the grant: key = workspace + name, null without a positive rps', () => {
  const grant = grantFor({ limits: { rps: 3 } });
  assert.deepEqual(grant.rateLimit, { key: '["ws_1","frontend_jwt"]', rps: 3 });
  assert.notEqual(grantFor({ workspaceId: 'ws_2', limits: { rps: 3 } }).rateLimit.key, grant.rateLimit.key);
  assert.equal(grantFor({}).rateLimit, null);
  assert.equal(grantFor({ limits: {} }).rateLimit, null);
  assert.equal(grantForClaims({ limits: { rps: 0 } }).rateLimit, null);
  assert.equal(grantForClaims({ limits: { rps: -2 } }).rateLimit, null);
  assert.throws(() => grantForClaims({ limits: { rps: 2.5 } }), { code: 'ERR_JWT_CLAIM_INVALID', claim: 'limits.rps' });
  assert.throws(() => grantFor({ limits: { rps: 0 } }), { code: 'ERR_INVALID_OPTION', claim: 'limits.rps' });
  // The old in-verifier limiter is gone: one concept, createRateLimiter.
  assert.throws(() => createVerifier({ secret, enforceRateLimits: true }), { code: 'ERR_INVALID_OPTION' });
});

test('memory: a burst of rps, then ERR_RATE_LIMITED with a whole-second retryAfter', async () => {
  const limiter = createRateLimiter();
  assert.equal(limiter.backend, 'memory');
  const grant = grantFor({ name: 'burst', limits: { rps: 3 } });
  const seen = [];
  for (let i = 0; i < 3; i++) seen.push(await limiter.consume(grant));
  assert.deepEqual(seen.map((s) => s.remaining), [2, 1, 0]);
  assert.deepEqual(seen[0], { limit: 3, remaining: 2, resetSeconds: 1 });
  await assert.rejects(limiter.consume(grant), (error) =>
    isCode('ERR_RATE_LIMITED')(error) && Number.isInteger(error.retryAfter) && error.retryAfter >= 1 && error.claim === 'limits.rps');
  // Same name in another workspace: its own budget.
  assert.equal((await limiter.consume(grantFor({ workspaceId: 'ws_2', name: 'burst', limits: { rps: 3 } }))).remaining, 2);
  // No limit: nothing consumed.
  assert.equal(await limiter.consume(grantFor({ limits: {} })), null);
});

test('memory: bad input is refused, never read as "no limit"', async () => {
  const limiter = createRateLimiter();
  for (const grant of [undefined, null, 'grant', { rateLimit: { key: '', rps: 1 } }, { rateLimit: { key: 'k', rps: 0 } },
    { rateLimit: { key: 'k', rps: 1.5 } }, { rateLimit: { key: 'k', rps: '1' } }, { rateLimit: { key: 'k', rps: 1, extra: 1 } },
    { rateLimit: { key: 'k'.repeat(5000), rps: 1 } }]) {
    await assert.rejects(limiter.consume(grant), isCode('ERR_INVALID_OPTION'), JSON.stringify(grant));
  }
  for (const options of [null, 5, { maxKeys: 0 }, { maxKeys: 1.5 }, { prefix: 'x:' }, { timeoutMs: 10 }, { onRedisError: 'memory' },
    { unknown: true }, { redis: {} }, { redis: null }]) {
    assert.throws(() => createRateLimiter(options), isCode('ERR_INVALID_OPTION'), JSON.stringify(options));
  }
});

test('memory: a plain {key, rps} (two values into Rust) and the same limit read from JSON answer alike', async () => {
  // A null-prototype copy takes the JSON path; a plain object the two-value path.
  const viaJson = (limit) => ({ rateLimit: Object.assign(Object.create(null), limit) });
  const outcome = (promise) => promise.then((value) => ({ value }), (error) => ({ code: error.code, message: error.message, claim: error.claim, retryAfter: error.retryAfter }));
  for (const limit of [{ key: '', rps: 1 }, { key: 'k', rps: 0 }, { key: 'k', rps: 1_000_000_001 }, { key: 'k'.repeat(5000), rps: 1 },
    { rps: 2, key: 'k' }]) {
    const [plain, json] = [createRateLimiter(), createRateLimiter()];
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await outcome(plain.consume({ rateLimit: { ...limit } })), await outcome(json.consume(viaJson(limit))), JSON.stringify(limit));
    }
  }
});

test('memory: bounded, and a full store of busy buckets makes newcomers wait instead of resetting a budget', async () => {
  const limiter = createRateLimiter({ maxKeys: 8 });
  // Grants first: the steps below must all fall within one second (rps 1 refills in a second).
  const busy = grantFor({ name: 'busy', limits: { rps: 1 } });
  const others = Array.from({ length: 7 }, (_, i) => grantFor({ name: `other_${i}`, limits: { rps: 1 } }));
  const newcomer = grantFor({ name: 'newcomer', limits: { rps: 1 } });
  await limiter.consume(busy); // busy's budget is now spent for a second
  for (const grant of others) await limiter.consume(grant);
  assert.equal(limiter.size, 8);
  // The store is full and every bucket is still refilling: a new key waits…
  await assert.rejects(limiter.consume(newcomer), isCode('ERR_RATE_LIMITED'));
  assert.equal(limiter.size, 8);
  // …and busy's bucket was not evicted (evicting it would have reset its budget).
  await assert.rejects(limiter.consume(busy), isCode('ERR_RATE_LIMITED'));
});

// ----------------------------------------------------------------- Redis

const redisServer = await startRedis();
const clients = [];
function client(options = {}) {
  const redis = new Redis({ port: redisServer.port, host: '127.0.0.1', maxRetriesPerRequest: 1, ...options });
  clients.push(redis);
  return redis;
}
after(async () => {
  for (const redis of clients) redis.disconnect();
  await redisServer.stop();
});

// The script and its hash come from Rust (src/authz/redis_bucket.rs); what Redis
// accepts under that hash is the script EVAL sent.
test('the EVALSHA hash is the SHA-1 of the script the limiter EVALs, so the second call needs no EVAL', async () => {
  const redis = client();
  await redis.script('FLUSH');
  const calls = [];
  const recording = {
    evalsha: (...args) => { calls.push(['evalsha', args[0]]); return redis.evalsha(...args); },
    eval: (...args) => { calls.push(['eval', args[0]]); return redis.eval(...args); },
  };
  const limiter = createRateLimiter({ redis: recording, prefix: `sha:${Date.now()}:` });
  const grant = grantFor({ name: 'sha', limits: { rps: 5 } });
  assert.equal((await limiter.consume(grant)).remaining, 4);
  assert.equal((await limiter.consume(grant)).remaining, 3);
  assert.deepEqual(calls.map(([kind]) => kind), ['evalsha', 'eval', 'evalsha']);
  const [[, sha], [, script], [, again]] = calls;
  assert.equal(createHash('sha1').update(script).digest('hex'), sha);
  assert.equal(again, sha);
  assert.match(script, /local function take\(key, rps, now\)/);
});

test('redis: the same answers as memory, and workspaces with the same name keep separate budgets', async () => {
  const redis = client();
  const limiter = createRateLimiter({ redis, prefix: `t1:${Date.now()}:` });
  assert.equal(limiter.backend, 'redis');
  const a = grantFor({ workspaceId: 'ws_a', name: 'shared_name', limits: { rps: 2 } });
  const b = grantFor({ workspaceId: 'ws_b', name: 'shared_name', limits: { rps: 2 } });
  assert.deepEqual(await limiter.consume(a), { limit: 2, remaining: 1, resetSeconds: 1 });
  assert.equal((await limiter.consume(a)).remaining, 0);
  await assert.rejects(limiter.consume(a), (error) => isCode('ERR_RATE_LIMITED')(error) && error.retryAfter === 1);
  // ws_b's token has the same name but its own budget.
  assert.equal((await limiter.consume(b)).remaining, 1);
  assert.equal(await limiter.consume(grantForClaims({ limits: { rps: 0 } })), null);
  // The bucket lives in Redis under the prefix and expires once refilled.
  const keys = await redis.keys(`t1:*`);
  assert.equal(keys.length, 2);
  assert.ok((await redis.pttl(keys[0])) > 0);
});

test('redis: two Node processes share one budget', async () => {
  const prefix = `t2:${Date.now()}:`;
  const grant = grantFor({ name: 'two_processes', limits: { rps: 5 } });
  const child = fileURLToPath(new URL('./rate-limit.child.mjs', import.meta.url));
  // Both start at the same instant and send 10 requests each as fast as they can.
  const startAt = Date.now() + 1500;
  const run = async () => {
    const proc = spawn(process.execPath, [child, String(redisServer.port), prefix, JSON.stringify(grant.rateLimit), String(startAt), '10'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    const [code] = await once(proc, 'exit');
    assert.equal(code, 0);
    return JSON.parse(out);
  };
  const [first, second] = await Promise.all([run(), run()]);
  const granted = first.granted + second.granted;
  const span = (Math.max(first.end, second.end) - Math.min(first.start, second.start)) / 1000;
  // One bucket of 5, refilled at 5/s over the span: separate budgets would give 10 or more.
  assert.ok(granted >= 5 && granted <= 5 + Math.ceil(span * 5), `granted ${granted} over ${span}s`);
  assert.ok(first.granted > 0 || second.granted > 0);
  assert.equal(first.granted + first.refused + second.granted + second.refused, 20);
});

test('redis stopped mid-run: refused with ERR_RATE_LIMIT_UNAVAILABLE by default, or counted in memory on request', async () => {
  const own = await startRedis();
  const redis = new Redis({ port: own.port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on('error', () => {}); // reconnection attempts while the server is down
  try {
    const refuse = createRateLimiter({ redis, timeoutMs: 300 });
    const fallback = createRateLimiter({ redis, timeoutMs: 300, onRedisError: 'memory' });
    const grant = grantFor({ name: 'outage', limits: { rps: 2 } });
    assert.equal((await refuse.consume(grant)).remaining, 1);
    await own.stop();
    const started = Date.now();
    await assert.rejects(refuse.consume(grant), (error) => isCode('ERR_RATE_LIMIT_UNAVAILABLE')(error) && error.claim === 'limits.rps');
    assert.ok(Date.now() - started < 2000, 'bounded by timeoutMs, not hung');
    // The fallback still limits: this process's own bucket of 2.
    assert.deepEqual((await fallback.consume(grant)), { limit: 2, remaining: 1, resetSeconds: 1 });
    assert.equal((await fallback.consume(grant)).remaining, 0);
    await assert.rejects(fallback.consume(grant), isCode('ERR_RATE_LIMITED'));
  } finally {
    redis.disconnect();
    await own.stop();
  }
});

test('a client that answers nonsense is a store failure, not a grant', async () => {
  const grant = grantFor({ name: 'nonsense', limits: { rps: 1 } });
  const liar = { evalsha: async () => 'OK', eval: async () => 'OK' };
  await assert.rejects(createRateLimiter({ redis: liar }).consume(grant), isCode('ERR_RATE_LIMIT_UNAVAILABLE'));
  const thrower = { evalsha: async () => { throw new Error('WRONGTYPE'); }, eval: async () => 'x' };
  await assert.rejects(createRateLimiter({ redis: thrower }).consume(grant), isCode('ERR_RATE_LIMIT_UNAVAILABLE'));
  const fallback = createRateLimiter({ redis: liar, onRedisError: 'memory' });
  assert.equal((await fallback.consume(grant)).remaining, 0);
  await assert.rejects(fallback.consume(grant), isCode('ERR_RATE_LIMITED'));
});
