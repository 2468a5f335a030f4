// Values that JSON would drop or change, a broken clock, lifetimes past the
// one maximum and oversized tokens, through every public function of the
// package. Each case asserts the TokenError code (and the field path).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as server from 'scopemint/server';
import {
  compileSecureFilters,
  createRateLimiter,
  createSigner,
  createVerifier,
  decode,
  embeddableTokenRequest,
  formatScope,
  generateKeyPair,
  TokenError,
  vizzly,
} from './helpers.mjs';
import { hmacToken, inAnHour, throwsCode } from './helpers.mjs';
import * as mainGlue from '../../pkg/dist/scopemint.mjs';

// The main wasm's linear memory size, through its wasm-bindgen glue (the ES module every
// entry of the package shares, so this is the instance the calls below run on).
const wasmMemorySizes = () => [mainGlue.wasmMemoryBytes()];

const secret = 'admin-token-0123456789abcdef-0123456789abcdef';
const MAX_LIFETIME = 3650 * 86_400;
const { privateKey } = generateKeyPair('ES256');
const hsSigner = createSigner({ secret, workspaceId: 'ws_1', ttlSeconds: 600 });
const esSigner = createSigner({ privateKey, ttlInMinutes: 10 });
const verifier = createVerifier({ secret });
const token = hsSigner.sign({ sub: 'u' });
const pipeToken = hsSigner.createJWT({
  name: 's', expiresAt: inAnHour(), scopes: [{ type: 'PIPES:READ', resource: 'p', fixed_params: { org_id: 'acme' } }],
}).token;

const HOSTILE = [
  ['undefined', undefined],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['a function', () => 'acme'],
  ['a symbol', Symbol('acme')],
  ['a BigInt', 10n],
  ['an invalid Date', new Date(NaN)],
  ['a Map', new Map([['org_id', 'acme']])],
  ['a Set', new Set(['acme'])],
  // eslint-disable-next-line no-new-wrappers
  ['a boxed NaN', new Number(NaN)],
];

