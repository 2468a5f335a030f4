// createVerifier's object over the wasm Verifier: verify (cached when the options ask for
// it) and authorize. With `native` (the Node entry), node:crypto checks asymmetric
// signatures and Rust does everything before and after; with `web` (the other entries,
// and Bun), verifyAsync does the same on WebCrypto (web-crypto.mjs).
import { rethrow, TokenError } from './errors.mjs';
import { checkTokenLength, tokenText } from './arguments.mjs';
import { claimsJson } from './serialise.mjs';
import { VerifyCache } from './verify-cache.mjs';

export class Verifier {
  #inner;
  #cache;
  #maxTokenBytes;

  // One check function per key entry (undefined for HMAC keys), or undefined without native crypto.
  #nativeChecks;
  // One Promise per key entry of its WebCrypto check function (of undefined: that key stays in
  // wasm), or undefined without WebCrypto.
  #webChecks;

  constructor(inner, native, web) {
    this.#inner = inner;
    const capacity = inner.cacheCapacity();
    this.#maxTokenBytes = inner.maxTokenBytes();
    this.#cache = capacity > 0 ? new VerifyCache(capacity) : undefined;
    if (native !== undefined) {
      const checks = [];
      for (let index = 0; index < inner.keyCount(); index++) {
        const der = inner.nativeKey(index);
        checks.push(der === undefined ? undefined : native.verifier(der, inner.keyAlgorithm(index)));
      }
      if (checks.some((check) => check !== undefined)) this.#nativeChecks = checks;
    }
    if (web !== undefined) {
      // The key imports start now and are awaited by the first verifyAsync that needs each.
      const checks = [];
      for (let index = 0; index < inner.keyCount(); index++) {
        const der = inner.nativeKey(index);
        checks.push(der === undefined ? undefined : web.verifier(der, inner.keyAlgorithm(index)));
      }
      if (checks.some((check) => check !== undefined)) this.#webChecks = checks;
    }
  }

  // verify's answer with the signature checked by WebCrypto; undefined when this token's key
  // has no WebCrypto check (HMAC, or a key WebCrypto could not take) or WebCrypto failed.
  async #verifyOnWebCrypto(token) {
    let index;
    try {
      index = this.#inner.startNative(token);
    } catch (error) {
      rethrow(error);
    }
    const check = await this.#webChecks[index];
    if (check === undefined) return undefined;
    const dot = token.lastIndexOf('.');
    const valid = await check(token.slice(0, dot), token.slice(dot + 1));
    if (valid === undefined) return undefined;
    if (!valid) throw new TokenError('ERR_JWS_SIGNATURE_INVALID', 'signature verification failed');
    try {
      return JSON.parse(this.#inner.finishNative(token));
    } catch (error) {
      rethrow(error);
    }
  }

  #verifyUncached(token) {
    if (this.#nativeChecks === undefined) return this.#inner.verify(token);
    const check = this.#nativeChecks[this.#inner.startNative(token)];
    if (check === undefined) return this.#inner.verify(token);
    const dot = token.lastIndexOf('.');
    if (!check(token.slice(0, dot), token.slice(dot + 1))) {
      throw new TokenError('ERR_JWS_SIGNATURE_INVALID', 'signature verification failed');
    }
    return this.#inner.finishNative(token);
  }

  get algorithms() {
    return this.#inner.algorithms();
  }

  // Verifies, then matches the request against the token's scopes (always uncached:
  // rate limits count every call).
  authorize(token, request) {
    try {
      checkTokenLength(token, this.#maxTokenBytes);
      return JSON.parse(this.#inner.authorize(tokenText(token), claimsJson(request, 'request')));
    } catch (error) {
      rethrow(error);
    }
  }

  // The same answers as verify / authorize, as Promises: one API whether
  // the keys are local or fetched from a jwksUrl.
  async verifyAsync(token) {
    if (this.#webChecks === undefined) return this.verify(token);
    checkTokenLength(token, this.#maxTokenBytes);
    const cached = this.#cache?.get(token);
    if (cached !== undefined) return cached;
    const result = await this.#verifyOnWebCrypto(tokenText(token));
    if (result === undefined) return this.verify(token);
    this.#cache?.remember(token, result, this.#inner.lastValidUntil());
    return result;
  }

  async authorizeAsync(token, request) {
    return this.authorize(token, request);
  }

  verify(token) {
    checkTokenLength(token, this.#maxTokenBytes);
    const cached = this.#cache?.get(token);
    if (cached !== undefined) return cached;
    let result;
    try {
      result = JSON.parse(this.#verifyUncached(tokenText(token)));
    } catch (error) {
      rethrow(error);
    }
    // Rust says how long this token stays valid (NaN: never cache it).
    this.#cache?.remember(token, result, this.#inner.lastValidUntil());
    return result;
  }
}
