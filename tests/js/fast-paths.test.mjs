// The Node fast paths (bytes through the wasm io buffer, HMAC on crypto.hash, asymmetric
// signatures on node:crypto) against the general paths: Node without crypto.hash (HMAC in
// wasm), and the universal entry, which has no node:crypto at all (everything in wasm).
// Random claims, sign options, signer and verifier options, clocks and tamperings must
// give byte-identical tokens (where the algorithm is deterministic), and identical verify
// results and errors (code, message, claim) on every path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import fc from 'fast-check';
import * as nodeEntry from '../../pkg/dist/node.mjs';
import * as universalEntry from '../../pkg/dist/universal.mjs';
import * as glue from '../../pkg/dist/scopemint.mjs';
import { createApi } from '../../pkg/dist/api.mjs';
import { createNodeCrypto } from '../../pkg/dist/node-crypto.mjs';
import { b64url, NOW } from './helpers.mjs';

const { TokenError } = nodeEntry;

// Node's crypto without crypto.hash (Node < 20.12 / 21.7): HMAC falls back to wasm.
const withoutHash = createApi(glue, createNodeCrypto({ ...nodeCrypto, hash: undefined }));
// Counts the platform hash calls, to show the fast path is the one taken.
let hashCalls = 0;
const counting = createApi(glue, createNodeCrypto({ ...nodeCrypto, hash: (...args) => (hashCalls++, nodeCrypto.hash(...args)) }));

const PATHS = { node: nodeEntry, nodeWithoutHash: withoutHash, universal: universalEntry };
const DETERMINISTIC = new Set(['HS256', 'HS384', 'HS512', 'RS256', 'EdDSA']);

const rsa = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const pemOf = (pair) => ({
  privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }),
});
const KEYS = {
  HS256: { secret: nodeCrypto.randomBytes(32).toString('hex') },
  HS384: { secret: nodeCrypto.randomBytes(48) },
  HS512: { secret: nodeCrypto.randomBytes(64).toString('base64') },
  RS256: pemOf(rsa),
  PS256: pemOf(rsa),
  ES256: pemOf(nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  EdDSA: pemOf(nodeCrypto.generateKeyPairSync('ed25519')),
};
const signKey = (alg) => (KEYS[alg].secret !== undefined ? { secret: KEYS[alg].secret } : { privateKey: KEYS[alg].privateKey });
const verifyKey = (alg) => (KEYS[alg].secret !== undefined ? { secret: KEYS[alg].secret } : { publicKey: KEYS[alg].publicKey });

// A raw signature over any signing input with the row's own key, so tampered and
// hand-made payloads reach the checks after the signature.
function rawSign(alg, input) {
  const data = Buffer.from(input);
  if (alg.startsWith('HS')) return nodeCrypto.createHmac(`sha${alg.slice(2)}`, KEYS[alg].secret).update(data).digest('base64url');
  const key = nodeCrypto.createPrivateKey(KEYS[alg].privateKey);
  if (alg === 'EdDSA') return nodeCrypto.sign(null, data, key).toString('base64url');
  if (alg === 'ES256') return nodeCrypto.sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  if (alg === 'PS256') {
    const pss = { key, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: nodeCrypto.constants.RSA_PSS_SALTLEN_DIGEST };
    return nodeCrypto.sign('sha256', data, pss).toString('base64url');
  }
  return nodeCrypto.sign('sha256', data, key).toString('base64url');
}

// What a call gave: its value, or the error as the caller sees it.
function outcome(call) {
  try {
    return { value: call() };
  } catch (error) {
    return {
      error: { tokenError: error instanceof TokenError, name: error?.name, code: error?.code, message: error?.message, claim: error?.claim },
    };
  }
}

// Every path's outcome must equal the first path's.
function assertSame(outcomes, what) {
  const [[firstName, first], ...rest] = Object.entries(outcomes);
  for (const [name, other] of rest) assert.deepStrictEqual(other, first, `${what}: ${name} differs from ${firstName}`);
}

// Runs `body` with Date.now fixed at `seconds` (Rust reads the clock through Date.now).
function at(seconds, body) {
  const realNow = Date.now;
  Date.now = () => seconds * 1000;
  try {
    return body();
  } finally {
    Date.now = realNow;
  }
}

// ---- generators ----
// Most values are valid (so most tokens reach every check), a few are not.
const ABSENT = Symbol('absent');
const rarely = (arbitrary) => fc.oneof({ weight: 4, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary });
const mostly = (good, bad) => fc.oneof({ weight: 9, arbitrary: good }, { weight: 1, arbitrary: bad });
const object = (shape) => fc.record(shape).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ABSENT)));

