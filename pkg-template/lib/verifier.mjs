// createVerifier's object over the wasm Verifier: verify (cached when the options ask for
// it) and authorize. The token goes in and the header and payload come out as bytes through
// the wasm io buffer (wasm-io.mjs). With `native` (the Node entry), node:crypto checks
// asymmetric signatures, and computes HMACs when Node has crypto.hash; Rust does everything
// before and after, and compares HMAC tags itself. With `web` (the other entries),
// verifyAsync and authorizeAsync check asymmetric signatures on WebCrypto (web-crypto.mjs).
import { rethrow, TokenError } from './errors.mjs';
import { checkTokenLength, tokenText } from './arguments.mjs';
import { claimsJson } from './serialise.mjs';
import { VerifyCache } from './verify-cache.mjs';

const HEADER_CACHE_SIZE = 8;

// One platform check per key entry, made from the SPKI DER Rust hands over; undefined for
// HMAC keys, which have none.
function checksPerKey(inner, makeCheck) {
  const checks = [];
  for (let index = 0; index < inner.keyCount(); index++) {
    const der = inner.nativeKey(index);
    checks.push(der === undefined ? undefined : makeCheck(der, inner.keyAlgorithm(index)));
  }
  return checks;
}

export class Verifier {
  #inner;
  #io;
  #cache;
  #maxTokenBytes;
  // Header JSON text -> its parsed object, when every member is a primitive (a copy is
  // then the same as a fresh parse); one signer always emits the same header.
  #headers = new Map();
  // One WebCrypto key import (web-crypto.mjs keyImport) of a check function per key entry
  // (undefined for HMAC keys), or undefined without WebCrypto.
  #webChecks;

  constructor(inner, io, native, web) {
    this.#inner = inner;
    this.#io = io;
    const capacity = inner.cacheCapacity();
    this.#maxTokenBytes = inner.maxTokenBytes();
    this.#cache = capacity > 0 ? new VerifyCache(capacity) : undefined;
    if (web !== undefined) {
      // The key imports start now and are awaited by the first verifyAsync that needs each.
      const checks = checksPerKey(inner, web.verifier);
      if (checks.some((check) => check !== undefined)) this.#webChecks = checks;
    }
    if (native !== undefined) {
      // One check per key entry (undefined for HMAC keys, which Rust never sends here).
      const checks = checksPerKey(inner, native.verifier);
      inner.usePlatform({
        verify: (index, inputAt, inputLength, signatureAt, signatureLength) => {
          const bytes = io.bytes();
          return checks[index](bytes.subarray(inputAt, inputAt + inputLength), bytes.subarray(signatureAt, signatureAt + signatureLength));
        },
        hmac: (digest, digestAt, innerAt, messageEnd) => native.hmac(io.bytes(), digest, digestAt, innerAt, messageEnd),
      }, native.hmac !== undefined);
    }
  }

  #header(text) {
    const known = this.#headers.get(text);
    if (known !== undefined) return { ...known };
    const header = JSON.parse(text);
    if (Object.values(header).every((member) => member === null || typeof member !== 'object')) {
      if (this.#headers.size >= HEADER_CACHE_SIZE) this.#headers.delete(this.#headers.keys().next().value);
      this.#headers.set(text, header);
      return { ...header };
    }
    return header;
  }

  // Rust's checks before the signature, then WebCrypto's check of it: resolves to true, or
  // to undefined when this token's key has no WebCrypto check (HMAC, or a key WebCrypto could
  // not take) or WebCrypto failed: then the caller takes the synchronous path. What WebCrypto
  // reads (signing input, signature Rust decoded) is copied out of the io buffer first, as
  // other calls use it while this one waits.
  async #webVerdict(text) {
    let index;
    try {
      index = this.#io.check(this.#inner.startIo(this.#io.write(text)));
    } catch (error) {
      rethrow(error);
    }
    const [input, signature] = this.#io.byteParts();
    const pending = this.#webChecks[index];
    const check = pending?.done ?? (await pending?.promise);
    if (!check) return undefined;
    let valid;
    try {
      valid = await check(input, signature);
    } catch {
      return undefined;
    }
    if (!valid) throw new TokenError('ERR_JWS_SIGNATURE_INVALID', 'signature verification failed');
    return true;
  }

  get algorithms() {
    return this.#inner.algorithms();
  }

  // Verifies, then matches the request against the token's scopes (always uncached:
  // rate limits count every call).
  authorize(token, request) {
    try {
      checkTokenLength(token, this.#maxTokenBytes);
      return this.#authorizeText(tokenText(token), claimsJson(request, 'request'));
    } catch (error) {
      rethrow(error);
    }
  }

  // The token goes through the io buffer, as verify's does (so node:crypto can check its
  // signature there); it is written only after the request is serialised, since a toJSON
  // may call back into scopemint.
  #authorizeText(text, requestText) {
    return JSON.parse(this.#inner.authorize(this.#io.write(text), requestText));
  }

  // The same answers as verify / authorize, as Promises: one API whether
  // the keys are local or fetched from a jwksUrl.
  async verifyAsync(token) {
    if (this.#webChecks === undefined) return this.verify(token);
    checkTokenLength(token, this.#maxTokenBytes);
    const cached = this.#cache?.get(token);
    if (cached !== undefined) return cached;
    const text = tokenText(token);
    if ((await this.#webVerdict(text)) === undefined) return this.verify(token);
    try {
      // The token again: calls made during the await may have reused the io buffer.
      return this.#verified(token, this.#io.check(this.#inner.finishIo(this.#io.write(text))));
    } catch (error) {
      rethrow(error);
    }
  }

  async authorizeAsync(token, request) {
    if (this.#webChecks === undefined) return this.authorize(token, request);
    checkTokenLength(token, this.#maxTokenBytes);
    // Read in authorize's order, before the first await.
    const text = tokenText(token);
    const requestText = claimsJson(request, 'request');
    const onWebCrypto = (await this.#webVerdict(text)) !== undefined;
    try {
      return onWebCrypto ? JSON.parse(this.#inner.authorizeFinishIo(this.#io.write(text), requestText)) : this.#authorizeText(text, requestText);
    } catch (error) {
      rethrow(error);
    }
  }

  verify(token) {
    checkTokenLength(token, this.#maxTokenBytes);
    const cached = this.#cache?.get(token);
    if (cached !== undefined) return cached;
    try {
      return this.#verified(token, this.#io.check(this.#inner.verifyIo(this.#io.write(tokenText(token)))));
    } catch (error) {
      rethrow(error);
    }
  }

  // The header and payload a verify call left in the io buffer, as verify's result, cached
  // until `validUntil` (Rust says how long the token stays valid; NaN: never cache it).
  #verified(token, validUntil) {
    const [header, payload] = this.#io.parts();
    const result = { header: this.#header(header), payload: JSON.parse(payload) };
    this.#cache?.remember(token, result, validUntil);
    return result;
  }
}
