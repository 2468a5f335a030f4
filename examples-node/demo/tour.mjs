// `make demo`: starts the demo app on a free 127.0.0.1 port and walks through
// what scoped tokens guarantee, over real HTTP. Each step prints its outcome;
// the exit code is 0 only if every outcome was the expected one.
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
    const replies = await Promise.all(Array.from({ length: 12 }, () => pipe(url, 'org_summary', token)));
    const ok = replies.filter((r) => r.status === 200).length;
    const limited = replies.filter((r) => r.status === 429);
    console.log(`  ${ok} × 200, ${limited.length} × 429 (Retry-After: ${limited[0]?.headers.get('retry-after')} s, ${limited[0]?.body.code})`);
    expect(ok >= 1 && ok <= 5 && limited.length === 12 - ok, 'at most 5 served, the rest 429');
    expect(limited.every((r) => r.body.code === 'ERR_RATE_LIMITED' && /^\d+$/.test(r.headers.get('retry-after') ?? '')), 'every 429 is ERR_RATE_LIMITED with a Retry-After');
  }
}

// A hung step must not hang `make demo`.
const watchdog = setTimeout(() => {
  console.error('\ntour FAILED: timed out');
  process.exit(1);
}, 90_000);
watchdog.unref();

let app;
try {
  console.log('starting the demo app (seeding the database)…');
  app = await createApp();
  const url = await app.listen(0);
  console.log(`demo app (${app.db.kind}) at ${url}/`);
  await tour(app, url);
} catch (error) {
  results.push(false);
  console.error('\ntour error:', error);
} finally {
  await app?.close();
}
const failed = results.filter((ok) => !ok).length;
console.log(failed === 0 ? `\ntour OK: ${results.length} checks passed` : `\ntour FAILED: ${failed} of ${results.length} checks failed`);
process.exitCode = failed === 0 ? 0 : 1;