const text = fc.string({ unit: 'binary', maxLength: 10 });
const awkwardText = fc.constantFrom('', 'é', '€uro', '😀', '"\\/\b\f\n\r\t', '\u0000', '\u2028\u2029', '\uD800', 'a\uDFFFb', '</script>', '__proto__');
const lostValues = fc.constantFrom(undefined, NaN, Infinity, -Infinity, 10n, () => 1, new Map(), new Set([1]), new Date(NaN), Symbol('s'));
const oddNumbers = fc.constantFrom(-0, 0.1, 1e21, 5e-324, -1e-7, 2 ** 53, -(2 ** 53) - 2, 123456789.125);
const value = fc.oneof(
  { weight: 12, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }) },
  { weight: 3, arbitrary: awkwardText },
  { weight: 2, arbitrary: oddNumbers },
  { weight: 1, arbitrary: lostValues },
  { weight: 1, arbitrary: fc.constant(new Date((NOW + 120) * 1000)) },
);
const seconds = (min, max) => fc.integer({ min: NOW + min, max: NOW + max });
const badInstant = fc.constantFrom('soon', null, NOW + 0.5, -1, 1e12, 1e13, true, NaN, '2027-01-15T08:00:00+01:00', undefined, NOW + 400 * 86400 * 3650);
const instant = (min, max) => mostly(
  fc.oneof(seconds(min, max), seconds(min, max).map((s) => new Date(s * 1000)), seconds(min, max).map((s) => new Date(s * 1000).toISOString())),
  badInstant,
);
const ISSUERS = ['iss-a', 'iss-b'];
const AUDIENCES = ['aud-a', 'aud-b', 'aud-c'];
const audience = mostly(fc.oneof(fc.constantFrom(...AUDIENCES), fc.subarray(AUDIENCES, { minLength: 1 })), fc.constantFrom(7, [], ['a', 5], null, ''));
const registered = object({
  exp: rarely(mostly(seconds(60, 7200), badInstant)),
  iat: rarely(mostly(seconds(-600, 0), badInstant)),
  nbf: rarely(mostly(seconds(-600, 600), badInstant)),
  iss: rarely(mostly(fc.constantFrom(...ISSUERS), fc.integer())),
  sub: rarely(mostly(text, fc.constant(5))),
  aud: rarely(audience),
  jti: rarely(mostly(text, fc.constant(7))),
});
const claims = fc.oneof(
  { weight: 20, arbitrary: fc.tuple(fc.dictionary(fc.oneof({ weight: 6, arbitrary: text }, { weight: 1, arbitrary: awkwardText }), value, { maxKeys: 6 }), registered).map(([extra, reg]) => ({ ...extra, ...reg })) },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, [], 'claims', 42, { toJSON: () => ({ sub: 'from toJSON' }) }) },
);
const headerExtra = fc.dictionary(
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom('kid', 'typ', 'cty', 'x-custom', 'nested') }, { weight: 1, arbitrary: fc.constantFrom('alg', 'crit', 'jku') }),
  mostly(fc.oneof(text, awkwardText), value),
  { maxKeys: 3 },
);
const signOptions = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: object({
      expiresAt: rarely(instant(60, 7200)),
      notBefore: rarely(instant(-600, 600)),
      // Not `true`: a random jti would make tokens differ on purpose.
      jti: rarely(mostly(text, fc.constantFrom(false, '', 5))),
      subject: rarely(mostly(text, fc.constant(3))),
      audience: rarely(audience),
      issuer: rarely(fc.constantFrom(...ISSUERS)),
      header: rarely(mostly(headerExtra, fc.constantFrom(null, 'x'))),
      bogus: rarely(rarely(fc.constant(1))),
    }),
  },
);
const signerOptions = object({
  ttlSeconds: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 60, max: 7200 }) }, { weight: 1, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: fc.constantFrom(0, -5, 1.5, NaN) }),
  allowMissingExpiry: rarely(fc.boolean()),
  issuer: rarely(fc.constantFrom(...ISSUERS)),
  subject: rarely(text),
  audience: rarely(audience),
  keyId: rarely(mostly(text, fc.constant(9))),
  typ: rarely(fc.constantFrom('JWT', 'at+jwt', '')),
});
const verifierOptions = (alg) =>
  object({
    algorithms: rarely(mostly(fc.constant([alg]), fc.constantFrom([alg, 'HS256'], ['RS256', 'PS256'], ['ES256'], []))),
    issuer: rarely(fc.oneof(fc.constantFrom(...ISSUERS), fc.constant(ISSUERS))),
    audience: rarely(fc.oneof(fc.constantFrom(...AUDIENCES), fc.subarray(AUDIENCES, { minLength: 1 }))),
    clockToleranceSeconds: rarely(fc.constantFrom(0, 5, 120)),
    maxTokenAgeSeconds: rarely(fc.constantFrom(1, 60, 3600)),
    requiredClaims: rarely(fc.subarray(['sub', 'jti', 'iat', 'org'])),
    typ: rarely(fc.constantFrom('JWT', 'at+jwt')),
    allowMissingExpiry: rarely(fc.boolean()),
    cache: rarely(fc.constant(true)),
    maxTokenBytes: rarely(rarely(fc.constantFrom(64, 300))),
  });
