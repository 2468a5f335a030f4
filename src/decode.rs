//! Splitting a compact JWS into its parts, and `decode`: reading a token
//! without verifying it, for display.

use crate::b64;
use crate::error::{malformed, Error, ErrorCode, Result};
use crate::filter_words::{secure_filters_in_words, Json};
use crate::json::Object;
use crate::time;

/// Tokens longer than this are refused unless a caller raises the limit.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 16 * 1024;

/// A compact JWS split into its three segments.
pub struct Parts<'t> {
    pub header_segment: &'t str,
    pub signing_input: &'t str,
    pub payload_segment: &'t str,
    pub signature_segment: &'t str,
}

/// Refuses oversized tokens before looking at a single byte of them.
pub fn check_size(token: &str, max_bytes: usize) -> Result<()> {
    if token.len() > max_bytes {
        return Err(Error::new(
            ErrorCode::TokenTooLarge,
            format!(
                "token is {} bytes; the limit (maxTokenBytes) is {max_bytes}",
                token.len()
            ),
        ));
    }
    Ok(())
}

pub fn split(token: &str) -> Result<Parts<'_>> {
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        let count = token.split('.').count();
        return Err(malformed(format!(
            "a compact JWS has 3 dot-separated segments; this token has {count}"
        )));
    };
    Ok(Parts {
        header_segment: header,
        signing_input: &token[..header.len() + 1 + payload.len()],
        payload_segment: payload,
        signature_segment: signature,
    })
}

/// base64url-decodes a segment that must hold UTF-8 JSON text.
pub fn decode_segment(segment: &str, what: &str) -> Result<String> {
    let bytes = b64::decode(segment)
        .ok_or_else(|| malformed(format!("the {what} is not valid base64url")))?;
    String::from_utf8(bytes).map_err(|_| malformed(format!("the {what} is not valid UTF-8")))
}

pub fn parse_object<'a>(json: &'a str, what: &str) -> Result<Object<'a>> {
    Object::parse(json)
        .map_err(|e| malformed(format!("the {what} is not a valid JSON object: {e}")))
}

/// Options for [`decode`].
#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecodeOptions {
    /// Default 16 KiB.
    pub max_token_bytes: Option<usize>,
}

/// What `decode` shows: the parts as JSON text plus the times, if readable.
pub struct Decoded {
    pub header_json: String,
    pub payload_json: String,
    pub issued_at: Option<f64>,
    pub expires_at: Option<f64>,
    pub now: f64,
    /// The vendor shape the payload has, if any (see [`detect_profile`]).
    pub profile: Option<&'static str>,
    /// Vizzly data tokens: each data set's secure filters read as one boolean
    /// expression (`org_id = 'acme' AND region = 'eu'`), in token order.
    pub secure_filters_in_words: Option<Vec<(String, String)>>,
}

impl Decoded {
    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|exp| exp <= self.now)
    }

    pub fn seconds_left(&self) -> Option<f64> {
        self.expires_at.map(|exp| (exp - self.now).max(0.0).floor())
    }
}

/// The size limit `decode` applies with these options.
pub fn max_token_bytes(options: &DecodeOptions) -> Result<usize> {
    match options.max_token_bytes {
        Some(0) => Err(crate::error::invalid_option(
            "maxTokenBytes",
            "must be a positive integer",
        )),
        Some(n) => Ok(n),
        None => Ok(DEFAULT_MAX_TOKEN_BYTES),
    }
}

/// Reads a token without checking its signature. Never use the result for an
/// access decision; that is what a verifier is for.
pub fn decode(token: &str, options: &DecodeOptions) -> Result<Decoded> {
    check_size(token, max_token_bytes(options)?)?;
    let parts = split(token)?;
    let header_json = decode_segment(parts.header_segment, "header")?;
    parse_object(&header_json, "header")?;
    let payload_json = decode_segment(parts.payload_segment, "payload")?;
    let payload = parse_object(&payload_json, "payload")?;
    let issued_at = payload.number("iat").ok().flatten();
    // Vizzly states its expiry as an ISO-8601 `expires` instead of `exp`.
    let expires_at = payload.number("exp").ok().flatten().or_else(|| {
        let expires = payload.string("expires").ok().flatten()?;
        crate::time::parse_iso8601(&expires).map(|ms| ms as f64 / 1000.0)
    });
    let profile = detect_profile(&payload);
    let secure_filters_in_words = if profile == Some("vizzly-data") {
        filters_in_words(&payload_json)
    } else {
        None
    };
    Ok(Decoded {
        header_json,
        payload_json,
        issued_at,
        expires_at,
        now: time::now_seconds()?,
        profile,
        secure_filters_in_words,
    })
}