// [function, call with the hostile value placed at `path`, path]
const PLACES = [
  ['createSigner', (v) => createSigner({ secret, ttlSeconds: 60, issuer: v }), 'issuer'],
  ['createVerifier', (v) => createVerifier({ secret, audience: ['a', v] }), 'audience[1]'],
  ['createVerifier currentTime', (v) => createVerifier({ secret, currentTime: v }), 'currentTime'],
  ['sign claims', (v) => hsSigner.sign({ sub: 'u', org: { ids: ['a', v] } }), 'org.ids[1]'],
  ['sign options', (v) => hsSigner.sign({}, { header: { x: v } }), 'header.x'],
  ['sign expiresAt', (v) => hsSigner.sign({}, { expiresAt: v }), 'expiresAt'],
  ['createJWT fixed_params', (v) => hsSigner.createJWT({
    name: 's', expiresAt: inAnHour(), scopes: [{ type: 'PIPES:READ', resource: 'p', fixed_params: { org_id: v } }],
  }), 'scopes[0].fixed_params.org_id'],
  ['createJWT expiresAt', (v) => hsSigner.createJWT({ name: 's', expiresAt: v, scopes: [{ type: 'PIPES:READ', resource: 'p' }] }), 'expiresAt'],
  ['signDataAccessToken secure filter value', (v) => esSigner.signDataAccessToken({
    dataSetIds: ['orders'], secureFilters: { orders: [{ field: 'org_id', op: '=', value: v }] },
  }), 'secureFilters.orders[0].value'],
  ['signDashboardAccessToken', (v) => esSigner.signDashboardAccessToken({
    accessType: 'standard', projectId: 'p', userReference: v, scope: 'read',
  }), 'userReference'],
  ['signQueryEngineAccessToken', (v) => esSigner.signQueryEngineAccessToken({ allowDatabaseSchemaAccess: v }), 'allowDatabaseSchemaAccess'],
  ['signProjectAccessToken', (v) => esSigner.signProjectAccessToken({ projectId: 'prj_1', resources: [{ id: v, scope: 'read' }] }), 'resources[0].id'],
  ['createRateLimiter', (v) => createRateLimiter({ maxKeys: v }), 'maxKeys'],
  ['signVizzlyConfig', (v) => esSigner.signVizzlyConfig({ dataSets: [{ id: v }] }), 'dataSets[0].id'],
  ['generateTokens', (v) => esSigner.generateTokens({
    projectId: 'p', userReference: 'u', secureFilters: { orders: [{ field: 'org_id', op: '=', value: v }] }, dataSetIds: ['orders'],
  }), 'secureFilters.orders[0].value'],
  ['signSecurityToken security context', (v) => hsSigner.signSecurityToken({
    embeddableId: 'e', expiryInSeconds: 60, securityContext: { org_id: v }, user: 'u',
  }), 'securityContext.org_id'],
  ['embeddableTokenRequest', (v) => embeddableTokenRequest({
    embeddableId: 'e', expiryInSeconds: 60, securityContext: { regions: ['eu', v] }, user: 'u',
  }), 'securityContext.regions[1]'],
  ['authorize request params', (v) => verifier.authorize(pipeToken, { type: 'PIPES:READ', resource: 'p', params: { org_id: v } }), 'params.org_id'],
  ['formatScope', (v) => formatScope({ type: 'DATASOURCES:READ', resource: v }), 'resource'],
  ['compileSecureFilters filters', (v) => compileSecureFilters([{ field: 'org_id', op: '=', value: v }], { dialect: 'postgres' }), '[0].value'],
  ['compileSecureFilters options', (v) => compileSecureFilters([], { dialect: v }), 'dialect'],
  ['decode options', (v) => decode(token, { maxTokenBytes: v }), 'maxTokenBytes'],
  ['vizzly.createSigner', (v) => vizzly.createSigner({ privateKey, ttlInMinutes: v }), 'ttlInMinutes'],
  ['server normalizeSqlFilter options', (v) => server.normalizeSqlFilter("a = 'x'", { dialect: v }), 'dialect'],
  ['server renderDataModel context', (v) => server.renderDataModel(
    'SELECT * FROM t WHERE org_id = {{ securityContext.org_id }}', { org_id: v }, { dialect: 'postgres' },
  ), 'org_id'],
  ['server renderDataModel options', (v) => server.renderDataModel('SELECT 1', {}, { dialect: 'postgres', paramOffset: v }), 'paramOffset'],
  ['server createJWT fixed_params', (v) => server.createSigner({ secret, workspaceId: 'w' }).createJWT({
    name: 's', expiresAt: inAnHour(), scopes: [{ type: 'PIPES:READ', resource: 'p', fixed_params: { org_id: v } }],
  }), 'scopes[0].fixed_params.org_id'],
];

// Matches the TokenError of whichever entry threw (scopemint or scopemint/server).
function refusedAt(call, path, label) {
  assert.throws(call, (error) => {
    assert.equal(error.name, 'TokenError', `${label}: ${error.stack}`);
    assert.equal(error.code, 'ERR_INVALID_OPTION', `${label}: ${error.message}`);
    assert.equal(error.claim, path, `${label}: ${error.message}`);
    assert.ok(error.message.startsWith(`${path}: `), `${label}: ${error.message}`);
    return true;
  }, label);
}

