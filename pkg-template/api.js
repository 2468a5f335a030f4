// The public JS API over the wasm core. It only adapts types: objects become
// JSON text on the way in, JSON text becomes objects on the way out, and wasm
// errors become TokenError. Every rule lives in Rust.
// scripts/build-pkg.mjs makes this file an ES module that imports TokenError (errors.js)
// and exports createApi and toJson (which scopemint/decode shares).

// The one way a value crosses into wasm. JSON.stringify would drop
// undefined, functions and symbols (`fixed_params: {org_id: undefined}`
// would pin nothing), turn NaN, ±Infinity and invalid Dates into null
// (which compiles to IS NULL) and a Map or Set into {}; each is refused
// here as ERR_INVALID_OPTION whose claim is the field's path, e.g.
// `scopes[0].fixed_params.org_id`. Rust checks everything else.
function toJson(value, what) {
  try {
    // Common case first: plain data goes through V8's fast JSON.stringify.
    return carriesExactly(value, 0) ? JSON.stringify(value) : jsonNamingTheLostValue(value, what);
  } catch (error) {
    if (error instanceof TokenError) throw error;
    throw new TokenError('ERR_INVALID_OPTION', `${what}: must be JSON-serialisable (${error.message})`, what);
  }
}

// Whether JSON keeps `value` exactly. False is also the answer for anything
// unusual (toJSON, deep or circular nesting), which the slow path sorts out.
function carriesExactly(value, depth) {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (depth > 64 || typeof value.toJSON === 'function') return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !carriesExactly(value[i], depth + 1)) return false;
        }
        return true;
      }
      // Only plain objects: a Map, a boxed NaN or a class instance takes the slow path.
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return false;
      for (const key of Object.keys(value)) {
        if (!carriesExactly(value[key], depth + 1)) return false;
      }
      return true;
    default:
      return false;
  }
}

// JSON.stringify with a replacer that tracks each value's path and throws at the first lost one.
function jsonNamingTheLostValue(value, what) {
  const paths = new WeakMap();
  const refuse = (path, why) => {
    throw new TokenError('ERR_INVALID_OPTION', `${path || what}: ${why}`, path || what);
  };
  return JSON.stringify(value, function check(key, item) {
    const parent = paths.get(this);
    let path = '';
    if (parent !== undefined) path = Array.isArray(this) ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;
    switch (typeof item) {
      case 'undefined':
      case 'function':
      case 'symbol':
      case 'bigint':
        refuse(path, `is ${typeof item === 'undefined' ? 'undefined' : `a ${typeof item}`}, which JSON cannot carry`);
        break;
      case 'number':
        if (!Number.isFinite(item)) refuse(path, `is ${item}, not a finite number`);
        break;
      case 'object':
        if (item === null) {
          // Date#toJSON gives null for an invalid Date.
          if (Object.prototype.toString.call(this[key]) === '[object Date]') refuse(path, 'is an invalid Date');
        } else {
          const tag = Object.prototype.toString.call(item);
          if (tag === '[object Map]' || tag === '[object Set]') refuse(path, 'is a Map or Set, which JSON cannot carry');
          // JSON unboxes a Number object, so new Number(NaN) would also become null.
          if (tag === '[object Number]' && !Number.isFinite(Number(item))) refuse(path, `is ${Number(item)}, not a finite number`);
          paths.set(item, path);
        }
        break;
    }
    return item;
  });
}

