// signAsync / verifyAsync of the universal entry (the one Deno and browsers load) on Node's
// own WebCrypto (globalThis.crypto.subtle): WebCrypto computes or checks the signature bytes,
// Rust decides everything else, so tokens and errors are those of the synchronous path.
// jose is the independent reference. Calls to crypto.subtle are counted, so each test
// also shows which path ran. tests/runtimes/ runs the same in Deno, Bun, workerd and Chromium.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { generateKeyPairSync } from 'node:crypto';
import * as jose from 'jose';
import * as nodeEntry from 'scopemint';
import * as webEntry from '../../pkg/dist/universal.mjs';
import { b64url, NOW } from './helpers.mjs';

const subtle = globalThis.crypto.subtle;

/** Runs `body` with crypto.subtle's methods counted (and optionally replaced); restores them after. */
async function withSubtle(body, replacements = {}) {
  const calls = { importKey: 0, sign: 0, verify: 0 };
  for (const method of Object.keys(calls)) {
    const original = subtle[method].bind(subtle);
    const replacement = replacements[method];
    subtle[method] = (...args) => {
      calls[method] += 1;
      return replacement ? replacement(original, ...args) : original(...args);
    };
  }
  try {
    await body();
  } finally {
    for (const method of Object.keys(calls)) delete subtle[method];
  }
  return calls;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaKeys = {
  privateKey: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  publicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }),
};
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
const keysFor = (alg) => (alg.startsWith('E') ? nodeEntry.generateKeyPair(alg) : rsaKeys);
const strangerFor = (alg) => (alg.startsWith('E') ? nodeEntry.generateKeyPair(alg).publicKey : otherRsa);

// RSASSA-PKCS1-v1_5 and Ed25519 signatures are deterministic: the same input gives the same bytes.
const DETERMINISTIC = new Set(['RS256', 'RS384', 'RS512', 'EdDSA']);
const fixedClaims = { sub: 'user_1', org: 'acme', iat: NOW, exp: NOW + 600 };

/** The sync call's TokenError, then the async call's rejection: the same code, message and claim. */
async function sameRefusal(syncCall, asyncCall, code) {
  let expected;
  assert.throws(syncCall, (error) => {
    expected = error;
    return error instanceof webEntry.TokenError && error.code === code;
  });
  const pending = asyncCall();
  assert.ok(pending instanceof Promise);
  await assert.rejects(pending, (error) => {
    assert.ok(error instanceof webEntry.TokenError, `not a TokenError: ${error}`);
    assert.deepEqual({ code: error.code, message: error.message, claim: error.claim }, { code, message: expected.message, claim: expected.claim });
    return true;
  });
}