const segmentJson = fc.oneof(
  fc.jsonValue({ maxDepth: 2, stringUnit: 'binary' }).map((v) => JSON.stringify(v)),
  fc.constantFrom('{"a":1,"a":2}', '{"exp":1e400}', '{"x":{"y":1,"y":2}}', '{"exp":"soon"}', '{', 'null', '{"sub":"\uD800"}', '{"sub":"\\uD800"}', '{"exp":1800000060} ', '\uFEFF{}'),
);
const tampering = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'none' }) },
  fc.record({ kind: fc.constant('char'), at: fc.nat(), char: fc.constantFrom(...'AbZz09-_.=+/ ', 'é', '€', '😀', '\uD800') }),
  fc.record({ kind: fc.constant('cut'), at: fc.nat() }),
  fc.record({ kind: fc.constant('append'), text: fc.constantFrom('.', 'A', '==', '.x', '\u00e9') }),
  fc.record({ kind: fc.constant('resign'), header: fc.oneof(headerExtra.map((h) => ({ alg: 'ROW', ...h })), fc.constant(null)), payload: fc.oneof(segmentJson, fc.constant(null)) }),
  fc.constant({ kind: 'foreign' }),
);

// The token a tampering makes of `token` (the row's algorithm `alg`).
function tamper(token, alg, change, foreign) {
  switch (change.kind) {
    case 'none':
      return token;
    case 'char': {
      const at = change.at % token.length;
      return token.slice(0, at) + change.char + token.slice(at + 1);
    }
    case 'cut':
      return token.slice(0, change.at % token.length);
    case 'append':
      return token + change.text;
    case 'resign': {
      const [header, payload] = token.split('.');
      const newHeader = change.header === null ? header : b64url(JSON.stringify(change.header).replace('"ROW"', JSON.stringify(alg)));
      const newPayload = change.payload === null ? payload : b64url(change.payload);
      const input = `${newHeader}.${newPayload}`;
      return `${input}.${rawSign(alg, input)}`;
    }
    case 'foreign':
      return foreign;
    default:
      throw new Error(change.kind);
  }
}

// A token from another key of another family, for cross-key confusion.
const FOREIGN = nodeEntry.createSigner({ secret: 'f'.repeat(64), ttlSeconds: 600 }).sign({ sub: 'foreign' });

for (const alg of Object.keys(KEYS)) {
  test(`${alg}: the Node fast path, Node without crypto.hash and the universal (wasm) path agree on random claims, options and tamperings`, () => {
    const runs = alg.startsWith('RS') || alg.startsWith('PS') ? 40 : 120;
    fc.assert(
      fc.property(
        signerOptions,
        claims,
        signOptions,
        verifierOptions(alg),
        fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -60, max: 600 }) }, { weight: 1, arbitrary: fc.integer({ min: 600, max: 9000 }) }),
        tampering,
        (signerExtra, claimSet, options, verifierExtra, later, change) => {
          const signers = {};
          const signedAt = at(NOW, () => {
            const created = {};
            for (const [name, entry] of Object.entries(PATHS)) {
              created[name] = outcome(() => {
                signers[name] = entry.createSigner({ ...signKey(alg), algorithm: alg, ...signerExtra });
                return true;
              });
            }
            assertSame(created, 'createSigner');
            if (created.node.error) return undefined;
            const tokens = {};
            for (const name of Object.keys(PATHS)) tokens[name] = outcome(() => signers[name].sign(claimSet, options));
            if (DETERMINISTIC.has(alg) || tokens.node.error) {
              assertSame(tokens, 'sign');
            } else {
              // Randomised signatures: the same signing input, and the same errors.
              const inputs = Object.fromEntries(Object.entries(tokens).map(([n, t]) => [n, t.error ? t : { value: t.value.split('.').slice(0, 2).join('.') }]));
              assertSame(inputs, 'sign (signing input)');
            }
            return tokens;
          });
          if (signedAt === undefined || signedAt.node.error) return;

          // Every path verifies every path's token, tampered alike, at the same later instant.
          at(NOW + later, () => {
            const verifiers = {};
            const created = {};
            for (const [name, entry] of Object.entries(PATHS)) {
              created[name] = outcome(() => {
                verifiers[name] = entry.createVerifier({ ...verifyKey(alg), algorithms: [alg], ...verifierExtra });
                return true;
              });
            }
            assertSame(created, 'createVerifier');
            if (created.node.error) return;
            for (const [signedBy, signed] of Object.entries(signedAt)) {
              const token = tamper(signed.value, alg, change, FOREIGN);
              const results = {};
              for (const [name, verifier] of Object.entries(verifiers)) results[name] = outcome(() => verifier.verify(token));
              assertSame(results, `verify of ${signedBy}'s token (${change.kind})`);
              // A cached verifier answers a repeat from its cache: the same answer again.
              if (verifierExtra.cache) {
                for (const [name, verifier] of Object.entries(verifiers)) assert.deepStrictEqual(outcome(() => verifier.verify(token)), results[name], `${name} repeat`);
              }
            }
          });
        },
      ),
      { numRuns: runs },
    );
  });
}