describe('values JSON would drop or change are refused with their path', () => {
  for (const [fn, call, path] of PLACES) {
    it(fn, () => {
      for (const [label, value] of HOSTILE) refusedAt(() => call(value), path, `${fn} with ${label}`);
    });
  }

  it('limiter.consume rejects a grant whose rate limit JSON would change', async () => {
    const limiter = createRateLimiter();
    for (const [label, value] of HOSTILE) {
      await assert.rejects(
        limiter.consume({ rateLimit: { key: 'k', rps: value } }),
        (error) => error instanceof TokenError && error.code === 'ERR_INVALID_OPTION' && error.claim === 'rps',
        label,
      );
    }
  });

  it('the vizzly drop-in rejects its promise the same way', async () => {
    const signer = vizzly.createSigner({ privateKey, ttlInMinutes: 10 });
    for (const [label, value] of HOSTILE) {
      await assert.rejects(
        signer.signDataAccessToken({ dataSetIds: ['orders'], secureFilters: { orders: [{ field: 'org_id', op: '=', value }] } }),
        (error) => error instanceof TokenError && error.code === 'ERR_INVALID_OPTION' && error.claim === 'secureFilters.orders[0].value',
        label,
      );
    }
  });

  it('sparse array holes, cycles, and an undefined top-level claims object', () => {
    // eslint-disable-next-line no-sparse-arrays
    throwsCode(() => hsSigner.sign({ roles: ['a', , 'c'] }), 'ERR_INVALID_OPTION', 'roles[1]');
    const cyclic = { sub: 'u' };
    cyclic.self = cyclic;
    throwsCode(() => hsSigner.sign(cyclic), 'ERR_INVALID_OPTION', 'claims');
    throwsCode(() => hsSigner.sign(undefined), 'ERR_INVALID_OPTION');
    throwsCode(() => hsSigner.createJWT(undefined), 'ERR_INVALID_OPTION');
  });

  it('a toJSON that yields a lost value, a throwing getter, a cross-realm invalid Date', async () => {
    throwsCode(() => hsSigner.sign({ org: { toJSON: () => undefined } }), 'ERR_INVALID_OPTION', 'org');
    throwsCode(() => hsSigner.sign({ org: { toJSON: () => NaN } }), 'ERR_INVALID_OPTION', 'org');
    const trap = { get org_id() { throw new Error('boom'); } };
    throwsCode(() => hsSigner.sign({ trap }), 'ERR_INVALID_OPTION', 'claims');
    const { runInNewContext } = await import('node:vm');
    throwsCode(() => hsSigner.sign({ ids: runInNewContext('new Map([[1, 2]])') }), 'ERR_INVALID_OPTION', 'ids');
    const boxed = decode(hsSigner.sign({ n: Object(5), s: Object('x'), b: Object(false) })).payload;
    assert.deepEqual([boxed.n, boxed.s, boxed.b], [5, 'x', false]);
    const foreignDate = runInNewContext('new Date(NaN)');
    assert.ok(!(foreignDate instanceof Date));
    throwsCode(() => hsSigner.sign({}, { expiresAt: foreignDate }), 'ERR_INVALID_OPTION', 'expiresAt');
  });

  it('a size limit past what wasm32 can address is refused, not truncated', () => {
    for (const maxTokenBytes of [2 ** 32, 2 ** 53, 1e300, 1.5]) {
      throwsCode(() => createVerifier({ secret, maxTokenBytes }), 'ERR_INVALID_OPTION', 'maxTokenBytes', String(maxTokenBytes));
      throwsCode(() => decode(token, { maxTokenBytes }), 'ERR_INVALID_OPTION', 'maxTokenBytes', String(maxTokenBytes));
    }
  });

  it('what JSON keeps is still accepted: null where allowed, valid Dates, toJSON, nested arrays', () => {
    const signed = hsSigner.sign({ sub: 'u', at: new Date(0), nothing: null, deep: [[1, { a: [true] }]] });
    assert.deepEqual(decode(signed).payload.at, '1970-01-01T00:00:00.000Z');
    assert.equal(decode(signed).payload.nothing, null);
    const custom = { toJSON: () => 'custom' };
    assert.equal(decode(hsSigner.sign({ custom })).payload.custom, 'custom');
    hsSigner.sign({}, { expiresAt: inAnHour() });
  });

  it('a key enumerable on Object.prototype changes nothing: lost values are still refused, plain claims still sign', () => {
    const claims = { sub: 'u', exp: 2_000_000_000, scopes: [{ fixed_params: { org_id: 'acme' } }] };
    const before = hsSigner.sign(claims, { jti: false });
    for (const inherited of [undefined, () => 1, 'visible']) {
      Object.defineProperty(Object.prototype, 'polluted', { value: inherited, enumerable: true, configurable: true, writable: true });
      try {
        // JSON writes own keys only: the token is the same whatever is inherited.
        assert.equal(Object.hasOwn(decode(hsSigner.sign(claims, { jti: false })).payload, 'polluted'), false);
        assert.deepEqual(decode(hsSigner.sign(claims, { jti: false })).payload, decode(before).payload);
        throwsCode(() => hsSigner.sign({ sub: 'u', org_id: undefined }), 'ERR_INVALID_OPTION', 'org_id');
      } finally {
        delete Object.prototype.polluted;
      }
    }
  });

  it('the attack: fixed_params {org_id: undefined} cannot mint a token that pins nothing', () => {
    const attempt = () => hsSigner.createJWT({
      name: 'session', expiresAt: inAnHour(),
      scopes: [{ type: 'PIPES:READ', resource: 'orders', fixed_params: { org_id: undefined } }],
    });
    throwsCode(attempt, 'ERR_INVALID_OPTION', 'scopes[0].fixed_params.org_id');
    // Had it minted (JSON.stringify dropping the member), the caller's org_id would pass:
    const unpinned = hsSigner.createJWT({ name: 'session', expiresAt: inAnHour(), scopes: [{ type: 'PIPES:READ', resource: 'orders', fixed_params: {} }] }).token;
    const grant = verifier.authorize(unpinned, { type: 'PIPES:READ', resource: 'orders', params: { org_id: 'victim' } });
    assert.equal(grant.params.org_id, 'victim');
  });

  it('NaN in a secure filter never becomes null (IS NULL)', () => {
    throwsCode(() => compileSecureFilters([{ field: 'org_id', op: '=', value: NaN }], { dialect: 'postgres' }), 'ERR_INVALID_OPTION', '[0].value');
    throwsCode(() => esSigner.signDataAccessToken({
      dataSetIds: ['orders'], secureFilters: { orders: [{ field: 'org_id', op: 'is_one_of', value: ['acme', NaN] }] },
    }), 'ERR_INVALID_OPTION', 'secureFilters.orders[0].value[1]');
  });
});

