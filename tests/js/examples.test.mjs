// The examples in examples-node/ as servers: each is started through its
// exported factory on 127.0.0.1 port 0, called with fetch, and the tokens it
// returns are verified with jose.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { generateKeyPair } from 'scopemint';
import { createServer as embeddableServer } from '../../examples-node/embeddable-token.mjs';
import { createServer as tinybirdServer, DEMO_SESSIONS } from '../../examples-node/tinybird-token.mjs';
import { createServer as vizzlyServer } from '../../examples-node/vizzly-identity.mjs';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Listens on a free port, runs fn(baseUrl), always closes. */
async function withServer(server, fn) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await fn(`http://127.0.0.1:${server.address().port}`);
  } finally {
    server.closeAllConnections?.();
    server.close();
    await once(server, 'close');
  }
}

describe('examples-node/vizzly-identity.mjs', () => {
  test('POST returns the identity response; each token verifies with the public key', async () => {
    const { privateKey, publicKey } = generateKeyPair('ES256');
    const key = await jose.importSPKI(publicKey, 'ES256');
    await withServer(vizzlyServer({ privateKey, ttlInMinutes: 5 }), async (url) => {
      const started = Date.now();
      const response = await fetch(`${url}/api/vizzly/identity`, { method: 'POST' });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = await response.json();
      assert.deepEqual(Object.keys(body), ['dashboardAccessToken', 'dataAccessToken']);
      const dashboard = (await jose.jwtVerify(body.dashboardAccessToken, key, { algorithms: ['ES256'] })).payload;
      assert.equal(dashboard.userReference, 'user_123');
      assert.equal(dashboard.accessType, 'standard');
      assert.equal('exp' in dashboard, false);
      const left = Date.parse(dashboard.expires) - started;
      assert.ok(left >= 5 * 60_000 - 1000 && left <= 5 * 60_000 + 5000, String(left));
      const data = (await jose.jwtVerify(body.dataAccessToken, key)).payload;
      assert.deepEqual(data.secureFilters['hr-payroll-data'], [{ field: 'field_user_id', op: '=', value: 'user_123' }]);
      // Where AND is meant, the example uses Vizzly's nested form.
      assert.deepEqual(data.secureFilters['hr-people-data'], [[
        { field: 'field_user_id', op: '=', value: 'user_123' },
        { field: 'field_project_id', op: '=', value: 'prj_demo' },
      ]]);
      assert.equal(data.projectId, 'prj_demo');
      assert.equal((await fetch(`${url}/api/vizzly/identity`)).status, 405);
      assert.equal((await fetch(`${url}/other`, { method: 'POST' })).status, 404);
    });
  });

  test('an admin user also gets a query-engine token', async () => {
    const { privateKey, publicKey } = generateKeyPair('ES256');
    const user = { id: 'eng_1', projectId: 'prj_demo', isAdmin: true };
    await withServer(vizzlyServer({ privateKey, user }), async (url) => {
      const body = await (await fetch(`${url}/api/vizzly/identity`, { method: 'POST' })).json();
      const key = await jose.importSPKI(publicKey, 'ES256');
      assert.equal((await jose.jwtVerify(body.dashboardAccessToken, key)).payload.accessType, 'admin');
      const queryEngine = (await jose.jwtVerify(body.queryEngineAccessToken, key)).payload;
      assert.equal(queryEngine.allowDatabaseSchemaAccess, true);
    });
  });
});

describe('examples-node/tinybird-token.mjs', () => {
  const adminToken = 'p.eyJ1IjogIjdmOTIwMmMzLWM1ZjctNDU4Ni1hZDUxLTdmYzUzNTRlMTk5YSJ9';

  test('mints a JWT with fixed_params for the logged-in user only', async () => {
    await withServer(tinybirdServer({ adminToken, workspaceId: 'ws_123' }), async (url) => {
      const post = (session) =>
        fetch(`${url}/api/tinybird-token`, { method: 'POST', headers: session ? { authorization: `Bearer ${session}` } : {} });
      const secret = new TextEncoder().encode(adminToken);
      for (const [session, user] of Object.entries(DEMO_SESSIONS)) {
        const response = await post(session);
        assert.equal(response.status, 200);
        const { token } = await response.json();
        const { payload } = await jose.jwtVerify(token, secret, { algorithms: ['HS256'] });
        assert.equal(payload.workspace_id, 'ws_123');
        assert.deepEqual(payload.scopes[0], {
          type: 'PIPES:READ',
          resource: 'user_analytics',
          fixed_params: { user_id: user.id, org_id: user.orgId },
        });
        assert.deepEqual(payload.limits, { rps: 10 });
        assert.ok(payload.exp > Date.now() / 1000 + 3500);
      }
      assert.equal((await post()).status, 401);
      assert.equal((await post('session-mallory')).status, 401);
    });
  });
});

describe('examples-node/embeddable-token.mjs', () => {
  test('returns a self-issued security token and the Tokens API request', async () => {
    const secret = 'embeddable-example-secret-0123456789abcdef';
    await withServer(embeddableServer({ secret, embeddableId: 'dash-7', region: 'eu', expiryInSeconds: 600 }), async (url) => {
      const response = await fetch(`${url}/api/embeddable-token`, { method: 'POST' });
      assert.equal(response.status, 200);
      const body = await response.json();
      const { payload } = await jose.jwtVerify(body.token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
      assert.match(payload.securityTokenId, UUID_V4);
      assert.equal(payload.embeddableId, 'dash-7');
      assert.equal(payload.exp, payload.iat + 600);
      const request = body.tokensApiRequest;
      assert.equal(request.url, 'https://api.eu.embeddable.com/api/v1/security-token');
      assert.equal(request.method, 'POST');
      assert.equal(request.headers.Authorization, 'Bearer <API key>');
      assert.deepEqual(request.body, {
        embeddableId: 'dash-7',
        expiryInSeconds: 600,
        securityContext: payload.securityContext,
        user: payload.user,
        environment: 'prod',
      });
    });
  });
});

describe('examples run directly', () => {
  // Importing (above) started nothing; running the file starts a server and prints its URL.
  for (const [file, route] of [
    ['vizzly-identity.mjs', '/api/vizzly/identity'],
    ['tinybird-token.mjs', '/api/tinybird-token'],
    ['embeddable-token.mjs', '/api/embeddable-token'],
  ]) {
    test(file, async () => {
      const path = fileURLToPath(new URL(`../../examples-node/${file}`, import.meta.url));
      const env = { ...process.env, PORT: '0' };
      delete env.TINYBIRD_ADMIN_TOKEN;
      delete env.VIZZLY_PRIVATE_KEY_FILE;
      const child = spawn(process.execPath, [path], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let output = '';
        const url = await new Promise((resolve, reject) => {
          child.stdout.on('data', (chunk) => {
            output += chunk;
            const match = /http:\/\/127\.0\.0\.1:\d+\/api\/[\w/-]+/.exec(output);
            if (match) resolve(match[0]);
          });
          child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
        });
        assert.ok(url.endsWith(route));
        const response = await fetch(url, { method: 'POST', headers: { authorization: 'Bearer session-alice' } });
        assert.equal(response.status, 200);
      } finally {
        child.kill();
      }
    });
  }
});