// `native`, given only by the Node entry, signs and verifies asymmetric
// signatures with node:crypto (see node-crypto.js); Rust still builds and
// checks everything else.
function createApi(wasm, native) {
  function rethrow(error) {
    if (error && error.name === 'TokenError' && typeof error.code === 'string' && !(error instanceof TokenError)) {
      const typed = new TokenError(error.code, error.message, error.claim, error.retryAfter);
      // HTTP errors of requestEmbeddableToken carry the status the API answered with.
      if (error.status !== undefined) typed.status = error.status;
      throw typed;
    }
    throw error;
  }

  function isBytes(value) {
    return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
  }

  // Secrets may be bytes; JSON has no bytes, so they travel as a number array.
  function optionsJson(options, what) {
    if (options === undefined) return undefined;
    let adapted = options;
    if (options !== null && typeof options === 'object' && isBytes(options.secret)) {
      const view = ArrayBuffer.isView(options.secret)
        ? new Uint8Array(options.secret.buffer, options.secret.byteOffset, options.secret.byteLength)
        : new Uint8Array(options.secret);
      adapted = { ...options, secret: Array.from(view) };
    }
    return toJson(adapted, what);
  }

  // A missing argument (undefined) reaches Rust as null, which refuses it in its own words.
  function claimsJson(claims, what = 'claims') {
    return claims === undefined ? 'null' : toJson(claims, what);
  }

  // Longer than the limit in UTF-16 units means longer in UTF-8 bytes too, so
  // this refuses before the token is copied into wasm; Rust checks exact bytes.
  function checkTokenLength(token, maxTokenBytes) {
    if (typeof token === 'string' && token.length > maxTokenBytes) {
      throw new TokenError(
        'ERR_TOKEN_TOO_LARGE',
        `token is at least ${token.length} bytes; the limit (maxTokenBytes) is ${maxTokenBytes}`,
      );
    }
  }

  function tokenText(token) {
    if (typeof token !== 'string') {
      throw new TokenError('ERR_JWT_MALFORMED', `a token must be a string, not ${token === null ? 'null' : typeof token}`);
    }
    return token;
  }

  function textArgument(value, name) {
    if (typeof value !== 'string') {
      throw new TokenError('ERR_INVALID_OPTION', `${name}: must be a string, not ${value === null ? 'null' : typeof value}`, name);
    }
    return value;
  }

  function toDate(seconds) {
    return seconds === null ? null : new Date(seconds * 1000);
  }

  // Keys users already hold: a Node KeyObject or a WebCrypto CryptoKey is
  // exported once, at creation, to what Rust imports (PEM, or a secret's
  // bytes); every rule about the key is then Rust's, as for any PEM.
  const KEY_TYPES = ['private', 'public', 'secret'];

  function isKeyObject(value) {
    return value !== null && typeof value === 'object' && typeof value.export === 'function'
      && typeof value.equals === 'function' && KEY_TYPES.includes(value.type);
  }

  function isCryptoKey(value) {
    return value !== null && typeof value === 'object' && typeof value.extractable === 'boolean'
      && Array.isArray(value.usages) && KEY_TYPES.includes(value.type) && value.algorithm !== null && typeof value.algorithm === 'object';
  }

  function exportKey(value, option) {
    let key = value;
    if (isCryptoKey(value)) {
      if (!value.extractable) {
        throw new TokenError('ERR_KEY_INVALID',
          `${option}: this CryptoKey is not extractable, so its key cannot be read; generate or import it with extractable: true, or pass the key as PEM or JWK`, option);
      }
      if (native === undefined) {
        throw new TokenError('ERR_KEY_INVALID',
          `${option}: a CryptoKey can only be read synchronously by the Node entry of scopemint; here, pass await crypto.subtle.exportKey('jwk', key) instead`, option);
      }
      key = native.keyObjectFrom(value);
    } else if (!isKeyObject(value)) {
      return value;
    }
    if (key.type === 'secret') {
      if (option !== 'secret') throw new TokenError('ERR_KEY_INVALID', `${option}: a secret (HMAC) key belongs in \`secret\``, option);
      return new Uint8Array(key.export());
    }
    if (option === 'secret') {
      throw new TokenError('ERR_KEY_INVALID', `secret: a ${key.type} key is not an HMAC secret; pass it as privateKey or publicKey`, option);
    }
    return key.type === 'private' ? key.export({ type: 'pkcs8', format: 'pem' }) : key.export({ type: 'spki', format: 'pem' });
  }

  function adaptKeys(options) {
    if (options === null || typeof options !== 'object') return options;
    let adapted = options;
    for (const option of ['privateKey', 'publicKey', 'secret']) {
      const value = options[option];
      const exported = exportKey(value, option);
      if (exported !== value) adapted = { ...adapted, [option]: exported };
    }
    return adapted;
  }

  class Signer {
    #inner;
    #publicJwk;
    #nativeSign;

    constructor(inner) {
      this.#inner = inner;
      const jwk = inner.publicJwk();
      this.#publicJwk = jwk === undefined ? undefined : JSON.parse(jwk);
      const der = native === undefined ? undefined : inner.nativeKey();
      if (der !== undefined) this.#nativeSign = native.signer(der, inner.nativeKeyFormat(), inner.algorithm());
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

  function deepFreeze(value) {
    if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const member of Object.values(value)) deepFreeze(member);
    }
    return value;
  }

  class Verifier {
    #inner;
    // token -> { result, since, validUntil }; insertion order makes the oldest entry first to go.
    #cache;
    #capacity;
    #maxTokenBytes;

    // One check function per key entry (undefined for HMAC keys), or undefined without native crypto.
    #nativeChecks;

    constructor(inner) {
      this.#inner = inner;
      this.#capacity = inner.cacheCapacity();
      this.#maxTokenBytes = inner.maxTokenBytes();
      this.#cache = this.#capacity > 0 ? new Map() : undefined;
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
      const cache = this.#cache;
      if (cache !== undefined) {
        const hit = cache.get(token);
        if (hit !== undefined) {
          // A clock that went back before `since` (or reads NaN) is not trusted: Rust re-checks.
          const now = Date.now() / 1000;
          if (hit.since <= now && now < hit.validUntil) return hit.result;
          cache.delete(token);
        }
      }
      let result;
      try {
        result = JSON.parse(this.#verifyUncached(tokenText(token)));
      } catch (error) {
        rethrow(error);
      }
      if (cache !== undefined) {
        // Rust says how long this token stays valid (NaN: never cache it).
        const validUntil = this.#inner.lastValidUntil();
        const since = Date.now() / 1000;
        if (validUntil > since) {
          if (cache.size >= this.#capacity) cache.delete(cache.keys().next().value);
          cache.set(token, { result: deepFreeze(result), since, validUntil });
        }
      }
      return result;
    }
  }

  // Runs a call into wasm, turning its errors into TokenError.
  function guarded(call) {
    return (...args) => {
      try {
        return call(...args);
      } catch (error) {
        rethrow(error);
      }
    };
  }

  const createSigner = guarded((options) => new Signer(new wasm.Signer(optionsJson(adaptKeys(options), 'createSigner') ?? 'null')));

  // Reads at most `limit` + 1 bytes of a response body, so an oversized
  // answer is seen as oversized (and refused in Rust) without being buffered.
  async function boundedText(response, limit) {
    const declared = Number(response.headers.get('content-length'));
    if (response.body === null) return '';
    const reader = response.body.getReader();
    const chunks = [];
    let size = 0;
    if (declared > limit) size = limit + 1;
    while (size <= limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    if (size > limit) {
      reader.cancel().catch(() => {});
      return 'x'.repeat(limit + 1);
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return new TextDecoder().decode(bytes);
  }

  // createVerifier({ jwksUrl }): a verifier over the keys fetched so far,
  // rebuilt whenever a fetch brings a new set. When to fetch is Rust's
  // decision (RemoteJwks); concurrent callers share one fetch in flight.
  class RemoteJwksVerifier {
    #options;
    #remote;
    #settings;
    #verifier;
    #pending;

    constructor(options, remote, verifier) {
      this.#options = options;
      this.#remote = remote;
      this.#settings = JSON.parse(remote.settings());
      this.#verifier = verifier;
    }

    get algorithms() {
      return this.#verifier.algorithms;
    }

    /** Verifies with the keys fetched so far (none before the first verifyAsync). */
    verify(token) {
      return this.#verifier.verify(token);
    }

    authorize(token, request) {
      return this.#verifier.authorize(token, request);
    }

    verifyAsync(token) {
      return this.#withKeys((verifier) => verifier.verify(token));
    }

    authorizeAsync(token, request) {
      return this.#withKeys((verifier) => verifier.authorize(token, request));
    }

    async #withKeys(use) {
      if (this.#pending !== undefined || this.#remote.needsFetch()) await this.#refresh();
      try {
        return use(this.#verifier);
      } catch (error) {
        if (error?.code !== 'ERR_JWKS_NO_MATCHING_KEY') throw error;
        // An unknown kid may be a rotated key: refetch, at most once per cooldown.
        if (this.#pending === undefined && !this.#remote.mayRefetch()) throw error;
        await this.#refresh();
        return use(this.#verifier);
      }
    }

    #refresh() {
      if (this.#pending === undefined) {
        this.#remote.started();
        this.#pending = this.#fetchKeys().finally(() => {
          this.#pending = undefined;
        });
      }
      return this.#pending;
    }

    async #fetchKeys() {
      const { url, timeoutMs, maxJwksBytes } = this.#settings;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let status;
      let body;
      try {
        // Redirects are refused: the keys come from the configured URL only.
        const response = await fetch(url, { signal: controller.signal, redirect: 'error', headers: { accept: 'application/json' } });
        status = response.status;
        body = await boundedText(response, maxJwksBytes);
      } catch (error) {
        rethrow(this.#remote.fetchError(controller.signal.aborted, String(error?.cause?.message ?? error?.message ?? error)));
      } finally {
        clearTimeout(timer);
      }
      let set;
      try {
        set = this.#remote.accept(status, body);
      } catch (error) {
        rethrow(error);
      }
      try {
        this.#verifier = new Verifier(new wasm.Verifier(optionsJson({ ...this.#options, jwks: JSON.parse(set) }, 'createVerifier')));
      } catch (error) {
        rethrow(this.#remote.unusableKeys(String(error?.message ?? error)));
      }
    }
  }

  const createVerifier = guarded((given) => {
    const options = adaptKeys(given);
    const json = optionsJson(options, 'createVerifier') ?? 'null';
    const verifier = new Verifier(new wasm.Verifier(json));
    const remote = options !== null && typeof options === 'object' ? wasm.remoteJwks(json) : undefined;
    return remote === undefined ? verifier : new RemoteJwksVerifier(options, remote, verifier);
  });

  const decode = guarded((token, options) => {
    const json = optionsJson(options, 'decode');
    checkTokenLength(token, wasm.decodeMaxTokenBytes(json));
    const decoded = JSON.parse(wasm.decode(tokenText(token), json));
    decoded.issuedAt = toDate(decoded.issuedAt);
    decoded.expiresAt = toDate(decoded.expiresAt);
    return decoded;
  });

  // jose's decodeProtectedHeader: the header of a compact JWS or JWE, NOT verified.
  const decodeProtectedHeader = guarded((token, options) => {
    const json = optionsJson(options, 'decodeProtectedHeader');
    checkTokenLength(token, wasm.decodeMaxTokenBytes(json));
    return JSON.parse(wasm.decodeProtectedHeader(tokenText(token), json));
  });

  const parseScope = guarded((text) => JSON.parse(wasm.parseScope(String(text))));

  const formatScope = guarded((scope) => wasm.formatScope(claimsJson(scope, 'scope')));

  const compileSecureFilters = guarded((filters, options) =>
    JSON.parse(wasm.compileSecureFilters(claimsJson(filters, 'filters'), optionsJson(options, 'compileSecureFilters') ?? 'null')),
  );

  const embeddableTokenRequest = guarded((params) =>
    JSON.parse(wasm.embeddableTokenRequest(claimsJson(params, 'embeddableTokenRequest'))),
  );

  // POSTs to Embeddable's Tokens API. Rust builds the request and reads the
  // answer; this only moves bytes through the platform's fetch.
  async function requestEmbeddableToken(params, options) {
    let request;
    try {
      request = JSON.parse(
        wasm.embeddableTokenHttpRequest(claimsJson(params), optionsJson(options, 'requestEmbeddableToken')),
      );
    } catch (error) {
      rethrow(error);
    }
    let status;
    let text;
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        // A redirect would carry the API key elsewhere: it fails instead.
        redirect: 'error',
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      status = response.status;
      text = await boundedText(response, request.maxResponseBytes);
    } catch (error) {
      const timedOut = error !== null && typeof error === 'object' && (error.name === 'TimeoutError' || error.name === 'AbortError');
      rethrow(wasm.embeddableTransportError(timedOut ? 'timeout' : 'network', request.timeoutMs, String(error && error.message)));
    }
    try {
      return JSON.parse(wasm.embeddableTokenHttpResponse(status, text));
    } catch (error) {
      rethrow(error);
    }
  }

  // `scopemint/vizzly`: a drop-in for @vizzly/auth, whose signer methods
  // return Promises; failures become rejections, as there.
  const vizzly = {
    createSigner(options) {
      const signer = createSigner(options);
      const later = (method) => (params) => new Promise((resolve) => resolve(signer[method](params)));
      return {
        signDashboardAccessToken: later('signDashboardAccessToken'),
        signDataAccessToken: later('signDataAccessToken'),
        signQueryEngineAccessToken: later('signQueryEngineAccessToken'),
        signProjectAccessToken: later('signProjectAccessToken'),
        generateTokens: later('generateTokens'),
        signVizzlyConfig: later('signVizzlyConfig'),
      };
    },
  };

  const generateKeyPair = guarded((algorithm) => JSON.parse(wasm.generateKeyPair(String(algorithm))));

  // Rate limits: `limiter.consume(grant)` draws one request from the budget
  // `verifier.authorize` put on the grant (`grant.rateLimit`). In memory the
  // token bucket is Rust's (wasm RateLimiter); with Redis it is the same rule
  // in one Lua script on Redis's clock, so every process shares one budget, and
  // Rust reads the script's answer exactly as it reads the memory store's.
  // KEYS[1]: bucket; ARGV[1]: rps. Returns {granted, tokens left, seconds to wait}.
  // A bucket that has refilled equals a new one, so it expires then.
  const REDIS_BUCKET_SCRIPT = `local rps = tonumber(ARGV[1])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1]) or rps
local updated = tonumber(state[2]) or now
local level = math.min(rps, tokens + math.max(0, now - updated) * rps)
if updated < now then updated = now end
local granted = 0
local wait = 0
if level + 0.000001 * rps >= 1 then
  level = math.max(0, level - 1)
  granted = 1
else
  wait = (1 - level) / rps
end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', level), 'u', string.format('%.17g', updated))
redis.call('PEXPIRE', KEYS[1], math.ceil((rps - level) / rps * 1000) + 1000)
return {granted, string.format('%.17g', level), string.format('%.17g', wait)}`;
  // SHA-1 of the script, for EVALSHA (tests/js/rate-limit.test.mjs checks it).
  const REDIS_BUCKET_SHA = 'e1fb6c5aed95bd78ba7a554abffd790c5760f15d';

  class RateLimiter {
    #inner;
    #redis;
    #settings;

    constructor(inner, redis) {
      this.#inner = inner;
      this.#redis = redis;
      const settings = inner.sharedSettings();
      this.#settings = settings === undefined ? undefined : JSON.parse(settings);
    }

    get backend() {
      return this.#redis === undefined ? 'memory' : 'redis';
    }

    /** Buckets held in this process's memory. */
    get size() {
      return this.#inner.size();
    }

    // Resolves to { limit, remaining, resetSeconds }, or null when the grant
    // carries no limit; rejects with ERR_RATE_LIMITED (retryAfter: whole seconds).
    async consume(grant) {
      try {
        if (grant === null || typeof grant !== 'object') {
          throw new TokenError('ERR_INVALID_OPTION', 'consume(grant): pass the grant that verifier.authorize returned', 'grant');
        }
        const limitJson = claimsJson(grant.rateLimit ?? null);
        if (this.#redis === undefined) return JSON.parse(this.#inner.consume(limitJson));
        const limit = JSON.parse(this.#inner.check(limitJson));
        if (limit === null) return null;
        let reply;
        try {
          reply = await this.#runScript(this.#settings.prefix + limit.key, limit.rps);
          if (!Array.isArray(reply) || reply.length !== 3) throw new Error('the script answered something else than [granted, level, wait]');
        } catch (error) {
          if (this.#settings.onRedisError === 'memory') return JSON.parse(this.#inner.consume(limitJson));
          throw this.#inner.unavailable(error?.message ?? String(error));
        }
        const [granted, level, wait] = reply;
        return JSON.parse(this.#inner.outcome(limitJson, Number(granted) === 1, Number(level), Number(wait)));
      } catch (error) {
        rethrow(error);
      }
    }

    // One round trip: EVALSHA, or EVAL (which also caches the script) the
    // first time a Redis server sees it. Bounded by timeoutMs.
    async #runScript(key, rps) {
      const redis = this.#redis;
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.#settings.timeoutMs} ms`)), this.#settings.timeoutMs);
      });
      const run = (async () => {
        try {
          return await redis.evalsha(REDIS_BUCKET_SHA, 1, key, rps);
        } catch (error) {
          if (!/NOSCRIPT/.test(error?.message ?? '')) throw error;
          return redis.eval(REDIS_BUCKET_SCRIPT, 1, key, rps);
        }
      })();
      try {
        return await Promise.race([run, timeout]);
      } finally {
        clearTimeout(timer);
        run.catch(() => {}); // a late failure after the timeout is already answered
      }
    }
  }

  const createRateLimiter = guarded((options) => {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TokenError('ERR_INVALID_OPTION', 'createRateLimiter: options must be an object');
    }
    const { redis, ...rest } = options ?? {};
    if (redis !== undefined && (redis === null || typeof redis.evalsha !== 'function' || typeof redis.eval !== 'function')) {
      throw new TokenError('ERR_INVALID_OPTION', 'redis: must be an ioredis client (evalsha and eval are used)', 'redis');
    }
    const settings = redis === undefined ? rest : { ...rest, redis: true };
    return new RateLimiter(new wasm.RateLimiter(optionsJson(settings, 'createRateLimiter')), redis);
  });

  // `scopemint/tinybird`: a drop-in for @tinybirdco/sdk's createClient, whose
  // tokens.createJWT resolves to { token }; here the JWT is minted locally.
  const tinybird = {
    createClient: guarded((options) => {
      const inner = wasm.Signer.tinybirdClient(optionsJson(options, 'createClient') ?? 'null');
      const createJWT = (params) =>
        new Promise((resolve) => {
          try {
            resolve(JSON.parse(inner.signProfile('tinybirdClientCreateJWT', claimsJson(params))));
          } catch (error) {
            rethrow(error);
          }
        });
      return Object.freeze({ tokens: Object.freeze({ createJWT }) });
    }),
  };


  // Only the server wasm (`scopemint/server`) carries a SQL parser and a template engine.
  const serverOnly = typeof wasm.normalizeSqlFilter === 'function'
    ? {
        normalizeSqlFilter: guarded((filter, options) =>
          wasm.normalizeSqlFilter(textArgument(filter, 'filter'), optionsJson(options, 'normalizeSqlFilter')),
        ),
        renderDataModel: guarded((template, securityContext, options) =>
          JSON.parse(
            wasm.renderDataModel(
              textArgument(template, 'template'),
              claimsJson(securityContext, 'securityContext'),
              optionsJson(options, 'renderDataModel') ?? 'null',
            ),
          ),
        ),
      }
    : {};

  return {
    ...serverOnly,
    createSigner,
    createVerifier,
    createRateLimiter,
    decode,
    decodeProtectedHeader,
    generateKeyPair,
    parseScope,
    formatScope,
    embeddableTokenRequest,
    requestEmbeddableToken,
    compileSecureFilters,
    vizzly,
    tinybird,
    TokenError,
  };
}
