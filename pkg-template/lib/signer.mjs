// createSigner's object over the wasm Signer. Claims go in and the token comes out as bytes
// through the wasm io buffer (wasm-io.mjs). With `native` (the Node entry), node:crypto
// computes the signature of the signing input Rust built: asymmetric ones, and HMACs when
// Node has crypto.hash. With `web` (the other entries), signAsync does the same for
// asymmetric signatures on WebCrypto (web-crypto.mjs).
import { rethrow, TokenError } from './errors.mjs';
import { claimsJson, optionsJson } from './serialise.mjs';
import { base64urlFromBytes } from './base64.mjs';

export class Signer {
  #inner;
  #io;
  #publicJwk;
  // The WebCrypto key import (web-crypto.mjs keyImport) of the sign function; when it gives
  // none, signAsync signs as sign does.
  #webSign;

  constructor(inner, io, native, web) {
    this.#inner = inner;
    this.#io = io;
    const jwk = inner.publicJwk();
    this.#publicJwk = jwk === undefined ? undefined : JSON.parse(jwk);
    // The key import starts now and is awaited by the first signAsync.
    const pkcs8 = web === undefined ? undefined : inner.webCryptoKey();
    if (pkcs8 !== undefined) this.#webSign = web.signer(pkcs8, inner.algorithm());
    if (native === undefined) return;
    const der = inner.nativeKey();
    const sign = der === undefined ? undefined : native.signer(der, inner.nativeKeyFormat(), inner.algorithm());
    inner.usePlatform({
      sign: (at, length) => sign(io.bytes().subarray(at, at + length)),
      hmac: (digest, digestAt, innerAt, messageEnd) => native.hmac(io.bytes(), digest, digestAt, innerAt, messageEnd),
    }, native.hmac !== undefined);
  }

  get algorithm() {
    return this.#inner.algorithm();
  }

  get keyId() {
    return this.#inner.keyId();
  }

  sign(claims, options) {
    try {
      // Both serialised before anything is written: a toJSON may call back into scopemint.
      const claimsText = claimsJson(claims);
      const optionsText = optionsJson(options, 'sign options');
      return this.#signText(claimsText, optionsText);
    } catch (error) {
      rethrow(error);
    }
  }

  #signText(claimsText, optionsText) {
    const io = this.#io;
    return io.token(io.check(this.#inner.signIo(io.write(claimsText), optionsText)));
  }

  // The token sign() would give, as a Promise. The claims are read at the call, not after the
  // key import it may wait for. Rust builds the signing input in the io buffer; WebCrypto signs
  // a copy of it, as other calls use the buffer while this one waits.
  async signAsync(claims, options) {
    if (this.#webSign === undefined) return this.sign(claims, options);
    const claimsText = claimsJson(claims);
    const optionsText = optionsJson(options, 'sign options');
    const webSign = this.#webSign.done ?? (await this.#webSign.promise);
    if (webSign) {
      let input;
      let bytes;
      try {
        const length = this.#io.check(this.#inner.signingInputIo(this.#io.write(claimsText), optionsText));
        bytes = this.#io.textBytes(length);
        input = this.#io.token(length);
      } catch (error) {
        rethrow(error);
      }
      let signature;
      try {
        signature = await webSign(bytes);
      } catch {
        // WebCrypto failed: the wasm path below signs instead.
      }
      if (signature !== undefined) return `${input}.${base64urlFromBytes(new Uint8Array(signature))}`;
    }
    try {
      return this.#signText(claimsText, optionsText);
    } catch (error) {
      rethrow(error);
    }
  }

  publicJwk() {
    if (this.#publicJwk === undefined) {
      throw new TokenError('ERR_KEY_INVALID', 'an HMAC signer has no public key');
    }
    return { ...this.#publicJwk };
  }

  jwks() {
    return { keys: [this.publicJwk()] };
  }

  publicKey() {
    const pem = this.#inner.publicKeyPem();
    if (pem === undefined) throw new TokenError('ERR_KEY_INVALID', 'an HMAC signer has no public key');
    return pem;
  }

  #profile(method, params) {
    try {
      return this.#inner.signProfile(method, claimsJson(params, method));
    } catch (error) {
      rethrow(error);
    }
  }

  // Vizzly (@vizzly/auth): each returns the token string.
  signDashboardAccessToken(params) {
    return this.#profile('signDashboardAccessToken', params);
  }

  signDataAccessToken(params) {
    return this.#profile('signDataAccessToken', params);
  }

  signQueryEngineAccessToken(params) {
    return this.#profile('signQueryEngineAccessToken', params);
  }

  signProjectAccessToken(params) {
    return this.#profile('signProjectAccessToken', params);
  }

  signVizzlyConfig(config) {
    return this.#profile('signVizzlyConfig', config);
  }

  generateTokens(identityConfig) {
    return JSON.parse(this.#profile('generateTokens', identityConfig));
  }

  // Tinybird: returns { token }, like the Tinybird SDK.
  createJWT(params) {
    return JSON.parse(this.#profile('createJWT', params));
  }

  // Embeddable-style self-issued security token: returns { token }.
  signSecurityToken(params) {
    return JSON.parse(this.#profile('signSecurityToken', params));
  }
}