test('the Node entry computes HMACs with crypto.hash, and the entry without it never needs it', () => {
  for (const alg of ['HS256', 'HS384', 'HS512']) {
    hashCalls = 0;
    const signer = counting.createSigner({ secret: KEYS[alg].secret, algorithm: alg, ttlSeconds: 60 });
    const token = signer.sign({ sub: 'u' });
    assert.equal(hashCalls, 1, `${alg} sign: the inner hash (Rust computes the outer one)`);
    assert.equal(counting.createVerifier({ secret: KEYS[alg].secret, algorithms: [alg] }).verify(token).payload.sub, 'u');
    assert.equal(hashCalls, 2, `${alg} verify: the inner hash`);
    assert.equal(withoutHash.createVerifier({ secret: KEYS[alg].secret, algorithms: [alg] }).verify(token).payload.sub, 'u');
    assert.equal(withoutHash.createSigner({ secret: KEYS[alg].secret, algorithm: alg, ttlSeconds: 60 }).sign({ sub: 'u', iat: 1, exp: NOW }), signer.sign({ sub: 'u', iat: 1, exp: NOW }));
  }
});

test('authorize on the Node entry checks signatures with node:crypto, as verify does', () => {
  const request = { type: 'PIPES:READ', resource: 'orders' };
  const claims = { scopes: [{ type: 'PIPES:READ', resource: 'orders' }] };
  for (const alg of ['HS256', 'HS512']) {
    const token = nodeEntry.createSigner({ secret: KEYS[alg].secret, algorithm: alg, ttlSeconds: 60 }).sign(claims);
    hashCalls = 0;
    assert.equal(counting.createVerifier({ secret: KEYS[alg].secret, algorithms: [alg] }).authorize(token, request).resource, 'orders');
    assert.equal(hashCalls, 1, `${alg} authorize: the inner hash`);
  }
  for (const alg of ['ES256', 'EdDSA', 'RS256']) {
    const keys = KEYS[alg];
    const token = nodeEntry.createSigner({ privateKey: keys.privateKey, algorithm: alg, ttlSeconds: 60 }).sign(claims);
    let verifyCalls = 0;
    const api = createApi(glue, createNodeCrypto({ ...nodeCrypto, verify: (...args) => (verifyCalls++, nodeCrypto.verify(...args)) }));
    assert.equal(api.createVerifier({ publicKey: keys.publicKey, algorithms: [alg] }).authorize(token, request).resource, 'orders');
    assert.equal(verifyCalls, 1, `${alg} authorize: one crypto.verify`);
  }
});