fn filters_in_words(payload_json: &str) -> Option<Vec<(String, String)>> {
    let payload: serde_json::Value = serde_json::from_str(payload_json).ok()?;
    secure_filters_in_words(&to_words_json(payload.get("secureFilters")?))
}

/// serde_json's tree as the self-contained one `filter_words` reads.
fn to_words_json(value: &serde_json::Value) -> Json<'_> {
    use serde_json::Value;
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => Json::Number(n.to_string().into()),
        Value::String(s) => Json::String(s.as_str().into()),
        Value::Array(items) => Json::Array(items.iter().map(to_words_json).collect()),
        Value::Object(members) => Json::Object(
            members
                .iter()
                .map(|(k, v)| (k.as_str().into(), to_words_json(v)))
                .collect(),
        ),
    }
}

/// Names the vendor shape of a payload by its characteristic claims.
pub fn detect_profile(payload: &Object) -> Option<&'static str> {
    let has = |name: &str| payload.contains(name);
    if has("workspace_id") && has("scopes") {
        Some("tinybird")
    } else if has("dataSetIds") {
        Some("vizzly-data")
    } else if has("accessType") && has("userReference") {
        Some("vizzly-dashboard")
    } else if has("allowDatabaseSchemaAccess") || has("allowDataPreviewAccess") {
        Some("vizzly-query-engine")
    } else if has("resources") && has("projectId") && has("expires") {
        Some("vizzly-project")
    } else if has("securityTokenId") {
        Some("embeddable")
    } else {
        None
    }
}

/// jose's `decodeProtectedHeader` for compact tokens: the header of a JWS (3
/// segments) or JWE (5 segments) as JSON text, NOT verified. Strict like
/// `decode`: canonical base64url, UTF-8, one JSON object, no duplicate names.
pub fn decode_protected_header(token: &str, max_bytes: usize) -> Result<String> {
    check_size(token, max_bytes)?;
    let count = token.split('.').count();
    if count != 3 && count != 5 {
        return Err(malformed(format!(
            "a compact JWS has 3 and a compact JWE 5 dot-separated segments; this token has {count}"
        )));
    }
    let segment = token.split('.').next().unwrap_or_default();
    let header = decode_segment(segment, "header")?;
    parse_object(&header, "header")?;
    Ok(header)
}

#[cfg(test)]
mod protected_header_tests {
    use super::*;

    fn b64(text: &str) -> String {
        crate::b64::encode(text.as_bytes())
    }

    #[test]
    fn reads_the_header_of_a_jws_or_jwe_without_verifying() {
        let header = r#"{"alg":"ES256","kid":"k1"}"#;
        assert_eq!(
            decode_protected_header(&format!("{}.e30.sig", b64(header)), 16384).unwrap(),
            header
        );
        let jwe = format!(
            "{}.k.iv.ct.tag",
            b64(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#)
        );
        assert!(decode_protected_header(&jwe, 16384).is_ok());
        for bad in [
            "".to_string(),
            "abc".to_string(),
            format!("{}.e30", b64(header)),
            format!("{}.a.b.c", b64(header)),
            "!!.e30.sig".to_string(),
            format!("{}.e30.sig", b64("[1]")),
            format!("{}.e30.sig", b64(r#"{"alg":"HS256","alg":"none"}"#)),
            format!("{}=.e30.sig", b64(header)),
        ] {
            assert_eq!(
                decode_protected_header(&bad, 16384).unwrap_err().code,
                ErrorCode::JwtMalformed,
                "{bad}"
            );
        }
        assert_eq!(
            decode_protected_header(&"a".repeat(100), 10)
                .unwrap_err()
                .code,
            ErrorCode::TokenTooLarge
        );
    }
}
