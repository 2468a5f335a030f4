//! The wasm-bindgen adapter, and nothing else: JSON text in, JSON text out,
//! errors turned into JS `Error`s carrying the stable code. Strings cross the
//! boundary more cheaply than object graphs, and `JSON.parse` on the JS side
//! is native.

use wasm_bindgen::prelude::*;

use crate::{Error, SignOptions, Signer, SignerOptions, Verifier, VerifierOptions};

/// A Rust value as JSON text for JS. Serialising these types cannot fail
/// (string keys, finite numbers), but if it ever did, JS gets a TokenError
/// rather than "" (which `JSON.parse` would report as a syntax error).
fn json_text<T: serde::Serialize>(value: &T, what: &str) -> Result<String, JsValue> {
    serde_json::to_string(value).map_err(|e| {
        to_js(Error::new(
            crate::ErrorCode::InvalidOption,
            format!("{what} cannot be written as JSON ({e})"),
        ))
    })
}

fn to_js(error: Error) -> JsValue {
    let js_error = js_sys::Error::new(&error.message);
    js_error.set_name("TokenError");
    let object: &JsValue = js_error.as_ref();
    // Setting plain data properties on a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(object, &"code".into(), &error.code().into());
    if let Some(seconds) = error.retry_after {
        let _ = js_sys::Reflect::set(object, &"retryAfter".into(), &seconds.into());
    }
    if let Some(claim) = &error.claim {
        let _ = js_sys::Reflect::set(object, &"claim".into(), &claim.as_str().into());
    }
    if let Some(status) = error.status {
        let _ = js_sys::Reflect::set(object, &"status".into(), &status.into());
    }
    js_error.into()
}

/// Optional per-call options: absent means the defaults.
fn options_or_default<T: serde::de::DeserializeOwned + Default>(
    json: Option<String>,
    what: &str,
) -> Result<T, JsValue> {
    match json {
        Some(json) => crate::options_from_json(&json, what).map_err(to_js),
        None => Ok(T::default()),
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "null".to_string())
}

#[wasm_bindgen(js_name = Signer)]
pub struct WasmSigner(Signer);

#[wasm_bindgen(js_class = Signer)]
impl WasmSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<WasmSigner, JsValue> {
        let options: SignerOptions =
            crate::options_from_json(options_json, "createSigner options").map_err(to_js)?;
        Signer::new(options).map(WasmSigner).map_err(to_js)
    }

    /// The signer behind `scopemint/tinybird`'s `createClient({ token, workspaceId, baseUrl? })`.
    #[wasm_bindgen(js_name = tinybirdClient)]
    pub fn tinybird_client(options_json: &str) -> Result<WasmSigner, JsValue> {
        crate::profiles::tinybird::client_signer(options_json)
            .map(WasmSigner)
            .map_err(to_js)
    }

    /// Signs the claims (JSON object text) with optional per-call options (JSON text).
    pub fn sign(&self, claims_json: &str, options_json: Option<String>) -> Result<String, JsValue> {
        let options: SignOptions = options_or_default(options_json, "sign options")?;
        self.0.sign(claims_json, &options).map_err(to_js)
    }

    /// `header.payload` for these claims, for signing natively (Node's crypto).
    #[wasm_bindgen(js_name = signingInput)]
    pub fn signing_input(
        &self,
        claims_json: &str,
        options_json: Option<String>,
    ) -> Result<String, JsValue> {
        let options: SignOptions = options_or_default(options_json, "sign options")?;
        self.0.signing_input(claims_json, &options).map_err(to_js)
    }

    /// The private key as DER for native signing; undefined for HMAC.
    #[wasm_bindgen(js_name = nativeKey)]
    pub fn native_key(&self) -> Option<Vec<u8>> {
        self.0.private_key_der().map(|(der, _)| der.to_vec())
    }

    /// `pkcs8` or `pkcs1` (RSA).
    #[wasm_bindgen(js_name = nativeKeyFormat)]
    pub fn native_key_format(&self) -> Option<String> {
        self.0
            .private_key_der()
            .map(|(_, format)| format.to_string())
    }

    /// A vendor profile method (`signDataAccessToken`, `createJWT`, …) with its argument as JSON text.
    #[wasm_bindgen(js_name = signProfile)]
    pub fn sign_profile(&self, method: &str, params_json: &str) -> Result<String, JsValue> {
        crate::profiles::sign_with_profile(&self.0, method, params_json).map_err(to_js)
    }

    pub fn algorithm(&self) -> String {
        self.0.algorithm().as_str().to_string()
    }

    #[wasm_bindgen(js_name = keyId)]
    pub fn key_id(&self) -> Option<String> {
        self.0.key_id().map(str::to_string)
    }

    /// The public JWK as JSON text, or undefined for HMAC signers.
    #[wasm_bindgen(js_name = publicJwk)]
    pub fn public_jwk(&self) -> Option<String> {
        self.0.public_jwk().map(|jwk| jwk.to_string())
    }

    #[wasm_bindgen(js_name = publicKeyPem)]
    pub fn public_key_pem(&self) -> Option<String> {
        self.0.public_key_pem()
    }
}

