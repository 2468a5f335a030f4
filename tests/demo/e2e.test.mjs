// The demo app over HTTP: tenant isolation whatever the caller sends, and each
// error status and code of the pipe endpoint. One app (PGlite seeding takes a
// few seconds) shared by every test.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSigner, createVerifier, generateKeyPair } from 'scopemint';
import { DEMO_USERS, ORG_MEMBERS } from '../../examples-node/demo/users.mjs';
import { ORDER_COUNT } from '../../examples-node/demo/seed.mjs';
import { assertRateLimited, login, pipe, startApp } from './helpers.mjs';

const adminToken = 'demo-e2e-admin-token-0123456789-abcdefghijklmnopqrstuvwxyz';
const workspaceId = 'ws_e2e';
const vizzly = generateKeyPair('ES256');
let app;
let url;

before(async () => {
  ({ app, url } = await startApp({ adminToken, workspaceId, vizzlyPrivateKey: vizzly.privateKey }));
});
after(() => app?.close());

/** Tokens the server would never mint, signed with the same admin token. */
const signer = createSigner({ secret: adminToken, workspaceId });
const mintRaw = (scopes, ttlMs = 60_000) => signer.createJWT({ name: `e2e_${Math.random()}`, expiresAt: new Date(Date.now() + ttlMs), scopes }).token;

const sqlInjections = [
  "acme' OR '1'='1",
  "x'; DROP TABLE scopemint_demo.orders; --",
  '101 OR 1=1',
  '1); DELETE FROM scopemint_demo.orders; --',
  "' UNION SELECT id, org_id, user_id, amount, status, created_at FROM scopemint_demo.orders --",
];

/** Query strings an attacker might try, given the caller and a victim in another org. */
function attempts(user, victim) {
  const teammate = ORG_MEMBERS[user.orgId].find((id) => id !== user.userId);
  const list = [
    [],
    [['org_id', user.orgId], ['user_id', String(user.userId)]],
    [['org_id', victim.orgId]],
    [['user_id', String(victim.userId)]],
    [['org_id', victim.orgId], ['user_id', String(victim.userId)]],
    [['user_id', String(teammate)]],
    // Repeated names: whichever one a parser picks, fixed_params still win.
    [['org_id', user.orgId], ['org_id', victim.orgId], ['user_id', String(victim.userId)], ['user_id', String(user.userId)]],
    [['limit', '1000'], ['start_date', '2024-01-01'], ['end_date', '2024-12-31'], ['org_id', victim.orgId]],
  ];
  for (const evil of sqlInjections) {
    list.push([['org_id', evil]], [['user_id', evil]], [['start_date', evil]], [['end_date', evil]], [['limit', evil]], [['q', evil]]);
  }
  return list;
}

describe('tenant isolation', () => {
  for (const user of DEMO_USERS) {
    test(`${user.login} (${user.orgId}) only ever sees ${user.orgId} rows`, async () => {
      const victim = DEMO_USERS.find((other) => other.orgId !== user.orgId);
      let served = 0;
      for (const params of attempts(user, victim)) {
        for (const name of ['user_orders', 'org_summary']) {
          // A fresh token per request keeps limits.rps out of this test.
          const { tinybird } = await login(url, user.login);
          const viaQuery = served % 2 === 1; // both ways of sending the token
          const { status, body } = await pipe(url, name, { token: tinybird, params, header: !viaQuery });
          const what = `${name}?${new URLSearchParams(params)}`;
          if (status === 400) {
            // Only a malformed non-tenant param may be refused; tenant params are always overridden.
            assert.equal(body.code, 'ERR_PARAM_INVALID', what);
            assert.ok(params.some(([k]) => ['start_date', 'end_date', 'limit'].includes(k)), what);
            continue;
          }
          assert.equal(status, 200, `${what}: ${JSON.stringify(body)}`);
          served += 1;
          assert.ok(body.rows > 0, what);
          for (const row of body.data) {
            assert.equal(row.org_id, user.orgId, what);
            if (name === 'user_orders') assert.equal(row.user_id, user.userId, what);
          }
        }
      }
      assert.ok(served > 20);
    });
  }

  test('the table survived every injection attempt', async () => {
    const [{ count }] = await app.db.query('SELECT count(*)::int AS count FROM scopemint_demo.orders');
    assert.equal(count, ORDER_COUNT);
  });

  test('Tinybird response shape; date range and limit apply', async () => {
    const { tinybird } = await login(url, 'alice');
    const { status, body, headers } = await pipe(url, 'user_orders', {
      token: tinybird,
      // `utm-source` is no param name authorize() accepts: unknown params are ignored, as Tinybird does.
      params: { start_date: '2024-03-01', end_date: '2024-03-31', limit: '5', user_id: '999', 'utm-source': 'x' },
    });
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body), ['meta', 'data', 'rows', 'statistics']);
    assert.deepEqual(body.meta.map((m) => m.name), ['id', 'org_id', 'user_id', 'amount', 'status', 'created_at']);
    assert.equal(body.rows, 5);
    assert.equal(body.data.length, 5);
    for (const row of body.data) assert.match(row.created_at, /^2024-03-(0[1-9]|[12]\d|3[01]) \d\d:\d\d:\d\d$/);
    assert.deepEqual(Object.keys(body.statistics), ['elapsed', 'rows_read', 'bytes_read']);
    assert.equal(headers.get('x-scopemint-overridden'), 'user_id');
  });
});

