// Outside Node: asymmetric signatures for signAsync / verifyAsync on the platform's
// WebCrypto (crypto.subtle), native code where the wasm maths is several times slower.
// Keys arrive as DER that Rust produced (PKCS#8, SPKI) and are imported once, when the
// signer or verifier is created. Rust has already decided every rule (algorithm, key,
// claims, encodings); this module only computes or checks signature bytes.
//
// Whatever WebCrypto cannot do leaves the caller on the synchronous wasm path, which gives
// the same token or the same error: a key it cannot import (Ed25519 is missing in older
// runtimes) resolves to undefined; a sign or verify call that throws or rejects is the
// caller's to catch (signer.mjs, verifier.mjs). Bytes go in and out as they are (the
// callers copy them out of wasm memory, where Rust decoded the signature to check).

const HASHES = { 256: 'SHA-256', 384: 'SHA-384', 512: 'SHA-512' };

// WebCrypto's names for each JWS algorithm: how to import the key, how to sign with it.
function parametersOf(algorithm) {
  const hash = HASHES[algorithm.slice(2)];
  switch (algorithm.slice(0, 2)) {
    case 'RS':
      return { key: { name: 'RSASSA-PKCS1-v1_5', hash }, use: { name: 'RSASSA-PKCS1-v1_5' } };
    case 'PS':
      // RFC 7518 §3.5: the salt is as long as the hash.
      return { key: { name: 'RSA-PSS', hash }, use: { name: 'RSA-PSS', saltLength: Number(algorithm.slice(2)) / 8 } };
    case 'ES':
      // JWS carries ECDSA signatures as raw r‖s, which is WebCrypto's format too.
      return { key: { name: 'ECDSA', namedCurve: `P-${algorithm.slice(2)}` }, use: { name: 'ECDSA', hash } };
    default:
      return algorithm === 'EdDSA' ? { key: { name: 'Ed25519' }, use: { name: 'Ed25519' } } : undefined;
  }
}

/**
 * `webCrypto` is the runtime's `globalThis.crypto`; undefined without one. Its `subtle` is read
 * at each key import, as a page on an insecure origin has none.
 */
export function createWebCrypto(webCrypto) {
  if (webCrypto === undefined || webCrypto === null) return undefined;

  // A promise of { subtle, key, use }, or of undefined when WebCrypto cannot take this key.
  function importKey(format, der, algorithm, usage) {
    const parameters = parametersOf(algorithm);
    const subtle = webCrypto.subtle;
    if (parameters === undefined || subtle === undefined) return Promise.resolve(undefined);
    let imported;
    try {
      imported = subtle.importKey(format, der, parameters.key, false, [usage]);
    } catch {
      return Promise.resolve(undefined); // an implementation that throws instead of rejecting
    }
    return Promise.resolve(imported).then((key) => ({ subtle, key, use: parameters.use }), () => undefined);
  }

  return {
    // Resolves to sign(input bytes) → Promise of the signature (an ArrayBuffer), or to
    // undefined when this key stays on the wasm path.
    signer(pkcs8, algorithm) {
      return importKey('pkcs8', pkcs8, algorithm, 'sign').then((imported) => imported && ((input) => imported.subtle.sign(imported.use, imported.key, input)));
    },

    // Resolves to check(input bytes, signature bytes) → Promise of true / false, or to
    // undefined when this key stays on the wasm path.
    verifier(spki, algorithm) {
      return importKey('spki', spki, algorithm, 'verify').then((imported) => imported && ((input, signature) => imported.subtle.verify(imported.use, imported.key, signature, input)));
    },
  };
}
