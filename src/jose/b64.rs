//! base64url without padding (RFC 7515 §2). Decoding is strict: padding,
//! characters outside the URL-safe alphabet and non-zero trailing bits are
//! all rejected, so every token has exactly one encoding.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn encode_into(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out)
}

pub fn decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_padding_foreign_characters_and_trailing_bits() {
        assert_eq!(decode("YQ").unwrap(), b"a");
        assert!(decode("YQ==").is_none());
        assert!(decode("Y+").is_none());
        assert!(decode("Y/").is_none());
        // "YR" decodes to 'a' too but has non-zero trailing bits.
        assert!(decode("YR").is_none());
    }
}
