// Shared helpers for the node:test suites. Tokens built by hand here let the
// tests reach error paths that scopemint's own signer refuses to produce.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export * from '../../pkg/dist/node.mjs';
import { TokenError } from '../../pkg/dist/node.mjs';

/** A fixed clock (2027-01-15T08:00:00Z) so time-dependent tests are exact. */
export const NOW = 1_800_000_000;

export const ALGORITHMS = [
  'HS256', 'HS384', 'HS512',
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'EdDSA',
];

export const HASH_BYTES = { 256: 32, 384: 48, 512: 64 };

export function fixture(name) {
  return readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');
}

/** base64url of bytes, of a string's UTF-8, or of any other value's JSON. */
export function b64url(input) {
  if (input instanceof Uint8Array) return Buffer.from(input).toString('base64url');
  return Buffer.from(typeof input === 'string' ? input : JSON.stringify(input)).toString('base64url');
}

export function unb64url(segment) {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/** A secret of exactly the hash length for an HS* algorithm. */
export function hmacSecret(alg) {
  return randomBytes(HASH_BYTES[alg.slice(2)]);
}

/**
 * An HMAC-signed compact token. `header`/`payload` may be objects or raw
 * already-encoded segments ({ raw: '...' }), or JSON text ({ json: '...' }).
 */
export function hmacToken(secret, header, payload, hash = 'sha256') {
  const segment = (part) => (part.raw !== undefined ? part.raw : part.json !== undefined ? b64url(part.json) : b64url(part));
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

/** Re-signs header+payload with a node:crypto private key (RS256/ES256/EdDSA-style) */
export function keyToken(privateKey, header, payload, { hash = 'sha256', dsaEncoding } = {}) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  const options = { key: privateKey, ...(dsaEncoding ? { dsaEncoding } : {}) };
  return `${input}.${nodeSign(hash, Buffer.from(input), options).toString('base64url')}`;
}

let rsaCache;
/** One 2048-bit RSA key pair per process: generation is the slow part. */
export function rsaKeys() {
  rsaCache ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return rsaCache;
}

export function pem(keyObject, type) {
  return keyObject.export({ format: 'pem', type });
}

/**
 * A validator for assert.throws / assert.rejects: the error is a scopemint
 * TokenError with this code (it asserts, so a mismatch says what was thrown).
 */
export function isCode(code) {
  return (error) => {
    assert.ok(error instanceof TokenError, `not a TokenError: ${error}`);
    assert.equal(error.code, code, `${error.code}: ${error.message}`);
    return true;
  };
}

/** The payload of a compact token, read without verifying. */
export function payloadOf(token) {
  return unb64url(token.split('.')[1]);
}

/** A Date one hour from the real clock (vendor expiries are checked against it). */
export function inAnHour() {
  return new Date(Date.now() + 3600_000);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Asserts that `fn` throws a scopemint TokenError with this code (and claim, when given). */
export function throwsCode(fn, code, claim, label = '') {
  let caught;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  const where = label ? `${label}: ` : '';
  assert.ok(caught !== undefined, `${where}expected ${code}, but nothing was thrown`);
  assert.ok(caught instanceof TokenError, `${where}expected a TokenError, got ${caught?.name}: ${caught?.message}`);
  assert.equal(caught.code, code, `${where}expected ${code}, got ${caught.code}: ${caught.message}`);
  if (claim !== undefined) assert.equal(caught.claim, claim, `${where}claim of: ${caught.message}`);
  return caught;
}

/** Flips one character in the middle of a segment, keeping it valid base64url. */
export function flipChar(segment, at = Math.floor(segment.length / 2)) {
  const c = segment[at];
  const replacement = c === 'A' ? 'B' : 'A';
  return segment.slice(0, at) + replacement + segment.slice(at + 1);
}
