// `scopemint/decode` (the small wasm of crates/decode) against `decode` from `scopemint` (the
// main wasm, which links the same crate): the same result and the same error (class, code,
// message, claim) over a corpus of valid tokens, every vendor profile, malformed tokens and
// bad options, plus random inputs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as main from 'scopemint';
import * as decodeEntry from 'scopemint/decode';
import { b64url as b64 } from './helpers.mjs';

const SECRET = 'decode-entry-secret-0123456789abcdef';
const signer = main.createSigner({ secret: SECRET, ttlSeconds: 600 });

const raw = (header, payload, signature = 'c2ln') => `${b64(header)}.${b64(payload)}.${signature}`;

// What a call gives, comparable across entries: the value, or the error's identity.
function outcome(decode, token, options) {
  try {
    const value = options === undefined ? decode(token) : decode(token, options);
    // secondsLeft can tick between two calls; expiry is compared exactly through expiresAt.
    const time = (date) => (date === null ? null : { date: date instanceof Date, ms: String(date.getTime()) });
    return {
      value: {
        ...value,
        issuedAt: time(value.issuedAt),
        expiresAt: time(value.expiresAt),
        secondsLeft: value.secondsLeft === null ? null : Math.round(value.secondsLeft / 5),
      },
    };
  } catch (error) {
    assert.ok(error instanceof main.TokenError, `not a TokenError: ${error?.stack}`);
    return { error: { name: error.name, code: error.code, message: error.message, claim: error.claim } };
  }
}

function same(token, options) {
  const expected = outcome(main.decode, token, options);
  const actual = outcome(decodeEntry.decode, token, options);
  assert.deepEqual(actual, expected, `token ${String(token).slice(0, 80)}`);
  return expected;
}

const now = Math.floor(Date.now() / 1000);
const profiles = {
  // The claims each profile is recognised by (detect_profile in crates/decode).
  tinybird: { workspace_id: 'ws', name: 'frontend', scopes: [{ type: 'PIPES:READ', resource: 'p' }], exp: now + 60 },
  'vizzly-data': { dataSetIds: '*', secureFilters: {}, expires: new Date((now + 60) * 1000).toISOString() },
  'vizzly-dashboard': { accessType: 'admin', userReference: 'u1', expires: new Date((now + 60) * 1000).toISOString() },
  'vizzly-query-engine': { allowDatabaseSchemaAccess: true, expires: '2001-01-01T00:00:00Z' },
  'vizzly-project': { projectId: 'prj_1', resources: [{ id: 'cnf_1', scope: 'read' }], expires: new Date((now + 60) * 1000).toISOString() },
  embeddable: { securityTokenId: 't1', exp: now + 3600 },
};

