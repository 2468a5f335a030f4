// createSigner's object over the wasm Signer. With `native` (the Node entry), Rust builds the
// signing input and node:crypto computes the asymmetric signature; with `web` (the other
// entries, and Bun), signAsync does the same on WebCrypto (web-crypto.mjs).
import { rethrow, TokenError } from './errors.mjs';
import { claimsJson, optionsJson } from './serialise.mjs';

export class Signer {
  #inner;
  #publicJwk;
  #nativeSign;
  // A Promise of the WebCrypto sign function, or of undefined: then signAsync signs in wasm.
  #webSign;

  constructor(inner, native, web) {
    this.#inner = inner;
    const jwk = inner.publicJwk();
    this.#publicJwk = jwk === undefined ? undefined : JSON.parse(jwk);
    const der = native === undefined ? undefined : inner.nativeKey();
    if (der !== undefined) this.#nativeSign = native.signer(der, inner.nativeKeyFormat(), inner.algorithm());
    // The key import starts now and is awaited by the first signAsync.
    const pkcs8 = web === undefined ? undefined : inner.webCryptoKey();
    if (pkcs8 !== undefined) this.#webSign = web.signer(pkcs8, inner.algorithm());
  }

  get algorithm() {
    return this.#inner.algorithm();
  }

  get keyId() {
    return this.#inner.keyId();
  }

  sign(claims, options) {
    try {
      if (this.#nativeSign !== undefined) {
        const input = this.#inner.signingInput(claimsJson(claims), optionsJson(options, 'sign options'));
        return `${input}.${this.#nativeSign(input)}`;
      }
      return this.#inner.sign(claimsJson(claims), optionsJson(options, 'sign options'));
    } catch (error) {
      rethrow(error);
    }
  }

  // The token sign() would give, as a Promise. The claims are read at the call, not after the
  // key import it may wait for.
  async signAsync(claims, options) {
    if (this.#webSign === undefined) return this.sign(claims, options);
    const claimsText = claimsJson(claims);
    const optionsText = optionsJson(options, 'sign options');
    const webSign = await this.#webSign;
    try {
      if (webSign !== undefined) {
        const input = this.#inner.signingInput(claimsText, optionsText);
        const signature = await webSign(input);
        if (signature !== undefined) return `${input}.${signature}`;
      }
      return this.#inner.sign(claimsText, optionsText);
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
