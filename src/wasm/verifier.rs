//! `Verifier`: verify, authorize and the native-crypto halves; `RemoteJwks`, the
//! fetch policy of a `jwksUrl` verifier.

use wasm_bindgen::prelude::*;

use super::io::{self, Platform};
use super::{json_text, to_js};
use crate::{AuthorizeOptions, CreateVerifierOptions, Error, Verified, Verifier};

#[wasm_bindgen(js_name = Verifier)]
pub struct WasmVerifier {
    verifier: Verifier,
    /// `allowUnfilteredDataSets` and the like: `authorize`'s, not `verify`'s.
    authorize_options: AuthorizeOptions,
    /// The JS verified-token cache's size (`cache`), for the JS cache.
    cache_capacity: usize,
    /// Node's crypto, when the entry has it: asymmetric signatures, and
    /// HMACs when `platform_hashes` (Node's `crypto.hash`).
    platform: Option<Platform>,
    platform_hashes: bool,
}

impl WasmVerifier {
    /// The platform's verdict on the signature, or `None` to leave it to Rust.
    /// `head` is the io buffer before the text, where the token lies.
    fn platform_check(
        &self,
        head: &mut [u8],
        key_index: usize,
        input: &[u8],
        signature: &[u8],
    ) -> crate::Result<Option<bool>> {
        let Some(platform) = &self.platform else {
            return Ok(None);
        };
        match self.verifier.hmac_pads(key_index) {
            Some(_) if !self.platform_hashes => Ok(None),
            Some(pads) => {
                // The layout needs the signing input right after `head`; it always
                // is (a token starts the text), and otherwise Rust computes the HMAC.
                if input.as_ptr() != head.as_ptr().wrapping_add(head.len()) {
                    return Ok(None);
                }
                let tag = io::platform_hmac(platform, head, pads, input.len())?;
                Ok(Some(pads.tag_matches(&tag, signature)))
            }
            None => io::platform_verify(platform, key_index, input, signature).map(Some),
        }
    }
}

/// Leaves a verified token's header and payload JSON in the io buffer, and
/// returns the Unix seconds until which the result stands, NaN if it must
/// not be cached.
fn put_verified(buffer: &mut Vec<u8>, verified: &Verified) -> f64 {
    io::put_text(
        buffer,
        verified.header_json.as_bytes(),
        verified.payload_json.as_bytes(),
    );
    verified.valid_until.unwrap_or(f64::NAN)
}

#[wasm_bindgen(js_class = Verifier)]
impl WasmVerifier {
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<WasmVerifier, JsValue> {
        let options: CreateVerifierOptions =
            crate::options_from_json(options_json, "createVerifier options").map_err(to_js)?;
        let parts = options.into_parts();
        let verifier = Verifier::new(parts.verifier).map_err(to_js)?;
        Ok(WasmVerifier {
            verifier,
            authorize_options: parts.authorize,
            cache_capacity: parts.cache.capacity().map_err(to_js)?,
            platform: None,
            platform_hashes: false,
        })
    }

    /// Lets `platform` check this verifier's asymmetric signatures (and its
    /// HMACs if `hashes`); Rust still makes every other check.
    #[wasm_bindgen(js_name = usePlatform)]
    pub fn use_platform(&mut self, platform: Platform, hashes: bool) {
        self.platform = Some(platform);
        self.platform_hashes = hashes;
    }

    /// Verifies the token JS wrote into the io buffer (`token_length` bytes).
    /// The header and payload JSON are left in the io buffer (lengths in its
    /// registers); returns the Unix seconds until which the result stands,
    /// NaN if it must not be cached.
    /// (NaN too when the call failed: see `io::answer`.)
    #[wasm_bindgen(js_name = verifyIo)]
    pub fn verify_io(&self, token_length: usize) -> f64 {
        io::answer(self.verify_in_buffer(token_length), f64::NAN)
    }