describe('errors', () => {
  const userOrders = [{ type: 'PIPES:READ', resource: 'user_orders', fixed_params: { org_id: 'acme', user_id: 101 } }];

  test('401 without a token', async () => {
    const { status, body, headers } = await pipe(url, 'user_orders');
    assert.equal(status, 401);
    assert.equal(body.code, 'ERR_TOKEN_MISSING');
    assert.match(headers.get('www-authenticate'), /^Bearer/);
  });

  test('401 for a malformed, tampered, foreign-key or alg:none token', async () => {
    const { tinybird } = await login(url, 'bob');
    const [header, payload, signature] = tinybird.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url'));
    claims.scopes[0].fixed_params.org_id = 'globex';
    const tampered = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    const foreign = createSigner({ secret: 'another-workspace-admin-token-0123456789abcdef', workspaceId })
      .createJWT({ name: 'x', expiresAt: new Date(Date.now() + 60e3), scopes: userOrders }).token;
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    const cases = [
      ['not-a-jwt', 'ERR_JWT_MALFORMED'],
      [tampered, 'ERR_JWS_SIGNATURE_INVALID'],
      [foreign, 'ERR_JWS_SIGNATURE_INVALID'],
      [none, undefined],
    ];
    for (const [token, code] of cases) {
      const { status, body } = await pipe(url, 'user_orders', { token });
      assert.equal(status, 401, token);
      if (code) assert.equal(body.code, code);
      else assert.match(body.code, /^ERR_(JOSE_ALG_NOT_ALLOWED|JWT_MALFORMED)$/);
    }
    assert.equal((await pipe(url, 'user_orders', { token: tinybird })).status, 200, 'the untouched token still works');
  });

  test('403 ERR_JWT_EXPIRED after expiry', async () => {
    const { tinybird } = app.mint('carol', { ttlMs: 1500 });
    const { exp } = JSON.parse(Buffer.from(tinybird.split('.')[1], 'base64url'));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 100));
    const { status, body } = await pipe(url, 'user_orders', { token: tinybird });
    assert.equal(status, 403);
    assert.equal(body.code, 'ERR_JWT_EXPIRED');
  });

  test('403 ERR_SCOPE_DENIED for a pipe the token has no scope for, or one not pinning the tenant', async () => {
    let reply = await pipe(url, 'org_summary', { token: mintRaw(userOrders) });
    assert.equal(reply.status, 403);
    assert.equal(reply.body.code, 'ERR_SCOPE_DENIED');
    // A scope without fixed_params would let ?org_id= choose the tenant: refused.
    reply = await pipe(url, 'org_summary', { token: mintRaw([{ type: 'PIPES:READ', resource: 'org_summary' }]), params: { org_id: 'globex' } });
    assert.equal(reply.status, 403);
    assert.equal(reply.body.code, 'ERR_SCOPE_DENIED');
  });

  test('429 ERR_RATE_LIMITED with Retry-After past limits.rps', async () => {
    const { tinybird } = await login(url, 'dave');
    const replies = await Promise.all(Array.from({ length: 12 }, () => pipe(url, 'org_summary', { token: tinybird })));
    const limited = replies.filter((r) => r.status === 429);
    assert.ok(limited.length >= 7, `${limited.length} of 12 limited`);
    assertRateLimited(limited);
    assert.deepEqual([...new Set(replies.map((r) => r.status))].sort(), [200, 429]);
    // Served replies say what the budget still holds.
    const served = replies.filter((r) => r.status === 200).map((r) => Number(r.headers.get('x-ratelimit-remaining')));
    assert.ok(served.every((n) => n >= 0 && n < 5), served.join(','));
  });

  test('404 for an unknown pipe, 400 for a bad param', async () => {
    const { tinybird } = await login(url, 'erin');
    let reply = await pipe(url, 'all_orders', { token: tinybird });
    assert.equal(reply.status, 404);
    assert.equal(reply.body.code, 'ERR_PIPE_NOT_FOUND');
    reply = await pipe(url, 'user_orders', { token: tinybird, params: { start_date: '2024-02-30' } });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.code, 'ERR_PARAM_INVALID');
  });
});

