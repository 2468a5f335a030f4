// On Node, asymmetric signatures run on node:crypto; everywhere else on the
// wasm core. Tokens from either path must verify on the other, and a forged
// signature must fail on both. The universal entry is the wasm-only path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify as cryptoVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import * as nodeEntry from 'scopemint';
import * as wasmEntry from '../../pkg/dist/universal.mjs';
import { b64url } from './helpers.mjs';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaKeys = {
  privateKey: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  publicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }),
};
const paths = { native: nodeEntry, wasm: wasmEntry };

for (const alg of ['ES256', 'ES384', 'EdDSA', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']) {
  const keys = alg.startsWith('E') ? nodeEntry.generateKeyPair(alg) : rsaKeys;
  for (const [signedBy, signing] of Object.entries(paths)) {
    for (const [checkedBy, checking] of Object.entries(paths)) {
      test(`${alg}: signed on ${signedBy}, verified on ${checkedBy}`, () => {
        const signer = signing.createSigner({ privateKey: keys.privateKey, algorithm: alg, ttlSeconds: 60 });
        const verifier = checking.createVerifier({ publicKey: keys.publicKey, algorithms: [alg] });
        const token = signer.sign({ sub: 'user_1', org: 'acme' });
        assert.equal(verifier.verify(token).payload.org, 'acme');

        const [header, payload, signature] = token.split('.');
        const flipped = signature[5] === 'A' ? 'B' : 'A';
        const forged = `${header}.${payload}.${signature.slice(0, 5)}${flipped}${signature.slice(6)}`;
        assert.throws(() => verifier.verify(forged), { code: 'ERR_JWS_SIGNATURE_INVALID' });
        // Claims are still Rust's job on the native path.
        const late = checking.createVerifier({ publicKey: keys.publicKey, algorithms: [alg], currentTime: new Date(Date.now() + 3600e3) });
        assert.throws(() => late.verify(token), { code: 'ERR_JWT_EXPIRED' });

        // authorize checks the signature on the same path as verify.
        const scoped = signer.sign({ scopes: [{ type: 'PIPES:READ', resource: 'orders' }] });
        const request = { type: 'PIPES:READ', resource: 'orders' };
        assert.equal(verifier.authorize(scoped, request).resource, 'orders');
        const [scopedHeader, scopedPayload, scopedSignature] = scoped.split('.');
        const scopedFlipped = scopedSignature[5] === 'A' ? 'B' : 'A';
        const scopedForged = `${scopedHeader}.${scopedPayload}.${scopedSignature.slice(0, 5)}${scopedFlipped}${scopedSignature.slice(6)}`;
        assert.throws(() => verifier.authorize(scopedForged, request), { code: 'ERR_JWS_SIGNATURE_INVALID' });
        assert.throws(() => late.authorize(scoped, request), { code: 'ERR_JWT_EXPIRED' });
      });
    }
  }
}

test('native verification refuses non-canonical signature encodings like the wasm path', () => {
  const keys = nodeEntry.generateKeyPair('ES256');
  const token = nodeEntry.createSigner({ privateKey: keys.privateKey, ttlSeconds: 60 }).sign({});
  for (const entry of Object.values(paths)) {
    const verifier = entry.createVerifier({ publicKey: keys.publicKey });
    assert.throws(() => verifier.verify(`${token}==`), { code: 'ERR_JWT_MALFORMED' });
    assert.throws(() => verifier.verify(`${token.slice(0, -2)}+/`), { code: 'ERR_JWT_MALFORMED' });
  }
});

// Degenerate public keys: refused at import with ERR_KEY_INVALID on both
// paths. Rust validates every key it parses, so node:crypto only ever sees
// keys that passed; each test first shows the attack is real with
// node:crypto itself, so the refusal is what stops it.
const rsaJwk = rsa.publicKey.export({ format: 'jwk' });
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** An RS256 token "signed" for an e = 1 key: the signature is the padded digest itself. */
function forgedRs256(jwk, payload) {
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  const modulusBytes = Buffer.from(jwk.n, 'base64url').length;
  const digest = createHash('sha256').update(input).digest();
  const tail = Buffer.concat([Buffer.from([0]), SHA256_DIGEST_INFO, digest]);
  const encoded = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(modulusBytes - 2 - tail.length, 0xff), tail]);
  return { token: `${input}.${b64url(encoded)}`, input, signature: encoded };
}

