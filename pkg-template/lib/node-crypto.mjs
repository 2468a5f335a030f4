// Node only: asymmetric signatures on node:crypto (OpenSSL), several times
// faster than the same maths in WebAssembly. Keys arrive as DER that Rust
// produced from the user's key and are turned into KeyObjects once. Rust has
// already chosen the algorithm and key; this file only computes signatures.
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
    signer(der, format, algorithm) {
      const key = importKey(crypto.createPrivateKey, { key: Buffer.from(der), format: 'der', type: format });
      const options = keyOptions(algorithm, key);
      const digest = DIGEST[algorithm];
      return (input) => crypto.sign(digest, Buffer.from(input, 'latin1'), options).toString('base64url');
    },

    // A WebCrypto CryptoKey as a KeyObject, so keys.mjs can export it synchronously.
    keyObjectFrom(cryptoKey) {
      return crypto.KeyObject.from(cryptoKey);
    },

    verifier(der, algorithm) {
      const key = importKey(crypto.createPublicKey, { key: Buffer.from(der), format: 'der', type: 'spki' });
      const options = keyOptions(algorithm, key);
      const digest = DIGEST[algorithm];
      // Rust has checked the signature segment is canonical base64url.
      return (input, signature) => {
        try {
          return crypto.verify(digest, Buffer.from(input, 'latin1'), options, Buffer.from(signature, 'base64url'));
        } catch {
          return false; // e.g. a P1363 signature of the wrong length
        }
      };
    },
  };
}