#[wasm_bindgen(js_name = Verifier)]
pub struct WasmVerifier {
    verifier: Verifier,
    /// `validUntil` of the last successful `verify`, read by the JS cache.
    last_valid_until: std::cell::Cell<f64>,
}

#[wasm_bindgen(js_class = Verifier)]
impl WasmVerifier {
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<WasmVerifier, JsValue> {
        let options: VerifierOptions =
            crate::options_from_json(options_json, "createVerifier options").map_err(to_js)?;
        let verifier = Verifier::new(options).map_err(to_js)?;
        Ok(WasmVerifier {
            verifier,
            last_valid_until: std::cell::Cell::new(f64::NAN),
        })
    }

    /// `{"header":…,"payload":…}` as JSON text.
    pub fn verify(&self, token: &str) -> Result<String, JsValue> {
        let verified = self.verifier.verify(token).map_err(to_js)?;
        self.last_valid_until
            .set(verified.valid_until.unwrap_or(f64::NAN));
        Ok(format!(
            "{{\"header\":{},\"payload\":{}}}",
            verified.header_json, verified.payload_json
        ))
    }

    /// The number of (key, algorithm) entries, for `nativeKey(index)`.
    #[wasm_bindgen(js_name = keyCount)]
    pub fn key_count(&self) -> usize {
        self.verifier.key_count()
    }

    /// The key at `index` as SPKI DER for native verification; undefined for HMAC keys.
    #[wasm_bindgen(js_name = nativeKey)]
    pub fn native_key(&self, index: usize) -> Option<Vec<u8>> {
        self.verifier
            .public_key_der(index)
            .map(|(der, _)| der.to_vec())
    }

    #[wasm_bindgen(js_name = keyAlgorithm)]
    pub fn key_algorithm(&self, index: usize) -> Option<String> {
        self.verifier
            .public_key_der(index)
            .map(|(_, alg)| alg.as_str().to_string())
    }

    /// Every check before the signature; returns the index of the key that must verify it.
    #[wasm_bindgen(js_name = startNative)]
    pub fn start_native(&self, token: &str) -> Result<usize, JsValue> {
        self.verifier.start_native(token).map_err(to_js)
    }

    /// The payload checks, after the platform verified the signature with the chosen key.
    #[wasm_bindgen(js_name = finishNative)]
    pub fn finish_native(&self, token: &str) -> Result<String, JsValue> {
        let verified = self.verifier.finish_native(token).map_err(to_js)?;
        self.last_valid_until
            .set(verified.valid_until.unwrap_or(f64::NAN));
        Ok(format!(
            "{{\"header\":{},\"payload\":{}}}",
            verified.header_json, verified.payload_json
        ))
    }

    /// Verifies the token, then matches `request_json` against its scopes; the grant as JSON text.
    pub fn authorize(&self, token: &str, request_json: &str) -> Result<String, JsValue> {
        self.verifier
            .authorize(token, request_json)
            .map_err(to_js)
            .and_then(|grant| json_text(&grant, "the grant"))
    }

    /// Unix seconds until which the last verified token stays valid; NaN if it must not be cached.
    #[wasm_bindgen(js_name = lastValidUntil)]
    pub fn last_valid_until(&self) -> f64 {
        self.last_valid_until.get()
    }

    /// The validated `maxTokenBytes`, so JS can refuse a longer token before
    /// copying it into wasm memory.
    #[wasm_bindgen(js_name = maxTokenBytes)]
    pub fn max_token_bytes(&self) -> usize {
        self.verifier.max_token_bytes()
    }

    #[wasm_bindgen(js_name = cacheCapacity)]
    pub fn cache_capacity(&self) -> usize {
        self.verifier.cache_capacity()
    }