describe('a broken clock fails closed (ERR_CLOCK_INVALID)', () => {
  // Expired an hour ago and not valid for another hour: with NaN for "now", every
  // comparison is false and this token used to verify.
  const bad = hmacToken(secret, { alg: 'HS256', typ: 'JWT' }, {
    sub: 'u', exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) + 3600,
  });
  const realNow = Date.now;
  const clocks = [
    ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['negative', -1], ['1970', 0],
    ['before 2020', Date.UTC(2019, 11, 31)], ['year 33658', 1e15], ['beyond the Date range', 8.64e15 + 1],
  ];
  const calls = [
    ['verify', () => verifier.verify(bad)],
    ['authorize', () => verifier.authorize(bad, { type: 'PIPES:READ', resource: 'p' })],
    ['sign', () => hsSigner.sign({})],
    ['createJWT', () => hsSigner.createJWT({ name: 's', expiresAt: 4e9, scopes: [{ type: 'PIPES:READ', resource: 'p' }] })],
    ['signDashboardAccessToken', () => esSigner.signDashboardAccessToken({ accessType: 'standard', projectId: 'p', userReference: 'u', scope: 'read' })],
    ['signSecurityToken', () => hsSigner.signSecurityToken({ embeddableId: 'e', expiryInSeconds: 60, securityContext: {}, user: 'u' })],
    ['decode', () => decode(token)],
  ];
  for (const [label, reading] of clocks) {
    it(`Date.now() = ${label}`, () => {
      Date.now = () => reading;
      try {
        for (const [name, call] of calls) {
          throwsCode(call, 'ERR_CLOCK_INVALID', undefined, `${name} at ${label}`);
        }
      } finally {
        Date.now = realNow;
      }
      throwsCode(() => verifier.verify(bad), 'ERR_JWT_EXPIRED', 'exp', 'with the real clock');
    });
  }

  it('the native (node:crypto) path checks the clock after the signature', () => {
    const pair = generateKeyPair('ES256');
    const es = createSigner({ privateKey: pair.privateKey, ttlSeconds: 60 });
    const signed = es.sign({ sub: 'u' });
    const esVerifier = createVerifier({ publicKey: pair.publicKey });
    Date.now = () => NaN;
    try {
      throwsCode(() => esVerifier.verify(signed), 'ERR_CLOCK_INVALID');
    } finally {
      Date.now = realNow;
    }
    assert.equal(esVerifier.verify(signed).payload.sub, 'u');
  });

  it('a cached token is not served once the clock goes back or breaks', () => {
    const cached = createVerifier({ secret, cache: true });
    const signed = hsSigner.sign({ sub: 'cached' });
    assert.equal(cached.verify(signed).payload.sub, 'cached');
    for (const reading of [0, NaN]) {
      Date.now = () => reading;
      try {
        throwsCode(() => cached.verify(signed), 'ERR_CLOCK_INVALID', undefined, String(reading));
      } finally {
        Date.now = realNow;
      }
    }
    assert.equal(cached.verify(signed).payload.sub, 'cached');
  });
});

