// Node only: asymmetric signatures on node:crypto (OpenSSL), several times
// faster than the same maths in WebAssembly, and the inner hash of HMAC from
// `crypto.hash` over the keyed block Rust lays out (Node >= 20.12 / 21.7;
// older Nodes keep HMAC in wasm). Keys arrive as DER that Rust produced from the user's
// key and are turned into KeyObjects once. Rust has already chosen the
// algorithm and key, and compares HMAC tags itself; this file only computes
// signatures and digests, reading and writing wasm memory (wasm-io.mjs).
// The Node entry passes node:crypto in, so no other entry imports it.
import { Buffer } from 'node:buffer';
import { TokenError } from './errors.mjs';

export function createNodeCrypto(crypto) {
  const DIGEST = {
    RS256: 'sha256', RS384: 'sha384', RS512: 'sha512',
    PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
    ES256: 'sha256', ES384: 'sha384',
    EdDSA: null,
  };
  // By digest length: the hash of HS256, HS384, HS512.
  const HMAC_HASH = { 32: 'sha256', 48: 'sha384', 64: 'sha512' };
  const hash = typeof crypto.hash === 'function' ? crypto.hash : undefined;

  // Rust has validated every key it hands over, so OpenSSL refusing one is a
  // bug; it still surfaces as a TokenError, never as a raw OpenSSL error.
  function importKey(create, options) {
    try {
      return create(options);
    } catch (error) {
      throw new TokenError('ERR_KEY_INVALID', `node:crypto could not import the key: ${error.message}`);
    }
  }

  function keyOptions(algorithm, key) {
    if (algorithm.startsWith('PS')) {
      return { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST };
    }
    // JWS carries ECDSA signatures as raw r||s, not DER.
    if (algorithm.startsWith('ES')) return { key, dsaEncoding: 'ieee-p1363' };
    return key;
  }

  return {
    // Buffer's UTF-8 codec on wasm memory (see wasm-io.mjs).
    codec: {
      view: (memory) => Buffer.from(memory.buffer),
      write: (bytes, text, at, room) => bytes.write(text, at, room, 'utf8'),
      utf8: (bytes, start, end) => bytes.toString('utf8', start, end),
      ascii: (bytes, start, end) => bytes.toString('latin1', start, end),
    },

    // The inner hash of HMAC, H(inner pad ‖ message), over the layout src/wasm/io.rs
    // wrote: [digest slot][inner pad at innerAt][message ... messageEnd). Rust finishes
    // the HMAC and compares tags. Undefined without crypto.hash.
    // The digest comes back as a latin1 string (one character per byte) and is written back
    // as such: Node builds a string about 0.7 us faster than a Buffer (bench/README.md).
    hmac: hash && ((bytes, digest, digestAt, innerAt, messageEnd) => bytes.write(
      hash(HMAC_HASH[digest], new Uint8Array(bytes.buffer, innerAt, messageEnd - innerAt), 'latin1'),
      digestAt,
      'latin1',
    )),

    // input (bytes) -> signature (bytes).
    signer(der, format, algorithm) {
      const key = importKey(crypto.createPrivateKey, { key: Buffer.from(der), format: 'der', type: format });
      const options = keyOptions(algorithm, key);
      const digest = DIGEST[algorithm];
      return (input) => crypto.sign(digest, input, options);
    },

    // A WebCrypto CryptoKey as a KeyObject, so keys.mjs can export it synchronously.
    keyObjectFrom(cryptoKey) {
      return crypto.KeyObject.from(cryptoKey);
    },

    // (input, signature) (bytes) -> whether the signature is valid.
    verifier(der, algorithm) {
      const key = importKey(crypto.createPublicKey, { key: Buffer.from(der), format: 'der', type: 'spki' });
      const options = keyOptions(algorithm, key);
      const digest = DIGEST[algorithm];
      return (input, signature) => {
        try {
          return crypto.verify(digest, input, options, signature);
        } catch {
          return false; // e.g. a P1363 signature of the wrong length
        }
      };
    },
  };
}
