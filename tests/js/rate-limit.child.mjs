// One of the two processes in rate-limit.test.mjs: consumes COUNT requests of
// one grant's budget through Redis, starting at START (ms), and reports.
import Redis from 'ioredis';
import { createRateLimiter } from 'scopemint';

const [port, prefix, rateLimitJson, startAt, count] = process.argv.slice(2);
const redis = new Redis({ port: Number(port), host: '127.0.0.1', maxRetriesPerRequest: 1 });
const limiter = createRateLimiter({ redis, prefix });
const grant = { rateLimit: JSON.parse(rateLimitJson) };
await redis.ping(); // connected before the clock starts
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const start = Date.now();
let granted = 0;
let refused = 0;
for (let i = 0; i < Number(count); i++) {
  try {
    await limiter.consume(grant);
    granted += 1;
  } catch (error) {
    if (error.code !== 'ERR_RATE_LIMITED') throw error;
    refused += 1;
  }
}
const end = Date.now();
redis.disconnect();
process.stdout.write(JSON.stringify({ granted, refused, start, end }));
