// Two instances of the demo app behind one Redis: a token's limits.rps is one
// budget across both (Tinybird counts per workspace and token name:
// https://www.tinybird.co/docs/forward/administration/tokens/jwt), and a Redis
// outage is a 503, never an unlimited request.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startRedis } from '../../examples-node/demo/local-redis.mjs';
import { assertRateLimited, login, pipe, startApp } from './helpers.mjs';

const shared = { adminToken: 'demo-redis-admin-token-0123456789-abcdefghijklmnopqrstuvwxyz', workspaceId: 'ws_redis' };
let redis;
let first;
let second;

before(async () => {
  redis = await startRedis();
  first = await startApp({ ...shared, redisUrl: redis.url });
  second = await startApp({ ...shared, redisUrl: redis.url });
});
after(async () => {
  await first?.app.close();
  await second?.app.close();
  await redis?.stop();
});

test('a burst split across two instances is served from one budget of 5', async () => {
  assert.equal(first.app.rateLimitBackend, 'redis');
  const { tinybird } = await login(first.url, 'alice');
  const started = Date.now();
  const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => pipe(i % 2 ? second.url : first.url, 'org_summary', { token: tinybird })));
  const span = (Date.now() - started) / 1000;
  const served = replies.filter((r) => r.status === 200);
  const limited = replies.filter((r) => r.status === 429);
  // Separate budgets would serve up to 10; one budget serves 5 plus what refills meanwhile.
  assert.ok(served.length >= 1 && served.length <= 5 + Math.floor(span * 5), `${served.length} served in ${span}s`);
  assert.equal(served.length + limited.length, 12);
  assertRateLimited(limited);
});

test('Redis stopped: 503 ERR_RATE_LIMIT_UNAVAILABLE, not an unlimited request', async () => {
  const { tinybird } = await login(first.url, 'bob');
  assert.equal((await pipe(first.url, 'org_summary', { token: tinybird })).status, 200);
  await redis.stop();
  const reply = await pipe(second.url, 'org_summary', { token: tinybird });
  assert.equal(reply.status, 503);
  assert.equal(reply.body.code, 'ERR_RATE_LIMIT_UNAVAILABLE');
});