    pub fn algorithms(&self) -> Vec<String> {
        self.verifier
            .algorithms()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect()
    }
}

/// `{"header","payload","issuedAt","expiresAt","expired","secondsLeft","profile","profileInfo"}` as JSON text.
#[wasm_bindgen]
pub fn decode(token: &str, options_json: Option<String>) -> Result<String, JsValue> {
    // Options are read by the shared decode crate, as in `scopemint/decode`.
    let decoded = crate::jwt::decode::decode_with_json_options(token, options_json.as_deref())
        .map_err(to_js)?;
    let number = |n: Option<f64>| n.map_or("null".to_string(), |n| n.to_string());
    Ok(format!(
        "{{\"header\":{},\"payload\":{},\"issuedAt\":{},\"expiresAt\":{},\"expired\":{},\"secondsLeft\":{},\"profile\":{},\"profileInfo\":{}}}",
        decoded.header_json,
        decoded.payload_json,
        number(decoded.issued_at),
        number(decoded.expires_at),
        decoded.expired(),
        number(decoded.seconds_left()),
        decoded.profile.map_or("null".to_string(), json_string),
        decoded
            .secure_filters_in_words
            .as_deref()
            .map_or("null".to_string(), crate::filter_words::profile_info_json),
    ))
}

/// `decode`'s validated `maxTokenBytes` (for the JS pre-check before a copy into wasm).
#[wasm_bindgen(js_name = decodeMaxTokenBytes)]
pub fn decode_max_token_bytes(options_json: Option<String>) -> Result<usize, JsValue> {
    // Read by the shared decode crate, as `decode` and `scopemint/decode` read them.
    crate::jwt::decode::max_token_bytes_from_json(options_json.as_deref()).map_err(to_js)
}

/// The wasm linear memory's size in bytes: lets tests show that a refused
/// token never grew it. The one wasm32-only item: native code has no linear memory.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> usize {
    core::arch::wasm32::memory_size(0) * 65_536
}

/// The protected header of a compact JWS or JWE as JSON text, not verified.
#[wasm_bindgen(js_name = decodeProtectedHeader)]
pub fn decode_protected_header(
    token: &str,
    options_json: Option<String>,
) -> Result<String, JsValue> {
    let options: crate::DecodeOptions =
        options_or_default(options_json, "decodeProtectedHeader options")?;
    let max = crate::jwt::decode::max_token_bytes(&options).map_err(to_js)?;
    crate::decode_protected_header(token, max).map_err(to_js)
}

/// `{"privateKey","publicKey","publicJwk"}` as JSON text.
#[wasm_bindgen(js_name = generateKeyPair)]
pub fn generate_key_pair(algorithm: &str) -> Result<String, JsValue> {
    let alg = crate::Algorithm::parse_option(algorithm, "algorithm").map_err(to_js)?;
    let pair = crate::generate_key_pair(alg).map_err(to_js)?;
    Ok(format!(
        "{{\"privateKey\":{},\"publicKey\":{},\"publicJwk\":{}}}",
        json_string(&pair.private_key),
        json_string(&pair.public_key),
        pair.public_jwk
    ))
}

/// `{"type","resource"?,"filter"?}` as JSON text.
#[wasm_bindgen(js_name = parseScope)]
pub fn parse_scope(text: &str) -> Result<String, JsValue> {
    let scope = crate::parse_scope(text).map_err(to_js)?;
    json_text(&scope, "the scope")
}

#[wasm_bindgen(js_name = formatScope)]
pub fn format_scope(scope_json: &str) -> Result<String, JsValue> {
    crate::profiles::scopes::format_scope_json(scope_json).map_err(to_js)
}

/// The validated body for Embeddable's Tokens API, as JSON text.
#[wasm_bindgen(js_name = embeddableTokenRequest)]
pub fn embeddable_token_request(params_json: &str) -> Result<String, JsValue> {
    crate::profiles::embeddable::token_request(params_json).map_err(to_js)
}

/// `requestEmbeddableToken`'s request: `{"url","headers","body","timeoutMs"}` as JSON text.
#[wasm_bindgen(js_name = embeddableTokenHttpRequest)]
pub fn embeddable_token_http_request(
    params_json: &str,
    options_json: Option<String>,
) -> Result<String, JsValue> {
    let request =
        crate::profiles::embeddable::token_http_request(params_json, options_json.as_deref())
            .map_err(to_js)?;
    json_text(&request, "the request")
}

