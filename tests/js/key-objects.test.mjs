// Keys users already hold (Node KeyObject, WebCrypto CryptoKey), jose's
// decodeProtectedHeader, and the verifier's allowShortSecret migration aid,
// each checked against an independent implementation (jose, jsonwebtoken).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSecretKey, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import * as jose from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { createSigner, createVerifier, decodeProtectedHeader } from 'scopemint';
import { isCode } from './helpers.mjs';


test('KeyObjects sign and verify, interoperating with jose on the same KeyObjects', async () => {
  for (const [type, options, algorithm] of [
    ['ec', { namedCurve: 'P-256' }, 'ES256'],
    ['ec', { namedCurve: 'P-384' }, 'ES384'],
    ['ed25519', {}, 'EdDSA'],
    ['rsa', { modulusLength: 2048 }, 'RS256'],
  ]) {
    const { privateKey, publicKey } = generateKeyPairSync(type, options);
    const token = createSigner({ privateKey, algorithm, ttlSeconds: 60 }).sign({ sub: algorithm });
    assert.equal((await jose.jwtVerify(token, publicKey)).payload.sub, algorithm);
    const theirs = await new jose.SignJWT({ sub: 'jose' }).setProtectedHeader({ alg: algorithm }).setExpirationTime('1m').sign(privateKey);
    assert.equal(createVerifier({ publicKey }).verify(theirs).payload.sub, 'jose');
  }
});

test('a secret KeyObject is an HMAC secret; the wrong kind of key in a slot is refused', () => {
  const secret = createSecretKey(randomBytes(32));
  const token = createSigner({ secret, ttlSeconds: 60 }).sign({ sub: 's' });
  assert.equal(createVerifier({ secret }).verify(token).payload.sub, 's');
  assert.equal(jsonwebtoken.verify(token, secret.export()).sub, 's');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.throws(() => createSigner({ privateKey: secret }), (e) => isCode('ERR_KEY_INVALID')(e) && e.claim === 'privateKey');
  assert.throws(() => createSigner({ secret: privateKey }), (e) => isCode('ERR_KEY_INVALID')(e) && e.claim === 'secret');
  assert.throws(() => createVerifier({ secret: publicKey }), isCode('ERR_KEY_INVALID'));
  // A private key where a public one belongs: refused, as the same key in PEM is.
  assert.throws(() => createVerifier({ publicKey: privateKey }), isCode('ERR_KEY_INVALID'));
  // Short secrets stay short whatever holds them.
  assert.throws(() => createSigner({ secret: createSecretKey(randomBytes(16)) }), isCode('ERR_KEY_INVALID'));
});

test('extractable CryptoKeys are read once at creation; non-extractable ones get a clear error', async () => {
  const { subtle } = webcrypto;
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const token = createSigner({ privateKey: pair.privateKey, ttlSeconds: 60 }).sign({ sub: 'webcrypto' });
  assert.equal(createVerifier({ publicKey: pair.publicKey }).verify(token).payload.sub, 'webcrypto');
  assert.equal((await jose.jwtVerify(token, pair.publicKey)).payload.sub, 'webcrypto');
  const hmac = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
  const hsToken = createSigner({ secret: hmac, ttlSeconds: 60 }).sign({ sub: 'hmac' });
  assert.equal((await jose.jwtVerify(hsToken, hmac)).payload.sub, 'hmac');
  const locked = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  assert.throws(() => createSigner({ privateKey: locked.privateKey }), (e) =>
    isCode('ERR_KEY_INVALID')(e) && e.claim === 'privateKey' && /not extractable/.test(e.message));
  // A public CryptoKey is always extractable; a non-extractable HMAC key is not.
  const lockedHmac = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  assert.throws(() => createVerifier({ secret: lockedHmac }), (e) => isCode('ERR_KEY_INVALID')(e) && /extractable/.test(e.message));
});

test('decodeProtectedHeader reads what jose reads, and refuses what is not a compact token', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jws = await new jose.SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'JWT' }).sign(privateKey);
  assert.deepEqual(decodeProtectedHeader(jws), jose.decodeProtectedHeader(jws));
  const secret = new Uint8Array(32);
  const jwe = await new jose.CompactEncrypt(new TextEncoder().encode('x')).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'e1' }).encrypt(secret);
  assert.deepEqual(decodeProtectedHeader(jwe), jose.decodeProtectedHeader(jwe));
  for (const bad of ['', 'abc', 'a.b', `${jws}.x`, `${Buffer.from('[1]').toString('base64url')}.e30.x`]) {
    assert.throws(() => decodeProtectedHeader(bad), isCode('ERR_JWT_MALFORMED'), bad);
    assert.throws(() => jose.decodeProtectedHeader(bad), undefined, bad);
  }
  // Stricter than jose: duplicate names are refused, as everywhere in scopemint.
  const duplicate = `${Buffer.from('{"alg":"HS256","alg":"none"}').toString('base64url')}.e30.x`;
  assert.throws(() => decodeProtectedHeader(duplicate), isCode('ERR_JWT_MALFORMED'));
  assert.throws(() => decodeProtectedHeader(42), isCode('ERR_JWT_MALFORMED'));
  assert.throws(() => decodeProtectedHeader('a'.repeat(20), { maxTokenBytes: 10 }), isCode('ERR_TOKEN_TOO_LARGE'));
});

test('allowShortSecret verifies a legacy short-secret token (signed by jsonwebtoken); signing still refuses', () => {
  const short = 'legacy-secret';
  const token = jsonwebtoken.sign({ sub: 'legacy' }, short, { algorithm: 'HS256', expiresIn: 60 });
  assert.throws(() => createVerifier({ secret: short }), isCode('ERR_KEY_INVALID'));
  assert.equal(createVerifier({ secret: short, allowShortSecret: true }).verify(token).payload.sub, 'legacy');
  assert.throws(() => createVerifier({ secret: 'other', allowShortSecret: true }).verify(token), isCode('ERR_JWS_SIGNATURE_INVALID'));
  assert.throws(() => createSigner({ secret: short, allowShortSecret: true }), isCode('ERR_INVALID_OPTION'));
  assert.throws(() => createSigner({ secret: short }), isCode('ERR_KEY_INVALID'));
});

test('entries without node:crypto refuse a CryptoKey with a message naming the Node entry', async () => {
  const universal = await import('../../pkg/dist/universal.mjs');
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  assert.throws(() => universal.createSigner({ privateKey: pair.privateKey }), (e) =>
    e.code === 'ERR_KEY_INVALID' && /Node entry/.test(e.message) && /exportKey/.test(e.message));
  // What the message suggests works there.
  const jwk = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
  const token = universal.createSigner({ privateKey: jwk, ttlSeconds: 60 }).sign({ sub: 'jwk' });
  assert.equal(createVerifier({ publicKey: pair.publicKey }).verify(token).payload.sub, 'jwk');
});