describe('scopemint/decode gives what decode from scopemint gives', () => {
  it('is the same TokenError class', () => {
    assert.equal(decodeEntry.TokenError, main.TokenError);
  });

  it('valid tokens, each vendor profile', () => {
    for (const [profile, claims] of Object.entries(profiles)) {
      const result = same(signer.sign(claims));
      assert.equal(result.value.profile, profile);
      assert.equal(result.value.expiresAt.date, true, profile);
    }
    const plain = same(signer.sign({ sub: 'u', n: 1.5, deep: { a: [1, { b: null }] }, s: 'é😀\u2028' }));
    assert.equal(plain.value.profile, null);
    assert.equal(plain.value.payload.s, 'é😀\u2028');
  });

  it('Vizzly secure filters read in words (profileInfo), OR, AND and odd values alike', () => {
    const secureFilters = {
      orders: [[{ field: 'org_id', op: '=', value: 'acme' }, { field: 'region', op: 'is_one_of', value: ['eu', "o'k"] }], [{ field: 'n', op: '>=', value: 1.5 }]],
      people: [{ field: 'User ID', op: 'starts_with', value: 'a\u001b[2J' }, { field: 'x', op: 'weird', value: null }],
      empty: [],
      broken: 'nope',
    };
    const result = same(signer.sign({ dataSetIds: ['orders', 'people'], secureFilters, expires: new Date((now + 60) * 1000).toISOString() }, { expiresAt: now + 60 }));
    assert.equal(result.value.profileInfo.secureFilters.orders, "(org_id = 'acme' AND region is one of ('eu', 'o''k')) OR n >= 1.5");
    // A lone surrogate escape is refused by both entries (one JSON rule with verify and authorize).
    assert.equal(same(raw('{}', '{"dataSetIds":"*","secureFilters":{"a":[{"field":"f","op":"=","value":"\\ud83d"}]}}')).error.code, 'ERR_JWT_MALFORMED');
    assert.equal(same(raw('{}', '{"dataSetIds":"*","secureFilters":[1]}')).value.profileInfo, null);
  });

  it('times: fractional, expired, absent, unreadable, ISO with offset', () => {
    for (const payload of [
      `{"exp":${now + 100.75},"iat":${now - 0.5}}`,
      `{"exp":${now - 10}}`,
      '{"exp":0}',
      '{}',
      '{"exp":"tomorrow"}',
      '{"exp":-5}',
      '{"exp":1.7e9}',
      '{"exp":12345678901234567890123}',
      '{"expires":"2030-01-01T10:00:00.123+02:00"}',
      '{"expires":"2030-01-01"}',
      '{"expires":"2030-01-01T10:00:00"}',
      '{"expires":42}',
      '{"exp":null,"expires":"2030-01-01T00:00:00Z"}',
      '{"\\u0065xp":1900000000}',
    ]) {
      const result = same(raw('{"alg":"HS256"}', payload));
      assert.ok('value' in result, payload);
    }
    // Beyond the double range (JS would read Infinity): refused by both, same message.
    for (const payload of ['{"exp":1e400}', '{"exp":1,"x":[-1e308]}']) {
      assert.equal(same(raw('{"alg":"HS256"}', payload)).error.code, 'ERR_JWT_MALFORMED', payload);
    }
  });

  it('malformed tokens: the same code and the same message', () => {
    const cases = [
      '', 'a', 'a.b', 'a.b.c.d', '...', 'e30.e30', `${b64('{}')}.${b64('{}')}.`,
      'e30=.e30.', 'e30.e30=.', 'YR.e30.', 'e30.e3+.', 'e30.e3/.', '!!.e30.',
      raw('[]', '{}'), raw('{}', '[]'), raw('{}', '1'), raw('{}', ''), raw('{}', '{'),
      raw('{}', '{"a":1,}'), raw('{}', '{"a":01}'), raw('{}', '{"a":1.}'), raw('{}', '{"a":.5}'),
      raw('{}', '{"a":"x\ny"}'), raw('{}', '{"a":"\\x"}'), raw('{}', '{"a":"\\u12"}'), raw('{}', '{"a":1}{}'),
      raw('{}', '{"a":1,"a":2}'), raw('{}', '{"a":1,"\\u0061":2}'), raw('{}', '{"n":{"b":[{"c":1,"c":1}]}}'),
      raw('{"alg":"HS256","alg":"none"}', '{}'), raw('{}', '{"sub\u0000":"u"}'), raw('{}', "{'a':1}"),
      raw('{}', '{"a":tru}'), raw('{}', '{"a":nul}'), raw('{}', `{"a":${'['.repeat(200)}1${']'.repeat(200)}}`),
      raw('{}', '{"a" 1}'), raw('{}', '{"a":1 "b":2}'), raw('{}', ' {"a":1} '),
      `e30.${Buffer.from([0xff, 0xfe]).toString('base64url')}.x`,
      raw('{}', '{"\\ud83d":1,"\\ud83d\\ude00":2}'), raw('{}', '{"\\ud83d\\ude00":1,"😀":2}'),
    ];
    let errors = 0;
    for (const token of cases) if ('error' in same(token)) errors += 1;
    assert.ok(errors >= cases.length - 3, `only ${errors} of ${cases.length} refused`);
  });

  it('non-strings and the size limit', () => {
    for (const token of [undefined, null, 42, {}, ['a.b.c']]) assert.equal(same(token).error.code, 'ERR_JWT_MALFORMED');
    const big = signer.sign({ pad: 'x'.repeat(20_000) });
    assert.equal(same(big).error.code, 'ERR_TOKEN_TOO_LARGE');
    assert.ok('value' in same(big, { maxTokenBytes: 40_000 }));
    assert.equal(same(big, { maxTokenBytes: big.length - 1 }).error.code, 'ERR_TOKEN_TOO_LARGE');
  });

  it('a broken clock: the same ERR_CLOCK_INVALID from both (never a wrong expiry)', () => {
    const token = signer.sign({ sub: 'u' });
    const realNow = Date.now;
    for (const reading of [NaN, 0, Infinity, -1e15, 1e15]) {
      Date.now = () => reading;
      try {
        assert.equal(same(token).error?.code, 'ERR_CLOCK_INVALID', String(reading));
      } finally {
        Date.now = realNow;
      }
    }
    assert.ok('value' in same(token));
  });

  it('bad options: the same code, message and claim', () => {
    const token = signer.sign({ sub: 'u' });
    for (const options of [
      { maxTokenBytes: 0 }, { maxTokenBytes: -1 }, { maxTokenBytes: 1.5 }, { maxTokenBytes: '9' },
      { maxTokenBytes: NaN }, { maxTokenBytes: Infinity }, { verify: true }, [], 'x',
    ]) {
      const result = same(token, options);
      assert.equal(result.error?.code, 'ERR_INVALID_OPTION', JSON.stringify(options));
    }
    assert.ok('value' in same(token, {}));
    assert.ok('value' in same(token, { maxTokenBytes: null }));
  });

  it('random inputs (fast-check): segments of random JSON-ish text', () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.string({ unit: fc.constantFrom(...'{}[]":,.-+eE0123456789 abtrufnl\\u\n') }),
      fc.object().map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(jsonish, jsonish, fc.boolean(), (header, payload, asObject) => {
        same(asObject ? raw(`{"h":${header}}`, `{"p":${payload}}`) : raw(header, payload));
      }),
      { numRuns: 400 },
    );
  });
});

