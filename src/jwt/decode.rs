//! `decode`: reading a token without verifying it, for display. `decode` itself lives in the
//! `scopemint-decode` crate (crates/decode), which is also compiled alone into
//! the small wasm behind `scopemint/decode`: one implementation, one answer.

use crate::error::{malformed, Error, ErrorCode, Result};
use crate::jose::compact::{decode_segment, parse_object};
use crate::jwt::time;

pub use scopemint_decode::{Decoded, DEFAULT_MAX_TOKEN_BYTES};

/// Refuses oversized tokens before looking at a single byte of them.
pub fn check_size(token: &str, max_bytes: usize) -> Result<()> {
    scopemint_decode::check_size(token, max_bytes).map_err(from_decode_error)
}

fn from_decode_error(error: scopemint_decode::Error) -> Error {
    let code = match error.kind {
        scopemint_decode::ErrorKind::TokenTooLarge => ErrorCode::TokenTooLarge,
        scopemint_decode::ErrorKind::Malformed => ErrorCode::JwtMalformed,
        scopemint_decode::ErrorKind::InvalidOption => ErrorCode::InvalidOption,
        scopemint_decode::ErrorKind::ClockInvalid => ErrorCode::ClockInvalid,
    };
    let converted = Error::new(code, error.message);
    match error.claim {
        Some(claim) => converted.with_claim(claim),
        None => converted,
    }
}

/// Options for [`decode`].
#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecodeOptions {
    /// Default 16 KiB.
    pub max_token_bytes: Option<usize>,
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
    let max_bytes = max_token_bytes(options)?;
    scopemint_decode::decode(token, max_bytes, time::clock_reading()).map_err(from_decode_error)
}

/// `decode`'s options as JSON text, read by the shared crate exactly as the
/// decode-only wasm reads them: the size limit they set.
pub fn max_token_bytes_from_json(options_json: Option<&str>) -> Result<usize> {
    scopemint_decode::max_token_bytes(options_json).map_err(from_decode_error)
}

/// `decode` with its options as JSON text (the wasm entry uses this).
pub fn decode_with_json_options(token: &str, options_json: Option<&str>) -> Result<Decoded> {
    let max_bytes = max_token_bytes_from_json(options_json)?;
    scopemint_decode::decode(token, max_bytes, time::clock_reading()).map_err(from_decode_error)
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
        crate::jose::b64::encode(text.as_bytes())
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

#[cfg(test)]
mod decode_crate_tests {
    use super::*;

    /// The decode crate (and the decode-only wasm, which hands these strings
    /// to JS) speaks the package's codes: each kind is the `ErrorCode` of the
    /// same text.
    #[test]
    fn every_decode_error_kind_is_the_error_code_of_the_same_text() {
        for kind in scopemint_decode::ErrorKind::ALL {
            let converted = from_decode_error(scopemint_decode::Error {
                kind,
                message: String::new(),
                claim: None,
            });
            assert_eq!(converted.code.as_str(), kind.code());
            assert!(ErrorCode::ALL.contains(&converted.code), "{kind:?}");
        }
    }
}