/// The Tokens API's answer read: `{"token"}` as JSON text, or a TokenError.
#[wasm_bindgen(js_name = embeddableTokenHttpResponse)]
pub fn embeddable_token_http_response(status: u16, body: &str) -> Result<String, JsValue> {
    crate::profiles::embeddable::token_http_response(status, body).map_err(to_js)
}

/// The TokenError for a request that got no answer (`kind`: `"timeout"` or `"network"`).
#[wasm_bindgen(js_name = embeddableTransportError)]
pub fn embeddable_transport_error(kind: &str, timeout_ms: f64, detail: &str) -> JsValue {
    to_js(crate::profiles::embeddable::token_transport_error(
        kind,
        timeout_ms as u64,
        detail,
    ))
}

/// Secure filters compiled to parameterised SQL: `{"sql","params"}` as JSON text.
#[wasm_bindgen(js_name = compileSecureFilters)]
pub fn compile_secure_filters(filters_json: &str, options_json: &str) -> Result<String, JsValue> {
    let compiled = crate::compile_secure_filters(filters_json, options_json).map_err(to_js)?;
    json_text(&compiled, "the compiled filters")
}

/// The server build's SQL filter check: the normalised expression.
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = normalizeSqlFilter)]
pub fn normalize_sql_filter(filter: &str, options_json: Option<String>) -> Result<String, JsValue> {
    let options: crate::FilterOptions =
        options_or_default(options_json, "normalizeSqlFilter options")?;
    crate::normalize_sql_filter(filter, &options).map_err(to_js)
}

/// A data-model template rendered with its security context: `{"sql","params"}` as JSON text.
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = renderDataModel)]
pub fn render_data_model(
    template: &str,
    security_context_json: &str,
    options_json: &str,
) -> Result<String, JsValue> {
    let rendered =
        crate::render_data_model(template, security_context_json, options_json).map_err(to_js)?;
    json_text(&rendered, "the rendered data model")
}

/// The in-memory rate limiter (`createRateLimiter()`), a separate object from
/// any verifier; with a Redis client it is the fallback store, and the JS
/// layer runs the Redis script and reads its result with `rateLimitOutcome`.
#[wasm_bindgen(js_name = RateLimiter)]
pub struct WasmRateLimiter {
    limiter: crate::RateLimiter,
    /// Checked Redis settings as JSON text, when a client was given.
    shared: Option<String>,
}

#[wasm_bindgen(js_class = RateLimiter)]
impl WasmRateLimiter {
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<WasmRateLimiter, JsValue> {
        let options: Option<crate::RateLimiterOptions> =
            crate::options_from_json(options_json, "createRateLimiter options").map_err(to_js)?;
        let (memory, shared) = options.unwrap_or_default().build().map_err(to_js)?;
        Ok(WasmRateLimiter {
            limiter: crate::RateLimiter::new(memory),
            shared: shared
                .map(|s| json_text(&s, "the shared-store settings"))
                .transpose()?,
        })
    }

    /// `{prefix, timeoutMs, onRedisError}` as JSON text, or undefined without Redis.
    #[wasm_bindgen(js_name = sharedSettings)]
    pub fn shared_settings(&self) -> Option<String> {
        self.shared.clone()
    }

    /// Checks a grant's `rateLimit` (JSON); the normalised `{key, rps}` or `null`.
    pub fn check(&self, rate_limit_json: &str) -> Result<String, JsValue> {
        let limit = crate::RateLimit::from_grant_json(rate_limit_json).map_err(to_js)?;
        json_text(&limit, "the rate limit")
    }

    /// Consumes one request in memory: `{limit, remaining, resetSeconds}` or
    /// `null` (no limit), or throws `ERR_RATE_LIMITED`.
    pub fn consume(&self, rate_limit_json: &str) -> Result<String, JsValue> {
        let Some(limit) = crate::RateLimit::from_grant_json(rate_limit_json).map_err(to_js)? else {
            return Ok("null".to_string());
        };
        let consumed = self
            .limiter
            .consume(&limit, crate::jwt::time::now_seconds().map_err(to_js)?)
            .map_err(to_js)?;
        json_text(&consumed, "the rate-limit outcome")
    }