const refusedKey = { name: 'TokenError', code: 'ERR_KEY_INVALID' };

test('RS256 with e = 1: anyone can forge, so the key is refused at import on both paths', () => {
  const weak = { kty: 'RSA', n: rsaJwk.n, e: 'AQ' };
  const forged = forgedRs256(weak, { sub: 'attacker', exp: Math.floor(Date.now() / 1000) + 600 });
  // The forgery is real: OpenSSL accepts it for this key.
  const weakKey = createPublicKey({ key: weak, format: 'jwk' });
  assert.equal(cryptoVerify('sha256', Buffer.from(forged.input), weakKey, forged.signature), true);
  for (const [path, entry] of Object.entries(paths)) {
    for (const publicKey of [weak, weakKey.export({ type: 'spki', format: 'pem' }), weakKey.export({ type: 'pkcs1', format: 'pem' })]) {
      assert.throws(() => entry.createVerifier({ publicKey, algorithms: ['RS256'] }), refusedKey, `${path}: ${typeof publicKey}`);
    }
    assert.throws(() => entry.createVerifier({ jwks: { keys: [{ ...weak, kid: 'k' }] } }), refusedKey, `${path}: jwks`);
  }
});

test('RSA keys with an even or tiny exponent, or an even modulus, are refused on both paths', () => {
  const n = Buffer.from(rsaJwk.n, 'base64url');
  const evenN = Buffer.from(n);
  evenN[evenN.length - 1] &= 0xfe;
  const cases = {
    'e = 2': { kty: 'RSA', n: rsaJwk.n, e: 'Ag' },
    'e = 65536': { kty: 'RSA', n: rsaJwk.n, e: 'AQAA' },
    'e = 0': { kty: 'RSA', n: rsaJwk.n, e: 'AA' },
    'e = n': { kty: 'RSA', n: rsaJwk.n, e: rsaJwk.n },
    'even n': { kty: 'RSA', n: b64url(evenN), e: 'AQAB' },
  };
  for (const [path, entry] of Object.entries(paths)) {
    for (const [label, publicKey] of Object.entries(cases)) {
      assert.throws(() => entry.createVerifier({ publicKey }), refusedKey, `${path}: ${label}`);
    }
  }
});

// RFC 8032 §5.1.7 decodes A; a small-order A makes [8][S]B = [8]R + [8][k]A
// hold for S = 0 and R = identity, whatever the message.
const SMALL_ORDER_ED25519 = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
];
const NON_CANONICAL_ED25519 = [
  '0100000000000000000000000000000000000000000000000000000000000080', // identity, x = -0
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p + 1
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // y = 2^255 - 1, x < 0
];

test('Ed25519: with the identity as public key one fixed signature verifies anything; all small-order and non-canonical keys are refused on both paths', () => {
  const identity = { kty: 'OKP', crv: 'Ed25519', x: b64url(Buffer.from(SMALL_ORDER_ED25519[0], 'hex')) };
  const fixedSignature = Buffer.concat([Buffer.from(SMALL_ORDER_ED25519[0], 'hex'), Buffer.alloc(32)]); // R = identity, S = 0
  const identityKey = createPublicKey({ key: identity, format: 'jwk' });
  for (const message of ['one payload', 'any other payload']) {
    assert.equal(cryptoVerify(null, Buffer.from(message), identityKey, fixedSignature), true);
  }
  for (const [path, entry] of Object.entries(paths)) {
    for (const hex of [...SMALL_ORDER_ED25519, ...NON_CANONICAL_ED25519]) {
      const publicKey = { kty: 'OKP', crv: 'Ed25519', x: b64url(Buffer.from(hex, 'hex')) };
      assert.throws(() => entry.createVerifier({ publicKey }), refusedKey, `${path}: JWK ${hex}`);
      const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(hex, 'hex')]);
      const pem = `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----\n`;
      assert.throws(() => entry.createVerifier({ publicKey: pem }), refusedKey, `${path}: SPKI ${hex}`);
    }
  }
});