// The Vizzly data token enforced by the demo: its secure filters, read as Vizzly
// reads them, are the WHERE clause of GET /api/vizzly/orders (PostgreSQL).
describe('GET /api/vizzly/orders', () => {
  const orders = async (token) => {
    const response = await fetch(`${url}/api/vizzly/orders`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: response.status, body: await response.json() };
  };
  const vizzlySigner = createSigner({ privateKey: vizzly.privateKey, ttlInMinutes: 5 });
  const dataToken = (filters) => vizzlySigner.signDataAccessToken({ dataSetIds: ['orders'], secureFilters: { orders: filters } });

  test("a logged-in user's token: their organisation AND not cancelled", async () => {
    const { vizzly: tokens } = await login(url, 'carol');
    const { status, body } = await orders(tokens.dataAccessToken);
    assert.equal(status, 200);
    assert.equal(body.filters, "org_id = 'globex' AND status != 'cancelled'");
    assert.ok(body.rows > 0);
    for (const row of body.data) {
      assert.equal(row.org_id, 'globex');
      assert.notEqual(row.status, 'cancelled');
    }
  });

  test('a flat list is an OR: either filter matching lets a row through', async () => {
    const or = await orders(dataToken([{ field: 'org_id', op: '=', value: 'globex' }, { field: 'status', op: '=', value: 'cancelled' }]));
    assert.equal(or.status, 200);
    assert.equal(or.body.filters, "org_id = 'globex' OR status = 'cancelled'");
    const orgs = new Set(or.body.data.map((row) => row.org_id));
    assert.ok(orgs.size > 1, 'cancelled orders of other organisations are included');
    for (const row of or.body.data) assert.ok(row.org_id === 'globex' || row.status === 'cancelled');
    const and = await orders(dataToken([[{ field: 'org_id', op: '=', value: 'globex' }, { field: 'status', op: '=', value: 'cancelled' }]]));
    assert.deepEqual(and.body.data.map((row) => [row.org_id, row.status]), [['globex', 'cancelled']]);
  });

  test('a token for other data sets, a tampered one or none is refused', async () => {
    const other = vizzlySigner.signDataAccessToken({ dataSetIds: ['payroll'], secureFilters: {} });
    assert.equal((await orders(other)).status, 403);
    // "*" filtering only another data set: orders has no entry, so it is refused.
    const lookAlike = vizzlySigner.signDataAccessToken({ dataSetIds: '*', secureFilters: { Orders: [{ field: 'org_id', op: '=', value: 'acme' }] } });
    assert.equal((await orders(lookAlike)).status, 403);
    const good = dataToken([{ field: 'org_id', op: '=', value: 'acme' }]);
    assert.equal((await orders(`${good.slice(0, -4)}AAAA`)).status, 401);
    assert.equal((await orders()).status, 401);
  });
});

describe('token route and static files', () => {
  test('POST /api/token: Tinybird JWT and Vizzly tokens pinning the org', async () => {
    const { tinybird, vizzly: tokens } = await login(url, 'carol');
    const { payload } = createVerifier({ secret: adminToken }).verify(tinybird);
    assert.deepEqual(payload.scopes, [
      { type: 'PIPES:READ', resource: 'user_orders', fixed_params: { org_id: 'globex', user_id: 201 } },
      { type: 'PIPES:READ', resource: 'org_summary', fixed_params: { org_id: 'globex' } },
    ]);
    assert.deepEqual(payload.limits, { rps: 5 });
    assert.equal(payload.workspace_id, workspaceId);
    const left = payload.exp - Date.now() / 1000;
    assert.ok(left > 14 * 60 && left <= 15 * 60, String(left));
    const data = createVerifier({ publicKey: vizzly.publicKey, profile: 'vizzly' }).verify(tokens.dataAccessToken).payload;
    // Vizzly's nested form where AND is meant (https://docs.vizzly.co/identity/properties/secure-filters).
    assert.deepEqual(data.secureFilters, {
      orders: [[{ field: 'org_id', op: '=', value: 'globex' }, { field: 'status', op: '!=', value: 'cancelled' }]],
    });
    assert.equal(data.projectId, 'prj_scopemint_demo');
    createVerifier({ publicKey: vizzly.publicKey, profile: 'vizzly' }).verify(tokens.dashboardAccessToken);
  });

  test('unknown users and wrong methods are refused', async () => {
    const post = (body) => fetch(`${url}/api/token`, { method: 'POST', body });
    assert.equal((await post('{"user":"mallory"}')).status, 400);
    assert.equal((await post('not json')).status, 400);
    assert.equal((await fetch(`${url}/api/token`)).status, 405);
    assert.equal((await fetch(`${url}/v0/pipes/user_orders.json`, { method: 'POST' })).status, 405);
  });

  test('the page and scopemint browser build are served; nothing outside them', async () => {
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
    const lib = await fetch(`${url}/scopemint/decode-universal.mjs`);
    assert.equal(lib.status, 200);
    assert.match(lib.headers.get('content-type'), /^text\/javascript/);
    for (const path of ['/scopemint/../package.json', '/scopemint/%2e%2e/index.d.ts', '/%2e%2e/server.mjs', '/scopemint/', '/scopemint/scopemint.wasm']) {
      assert.equal((await fetch(`${url}${path}`)).status, 404, path);
    }
  });
});
