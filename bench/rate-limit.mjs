// `node bench/rate-limit.mjs [--quick]` (after `make pkg`; needs redis-server):
// the cost of `limiter.consume` in memory and on a local Redis, against
// rate-limiter-flexible on the same Redis, and requests per second through two
// instances of the demo app (memory limiters vs one shared Redis). Figures are
// printed, never asserted. Start a quiet machine; numbers move 10-30% per run.
//
// Three runs on the shared 2-core machine (load average 10-13, so slow and noisy):
//   memory consume: scopemint 1.2-1.3 µs/call since `consumeKey` (two values in, numbers out;
//     5.7-8.6 µs with JSON both ways), rate-limiter-flexible 0.7-0.9 µs (bench/README.md)
//   Redis consume (loopback): scopemint 34-119 µs/call, rate-limiter-flexible 26-119 µs; run to
//     run and order moved each more than they differ (one round trip each: EVALSHA)
//   demo, two instances, 16 clients: 68-113 req/s with memory limiters, 96-137 req/s with one
//     Redis (the PGlite query dominates; the limiter's round trip does not show).
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { createRateLimiter } from 'scopemint';
import { startRedis } from '../examples-node/demo/local-redis.mjs';
import { createApp } from '../examples-node/demo/server.mjs';

const quick = process.argv.includes('--quick');
const seconds = quick ? 1 : 4;
const rps = 1_000_000_000; // never refused: this measures the cost, not the limit

/** Calls per second and mean µs per call of `run` (sequential awaits) over `seconds`. */
async function measure(label, run) {
  // Warm-up long enough for the JIT to optimise the call path (200 calls were not).
  const warm = performance.now() + (quick ? 200 : 500);
  for (let i = 0; performance.now() < warm; i++) await run(i);
  let calls = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) await run(calls + i);
    calls += 100;
  }
  const elapsed = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(58)} ${Math.round(calls / elapsed).toLocaleString('en').padStart(10)}/s  ${((elapsed / calls) * 1e6).toFixed(1).padStart(7)} µs/call`);
}

const redisServer = await startRedis();
const clients = [];
const client = () => {
  const redis = new Redis({ port: redisServer.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  clients.push(redis);
  return redis;
};
try {
  console.log(`consume, one caller, sequential (${seconds} s each; redis-server on 127.0.0.1:${redisServer.port})`);
  const grants = Array.from({ length: 1000 }, (_, i) => ({ rateLimit: { key: `["ws","user_${i}"]`, rps } }));
  const memory = createRateLimiter();
  const flexibleMemory = new RateLimiterMemory({ points: rps, duration: 1 });
  for (const round of [1, 2]) {
    await measure(`scopemint createRateLimiter() (memory, wasm), round ${round}`, (i) => memory.consume(grants[i % 1000]));
    await measure(`rate-limiter-flexible RateLimiterMemory, round ${round}`, (i) => flexibleMemory.consume(grants[i % 1000].rateLimit.key));
  }
  const ours = createRateLimiter({ redis: client(), prefix: 'bench:ours:' });
  const flexible = new RateLimiterRedis({ storeClient: client(), points: rps, duration: 1, keyPrefix: 'bench:rlf' });
  // Twice each, interleaved: on a loaded machine the order alone moves these figures.
  for (const round of [1, 2]) {
    await measure(`scopemint createRateLimiter({ redis }) (EVALSHA), round ${round}`, (i) => ours.consume(grants[i % 1000]));
    await measure(`rate-limiter-flexible RateLimiterRedis, round ${round}`, (i) => flexible.consume(grants[i % 1000].rateLimit.key));
  }

  console.log(`\nthe demo app, two instances, 16 concurrent clients alternating between them (${seconds} s each)`);
  const shared = { adminToken: 'bench-admin-token-0123456789-abcdefghijklmnopqrstuvwxyz-0123', rps };
  for (const redisUrl of [undefined, redisServer.url]) {
    const apps = [await createApp({ ...shared, redisUrl }), await createApp({ ...shared, redisUrl })];
    const urls = [await apps[0].listen(0), await apps[1].listen(0)];
    try {
      const { tinybird } = await (await fetch(`${urls[0]}/api/token`, { method: 'POST', body: '{"user":"alice"}' })).json();
      const headers = { authorization: `Bearer ${tinybird}` };
      let served = 0;
      let other = 0;
      const end = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(Array.from({ length: 16 }, async (_, worker) => {
        for (let i = worker; performance.now() < end; i++) {
          const response = await fetch(`${urls[i % 2]}/v0/pipes/org_summary.json`, { headers });
          await response.arrayBuffer();
          if (response.status === 200) served += 1;
          else other += 1;
        }
      }));
      const elapsed = (performance.now() - started) / 1000;
      console.log(`${`rate limits in ${apps[0].rateLimitBackend}`.padEnd(58)} ${Math.round(served / elapsed).toLocaleString('en').padStart(10)} req/s  (${other} not 200)`);
    } finally {
      for (const app of apps) await app.close();
    }
  }
} finally {
  for (const redis of clients) redis.disconnect();
  await redisServer.stop();
}
