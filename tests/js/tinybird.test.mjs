// Tinybird through the package: `scopemint/tinybird`'s createClient against the
// real @tinybirdco/sdk (what it sends to Tinybird's Token API, read from
// node_modules/@tinybirdco/sdk/src/api/tokens.ts), jose as an independent
// verifier, the SDK's scope types and limits, Forward static scopes and the
// quarantine rule at authorize.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as jose from 'jose';
import { createClient as createSdkClient } from '@tinybirdco/sdk';
import { createClient } from 'scopemint/tinybird';
import * as main from 'scopemint';
import { parseScope, formatScope, TokenError } from 'scopemint';
import * as server from 'scopemint/server';
import { isCode, payloadOf as claims } from './helpers.mjs';

const require = createRequire(import.meta.url);
const ADMIN_TOKEN = 'p.eyJ1IjogIjdmOTIwMmMzLWM1ZjctNDU4Ni1hZDUxLTdmYzUzNTRlMTk5YSJ9';
const WORKSPACE_ID = '3b9a0c5e-0b7e-4f4c-9a1b-2f5c9d7e8a11';


/**
 * What the SDK's createJWT would ask Tinybird for: it POSTs `{name, scopes, limits?}` to
 * /v0/tokens/?expiration_time=<unix seconds>, and Tinybird signs
 * `{workspace_id, name, exp, scopes, limits?}` (the JWT page's payload table). The SDK
 * takes a custom `fetch`, so the request is captured, not sent.
 */