test('Rust compares the tag the platform computed: a wrong crypto.hash fails verification, never passes it', () => {
  const lying = createApi(glue, createNodeCrypto({ ...nodeCrypto, hash: (name, data, encoding) => nodeCrypto.hash(name, Buffer.concat([data, Buffer.from([1])]), encoding) }));
  const token = nodeEntry.createSigner({ secret: KEYS.HS256.secret, ttlSeconds: 60 }).sign({ sub: 'u' });
  assert.throws(() => lying.createVerifier({ secret: KEYS.HS256.secret }).verify(token), { code: 'ERR_JWS_SIGNATURE_INVALID' });
  // A digest of the wrong length, or a platform that throws, is a TokenError, not a pass.
  const short = createApi(glue, createNodeCrypto({ ...nodeCrypto, hash: (name, data, encoding) => nodeCrypto.hash(name, data, encoding).slice(0, 16) }));
  assert.throws(() => short.createVerifier({ secret: KEYS.HS256.secret }).verify(token), { code: 'ERR_KEY_INVALID' });
  const throwing = createApi(glue, createNodeCrypto({ ...nodeCrypto, hash: () => { throw new Error('boom'); } }));
  assert.throws(() => throwing.createVerifier({ secret: KEYS.HS256.secret }).verify(token), (error) => error instanceof TokenError && error.code === 'ERR_KEY_INVALID' && /boom/.test(error.message));
  assert.throws(() => throwing.createSigner({ secret: KEYS.HS256.secret, ttlSeconds: 60 }).sign({}), (error) => error instanceof TokenError && error.code === 'ERR_KEY_INVALID');
  // And the io buffer is free again afterwards.
  assert.equal(nodeEntry.createVerifier({ secret: KEYS.HS256.secret }).verify(token).payload.sub, 'u');
});

test('large claims grow the wasm io buffer (and memory) on every path, and later small calls still agree', () => {
  at(NOW, () => {
    const big = { blob: 'é😀x'.repeat(60_000), list: Array.from({ length: 2000 }, (_, i) => ({ i, s: `v${i}` })) };
    const tokens = {};
    for (const [name, entry] of Object.entries(PATHS)) {
      const signer = entry.createSigner({ secret: KEYS.HS256.secret, ttlSeconds: 60 });
      tokens[name] = outcome(() => [signer.sign(big), signer.sign({ sub: 'small' })]);
    }
    assertSame(tokens, 'sign');
    const [bigToken, smallToken] = tokens.node.value;
    const results = {};
    for (const [name, entry] of Object.entries(PATHS)) {
      const verifier = entry.createVerifier({ secret: KEYS.HS256.secret, maxTokenBytes: 2_000_000 });
      results[name] = outcome(() => [verifier.verify(bigToken), verifier.verify(smallToken)]);
    }
    assertSame(results, 'verify');
    assert.equal(results.node.value[0].payload.blob, big.blob);
  });
});

test('a toJSON that signs while the claims are serialised does not disturb the outer token', () => {
  at(NOW, () => {
    const tokens = {};
    for (const [name, entry] of Object.entries(PATHS)) {
      const signer = entry.createSigner({ secret: KEYS.HS256.secret, ttlSeconds: 60 });
      const nested = { toJSON: () => ({ inner: signer.sign({ sub: 'inner' }) }) };
      tokens[name] = outcome(() => signer.sign({ sub: 'outer', nested }, { header: { kid: 'k' } }));
    }
    assertSame(tokens, 'sign');
    const payload = nodeEntry.createVerifier({ secret: KEYS.HS256.secret }).verify(tokens.node.value).payload;
    assert.equal(payload.sub, 'outer');
    assert.equal(nodeEntry.createVerifier({ secret: KEYS.HS256.secret }).verify(payload.nested.inner).payload.sub, 'inner');
  });
});

test('a platform that calls back into sign or verify mid-computation gets a TokenError, and the call it interrupted is unharmed', () => {
  let reenter;
  const reentrant = createApi(glue, createNodeCrypto({ ...nodeCrypto, hash: (...args) => (reenter?.(), nodeCrypto.hash(...args)) }));
  const signer = reentrant.createSigner({ secret: KEYS.HS256.secret, ttlSeconds: 60 });
  const verifier = reentrant.createVerifier({ secret: KEYS.HS256.secret });
  const inner = [];
  reenter = () => {
    reenter = undefined;
    for (const call of [() => signer.sign({ sub: 'inner' }), () => verifier.verify(FOREIGN)]) {
      try {
        call();
        inner.push('no error');
      } catch (error) {
        inner.push(error instanceof TokenError ? error.code : String(error));
      }
    }
  };
  const token = signer.sign({ sub: 'outer' });
  assert.deepStrictEqual(inner, ['ERR_INVALID_OPTION', 'ERR_INVALID_OPTION']);
  assert.equal(universalEntry.createVerifier({ secret: KEYS.HS256.secret }).verify(token).payload.sub, 'outer');
  reenter = () => {
    reenter = undefined;
    assert.throws(() => signer.sign({ sub: 'inner' }), { code: 'ERR_INVALID_OPTION' });
  };
  assert.equal(verifier.verify(token).payload.sub, 'outer');
  assert.equal(reenter, undefined, 'the platform was called');
});
