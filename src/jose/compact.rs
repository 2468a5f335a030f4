//! Compact serialisation (RFC 7515 §7.1): `header.payload.signature`, each
//! segment base64url; splitting a token into its segments and joining them.

use crate::error::{malformed, Result};
use crate::jose::b64;
use crate::jose::json::Object;

/// A compact JWS split into its three segments.
pub struct Parts<'t> {
    pub header_segment: &'t str,
    pub signing_input: &'t str,
    pub payload_segment: &'t str,
    pub signature_segment: &'t str,
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

/// `header.payload`, with room for the signature.
pub fn join_segments(header_segment: &str, payload: &[u8]) -> String {
    let mut token = String::with_capacity(header_segment.len() + payload.len() * 4 / 3 + 100);
    token.push_str(header_segment);
    token.push('.');
    b64::encode_into(payload, &mut token);
    token
}