async function sdkRequest(options) {
  let captured;
  const fetch = async (url, init) => {
    captured = { url: new URL(url), body: JSON.parse(init.body), headers: new Headers(init.headers) };
    return new Response(JSON.stringify({ token: 'captured' }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const sdk = createSdkClient({ baseUrl: 'https://api.tinybird.co', token: ADMIN_TOKEN, fetch });
  const result = await sdk.tokens.createJWT(options);
  assert.deepEqual(result, { token: 'captured' });
  return captured;
}

const DOCS_EXAMPLES = [
  // https://www.tinybird.co/docs/forward/administration/tokens/jwt and the SDK's JWT guide.
  {
    name: 'user_123_session',
    expiresAt: new Date(Date.now() + 60 * 60 * 1000),
    scopes: [{ type: 'PIPES:READ', resource: 'user_dashboard', fixed_params: { user_id: 123 } }],
  },
  {
    name: 'limited_access',
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
    scopes: [{ type: 'PIPES:READ', resource: 'public_stats' }],
    limits: { rps: 10 },
  },
  {
    name: 'multi_scope_token',
    expiresAt: new Date(Date.now() + 3600 * 1000).toISOString(),
    scopes: [
      { type: 'PIPES:READ', resource: 'user_analytics', fixed_params: { user_id: 123 } },
      { type: 'PIPES:READ', resource: 'user_settings', fixed_params: { user_id: 123 } },
      { type: 'DATASOURCES:APPEND', resource: 'user_events' },
      { type: 'DATASOURCES:READ', resource: 'events', filter: "org_id = 'acme'" },
    ],
    limits: {},
  },
];

test('createClient mints locally the claims the SDK asks Tinybird for, and jose verifies them with the admin token', async () => {
  // A scope filter is SQL only the server build can check: scopemint/tinybird refuses it,
  // the same createClient from scopemint/server checks and mints it.
  const options = { baseUrl: 'https://api.tinybird.co', token: ADMIN_TOKEN, workspaceId: WORKSPACE_ID };
  const filtered = DOCS_EXAMPLES.find((example) => example.scopes.some((scope) => scope.filter !== undefined));
  await assert.rejects(createClient(options).tokens.createJWT(filtered),
    (error) => isCode('ERR_FILTER_UNCHECKED')(error) && error.message.includes('scopemint/server'));
  const client = server.tinybird.createClient(options);
  for (const options of DOCS_EXAMPLES) {
    const request = await sdkRequest(options);
    assert.equal(request.url.pathname, '/v0/tokens/');
    const { token } = await client.tokens.createJWT(options);
    const expected = {
      workspace_id: WORKSPACE_ID,
      name: request.body.name,
      exp: Number(request.url.searchParams.get('expiration_time')),
      scopes: request.body.scopes,
      ...(request.body.limits === undefined ? {} : { limits: request.body.limits }),
    };
    assert.deepEqual(claims(token), expected, options.name);
    const { payload, protectedHeader } = await jose.jwtVerify(token, new TextEncoder().encode(ADMIN_TOKEN), {
      algorithms: ['HS256'],
    });
    assert.equal(protectedHeader.alg, 'HS256');
    assert.deepEqual(payload, expected);
  }
});

test('the one-line switch: the same call shape, resolving to { token }, rejecting with TokenError', async () => {
  const client = createClient({ token: ADMIN_TOKEN, workspaceId: WORKSPACE_ID });
  const pending = client.tokens.createJWT(DOCS_EXAMPLES[0]);
  assert.ok(pending instanceof Promise);
  assert.deepEqual(Object.keys(await pending), ['token']);
  // Failures are rejections, as with the SDK's network call.
  await assert.rejects(
    client.tokens.createJWT({ ...DOCS_EXAMPLES[0], scopes: [{ type: 'ADMIN', resource: 'x' }] }),
    (error) => error instanceof TokenError && isCode('ERR_INVALID_OPTION')(error) && error.claim === 'scopes[0].type',
  );
  await assert.rejects(client.tokens.createJWT({ ...DOCS_EXAMPLES[0], workspaceId: 'other' }), isCode('ERR_INVALID_OPTION'));
  await assert.rejects(client.tokens.createJWT({ ...DOCS_EXAMPLES[0], expiresAt: 'next week' }), isCode('ERR_INVALID_OPTION'));
  await assert.rejects(client.tokens.createJWT({ ...DOCS_EXAMPLES[0], expiresAt: new Date('nope') }), isCode('ERR_INVALID_OPTION'));
  await assert.rejects(client.tokens.createJWT({ ...DOCS_EXAMPLES[1], limits: { rps: 2.5 } }), isCode('ERR_INVALID_OPTION'));
  // Options are checked at createClient, like a signer's.
  assert.throws(() => createClient({ token: ADMIN_TOKEN }), isCode('ERR_INVALID_OPTION'));
  assert.throws(() => createClient({ token: 'short', workspaceId: WORKSPACE_ID }), (e) => e.code === 'ERR_KEY_INVALID' && e.claim === 'token');
  assert.throws(() => createClient({ token: ADMIN_TOKEN, workspaceId: WORKSPACE_ID, baseUrl: 'api.tinybird.co' }), isCode('ERR_INVALID_OPTION'));
  assert.throws(() => createClient({ token: ADMIN_TOKEN, workspaceId: WORKSPACE_ID, devMode: true }), isCode('ERR_INVALID_OPTION'));
  // CommonJS sees the same entry.
  const cjs = require('scopemint/tinybird');
  assert.equal(typeof cjs.createClient, 'function');
  assert.equal(typeof main.tinybird.createClient, 'function');
});

test('scope types: the SDK\'s JWTScopeType is minted, static-only types are refused in a JWT', async () => {
  const client = createClient({ token: ADMIN_TOKEN, workspaceId: WORKSPACE_ID });
  const expiresAt = new Date(Date.now() + 60_000);
  for (const type of ['PIPES:READ', 'DATASOURCES:READ', 'DATASOURCES:APPEND']) {
    const { token } = await client.tokens.createJWT({ name: 'n', expiresAt, scopes: [{ type, resource: 'r' }] });
    assert.equal(claims(token).scopes[0].type, type);
  }
  for (const type of ['WORKSPACE:READ_ALL', 'ORG_DATASOURCES:READ', 'TOKENS', 'PIPES:WRITE']) {
    await assert.rejects(client.tokens.createJWT({ name: 'n', expiresAt, scopes: [{ type, resource: 'r' }] }), isCode('ERR_INVALID_OPTION'));
  }
});

test('parseScope and formatScope take the Forward static scopes', () => {
  // https://www.tinybird.co/docs/forward/administration/tokens/static-tokens
  for (const text of ['WORKSPACE:READ_ALL', 'WORKSPACE:DEPLOY', 'ORG_DATASOURCES:READ', 'TOKENS', 'ADMIN', 'DATASOURCES:READ:landing', 'DATASOURCES:APPEND:landing', 'PIPES:READ:app']) {
    const scope = parseScope(text);
    assert.equal(formatScope(scope), text);
  }
  assert.deepEqual(parseScope('ORG_DATASOURCES:READ'), { type: 'ORG_DATASOURCES:READ' });
  assert.throws(() => parseScope('WORKSPACE:READ_ALL:x'), isCode('ERR_SCOPE_INVALID'));
  assert.throws(() => parseScope('WORKSPACE:READ'), isCode('ERR_SCOPE_INVALID'));
  assert.throws(() => formatScope({ type: 'WORKSPACE:READ_ALL', resource: 'x' }), isCode('ERR_SCOPE_INVALID'));
});

test('authorize: an explicit filtered X_quarantine scope wins over the read implied by X (issue 11)', () => {
  const signer = main.createSigner({ secret: ADMIN_TOKEN, ttlSeconds: 600 });
  // Filters are handed out by the entry that parses them.
  const verifier = server.createVerifier({ secret: ADMIN_TOKEN });
  const request = { type: 'DATASOURCES:READ', resource: 'events_quarantine' };
  for (const scopes of [
    ['DATASOURCES:READ:events', "DATASOURCES:READ:events_quarantine:org_id = 'acme'"],
    ["DATASOURCES:READ:events_quarantine:org_id = 'acme'", 'DATASOURCES:READ:events'],
  ]) {
    assert.equal(verifier.authorize(signer.sign({ scopes }), request).filter, "org_id = 'acme'");
  }
  const jwt = signer.sign({
    workspace_id: WORKSPACE_ID,
    name: 'n',
    scopes: [
      { type: 'DATASOURCES:READ', resource: 'events' },
      { type: 'DATASOURCES:READ', resource: 'events_quarantine', filter: "org_id = 'acme'" },
    ],
  });
  assert.equal(verifier.authorize(jwt, request).filter, "org_id = 'acme'");
  assert.equal(verifier.authorize(jwt, { type: 'DATASOURCES:READ', resource: 'events' }).filter, null);
  const conflicting = signer.sign({ scopes: ["DATASOURCES:READ:events:org_id = 'a'", "DATASOURCES:READ:events:org_id = 'b'"] });
  assert.throws(() => verifier.authorize(conflicting, { type: 'DATASOURCES:READ', resource: 'events' }), isCode('ERR_JWT_CLAIM_INVALID'));
  // WORKSPACE:READ_ALL reads anything, but never overrides a scope naming the resource.
  const readAll = signer.sign({ scopes: ['WORKSPACE:READ_ALL', "DATASOURCES:READ:events:org_id = 'acme'"] });
  assert.equal(verifier.authorize(readAll, { type: 'PIPES:READ', resource: 'top' }).filter, null);
  assert.equal(verifier.authorize(readAll, { type: 'DATASOURCES:READ', resource: 'events' }).filter, "org_id = 'acme'");
  assert.throws(() => verifier.authorize(readAll, { type: 'DATASOURCES:APPEND', resource: 'events' }), isCode('ERR_SCOPE_DENIED'));
});
