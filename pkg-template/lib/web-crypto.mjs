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

// A key import under way: `promise` of the function that uses the key (of undefined when
// the key stays on the wasm path), and `done`, that function once the import has succeeded,
// so a call made after the import does not wait a turn for it.
function keyImport(promise) {
  const entry = { promise, done: undefined };
  promise.then((use) => { entry.done = use; });
  return entry;
}

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
    // A key import (see keyImport) of sign(input bytes) → Promise of the signature (an
    // ArrayBuffer).
    signer(pkcs8, algorithm) {
      return keyImport(importKey('pkcs8', pkcs8, algorithm, 'sign').then((imported) => imported && ((input) => imported.subtle.sign(imported.use, imported.key, input))));
    },

    // A key import (see keyImport) of check(input bytes, signature bytes) → Promise of
    // true / false.
    verifier(spki, algorithm) {
      return keyImport(importKey('spki', spki, algorithm, 'verify').then((imported) => imported && ((input, signature) => imported.subtle.verify(imported.use, imported.key, signature, input))));
    },
  };
}
