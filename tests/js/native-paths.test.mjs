// On Node, asymmetric signatures run on node:crypto; everywhere else on the
// wasm core. Tokens from either path must verify on the other, and a forged
// signature must fail on both. The universal entry is the wasm-only path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import * as nodeEntry from 'scopemint';
import * as wasmEntry from '../../pkg/dist/universal.mjs';

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