describe('lifetimes: one maximum (3650 days) for every profile, checked arithmetic', () => {
  it('TTL options that overflow or exceed the maximum', () => {
    // ttlSeconds: 1e300 used to mint exp = -9.2e18.
    for (const ttlSeconds of [1e300, Number.MAX_VALUE, 2 ** 63, MAX_LIFETIME + 1]) {
      throwsCode(() => createSigner({ secret, ttlSeconds }), 'ERR_INVALID_OPTION', 'ttlSeconds', String(ttlSeconds));
    }
    for (const ttlInMinutes of [1e300, MAX_LIFETIME / 60 + 1]) {
      throwsCode(() => createSigner({ secret, ttlInMinutes }), 'ERR_INVALID_OPTION', 'ttlInMinutes', String(ttlInMinutes));
      throwsCode(() => vizzly.createSigner({ privateKey, ttlInMinutes }), 'ERR_INVALID_OPTION', 'ttlInMinutes');
    }
    const longest = decode(createSigner({ secret, ttlSeconds: MAX_LIFETIME }).sign({})).payload;
    assert.equal(longest.exp - longest.iat, MAX_LIFETIME);
  });

  it('explicit expiries past the maximum, in every profile', () => {
    const beyond = Math.floor(Date.now() / 1000) + MAX_LIFETIME + 60;
    throwsCode(() => hsSigner.sign({}, { expiresAt: beyond }), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(() => hsSigner.sign({}, { expiresAt: new Date('9999-01-01') }), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(() => hsSigner.sign({ exp: 1e300 }), 'ERR_INVALID_OPTION', 'exp');
    throwsCode(() => hsSigner.sign({ exp: beyond }), 'ERR_INVALID_OPTION', 'exp');
    throwsCode(
      () => hsSigner.createJWT({ name: 's', expiresAt: beyond, scopes: [{ type: 'PIPES:READ', resource: 'p' }] }),
      'ERR_INVALID_OPTION', 'expiresAt',
    );
    for (const expiryInSeconds of [MAX_LIFETIME + 1, 1e300]) {
      const params = { embeddableId: 'e', expiryInSeconds, securityContext: {}, user: 'u' };
      throwsCode(() => hsSigner.signSecurityToken(params), 'ERR_INVALID_OPTION', 'expiryInSeconds');
      throwsCode(() => embeddableTokenRequest(params), 'ERR_INVALID_OPTION', 'expiryInSeconds');
    }
  });
});

describe('maxTokenBytes is checked before the token is copied into wasm', () => {
  const huge = `${'a'.repeat(2 << 20)}.b.c`;

  it('a 2 MB token: refused by verify, authorize and decode, and wasm memory does not grow', () => {
    const before = wasmMemorySizes();
    assert.ok(before.length >= 1, 'a wasm instance is loaded');
    const cached = createVerifier({ secret, cache: true });
    for (const [name, call] of [
      ['verify', () => verifier.verify(huge)],
      ['verify (cached verifier)', () => cached.verify(huge)],
      ['authorize', () => verifier.authorize(huge, { type: 'PIPES:READ', resource: 'p' })],
      ['decode', () => decode(huge)],
      ['decode, own limit', () => decode(huge, { maxTokenBytes: 1 << 20 })],
      ['verify, 48 MB', () => verifier.verify('a'.repeat(48 << 20))],
    ]) {
      throwsCode(call, 'ERR_TOKEN_TOO_LARGE', undefined, name);
    }
    assert.deepEqual(wasmMemorySizes(), before);
  });

  it('a token short in UTF-16 units but long in UTF-8 bytes is refused by the exact byte check', () => {
    const small = createVerifier({ secret, maxTokenBytes: 1024 });
    throwsCode(() => small.verify('€'.repeat(400)), 'ERR_TOKEN_TOO_LARGE');
    throwsCode(() => decode('€'.repeat(400), { maxTokenBytes: 1024 }), 'ERR_TOKEN_TOO_LARGE');
  });

  it('the limit comes from the validated options', () => {
    throwsCode(() => decode(token, { maxTokenBytes: -1 }), 'ERR_INVALID_OPTION', 'maxTokenBytes');
    throwsCode(() => decode(token, { maxTokenBytes: 0 }), 'ERR_INVALID_OPTION', 'maxTokenBytes');
    throwsCode(() => decode(token, { maxTokenBytes: 10 }), 'ERR_TOKEN_TOO_LARGE');
    assert.equal(decode(token, { maxTokenBytes: token.length }).payload.sub, 'u');
    const exact = createVerifier({ secret, maxTokenBytes: token.length });
    assert.equal(exact.verify(token).payload.sub, 'u');
    throwsCode(() => createVerifier({ secret, maxTokenBytes: token.length - 1 }).verify(token), 'ERR_TOKEN_TOO_LARGE');
  });
});

// Numbers of magnitude 1e308 and more read as Infinity in JS, fail in serde_json and
// came back as null: refused by sign, verify and decode alike (found by fuzzing decode).
it('numbers beyond the double range are refused by sign, verify and decode', async () => {
  const { createSigner, createVerifier, decode } = await import('scopemint');
  const { decode: decodeOnly } = await import('scopemint/decode');
  const { SignJWT } = await import('jose');
  const secret = 'a-secret-of-at-least-32-bytes-long!!';
  const signer = createSigner({ secret, ttlSeconds: 60 });
  assert.throws(() => signer.sign({ x: 1.5e308 }), (e) => e.code === 'ERR_INVALID_OPTION');
  assert.equal(createVerifier({ secret }).verify(signer.sign({ x: 9.9e307 })).payload.x, 9.9e307);
  // jose signs what JSON.stringify writes: 1e+308.
  const token = await new SignJWT({ x: 1e308 }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
  assert.throws(() => createVerifier({ secret }).verify(token), (e) => e.code === 'ERR_JWT_MALFORMED');
  assert.throws(() => decode(token), (e) => e.code === 'ERR_JWT_MALFORMED');
  assert.throws(() => decodeOnly(token), (e) => e.code === 'ERR_JWT_MALFORMED');
});
