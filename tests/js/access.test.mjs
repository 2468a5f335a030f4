// verifier.authorize and compileSecureFilters through the package: the Rust
// rules (tests/access.rs) reach JS with their grant shape and error codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier, createRateLimiter, compileSecureFilters, TokenError } from 'scopemint';
import * as server from 'scopemint/server';

const secret = 'admin-token-0123456789abcdef-0123456789abcdef';
// Minting a SQL filter needs the entry with the SQL parser.
const signer = server.createSigner({ secret, workspaceId: 'ws_1' });
const mint = (name, rps) => signer.createJWT({
  name, expiresAt: new Date(Date.now() + 600e3), ...(rps ? { limits: { rps } } : {}),
  scopes: [
    { type: 'PIPES:READ', resource: 'user_analytics', fixed_params: { user_id: 123 } },
    { type: 'DATASOURCES:READ', resource: 'events', filter: "org_id = 'acme'" },
  ],
}).token;

test('fixed params win over the caller and the override is reported', () => {
  const grant = createVerifier({ secret }).authorize(mint('s1'), {
    type: 'PIPES:READ', resource: 'user_analytics', params: { user_id: '999', start_date: '2024-01-01' },
  });
  assert.deepEqual(grant.params, { user_id: 123, start_date: '2024-01-01' });
  assert.deepEqual(grant.overridden, ['user_id']);
  assert.equal(grant.claims.workspace_id, 'ws_1');
});

test('a data source grant carries its filter; the quarantine table comes with it', () => {
  const verifier = server.createVerifier({ secret });
  assert.equal(verifier.authorize(mint('s2'), { type: 'DATASOURCES:READ', resource: 'events' }).filter, "org_id = 'acme'");
  assert.equal(verifier.authorize(mint('s2'), { type: 'DATASOURCES:READ', resource: 'events_quarantine' }).filter, "org_id = 'acme'");
});

test('scope confusion and unknown resources are denied with ERR_SCOPE_DENIED', () => {
  const verifier = createVerifier({ secret });
  for (const request of [
    { type: 'DATASOURCES:READ', resource: 'user_analytics' },
    { type: 'PIPES:READ', resource: 'events' },
    { type: 'DATASOURCES:APPEND', resource: 'events' },
    { type: 'PIPES:READ', resource: '*' },
  ]) {
    assert.throws(() => verifier.authorize(mint('s3'), request), (e) => e instanceof TokenError && e.code === 'ERR_SCOPE_DENIED', JSON.stringify(request));
  }
});

test('an invalid token fails before any scope logic', () => {
  const token = mint('s4');
  assert.throws(() => createVerifier({ secret }).authorize(`${token.slice(0, -3)}AAA`, { type: 'PIPES:READ', resource: 'user_analytics' }),
    { code: 'ERR_JWS_SIGNATURE_INVALID' });
});

test('limits.rps travels on the grant; createRateLimiter enforces it with a retry-after', async () => {
  const verifier = createVerifier({ secret });
  const limiter = createRateLimiter();
  const token = mint('burst', 3);
  const request = { type: 'PIPES:READ', resource: 'user_analytics' };
  const grant = verifier.authorize(token, request);
  assert.deepEqual(grant.rateLimit, { key: '["ws_1","burst"]', rps: 3 });
  for (let i = 0; i < 3; i++) await limiter.consume(verifier.authorize(token, request));
  await assert.rejects(limiter.consume(grant), (e) => e.code === 'ERR_RATE_LIMITED' && e.retryAfter >= 1);
});

test('secure filters compile to parameterised SQL; values never enter the SQL text', () => {
  const attack = "x' OR 1=1 --";
  const { sql, params } = compileSecureFilters(
    [{ field: 'org_id', op: '=', value: attack }, { field: 'region', op: 'is_one_of', value: ['us', 'eu'] }],
    { dialect: 'postgres' },
  );
  assert.equal(sql.includes(attack), false);
  assert.deepEqual(params, [attack, 'us', 'eu']);
  assert.match(sql, /\$1/);
  assert.equal(compileSecureFilters([{ field: 'org_id', op: 'is_one_of', value: [] }], { dialect: 'mysql' }).sql, '(1 = 0)');
  assert.throws(() => compileSecureFilters([{ field: 'a; DROP TABLE x', op: '=', value: 1 }], { dialect: 'sqlite' }), { code: 'ERR_INVALID_OPTION' });
});
