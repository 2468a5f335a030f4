// `make demo`: starts the demo app on a free 127.0.0.1 port and walks through
// what scoped tokens guarantee, over real HTTP. Each step prints its outcome;
// the exit code is 0 only if every outcome was the expected one.
import { randomBytes } from 'node:crypto';
import { startRedis } from './local-redis.mjs';
import { createApp } from './server.mjs';

const results = [];
const step = (text) => console.log(`\n== ${text}`);
function expect(ok, text) {
  results.push(ok);
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${text}`);
}

async function login(url, user) {
  const response = await fetch(`${url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
  return (await response.json()).tinybird;
}

async function pipe(url, name, token, params = {}) {
  const query = new URLSearchParams(params);
  const response = await fetch(`${url}/v0/pipes/${name}.json${query.size ? `?${query}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const distinct = (rows, column) => [...new Set(rows.map((row) => row[column]))].join(',');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function tour(app, url) {
  step('two users from different organisations query user_orders');
  for (const [user, org, id] of [['alice', 'acme', 101], ['carol', 'globex', 201]]) {
    const token = await login(url, user);
    const { status, body } = await pipe(url, 'user_orders', token, { limit: 1000 });
    console.log(`  ${user}: ${status}, ${body.rows} rows, org_id ∈ {${distinct(body.data ?? [], 'org_id')}}, user_id ∈ {${distinct(body.data ?? [], 'user_id')}}`);
    expect(status === 200 && body.rows > 0 && body.data.every((r) => r.org_id === org && r.user_id === id), `${user} sees only ${org}/${id} rows`);
    const summary = await pipe(url, 'org_summary', token);
    expect(summary.status === 200 && summary.body.data.every((r) => r.org_id === org), `${user}'s org_summary covers ${org} only (${summary.body.rows} members)`);
  }

  step("alice tries to read carol's rows: ?org_id=globex&user_id=201");
  {
    const token = await login(url, 'alice');
    const { status, headers, body } = await pipe(url, 'user_orders', token, { org_id: 'globex', user_id: '201' });
    const overridden = (headers.get('x-scopemint-overridden') ?? '').split(',').sort().join(',');
    console.log(`  ${status}, grant.overridden = [${overridden}], rows from org_id ∈ {${distinct(body.data ?? [], 'org_id')}}`);
    expect(status === 200 && overridden === 'org_id,user_id' && body.data.every((r) => r.org_id === 'acme' && r.user_id === 101),
      'fixed_params win: still only alice\'s rows, and the override is reported');
  }

  step('a tampered token: payload edited to org_id "globex", signature kept');
  {
    const [header, payload, signature] = (await login(url, 'bob')).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url'));
    claims.scopes[0].fixed_params.org_id = 'globex';
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    const { status, body } = await pipe(url, 'user_orders', forged);
    console.log(`  ${status} ${body.code}: ${body.error}`);
    expect(status === 401 && body.code === 'ERR_JWS_SIGNATURE_INVALID', 'refused with 401 ERR_JWS_SIGNATURE_INVALID');
  }

  step('an expired token (minted to live ~1 s, then we wait)');
  {
    // createJWT refuses an expiry in the past, so mint a short one and outlive it.
    const { tinybird } = app.mint('dave', { ttlMs: 1500 });
    const exp = JSON.parse(Buffer.from(tinybird.split('.')[1], 'base64url')).exp;
    await sleep(Math.max(0, exp * 1000 - Date.now()) + 100);
    const { status, body } = await pipe(url, 'user_orders', tinybird);
    console.log(`  ${status} ${body.code}: ${body.error}`);
    expect(status === 403 && body.code === 'ERR_JWT_EXPIRED', 'refused with 403 ERR_JWT_EXPIRED');
  }

  step('a burst of 12 simultaneous requests on one token (limits.rps = 5)');
  {
    const token = await login(url, 'erin');
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: 12 }, () => pipe(url, 'org_summary', token)));
    const ok = replies.filter((r) => r.status === 200).length;
    const limited = replies.filter((r) => r.status === 429);
    const allowed = burstAllowance(started);
    console.log(`  ${ok} × 200, ${limited.length} × 429 (Retry-After: ${limited[0]?.headers.get('retry-after')} s, ${limited[0]?.body.code})`);
    expect(ok >= 1 && ok <= allowed && limited.length === 12 - ok, `at most ${allowed} served (5 plus what refilled), the rest 429`);
    expect(limited.every((r) => r.body.code === 'ERR_RATE_LIMITED' && /^\d+$/.test(r.headers.get('retry-after') ?? '')), 'every 429 is ERR_RATE_LIMITED with a Retry-After');
    expect(limited.every((r) => r.headers.get('x-ratelimit-limit') === '5' && r.headers.get('x-ratelimit-remaining') === '0'), 'every 429 says X-RateLimit-Limit: 5, X-RateLimit-Remaining: 0');
  }

  step("carol's Vizzly data token on /api/vizzly/orders: secure filters [[org_id = globex, status != cancelled]]");
  {
    const response = await fetch(`${url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'carol' }) });
    const { vizzly } = await response.json();
    const orders = await fetch(`${url}/api/vizzly/orders`, { headers: { authorization: `Bearer ${vizzly.dataAccessToken}` } });
    const body = await orders.json();
    console.log(`  ${orders.status}, reads as: ${body.filters}; rows: ${(body.data ?? []).map((r) => `${r.org_id}/${r.status}`).join(', ')}`);
    expect(orders.status === 200 && body.rows > 0 && body.data.every((r) => r.org_id === 'globex' && r.status !== 'cancelled'),
      'a nested list is an AND: only globex orders, none cancelled');
  }
}

// What an rps = 5 bucket may serve to a burst begun at `started`: its 5, plus
// the 5 per second it refills while the burst is in flight (a slow machine stretches it).
function burstAllowance(started) {
  return 5 + Math.floor(((Date.now() - started) / 1000) * 5);
}

async function sharedBudget(url, secondUrl) {
  step('two instances of the app, one Redis: a burst of 12 split between them (limits.rps = 5)');
  const token = await login(url, 'bob');
  const started = Date.now();
  const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => pipe(i % 2 ? secondUrl : url, 'org_summary', token)));
  const seconds = (Date.now() - started) / 1000;
  const served = replies.filter((r) => r.status === 200).length;
  const limited = replies.filter((r) => r.status === 429);
  // Two separate budgets would serve up to 10.
  const allowed = burstAllowance(started);
  console.log(`  ${served} × 200, ${limited.length} × 429 across both instances in ${seconds.toFixed(2)} s (one budget allows ${allowed})`);
  expect(served >= 1 && served <= allowed && limited.length === 12 - served, 'one budget for both instances, not one each');
}

// A hung step must not hang `make demo`.
const watchdog = setTimeout(() => {
  console.error('\ntour FAILED: timed out');
  process.exit(1);
}, 90_000);
watchdog.unref();

let app;
let second;
let redis;
try {
  // Both instances verify with one admin token and count limits.rps in one local Redis.
  redis = await startRedis();
  const shared = { adminToken: randomBytes(48).toString('base64url'), redisUrl: redis.url };
  console.log(`starting two instances of the demo app (seeding the database), rate limits in Redis on port ${redis.port}…`);
  app = await createApp(shared);
  second = await createApp(shared);
  const url = await app.listen(0);
  const secondUrl = await second.listen(0);
  console.log(`demo app (${app.db.kind}) at ${url}/ and ${secondUrl}/`);
  await tour(app, url);
  await sharedBudget(url, secondUrl);
} catch (error) {
  results.push(false);
  console.error('\ntour error:', error);
} finally {
  await app?.close();
  await second?.close();
  await redis?.stop();
}
const failed = results.filter((ok) => !ok).length;
console.log(failed === 0 ? `\ntour OK: ${results.length} checks passed` : `\ntour FAILED: ${failed} of ${results.length} checks failed`);
process.exitCode = failed === 0 ? 0 : 1;