describe('scopemint/decode memory', () => {
  it('refuses an oversized token before copying it in: memory does not grow', async () => {
    const { readFileSync } = await import('node:fs');
    const { createDecode } = await import(new URL('../../pkg/dist/decode-api.mjs', import.meta.url).href);
    const bytes = readFileSync(new URL('../../pkg/dist/scopemint_decode.wasm', import.meta.url));
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const { decode } = createDecode(exports);
    decode(signer.sign({ sub: 'warm-up' }));
    const before = exports.memory.buffer.byteLength;
    const huge = `${'a'.repeat(4 << 20)}.e30.x`;
    for (let i = 0; i < 3; i++) {
      assert.throws(() => decode(huge), (error) => error.code === 'ERR_TOKEN_TOO_LARGE' && error.message.startsWith(`token is at least ${huge.length} bytes`));
    }
    assert.equal(exports.memory.buffer.byteLength, before);
    // Within the limit, a big token is copied in and read; the heap starts over on each call.
    const big = signer.sign({ pad: 'x'.repeat(200_000) });
    for (let i = 0; i < 5; i++) assert.equal(decode(big, { maxTokenBytes: 1 << 20 }).payload.pad.length, 200_000);
    const afterBig = exports.memory.buffer.byteLength;
    for (let i = 0; i < 5; i++) decode(big, { maxTokenBytes: 1 << 20 });
    assert.equal(exports.memory.buffer.byteLength, afterBig);
  });
});
