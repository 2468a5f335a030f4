// createVerifier's object over the wasm Verifier: verify (cached when the options ask for
// it) and authorize. With `native` (the Node entry), node:crypto checks asymmetric
// signatures and Rust does everything before and after.
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

  constructor(inner, native) {
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
    return this.verify(token);
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
