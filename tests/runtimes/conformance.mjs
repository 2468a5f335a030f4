// The one conformance body every runtime runs unchanged (Node CJS and ESM, Deno,
// Bun, workerd, Chromium). It only uses what all of them share: ES modules,
// TextEncoder/TextDecoder, btoa/atob, Date, Promises, crypto.subtle. No node:* imports,
// no I/O, no timers, so it also runs inside a workerd request handler and a browser page.
//
// run(api, decodeApi, jose) takes the module namespaces (or CommonJS exports) of
// `scopemint`, `scopemint/decode` and `jose` and resolves to [{ name, ok, detail }], one entry
// per check; it never rejects. The async checks (signAsync / verifyAsync, WebCrypto outside
// Node) use jose, an independent implementation, as the reference.

const SECRET = 'conformance-secret-0123456789-abcdefghij'; // 40 bytes: HS256 wants >= 32
const TTL = 600;

function fail(message) {
  throw new Error(message);
}

function assert(condition, message) {
  if (!condition) fail(message);
}

function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

// Every API call goes through this: the package promises synchronous results,
// so a Promise (or any thenable) anywhere is a failure, not something to await.
let syncViolations = [];
function sync(value, what) {
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
    syncViolations.push(what);
    fail(`${what} returned a Promise/thenable instead of a value`);
  }
  return value;
}