    /// Reads the Redis script's answer (granted with `level` tokens left, or
    /// refused for `wait` seconds) the way the memory store's is read.
    pub fn outcome(
        &self,
        rate_limit_json: &str,
        granted: bool,
        level: f64,
        wait: f64,
    ) -> Result<String, JsValue> {
        let Some(limit) = crate::RateLimit::from_grant_json(rate_limit_json).map_err(to_js)? else {
            return Ok("null".to_string());
        };
        let acquired = if granted { Ok(level) } else { Err(wait) };
        let consumed = crate::rate_limit_outcome(&limit, acquired).map_err(to_js)?;
        json_text(&consumed, "the rate-limit outcome")
    }

    /// Buckets held in memory.
    pub fn size(&self) -> usize {
        self.limiter.store().len()
    }

    /// A TokenError for a shared store that failed, built here so its code is Rust's.
    #[wasm_bindgen(js_name = unavailable)]
    pub fn unavailable(&self, why: &str) -> JsValue {
        to_js(
            Error::new(
                crate::ErrorCode::RateLimitUnavailable,
                format!("the rate-limit store did not answer ({why}); the request is refused"),
            )
            .with_claim("limits.rps"),
        )
    }
}

/// The fetch policy of a `jwksUrl` verifier (`keys::remote_jwks`); the JS layer
/// does the fetching and asks this what to do.
#[wasm_bindgen(js_name = RemoteJwks)]
pub struct WasmRemoteJwks(crate::RemoteJwks);

/// The remote-set state for these `createVerifier` options, or undefined without `jwksUrl`.
#[wasm_bindgen(js_name = remoteJwks)]
pub fn remote_jwks(options_json: &str) -> Result<Option<WasmRemoteJwks>, JsValue> {
    let options: crate::RemoteJwksOptions =
        crate::options_from_json(options_json, "createVerifier options").map_err(to_js)?;
    Ok(crate::RemoteJwks::from_options(&options)
        .map_err(to_js)?
        .map(WasmRemoteJwks))
}

#[wasm_bindgen(js_class = RemoteJwks)]
impl WasmRemoteJwks {
    /// `{url, timeoutMs, maxJwksBytes, …}` as JSON text.
    pub fn settings(&self) -> Result<String, JsValue> {
        json_text(&self.0, "the remote JWKS settings")
    }

    // A broken clock is ERR_CLOCK_INVALID here as everywhere (jwt/time.rs).
    #[wasm_bindgen(js_name = needsFetch)]
    pub fn needs_fetch(&self) -> Result<bool, JsValue> {
        Ok(self
            .0
            .needs_fetch(crate::jwt::time::now_seconds().map_err(to_js)?))
    }

    #[wasm_bindgen(js_name = mayRefetch)]
    pub fn may_refetch(&self) -> Result<bool, JsValue> {
        Ok(self
            .0
            .may_refetch(crate::jwt::time::now_seconds().map_err(to_js)?))
    }

    pub fn started(&mut self) -> Result<(), JsValue> {
        self.0
            .started(crate::jwt::time::now_seconds().map_err(to_js)?);
        Ok(())
    }

    /// The checked key set as JSON text, or throws `ERR_JWKS_INVALID`.
    pub fn accept(&mut self, status: u16, body: &str) -> Result<String, JsValue> {
        self.0
            .accept(
                status,
                body,
                crate::jwt::time::now_seconds().map_err(to_js)?,
            )
            .map(|set| set.to_string())
            .map_err(to_js)
    }

    /// A typed error for a fetch that failed (`timeout`: it ran out of time).
    #[wasm_bindgen(js_name = fetchError)]
    pub fn fetch_error(&self, timeout: bool, why: &str) -> JsValue {
        let url = &self.0.url;
        to_js(if timeout {
            Error::new(
                crate::ErrorCode::JwksTimeout,
                format!(
                    "the JWKS at {url} did not answer within {} ms",
                    self.0.timeout_ms
                ),
            )
            .with_claim("jwksUrl")
        } else {
            Error::new(
                crate::ErrorCode::JwksFetchFailed,
                format!("fetching the JWKS at {url} failed: {why}"),
            )
            .with_claim("jwksUrl")
        })
    }

    /// `ERR_JWKS_INVALID` for a set whose keys the verifier could not use.
    #[wasm_bindgen(js_name = unusableKeys)]
    pub fn unusable_keys(&self, why: &str) -> JsValue {
        to_js(
            Error::new(
                crate::ErrorCode::JwksInvalid,
                format!(
                    "the JWKS at {} has keys this verifier cannot use: {why}",
                    self.0.url
                ),
            )
            .with_claim("jwksUrl"),
        )
    }
}