test('an EC point off the curve is a TokenError on both paths, not an OpenSSL error', () => {
  for (const [alg, curve] of [['ES256', 'P-256'], ['ES384', 'P-384']]) {
    const jwk = generateKeyPairSync('ec', { namedCurve: curve }).publicKey.export({ format: 'jwk' });
    const y = Buffer.from(jwk.y, 'base64url');
    y[y.length - 1] ^= 1;
    const publicKey = { ...jwk, y: b64url(y) };
    for (const [path, entry] of Object.entries(paths)) {
      assert.throws(() => entry.createVerifier({ publicKey }), (error) => {
        assert.ok(error instanceof entry.TokenError, `${path} ${alg}: ${error}`);
        assert.equal(error.code, 'ERR_KEY_INVALID');
        assert.match(error.message, /not on the curve/);
        return true;
      });
    }
  }
});

// Valid keys made by other tools keep working on both paths: OpenSSL's
// (tests/fixtures, tests/js/fixtures) and jose's.
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const opensslKeys = [
  ['RS256', '../fixtures/rsa2048-pkcs8.pem', '../fixtures/rsa2048-spki.pem'],
  ['RS256', '../fixtures/rsa2048-pkcs1.pem', '../fixtures/rsa2048-pkcs1-public.pem'],
  ['ES256', '../fixtures/p256-sec1.pem', '../fixtures/p256-spki.pem'],
  ['ES256', 'fixtures/p256-sec1-with-params.pem', undefined],
  ['ES384', '../fixtures/p384-sec1.pem', undefined],
  ['EdDSA', '../fixtures/ed25519-pkcs8.pem', undefined],
  ['RS256', 'fixtures/rsa2048-cert-key.pem', 'fixtures/rsa2048-cert.pem'],
  ['ES256', 'fixtures/p256-cert-key.pem', 'fixtures/p256-cert.pem'],
  ['ES384', 'fixtures/p384-cert-key.pem', 'fixtures/p384-cert.pem'],
  ['EdDSA', 'fixtures/ed25519-cert-key.pem', 'fixtures/ed25519-cert.pem'],
];

for (const [alg, privateFile, publicFile] of opensslKeys) {
  test(`OpenSSL ${privateFile.split('/').pop()} signs and verifies on both paths`, () => {
    const privateKey = readFileSync(here(privateFile), 'utf8');
    const publicKey = publicFile === undefined
      ? createPublicKey(privateKey).export({ type: 'spki', format: 'pem' })
      : readFileSync(here(publicFile), 'utf8');
    for (const signing of Object.values(paths)) {
      const token = signing.createSigner({ privateKey, ttlSeconds: 60 }).sign({ sub: 'u' });
      assert.equal(nodeEntry.decode(token).header.alg, alg);
      for (const checking of Object.values(paths)) {
        assert.equal(checking.createVerifier({ publicKey }).verify(token).payload.sub, 'u');
      }
    }
  });
}

for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']) {
  test(`jose-generated ${alg} keys (PKCS#8, SPKI, JWK) work on both paths`, async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    const pkcs8 = await jose.exportPKCS8(privateKey);
    const spki = await jose.exportSPKI(publicKey);
    const jwk = await jose.exportJWK(publicKey);
    const joseToken = await new jose.SignJWT({ sub: 'from-jose' }).setProtectedHeader({ alg }).setExpirationTime('5m').sign(privateKey);
    for (const entry of Object.values(paths)) {
      for (const key of [spki, { ...jwk, alg }]) {
        assert.equal(entry.createVerifier({ publicKey: key, algorithms: [alg] }).verify(joseToken).payload.sub, 'from-jose');
      }
      const ours = entry.createSigner({ privateKey: pkcs8, algorithm: alg, ttlSeconds: 60 }).sign({ sub: 'to-jose' });
      const { payload } = await jose.jwtVerify(ours, publicKey, { algorithms: [alg] });
      assert.equal(payload.sub, 'to-jose');
    }
  });
}