function b64url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unb64url(part) {
  const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

function parts(token) {
  assert(typeof token === 'string', `token is a ${typeof token}, not a string`);
  const segments = token.split('.');
  assert(segments.length === 3, `token has ${segments.length} segments, not 3`);
  return { header: JSON.parse(unb64url(segments[0])), payload: JSON.parse(unb64url(segments[1])), segments };
}

// Calls fn, which must throw a TokenError with `code`; returns the error.
function expectTokenError(api, fn, code, what) {
  let result;
  try {
    result = fn();
  } catch (error) {
    assert(error instanceof api.TokenError, `${what}: threw ${error && error.name} (${error && error.message}), not a TokenError`);
    assert(error instanceof Error, `${what}: the TokenError is not instanceof Error`);
    assert(error.name === 'TokenError', `${what}: error.name is ${JSON.stringify(error.name)}`);
    assert(error.code === code, `${what}: code ${error.code} (${error.message}), expected ${code}`);
    assert(typeof error.message === 'string' && error.message.length > 0, `${what}: empty message`);
    return error;
  }
  sync(result, what);
  fail(`${what}: did not throw (expected ${code})`);
}

function keyPairCheck(api, alg, kty, crv) {
  const pair = sync(api.generateKeyPair(alg), `generateKeyPair('${alg}')`);
  assert(/^-----BEGIN PRIVATE KEY-----\n/.test(pair.privateKey), 'privateKey is not a PKCS#8 PEM');
  assert(/^-----BEGIN PUBLIC KEY-----\n/.test(pair.publicKey), 'publicKey is not an SPKI PEM');
  equal(
    { kty: pair.publicJwk.kty, crv: pair.publicJwk.crv, alg: pair.publicJwk.alg, use: pair.publicJwk.use },
    { kty, crv, alg, use: 'sig' },
    'publicJwk',
  );
  assert(pair.publicJwk.d === undefined, 'publicJwk leaks the private part `d`');
  const other = sync(api.generateKeyPair(alg), `generateKeyPair('${alg}') again`);
  assert(other.privateKey !== pair.privateKey, 'two generated keys are identical (no randomness?)');
  return `${kty}/${crv}`;
}

function signVerifyAsymmetric(api, alg) {
  const pair = sync(api.generateKeyPair(alg), `generateKeyPair('${alg}')`);
  const signer = sync(api.createSigner({ privateKey: pair.privateKey, ttlSeconds: TTL, issuer: 'conformance' }), 'createSigner');
  equal(signer.algorithm, alg, 'signer.algorithm');
  const claims = { sub: 'user-1', role: 'viewer', n: 42 };
  const token = sync(signer.sign(claims), 'sign');
  const { header, payload } = parts(token);
  equal(header.alg, alg, 'header.alg');
  equal(payload.iss, 'conformance', 'payload.iss');
  equal(payload.exp - payload.iat, TTL, 'exp - iat');

  const byPem = sync(api.createVerifier({ publicKey: pair.publicKey, issuer: 'conformance' }), 'createVerifier(pem)');
  const verified = sync(byPem.verify(token), 'verify(pem)');
  equal({ sub: verified.payload.sub, role: verified.payload.role, n: verified.payload.n }, claims, 'verified claims');
  equal(verified.header.alg, alg, 'verified header.alg');

  // The signer's own exported JWK and JWKS must verify too.
  const byJwk = sync(api.createVerifier({ publicKey: signer.publicJwk() }), 'createVerifier(jwk)');
  sync(byJwk.verify(token), 'verify(jwk)');
  const byJwks = sync(api.createVerifier({ jwks: signer.jwks() }), 'createVerifier(jwks)');
  sync(byJwks.verify(token), 'verify(jwks)');

  // A different key of the same kind must not verify it.
  const stranger = sync(api.generateKeyPair(alg), 'generateKeyPair (stranger)');
  const wrong = sync(api.createVerifier({ publicKey: stranger.publicKey }), 'createVerifier(stranger)');
  expectTokenError(api, () => wrong.verify(token), 'ERR_JWS_SIGNATURE_INVALID', 'verify with another key');
  return `${token.length}-char token`;
}


// Calls fn, whose Promise must reject with the same TokenError (code, message, claim)
// that `expected` (the synchronous call's error) is.
async function expectSameRejection(api, fn, expected, what) {
  let pending;
  try {
    pending = fn();
  } catch (error) {
    fail(`${what}: threw synchronously (${error && error.message}) instead of rejecting`);
  }
  assert(pending instanceof Promise, `${what}: returned ${typeof pending}, not a Promise`);
  let result;
  try {
    result = await pending;
  } catch (error) {
    assert(error instanceof api.TokenError, `${what}: rejected with ${error && error.name} (${error && error.message}), not a TokenError`);
    equal({ code: error.code, message: error.message, claim: error.claim },
      { code: expected.code, message: expected.message, claim: expected.claim }, `${what}: error`);
    return error;
  }
  fail(`${what}: resolved with ${JSON.stringify(result)} (expected ${expected.code})`);
}

// How often crypto.subtle.sign / verify ran during `body`, and how many of those calls
// rejected (the package would then quietly use wasm): own-property wrappers, removed after.
async function subtleCallsDuring(body) {
  const subtle = globalThis.crypto.subtle;
  const counted = { sign: 0, verify: 0, rejected: 0 };
  for (const method of ['sign', 'verify']) {
    const original = subtle[method];
    subtle[method] = function counting(...args) {
      counted[method] += 1;
      const result = original.apply(this, args);
      Promise.resolve(result).catch(() => { counted.rejected += 1; });
      return result;
    };
  }
  try {
    await body();
  } finally {
    for (const method of ['sign', 'verify']) delete subtle[method];
  }
  assert(typeof globalThis.crypto.subtle.sign === 'function' && !Object.hasOwn(subtle, 'sign'), 'crypto.subtle.sign was not restored');
  return counted;
}

// One key pair per kind, made once: RSA (jose on WebCrypto; scopemint generates no RSA keys)
// for RS256 and PS256, EC and Ed25519 from generateKeyPair.
const keyPairs = new Map();
async function keyPairFor(api, jose, alg, which) {
  const kind = alg.startsWith('RS') || alg.startsWith('PS') ? 'RSA' : alg;
  const name = `${kind}/${which}`;
  if (!keyPairs.has(name)) {
    if (kind === 'RSA') {
      const pair = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      keyPairs.set(name, { privateKey: await jose.exportPKCS8(pair.privateKey), publicKey: await jose.exportSPKI(pair.publicKey) });
    } else {
      keyPairs.set(name, api.generateKeyPair(alg));
    }
  }
  return keyPairs.get(name);
}

async function asyncPathCheck(api, jose, alg, webCryptoAlgorithms) {
  const webCrypto = webCryptoAlgorithms.includes(alg);
  const keys = await keyPairFor(api, jose, alg, 'main');
  const stranger = await keyPairFor(api, jose, alg, 'stranger');
  const signer = sync(api.createSigner({ privateKey: keys.privateKey, algorithm: alg, ttlSeconds: TTL, issuer: 'conformance' }), 'createSigner');
  const verifier = sync(api.createVerifier({ publicKey: keys.publicKey, algorithms: [alg], issuer: 'conformance' }), 'createVerifier');
  const joseKey = await jose.importSPKI(keys.publicKey, alg);

  const claims = { sub: 'async-user', role: 'viewer', n: 7 };
  let token;
  let verifiedAsync;
  const counted = await subtleCallsDuring(async () => {
    const pending = signer.signAsync(claims);
    assert(pending instanceof Promise, `signAsync returned ${typeof pending}, not a Promise`);
    token = await pending;
    verifiedAsync = await verifier.verifyAsync(token);
  });
  // Ed25519 may be missing from a runtime's WebCrypto: then the wasm path signs (same tokens).
  if (!webCrypto) equal(counted, { sign: 0, verify: 0, rejected: 0 }, 'crypto.subtle calls (node:crypto signs)');
  if (webCrypto && alg !== 'EdDSA') equal(counted, { sign: 1, verify: 1, rejected: 0 }, 'crypto.subtle calls');
  equal(counted.rejected, 0, 'rejected crypto.subtle calls');
  equal(parts(token).header, { alg, typ: 'JWT' }, 'signAsync header');

  // jose (an independent implementation on this runtime's WebCrypto) and the synchronous
  // wasm verifier both accept the signAsync token.
  const byJose = await jose.jwtVerify(token, joseKey, { issuer: 'conformance', algorithms: [alg] });
  equal({ sub: byJose.payload.sub, role: byJose.payload.role, n: byJose.payload.n }, claims, 'claims jose verified');
  const bySync = sync(verifier.verify(token), 'verify(signAsync token)');
  equal(verifiedAsync, bySync, 'verifyAsync result vs verify');

  // Deterministic algorithms give the very bytes the synchronous signer gives (iat and exp fixed).
  const fixed = { ...claims, iat: parts(token).payload.iat, exp: parts(token).payload.exp };
  if (alg === 'RS256' || alg === 'EdDSA') equal(await signer.signAsync(fixed), sync(signer.sign(fixed), 'sign(fixed)'), 'signAsync vs sign bytes');

  // A token jose signed: verifyAsync accepts what verify accepts.
  const josePrivate = await jose.importPKCS8(keys.privateKey, alg);
  const joseToken = await new jose.SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).setIssuer('conformance')
    .setIssuedAt().setExpirationTime('10m').sign(josePrivate);
  equal(await verifier.verifyAsync(joseToken), sync(verifier.verify(joseToken), 'verify(jose token)'), 'jose token: verifyAsync vs verify');

  // Refusals: each with the synchronous verify's code, message and claim.
  const now = Math.floor(Date.now() / 1000);
  const { segments, payload } = parts(token);
  const sig = segments[2];
  const refused = {
    'tampered payload': [verifier, `${segments[0]}.${b64url(JSON.stringify({ ...payload, role: 'admin' }))}.${sig}`, 'ERR_JWS_SIGNATURE_INVALID'],
    'flipped signature': [verifier, `${segments[0]}.${segments[1]}.${sig.slice(0, 3)}${sig[3] === 'A' ? 'B' : 'A'}${sig.slice(4)}`, 'ERR_JWS_SIGNATURE_INVALID'],
    'wrong key': [sync(api.createVerifier({ publicKey: stranger.publicKey, algorithms: [alg] }), 'createVerifier(stranger)'), token, 'ERR_JWS_SIGNATURE_INVALID'],
    expired: [sync(api.createVerifier({ publicKey: keys.publicKey, algorithms: [alg], currentTime: new Date(Date.now() + 2 * TTL * 1000) }), 'createVerifier(later)'), token, 'ERR_JWT_EXPIRED'],
    'alg none': [verifier, `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: 'mallory', iss: 'conformance', iat: now, exp: now + TTL }))}.`, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    'not a token': [verifier, 'a.b', 'ERR_JWT_MALFORMED'],
  };
  for (const [what, [checking, bad, code]] of Object.entries(refused)) {
    const expected = expectTokenError(api, () => checking.verify(bad), code, `verify (${what})`);
    await expectSameRejection(api, () => checking.verifyAsync(bad), expected, `verifyAsync (${what})`);
  }
  // signAsync refuses what sign refuses, with the same error.
  const badOptions = { header: { alg: 'none' } };
  const signError = expectTokenError(api, () => signer.sign(claims, badOptions), 'ERR_INVALID_OPTION', 'sign with header.alg');
  await expectSameRejection(api, () => signer.signAsync(claims, badOptions), signError, 'signAsync with header.alg');
  const path = !webCrypto ? 'node:crypto' : `crypto.subtle sign ${counted.sign}, verify ${counted.verify}`;
  return `${path}; ${Object.keys(refused).length} refusals identical; ${token.length}-char token`;
}

const checks = [
  ['exports', (api) => {
    for (const name of ['createSigner', 'createVerifier', 'decode', 'generateKeyPair', 'TokenError']) {
      assert(typeof api[name] === 'function', `${name} is ${typeof api[name]}`);
    }
    const error = new api.TokenError('ERR_JWT_MALFORMED', 'x');
    assert(error instanceof Error, 'new TokenError() is not an Error');
    return 'createSigner, createVerifier, decode, generateKeyPair, TokenError';
  }],

  ['generateKeyPair ES256', (api) => keyPairCheck(api, 'ES256', 'EC', 'P-256')],
  ['generateKeyPair EdDSA', (api) => keyPairCheck(api, 'EdDSA', 'OKP', 'Ed25519')],

  ['sign+verify ES256', (api) => signVerifyAsymmetric(api, 'ES256')],
  ['sign+verify EdDSA', (api) => signVerifyAsymmetric(api, 'EdDSA')],

  ['sign+verify HS256 (string secret)', (api) => {
    const signer = sync(api.createSigner({ secret: SECRET, ttlSeconds: TTL }), 'createSigner');
    equal(signer.algorithm, 'HS256', 'signer.algorithm');
    const token = sync(signer.sign({ sub: 'hs-string' }), 'sign');
    equal(parts(token).header.alg, 'HS256', 'header.alg');
    const verified = sync(sync(api.createVerifier({ secret: SECRET }), 'createVerifier').verify(token), 'verify');
    equal(verified.payload.sub, 'hs-string', 'payload.sub');
    const other = sync(api.createVerifier({ secret: `${SECRET}!` }), 'createVerifier(other secret)');
    expectTokenError(api, () => other.verify(token), 'ERR_JWS_SIGNATURE_INVALID', 'verify with another secret');
    return 'ok';
  }],

  ['sign+verify HS256 (Uint8Array secret)', (api) => {
    const bytes = new TextEncoder().encode(SECRET);
    const signer = sync(api.createSigner({ secret: bytes, ttlSeconds: TTL }), 'createSigner(bytes)');
    const token = sync(signer.sign({ sub: 'hs-bytes' }), 'sign');
    const byBytes = sync(api.createVerifier({ secret: bytes }), 'createVerifier(bytes)');
    equal(sync(byBytes.verify(token), 'verify(bytes)').payload.sub, 'hs-bytes', 'payload.sub');
    // A string secret means its UTF-8 bytes, so the string form must verify the same token.
    const byString = sync(api.createVerifier({ secret: SECRET }), 'createVerifier(string)');
    sync(byString.verify(token), 'verify(string of the same bytes)');
    // A subarray view must use only its own window of the buffer.
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 4);
    const byView = sync(api.createVerifier({ secret: padded.subarray(4, 4 + bytes.length) }), 'createVerifier(subarray)');
    sync(byView.verify(token), 'verify(subarray)');
    return 'bytes, string and subarray all verify';
  }],

  ['decode fields', (api) => {
    const signer = sync(api.createSigner({ secret: SECRET, ttlSeconds: TTL }), 'createSigner');
    const before = Math.floor(Date.now() / 1000);
    const token = sync(signer.sign({ sub: 'decode-me', custom: [1, 'two'] }), 'sign');
    const decoded = sync(api.decode(token), 'decode');
    equal(decoded.header.alg, 'HS256', 'header.alg');
    equal(decoded.header.typ, 'JWT', 'header.typ');
    equal(decoded.payload.sub, 'decode-me', 'payload.sub');
    equal(decoded.payload.custom, [1, 'two'], 'payload.custom');
    assert(decoded.issuedAt instanceof Date, `issuedAt is ${Object.prototype.toString.call(decoded.issuedAt)}`);
    assert(decoded.expiresAt instanceof Date, `expiresAt is ${Object.prototype.toString.call(decoded.expiresAt)}`);
    equal(decoded.issuedAt.getTime(), decoded.payload.iat * 1000, 'issuedAt vs iat');
    equal(decoded.expiresAt.getTime(), decoded.payload.exp * 1000, 'expiresAt vs exp');
    assert(Math.abs(decoded.payload.iat - before) <= 5, `iat ${decoded.payload.iat} is far from now ${before}`);
    equal(decoded.expired, false, 'expired');
    assert(typeof decoded.secondsLeft === 'number' && decoded.secondsLeft > 0 && decoded.secondsLeft <= TTL,
      `secondsLeft is ${decoded.secondsLeft}`);
    return `secondsLeft=${decoded.secondsLeft}`;
  }],

  // `scopemint/decode` (its own small wasm) must answer exactly as the main entry's decode,
  // and throw the same TokenError class.
  ['scopemint/decode agrees with decode', (api, decodeApi) => {
    assert(decodeApi && typeof decodeApi.decode === 'function', 'scopemint/decode did not load');
    assert(decodeApi.TokenError === api.TokenError, 'scopemint/decode has its own TokenError class');
    const signer = sync(api.createSigner({ secret: SECRET, ttlSeconds: TTL }), 'createSigner');
    const token = sync(signer.sign({ sub: 'd', workspace_id: 'w', scopes: [] }), 'sign');
    const view = (d) => ({ ...d, issuedAt: d.issuedAt.getTime(), expiresAt: d.expiresAt.getTime(), secondsLeft: d.secondsLeft > TTL - 5 });
    equal(view(sync(decodeApi.decode(token), 'decode-only decode')), view(api.decode(token)), 'decode result');
    equal(decodeApi.decode(token).profile, 'tinybird', 'profile');
    for (const bad of ['a.b', `${b64url('{}')}.${b64url('{"a":1,"a":2}')}.x`, 'e30=.e30.x']) {
      const expected = expectTokenError(api, () => api.decode(bad), 'ERR_JWT_MALFORMED', `decode(${bad})`);
      const actual = expectTokenError(api, () => decodeApi.decode(bad), 'ERR_JWT_MALFORMED', `scopemint/decode(${bad})`);
      equal(actual.message, expected.message, 'error message');
    }
    return 'same result, same errors';
  }],

  ['tampered token -> ERR_JWS_SIGNATURE_INVALID', (api) => {
    const signer = sync(api.createSigner({ secret: SECRET, ttlSeconds: TTL }), 'createSigner');
    const token = sync(signer.sign({ sub: 'alice', admin: false }), 'sign');
    const { payload, segments } = parts(token);
    // Same header and signature, payload rewritten to escalate: a valid-looking token.
    const forged = `${segments[0]}.${b64url(JSON.stringify({ ...payload, admin: true }))}.${segments[2]}`;
    const verifier = sync(api.createVerifier({ secret: SECRET }), 'createVerifier');
    const error = expectTokenError(api, () => verifier.verify(forged), 'ERR_JWS_SIGNATURE_INVALID', 'forged payload');
    // And a flipped signature character (not the last one, whose low bits may be padding).
    const sig = segments[2];
    const flipped = `${segments[0]}.${segments[1]}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expectTokenError(api, () => verifier.verify(flipped), 'ERR_JWS_SIGNATURE_INVALID', 'flipped signature');
    return `instanceof TokenError and Error; message: ${error.message}`;
  }],

  ['expired token -> ERR_JWT_EXPIRED', (api) => {
    const signer = sync(api.createSigner({ secret: SECRET, ttlSeconds: 60 }), 'createSigner');
    const token = sync(signer.sign({ sub: 'late' }), 'sign');
    const future = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
    const verifier = sync(api.createVerifier({ secret: SECRET, currentTime: future }), 'createVerifier(currentTime)');
    const error = expectTokenError(api, () => verifier.verify(token), 'ERR_JWT_EXPIRED', 'verify in 10 years');
    // The same token verifies today, so it is the clock that rejected it.
    sync(sync(api.createVerifier({ secret: SECRET }), 'createVerifier').verify(token), 'verify now');
    return `claim=${error.claim}`;
  }],

  ['bad option -> ERR_INVALID_OPTION at createSigner', (api) => {
    const bad = [
      [{ secret: SECRET, ttlSeconds: 60, ttlInMinutes: 1 }, 'both TTLs'],
      [{ secret: SECRET, ttlSeconds: -5 }, 'negative ttlSeconds'],
      [{ secret: SECRET, ttlSecs: 60 }, 'unknown option ttlSecs'],
      [{ secret: SECRET, ttlSeconds: '60' }, 'ttlSeconds as a string'],
    ];
    const seen = [];
    for (const [options, what] of bad) {
      const error = expectTokenError(api, () => api.createSigner(options), 'ERR_INVALID_OPTION', what);
      seen.push(`${what}${error.claim ? ` (claim ${error.claim})` : ''}`);
    }
    return seen.join('; ');
  }],

  ['alg none -> ERR_JOSE_ALG_NOT_ALLOWED', (api) => {
    const verifier = sync(api.createVerifier({ secret: SECRET }), 'createVerifier');
    const now = Math.floor(Date.now() / 1000);
    const body = b64url(JSON.stringify({ sub: 'mallory', iat: now, exp: now + TTL }));
    const results = [];
    for (const alg of ['none', 'None', 'NONE']) {
      const unsecured = `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${body}.`;
      const error = expectTokenError(api, () => verifier.verify(unsecured), 'ERR_JOSE_ALG_NOT_ALLOWED', `alg ${alg}`);
      results.push(alg);
      if (alg === 'none') results.push(`(${error.message})`);
    }
    return results.join(' ');
  }],

  ['profile token (Tinybird-shaped HS256)', (api) => {
    const adminSecret = 'p.eyJ1IjogIjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMCJ9.conformance'; // > 32 bytes
    assert(new TextEncoder().encode(adminSecret).length >= 32, 'test secret too short');
    const claims = {
      workspace_id: '7bd6b5c3-0d3a-4b70-9c0e-5a7a7d1c2f11',
      name: 'frontend_jwt',
      scopes: [{ type: 'PIPES:READ', resource: 'x', fixed_params: { user_id: 1 } }],
    };
    const signer = sync(api.createSigner({ secret: adminSecret, ttlInMinutes: 15 }), 'createSigner');
    const token = sync(signer.sign(claims), 'sign');
    const verifier = sync(api.createVerifier({ secret: adminSecret, algorithms: ['HS256'] }), 'createVerifier');
    const { payload, header } = sync(verifier.verify(token), 'verify');
    equal(header.alg, 'HS256', 'header.alg');
    equal(
      { workspace_id: payload.workspace_id, name: payload.name, scopes: payload.scopes },
      claims,
      'verified claims',
    );
    equal(payload.exp - payload.iat, 15 * 60, 'exp - iat');
    return `scopes=${JSON.stringify(payload.scopes)}`;
  }],

  // signAsync / verifyAsync: WebCrypto computes or checks the signature outside Node
  // (node:crypto in the Node entry); every rule is still Rust's. One RSA key serves
  // RS256 and PS256.
  ['signAsync+verifyAsync run on WebCrypto outside the Node entry', async (api, _decodeApi, _jose, { webCrypto }) => {
    const counted = await subtleCallsDuring(async () => {
      const keys = api.generateKeyPair('ES256');
      const token = await api.createSigner({ privateKey: keys.privateKey, ttlSeconds: TTL }).signAsync({ sub: 'counted' });
      await api.createVerifier({ publicKey: keys.publicKey }).verifyAsync(token);
    });
    const onWebCrypto = webCrypto.includes('ES256');
    const expected = onWebCrypto ? { sign: 1, verify: 1, rejected: 0 } : { sign: 0, verify: 0, rejected: 0 };
    equal(counted, expected, `crypto.subtle calls (${onWebCrypto ? 'WebCrypto' : 'node:crypto'})`);
    return `crypto.subtle.sign ${counted.sign}, verify ${counted.verify}`;
  }],
  ['authorizeAsync (ES256): authorize\'s grant and refusals', async (api, _decodeApi, _jose, { webCrypto }) => {
    const keys = api.generateKeyPair('ES256');
    const verifier = api.createVerifier({ publicKey: keys.publicKey });
    const token = api.createSigner({ privateKey: keys.privateKey, ttlSeconds: TTL })
      .sign({ workspace_id: 'w', scopes: [{ type: 'PIPES:READ', resource: 'top_pages', fixed_params: { org: 'acme' } }] });
    const request = { type: 'PIPES:READ', resource: 'top_pages', params: { org: 'other' } };
    const { segments, payload } = parts(token);
    const widened = `${segments[0]}.${b64url(JSON.stringify({ ...payload, scopes: [{ type: 'PIPES:READ', resource: 'top_pages' }] }))}.${segments[2]}`;
    let grant;
    const counted = await subtleCallsDuring(async () => {
      grant = await verifier.authorizeAsync(token, request);
      for (const [bad, asked, code] of [[token, { type: 'PIPES:READ', resource: 'other' }, 'ERR_SCOPE_DENIED'], [widened, request, 'ERR_JWS_SIGNATURE_INVALID']]) {
        const expected = expectTokenError(api, () => verifier.authorize(bad, asked), code, `authorize (${code})`);
        await expectSameRejection(api, () => verifier.authorizeAsync(bad, asked), expected, `authorizeAsync (${code})`);
      }
    });
    equal(grant, sync(verifier.authorize(token, request), 'authorize'), 'authorizeAsync grant vs authorize');
    equal(grant.params.org, 'acme', 'fixed param');
    equal(counted, webCrypto.includes('ES256') ? { sign: 0, verify: 3, rejected: 0 } : { sign: 0, verify: 0, rejected: 0 }, 'crypto.subtle calls');
    return `crypto.subtle.verify ${counted.verify}`;
  }],
  // Calls in flight together share one verifier and one wasm io buffer: each must get its own
  // token's answer whatever order this runtime's WebCrypto answers in.
  ['concurrent verifyAsync calls (ES256) each get their own answer', async (api, _decodeApi, _jose, { webCrypto }) => {
    const keys = api.generateKeyPair('ES256');
    const signer = api.createSigner({ privateKey: keys.privateKey });
    const verifier = api.createVerifier({ publicKey: keys.publicKey });
    const now = Math.floor(Date.now() / 1000);
    const tokens = [];
    for (let i = 0; i < 24; i++) {
      const { segments } = parts(signer.sign({ n: i, iat: now - 60, exp: i % 3 === 1 ? now - 30 : now + TTL }));
      const signature = segments[2];
      if (i % 3 === 2) segments[2] = `${signature.slice(0, 6)}${signature[6] === 'A' ? 'B' : 'A'}${signature.slice(7)}`;
      tokens.push(segments.join('.'));
    }
    let answers;
    const counted = await subtleCallsDuring(async () => {
      answers = await Promise.allSettled(tokens.map((token) => verifier.verifyAsync(token)));
    });
    tokens.forEach((token, i) => {
      const code = [undefined, 'ERR_JWT_EXPIRED', 'ERR_JWS_SIGNATURE_INVALID'][i % 3];
      if (code === undefined) {
        equal(answers[i].status, 'fulfilled', `verifyAsync of token ${i}`);
        equal(answers[i].value, sync(verifier.verify(token), 'verify'), `verifyAsync of token ${i} vs verify`);
        equal(answers[i].value.payload.n, i, `token ${i}'s payload`);
      } else {
        const expected = expectTokenError(api, () => verifier.verify(token), code, `verify of token ${i}`);
        equal(answers[i].status, 'rejected', `verifyAsync of token ${i}`);
        equal({ code: answers[i].reason.code, message: answers[i].reason.message }, { code, message: expected.message }, `verifyAsync of token ${i}: error`);
      }
    });
    equal(counted, webCrypto.includes('ES256') ? { sign: 0, verify: tokens.length, rejected: 0 } : { sign: 0, verify: 0, rejected: 0 }, 'crypto.subtle calls');
    return `${tokens.length} calls at once; crypto.subtle.verify ${counted.verify}`;
  }],
  ...['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'].map((alg) => [`signAsync+verifyAsync ${alg} (jose agrees)`, (api, _decodeApi, jose, { webCrypto }) => asyncPathCheck(api, jose, alg, webCrypto)]),

  // Runs last so it covers every call the checks above made.
  ['every call synchronous', (api) => {
    const signer = api.createSigner({ secret: SECRET, ttlSeconds: TTL });
    const token = signer.sign({ sub: 'sync' });
    const calls = {
      createSigner: signer,
      sign: token,
      createVerifier: api.createVerifier({ secret: SECRET }),
      decode: api.decode(token),
      generateKeyPair: api.generateKeyPair('EdDSA'),
    };
    calls.verify = calls.createVerifier.verify(token);
    for (const [what, value] of Object.entries(calls)) {
      assert(!(value instanceof Promise), `${what} returned a Promise`);
      sync(value, what);
    }
    assert(syncViolations.length === 0, `earlier checks saw thenables from: ${syncViolations.join(', ')}`);
    return 'no Promise from any call';
  }],
];

// `webCrypto`: the algorithms signAsync / verifyAsync should run on crypto.subtle (all of
// them, except in the Node entry (Node, Bun), which signs with node:crypto).
export async function run(api, decodeApi, jose, { webCrypto }) {
  syncViolations = [];
  const results = [];
  for (const [name, check] of checks) {
    try {
      const detail = await check(api, decodeApi, jose, { webCrypto });
      results.push({ name, ok: true, detail: detail === undefined ? '' : String(detail) });
    } catch (error) {
      const text = error && error.stack ? String(error.stack).split('\n').slice(0, 3).join(' | ') : String(error);
      results.push({ name, ok: false, detail: text });
    }
  }
  return results;
}

export const checkNames = checks.map(([name]) => name);
