//! The stateless functions of every build: decode, keys, scopes, Embeddable
//! requests, secure filters.

use wasm_bindgen::prelude::*;

use super::{json_string, json_text, options_or_default, to_js};

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

/// The Redis store's bucket script (Lua), which the JS layer runs with EVALSHA / EVAL.
#[wasm_bindgen(js_name = redisBucketScript)]
pub fn redis_bucket_script() -> String {
    crate::REDIS_BUCKET_SCRIPT.to_string()
}

/// The script's SHA-1 in hex, for EVALSHA.
#[wasm_bindgen(js_name = redisBucketSha1)]
pub fn redis_bucket_sha1() -> String {
    crate::REDIS_BUCKET_SHA1.to_string()
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
    format_scope_json(scope_json).map_err(to_js)
}

/// A scope given as JSON (`{type, resource?, filter?}`) as its string form;
/// an unknown `type` is a scope error like any other, not an option error.
fn format_scope_json(scope_json: &str) -> crate::Result<String> {
    let scope: crate::Scope = crate::options_from_json(scope_json, "formatScope").map_err(|e| {
        if e.claim.as_deref() == Some("type") {
            crate::Error::new(crate::ErrorCode::ScopeInvalid, e.message)
        } else {
            e
        }
    })?;
    crate::format_scope(&scope)
}

/// The validated body for Embeddable's Tokens API, as JSON text.
#[wasm_bindgen(js_name = embeddableTokenRequest)]
pub fn embeddable_token_request(params_json: &str) -> Result<String, JsValue> {
    crate::options_from_json(params_json, "embeddableTokenRequest")
        .and_then(|params| crate::profiles::embeddable::token_request(&params))
        .map_err(to_js)
}

/// `requestEmbeddableToken`'s request: `{"url","headers","body","timeoutMs"}` as JSON text.
#[wasm_bindgen(js_name = embeddableTokenHttpRequest)]
pub fn embeddable_token_http_request(
    params_json: &str,
    options_json: Option<String>,
) -> Result<String, JsValue> {
    let params = crate::options_from_json(params_json, "requestEmbeddableToken").map_err(to_js)?;
    let options = options_or_default(options_json, "requestEmbeddableToken options")?;
    let request =
        crate::profiles::embeddable::token_http_request(params, &options).map_err(to_js)?;
    json_text(&request, "the request")
}

/// The Tokens API's answer read: `{"token"}` as JSON text, or a TokenError.
#[wasm_bindgen(js_name = embeddableTokenHttpResponse)]
pub fn embeddable_token_http_response(status: u16, body: &str) -> Result<String, JsValue> {
    crate::profiles::embeddable::token_http_response(status, body)
        .and_then(super::profiles::token_object)
        .map_err(to_js)
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

#[cfg(test)]
mod tests {
    use super::format_scope_json;
    use crate::ErrorCode;

    #[test]
    fn format_scope_json_reports_unknown_types_as_scope_errors() {
        assert_eq!(
            format_scope_json(r#"{"type":"WORKSPACE:READ_ALL"}"#).unwrap(),
            "WORKSPACE:READ_ALL"
        );
        let error = format_scope_json(r#"{"type":"NOPE"}"#).unwrap_err();
        assert_eq!(error.code, ErrorCode::ScopeInvalid);
        assert!(
            error.message.contains("ORG_DATASOURCES:READ"),
            "{}",
            error.message
        );
        let error = format_scope_json(r#"{"type":"ADMIN","extra":1}"#).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOption);
    }
}