for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA']) {
  test(`${alg}: signAsync and verifyAsync on WebCrypto agree with jose and with the sync path`, async () => {
    const keys = keysFor(alg);
    let signer;
    let verifier;
    let token;
    let verified;
    const calls = await withSubtle(async () => {
      signer = webEntry.createSigner({ privateKey: keys.privateKey, algorithm: alg, ttlSeconds: 600, issuer: 'me' });
      verifier = webEntry.createVerifier({ publicKey: keys.publicKey, algorithms: [alg], issuer: 'me' });
      token = await signer.signAsync({ sub: 'user_1', org: 'acme' });
      verified = await verifier.verifyAsync(token);
    });
    // Each key imported once, at creation; one WebCrypto signature and one check.
    assert.deepEqual(calls, { importKey: 2, sign: 1, verify: 1 });
    assert.equal(verified.payload.org, 'acme');
    assert.deepEqual(verified, nodeEntry.createVerifier({ publicKey: keys.publicKey, algorithms: [alg], issuer: 'me' }).verify(token));
    const { payload } = await jose.jwtVerify(token, await jose.importSPKI(keys.publicKey, alg), { issuer: 'me', algorithms: [alg] });
    assert.equal(payload.org, 'acme');

    // jose's token: verifyAsync gives verify's answer.
    const joseToken = await new jose.SignJWT({ org: 'jose' }).setProtectedHeader({ alg }).setIssuer('me').setIssuedAt()
      .setExpirationTime('5m').sign(await jose.importPKCS8(keys.privateKey, alg));
    assert.deepEqual(await verifier.verifyAsync(joseToken), verifier.verify(joseToken));

    if (DETERMINISTIC.has(alg)) {
      assert.equal(await signer.signAsync(fixedClaims), signer.sign(fixedClaims));
      assert.equal(await signer.signAsync(fixedClaims), nodeEntry.createSigner({ privateKey: keys.privateKey, algorithm: alg, issuer: 'me' }).sign(fixedClaims));
    }

    const [header, body, signature] = token.split('.');
    const forgedBody = b64url({ ...JSON.parse(Buffer.from(body, 'base64url')), org: 'other' });
    const flipped = `${signature.slice(0, 4)}${signature[4] === 'A' ? 'B' : 'A'}${signature.slice(5)}`;
    const wrongKey = webEntry.createVerifier({ publicKey: strangerFor(alg), algorithms: [alg] });
    const later = webEntry.createVerifier({ publicKey: keys.publicKey, algorithms: [alg], currentTime: new Date(Date.now() + 3600e3) });
    const none = `${b64url({ alg: 'none' })}.${body}.`;
    // HS256 with the public key PEM as the secret: the classic key-confusion forgery.
    const confused = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${body}.${b64url(new Uint8Array(32))}`;
    const refusals = [
      [verifier, `${header}.${forgedBody}.${signature}`, 'ERR_JWS_SIGNATURE_INVALID'],
      [verifier, `${header}.${body}.${flipped}`, 'ERR_JWS_SIGNATURE_INVALID'],
      [verifier, `${header}.${body}.${signature}==`, 'ERR_JWT_MALFORMED'],
      [wrongKey, token, 'ERR_JWS_SIGNATURE_INVALID'],
      [later, token, 'ERR_JWT_EXPIRED'],
      [verifier, none, 'ERR_JOSE_ALG_NOT_ALLOWED'],
      [verifier, confused, 'ERR_JOSE_ALG_NOT_ALLOWED'],
      [verifier, 'x'.repeat(20000), 'ERR_TOKEN_TOO_LARGE'],
      [verifier, 42, 'ERR_JWT_MALFORMED'],
    ];
    for (const [checking, bad, code] of refusals) await sameRefusal(() => checking.verify(bad), () => checking.verifyAsync(bad), code);
  });
}

// A call's outcome as plain data: its value, or its error's code and message.
const outcomeOf = (call) => {
  try {
    return { value: call() };
  } catch (error) {
    return { code: error.code, message: error.message };
  }
};
const settledOutcome = (settled) => (settled.status === 'fulfilled' ? { value: settled.value } : { code: settled.reason.code, message: settled.reason.message });

// WebCrypto's answers held back so they arrive in another order than the calls were made:
// every call's start (Rust's checks, the io buffer) runs before any earlier call's finish.
const reordered = (original, ...args) => {
  const delayMs = (reordered.calls++ * 7) % 5;
  return original(...args).then((answer) => new Promise((resolve) => setTimeout(() => resolve(answer), delayMs)));
};

for (const alg of ['ES256', 'EdDSA', 'RS256']) {
  test(`${alg}: concurrent verifyAsync, authorizeAsync and signAsync calls on one verifier and signer each get their own answer`, async () => {
    const keys = keysFor(alg);
    const signer = webEntry.createSigner({ privateKey: keys.privateKey, algorithm: alg });
    const verifier = webEntry.createVerifier({ publicKey: keys.publicKey, algorithms: [alg], currentTime: NOW });
    // Per i: valid, expired (found only after the signature), tampered signature, forged payload
    // or (every other one) a signature that is not base64url (found before the signature).
    const expectedCodes = [];
    const tokens = [];
    for (let i = 0; i < 40; i++) {
      const claims = { sub: `user_${i}`, n: i, iat: NOW - 60, exp: i % 4 === 1 ? NOW - 30 : NOW + 600,
        scopes: [{ type: 'PIPES:READ', resource: `pipe_${i}` }] };
      const [header, body, signature] = signer.sign(claims).split('.');
      const flipped = `${signature.slice(0, 6)}${signature[6] === 'A' ? 'B' : 'A'}${signature.slice(7)}`;
      const forged = b64url({ ...claims, n: -1 });
      const kind = i % 4 === 3 && i % 8 === 7 ? 'malformed' : ['valid', 'expired', 'tampered', 'forged'][i % 4];
      tokens.push({
        valid: `${header}.${body}.${signature}`, expired: `${header}.${body}.${signature}`, tampered: `${header}.${body}.${flipped}`,
        forged: `${header}.${forged}.${signature}`, malformed: `${header}.${body}.${signature}==`,
      }[kind]);
      expectedCodes.push({ valid: undefined, expired: 'ERR_JWT_EXPIRED', tampered: 'ERR_JWS_SIGNATURE_INVALID',
        forged: 'ERR_JWS_SIGNATURE_INVALID', malformed: 'ERR_JWT_MALFORMED' }[kind]);
    }
    // Odd requests ask for another token's pipe: denied, once the token itself passed.
    const requestFor = (i) => ({ type: 'PIPES:READ', resource: `pipe_${i % 2 ? i + 1 : i}` });
    const claimsFor = (i) => ({ sub: `signed_${i}`, iat: NOW, exp: NOW + 600 });

    reordered.calls = 0;
    let verified;
    let authorized;
    let signed;
    const calls = await withSubtle(async () => {
      [verified, authorized, signed] = await Promise.all([
        Promise.allSettled(tokens.map((token) => verifier.verifyAsync(token))),
        Promise.allSettled(tokens.map((token, i) => verifier.authorizeAsync(token, requestFor(i)))),
        Promise.all(tokens.map((_, i) => signer.signAsync(claimsFor(i)))),
      ]);
    }, { verify: reordered, sign: reordered });

    const reachWebCrypto = expectedCodes.filter((code) => code !== 'ERR_JWT_MALFORMED').length;
    assert.deepEqual(calls, { importKey: 0, sign: tokens.length, verify: 2 * reachWebCrypto });
    tokens.forEach((token, i) => {
      const answer = settledOutcome(verified[i]);
      assert.equal(answer.code, expectedCodes[i], `verifyAsync of token ${i}`);
      assert.deepEqual(answer, outcomeOf(() => verifier.verify(token)), `verifyAsync of token ${i}`);
      if (answer.value) assert.equal(answer.value.payload.n, i);
      const grant = settledOutcome(authorized[i]);
      assert.deepEqual(grant, outcomeOf(() => verifier.authorize(token, requestFor(i))), `authorizeAsync of token ${i}`);
      assert.equal(grant.code, expectedCodes[i] ?? (i % 2 ? 'ERR_SCOPE_DENIED' : undefined), `authorizeAsync of token ${i}`);
      assert.equal(verifier.verify(signed[i]).payload.sub, `signed_${i}`, `signAsync ${i}`);
      if (DETERMINISTIC.has(alg)) assert.equal(signed[i], signer.sign(claimsFor(i)), `signAsync ${i}`);
    });
  });
}

test('an RSA key given as PKCS#1 PEM signs on WebCrypto (Rust hands it over as PKCS#8)', async () => {
  const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' });
  assert.match(pkcs1, /BEGIN RSA PRIVATE KEY/);
  let token;
  const calls = await withSubtle(async () => {
    token = await webEntry.createSigner({ privateKey: pkcs1, ttlSeconds: 60 }).signAsync(fixedClaims);
  });
  assert.deepEqual(calls, { importKey: 1, sign: 1, verify: 0 });
  assert.equal(token, nodeEntry.createSigner({ privateKey: rsaKeys.privateKey }).sign(fixedClaims));
});

test('a JWKS verifier checks each token with the key Rust picked by kid', async () => {
  const ec = nodeEntry.generateKeyPair('ES256');
  const ed = nodeEntry.generateKeyPair('EdDSA');
  const jwks = { keys: [{ ...ec.publicJwk, kid: 'ec' }, { ...ed.publicJwk, kid: 'ed' }] };
  const verifier = webEntry.createVerifier({ jwks });
  const ecToken = webEntry.createSigner({ privateKey: ec.privateKey, keyId: 'ec', ttlSeconds: 60 }).sign({ sub: 'ec' });
  const edToken = webEntry.createSigner({ privateKey: ed.privateKey, keyId: 'ed', ttlSeconds: 60 }).sign({ sub: 'ed' });
  assert.equal((await verifier.verifyAsync(ecToken)).payload.sub, 'ec');
  assert.equal((await verifier.verifyAsync(edToken)).payload.sub, 'ed');
  // The EC token relabelled with the Ed25519 key's kid: Rust refuses the algorithm before any signature check.
  const [, body, signature] = ecToken.split('.');
  const relabelled = `${b64url({ alg: 'ES256', kid: 'ed' })}.${body}.${signature}`;
  await sameRefusal(() => verifier.verify(relabelled), () => verifier.verifyAsync(relabelled), 'ERR_JWKS_NO_MATCHING_KEY');
});

test('without Ed25519 in WebCrypto, EdDSA stays on the wasm path with the same tokens and errors', async () => {
  const keys = nodeEntry.generateKeyPair('EdDSA');
  const missingEd25519 = (original, format, data, algorithm, ...rest) =>
    (algorithm?.name === 'Ed25519' ? Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError')) : original(format, data, algorithm, ...rest));
  let token;
  let verifier;
  const calls = await withSubtle(async () => {
    const signer = webEntry.createSigner({ privateKey: keys.privateKey, ttlSeconds: 60 });
    verifier = webEntry.createVerifier({ publicKey: keys.publicKey });
    token = await signer.signAsync(fixedClaims);
    assert.deepEqual(await verifier.verifyAsync(token), verifier.verify(token));
    await sameRefusal(() => verifier.verify(`${token}x`), () => verifier.verifyAsync(`${token}x`), 'ERR_JWT_MALFORMED');
  }, { importKey: missingEd25519 });
  assert.deepEqual(calls, { importKey: 2, sign: 0, verify: 0 });
  assert.equal(token, nodeEntry.createSigner({ privateKey: keys.privateKey }).sign(fixedClaims));
});

test('a WebCrypto call that fails gives the sync path\'s answer, never a DOMException', async () => {
  const keys = nodeEntry.generateKeyPair('ES256');
  const broken = () => Promise.reject(new DOMException('simulated failure', 'OperationError'));
  const signer = webEntry.createSigner({ privateKey: keys.privateKey, ttlSeconds: 60 });
  const verifier = webEntry.createVerifier({ publicKey: keys.publicKey });
  const good = signer.sign({ sub: 'a' });
  const tampered = `${good.slice(0, -4)}${good.at(-4) === 'A' ? 'B' : 'A'}${good.slice(-3)}`;
  const calls = await withSubtle(async () => {
    const token = await signer.signAsync({ sub: 'b' });
    assert.equal(verifier.verify(token).payload.sub, 'b');
    assert.deepEqual(await verifier.verifyAsync(good), verifier.verify(good));
    await sameRefusal(() => verifier.verify(tampered), () => verifier.verifyAsync(tampered), 'ERR_JWS_SIGNATURE_INVALID');
  }, { sign: broken, verify: broken });
  assert.deepEqual(calls, { importKey: 0, sign: 1, verify: 2 });
});

test('authorizeAsync: authorize\'s grant and errors, with the signature checked on WebCrypto', async () => {
  const keys = nodeEntry.generateKeyPair('ES256');
  const verifier = webEntry.createVerifier({ publicKey: keys.publicKey });
  const token = nodeEntry.createSigner({ privateKey: keys.privateKey, ttlSeconds: 600 }).sign({
    workspace_id: 'w',
    scopes: [{ type: 'PIPES:READ', resource: 'top_pages', fixed_params: { org: 'acme' } }],
  });
  const request = { type: 'PIPES:READ', resource: 'top_pages', params: { org: 'other', day: '2026-01-01' } };
  const [header, body, signature] = token.split('.');
  const widened = { ...JSON.parse(Buffer.from(body, 'base64url')), scopes: [{ type: 'PIPES:READ', resource: 'top_pages' }] };
  const tampered = `${header}.${b64url(widened)}.${signature}`;
  const late = webEntry.createVerifier({ publicKey: keys.publicKey, currentTime: new Date(Date.now() + 3600e3) });
  const calls = await withSubtle(async () => {
    const grant = await verifier.authorizeAsync(token, request);
    assert.deepEqual(grant, verifier.authorize(token, request));
    assert.equal(grant.params.org, 'acme');
    for (const [checking, bad, asked, code] of [
      [verifier, token, { type: 'PIPES:READ', resource: 'other_pipe' }, 'ERR_SCOPE_DENIED'],
      [verifier, token, { type: 'PIPES:READ', resource: 'top_pages', params: { day: Number.NaN } }, 'ERR_INVALID_OPTION'],
      [verifier, tampered, request, 'ERR_JWS_SIGNATURE_INVALID'],
      [late, token, request, 'ERR_JWT_EXPIRED'],
    ]) {
      await sameRefusal(() => checking.authorize(bad, asked), () => checking.authorizeAsync(bad, asked), code);
    }
  });
  // The grant, the denied scope, the tampered token and the expired one reach WebCrypto; the NaN request does not.
  assert.deepEqual(calls, { importKey: 0, sign: 0, verify: 4 });
});

test('signAsync reads the claims when called and refuses what sign refuses', async () => {
  const keys = nodeEntry.generateKeyPair('ES256');
  const signer = webEntry.createSigner({ privateKey: keys.privateKey, ttlSeconds: 60 });
  const claims = { sub: 'before' };
  const pending = signer.signAsync(claims); // the key import is still under way
  claims.sub = 'after';
  assert.equal(webEntry.decode(await pending).payload.sub, 'before');
  for (const [claimsGiven, options, code] of [
    [{ n: Number.NaN }, undefined, 'ERR_INVALID_OPTION'],
    [{ exp: NOW + 60 }, { expiresAt: NOW + 120 }, 'ERR_INVALID_OPTION'],
    [{}, { header: { alg: 'none' } }, 'ERR_INVALID_OPTION'],
    ['not claims', undefined, 'ERR_INVALID_OPTION'],
  ]) {
    await sameRefusal(() => signer.sign(claimsGiven, options), () => signer.signAsync(claimsGiven, options), code);
  }
});

test('HMAC: signAsync and verifyAsync are the sync wasm path, byte for byte', async () => {
  const secret = 'a-secret-of-at-least-32-bytes-for-hs256!';
  const calls = await withSubtle(async () => {
    const signer = webEntry.createSigner({ secret, ttlSeconds: 60 });
    const verifier = webEntry.createVerifier({ secret });
    const token = await signer.signAsync(fixedClaims);
    assert.equal(token, signer.sign(fixedClaims));
    const current = await signer.signAsync({ sub: 'now' });
    assert.deepEqual(await verifier.verifyAsync(current), verifier.verify(current));
  });
  assert.deepEqual(calls, { importKey: 0, sign: 0, verify: 0 });
});

test('verifyAsync shares the cache with verify', async () => {
  const keys = nodeEntry.generateKeyPair('ES256');
  const verifier = webEntry.createVerifier({ publicKey: keys.publicKey, cache: true });
  const token = webEntry.createSigner({ privateKey: keys.privateKey, ttlSeconds: 60 }).sign({ sub: 'cached' });
  const first = await verifier.verifyAsync(token);
  const calls = await withSubtle(async () => {
    assert.equal(await verifier.verifyAsync(token), first);
    assert.equal(verifier.verify(token), first);
  });
  assert.deepEqual(calls, { importKey: 0, sign: 0, verify: 0 });
});

test('the Node entry: signAsync / verifyAsync wrap the node:crypto path (same bytes, no WebCrypto)', async () => {
  const keys = nodeEntry.generateKeyPair('EdDSA');
  const calls = await withSubtle(async () => {
    const signer = nodeEntry.createSigner({ privateKey: keys.privateKey, ttlSeconds: 60 });
    const token = await signer.signAsync(fixedClaims);
    assert.equal(token, signer.sign(fixedClaims));
    const verifier = nodeEntry.createVerifier({ publicKey: keys.publicKey, currentTime: NOW });
    assert.deepEqual(await verifier.verifyAsync(token), verifier.verify(token));
  });
  assert.deepEqual(calls, { importKey: 0, sign: 0, verify: 0 });
});

// A remote key set (jwksUrl) on the universal entry: the fetched keys verify on WebCrypto too.
const ec = nodeEntry.generateKeyPair('ES256');
const server = http.createServer((request, response) => {
  response.setHeader('connection', 'close');
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ keys: [{ ...ec.publicJwk, kid: 'remote' }] }));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
after(() => server.close());

test('jwksUrl: verifyAsync / authorizeAsync fetch the set and check signatures on WebCrypto', async () => {
  const token = nodeEntry.createSigner({ privateKey: ec.privateKey, keyId: 'remote', ttlSeconds: 60 }).sign({ sub: 'remote' });
  const verifier = webEntry.createVerifier({ jwksUrl: `http://127.0.0.1:${server.address().port}/jwks` });
  const calls = await withSubtle(async () => {
    assert.equal((await verifier.verifyAsync(token)).payload.sub, 'remote');
    const forged = `${token.slice(0, -4)}${token.at(-4) === 'A' ? 'B' : 'A'}${token.slice(-3)}`;
    await sameRefusal(() => verifier.verify(forged), () => verifier.verifyAsync(forged), 'ERR_JWS_SIGNATURE_INVALID');
    await sameRefusal(() => verifier.authorize(token, { type: 'PIPES:READ', resource: 'p' }),
      () => verifier.authorizeAsync(token, { type: 'PIPES:READ', resource: 'p' }), 'ERR_SCOPE_DENIED');
  });
  assert.deepEqual(calls, { importKey: 1, sign: 0, verify: 3 });
});