    fn verify_in_buffer(&self, token_length: usize) -> Result<f64, JsValue> {
        io::with_buffer(|buffer| {
            let (head, text) = io::split(buffer);
            let token = io::text(text, token_length)?;
            let verified = self
                .verifier
                .verify_with(token, |key_index, input, signature| {
                    self.platform_check(head, key_index, input, signature)
                })?;
            Ok(put_verified(buffer, &verified))
        })
        .map_err(to_js)
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

    /// Every check before the signature, on the token JS wrote into the io
    /// buffer (`token_length` bytes); returns the index of the key that must
    /// verify it. The io buffer then holds the signing input (where the token
    /// started) and the decoded signature, as the answer's two parts. (0 when
    /// the call failed: see `io::answer`.)
    #[wasm_bindgen(js_name = startIo)]
    pub fn start_io(&self, token_length: usize) -> usize {
        io::answer(self.start_in_buffer(token_length), 0)
    }

    fn start_in_buffer(&self, token_length: usize) -> Result<usize, JsValue> {
        io::with_buffer(|buffer| {
            let (_, text) = io::split(buffer);
            let check = self.verifier.start_native(io::text(text, token_length)?)?;
            io::put_after(buffer, check.signing_input_bytes, &check.signature);
            Ok(check.key_index)
        })
        .map_err(to_js)
    }

    /// The payload checks once the platform (asynchronously: other calls may
    /// have used the io buffer meanwhile, so JS writes the token again) has
    /// verified the signature with the key `startIo` chose. As `verifyIo`:
    /// header and payload JSON left in the io buffer; returns the Unix seconds
    /// until which the result stands, NaN if it must not be cached (or when
    /// the call failed: see `io::answer`).
    #[wasm_bindgen(js_name = finishIo)]
    pub fn finish_io(&self, token_length: usize) -> f64 {
        io::answer(self.finish_in_buffer(token_length), f64::NAN)
    }

    fn finish_in_buffer(&self, token_length: usize) -> Result<f64, JsValue> {
        io::with_buffer(|buffer| {
            let (_, text) = io::split(buffer);
            let verified = self.verifier.finish_native(io::text(text, token_length)?)?;
            Ok(put_verified(buffer, &verified))
        })
        .map_err(to_js)
    }

    /// Verifies the token JS wrote into the io buffer (`token_length` bytes)
    /// as `verifyIo` does (the platform checks its signature), then matches
    /// `request_json` against its scopes; the grant as JSON text.
    pub fn authorize(&self, token_length: usize, request_json: &str) -> Result<String, JsValue> {
        io::with_buffer(|buffer| {
            let (head, text) = io::split(buffer);
            let token = io::text(text, token_length)?;
            self.verifier.authorize_with_platform(
                token,
                &self.authorize_options,
                self.verifier.now()?,
                |key_index, input, signature| {
                    self.platform_check(head, key_index, input, signature)
                },
                || crate::options_from_json(request_json, "request"),
            )
        })
        .map_err(to_js)
        .and_then(|grant| json_text(&grant, "the grant"))
    }

    /// `authorize` after the platform verified the signature with the key
    /// `startIo` chose, on the token JS wrote into the io buffer again
    /// (`token_length` bytes): the payload checks, then the match; the grant
    /// as JSON text.
    #[wasm_bindgen(js_name = authorizeFinishIo)]
    pub fn authorize_finish_io(
        &self,
        token_length: usize,
        request_json: &str,
    ) -> Result<String, JsValue> {
        io::with_buffer(|buffer| {
            let (_, text) = io::split(buffer);
            self.verifier.authorize_after_native(
                io::text(text, token_length)?,
                &self.authorize_options,
                || crate::options_from_json(request_json, "request"),
            )
        })
        .map_err(to_js)
        .and_then(|grant| json_text(&grant, "the grant"))
    }

    /// The validated `maxTokenBytes`, so JS can refuse a longer token before
    /// copying it into wasm memory.
    #[wasm_bindgen(js_name = maxTokenBytes)]
    pub fn max_token_bytes(&self) -> usize {
        self.verifier.max_token_bytes()
    }

    #[wasm_bindgen(js_name = cacheCapacity)]
    pub fn cache_capacity(&self) -> usize {
        self.cache_capacity
    }

    pub fn algorithms(&self) -> Vec<String> {
        self.verifier
            .algorithms()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect()
    }
}

/// The fetch policy of a `jwksUrl` verifier (`keys::remote_jwks`); the JS layer
/// does the fetching and asks this what to do.
#[wasm_bindgen(js_name = RemoteJwks)]
pub struct WasmRemoteJwks(crate::RemoteJwks);

/// The remote-set state for these `createVerifier` options, or undefined without `jwksUrl`.
#[wasm_bindgen(js_name = remoteJwks)]
pub fn remote_jwks(options_json: &str) -> Result<Option<WasmRemoteJwks>, JsValue> {
    let options: CreateVerifierOptions =
        crate::options_from_json(options_json, "createVerifier options").map_err(to_js)?;
    let options = options.verifier_options();
    Ok(
        crate::RemoteJwks::from_options(options.remote_jwks_options())
            .map_err(to_js)?
            .map(WasmRemoteJwks),
    )
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
