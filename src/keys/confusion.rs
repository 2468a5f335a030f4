//! Spotting asymmetric key material handed over as an HMAC secret. With a
//! public key as the "secret", anyone holding the public key could mint
//! tokens; the algorithm binding already stops that, this is the second line.
//! Every encoding we can recognise counts: PEM, DER, base64 or hex of DER,
//! JWK JSON (whatever escapes its member names use), OpenSSH keys.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use serde_json::Value;

use super::pkcs;

/// Standard alphabet, padding optional, lax trailing bits: a secret that
/// decodes at all is worth a look.
const LAX_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// What kind of key material `secret` holds, if any.
pub fn key_material_kind(secret: &[u8]) -> Option<&'static str> {
    if let Some(kind) = plain_kind(secret) {
        return Some(kind);
    }
    let text = std::str::from_utf8(secret).ok()?;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if let Some(bytes) = hex(&compact) {
        if plain_kind(&bytes).is_some() {
            return Some("hex-encoded key material");
        }
    }
    // base64url too: turned into the standard alphabet first.
    let standard: String = compact
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    let bytes = LAX_BASE64.decode(standard.trim_end_matches('=')).ok()?;
    plain_kind(&bytes).map(|_| "base64-encoded key material")
}

/// Key material as it is, without an outer text encoding.
fn plain_kind(bytes: &[u8]) -> Option<&'static str> {
    if pkcs::is_key_structure(bytes) {
        return Some("a DER key or certificate");
    }
    if is_ssh_key_blob(bytes) {
        return Some("an OpenSSH key");
    }
    let text = String::from_utf8_lossy(bytes);
    // PEM anywhere, as the PEM reader would find it; RFC 4716 SSH keys too.
    if text.contains("-----BEGIN") || text.contains("---- BEGIN SSH2") {
        return Some("a PEM key");
    }
    if is_jwk(&text) {
        return Some("a JWK");
    }
    // `ssh-ed25519 AAAAC3Nza… comment`, possibly after authorized_keys options.
    if text
        .split_ascii_whitespace()
        .filter_map(|token| LAX_BASE64.decode(token.trim_end_matches('=')).ok())
        .any(|blob| is_ssh_key_blob(&blob))
    {
        return Some("an OpenSSH public key");
    }
    None
}

/// A JSON object with a `kty` member (a JWK) or a `keys` array (a JWKS),
/// however its names are escaped: the JSON is parsed, not searched.
fn is_jwk(text: &str) -> bool {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if !trimmed.starts_with('{') {
        return false;
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Object(object)) => {
            object.contains_key("kty") || object.get("keys").is_some_and(Value::is_array)
        }
        // Not JSON a JWK reader would take, but still not a secret anyone meant.
        _ => trimmed.contains("\"kty\""),
    }
}

/// The SSH wire encoding of a key (RFC 4253 §6.6): a length-prefixed key type
/// name such as `ssh-rsa`, `ecdsa-sha2-nistp256`, `ssh-ed25519` or an
/// `sk-` security-key type, followed by the key itself.
fn is_ssh_key_blob(bytes: &[u8]) -> bool {
    let Some((length, rest)) = bytes.split_first_chunk::<4>() else {
        return false;
    };
    let length = u32::from_be_bytes(*length) as usize;
    if !(7..=64).contains(&length) || rest.len() <= length {
        return false;
    }
    let name = &rest[..length];
    let known_prefix = [&b"ssh-"[..], b"ecdsa-sha2-", b"sk-"]
        .iter()
        .any(|prefix| name.starts_with(prefix));
    known_prefix && name.iter().all(|b| b.is_ascii_graphic())
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || text.len() % 2 != 0 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_looking_secrets_are_not_keys() {
        for secret in [
            &b"0123456789abcdef0123456789abcdef"[..],
            b"p.eyJ1IjogIjEyMzQ1Njc4LTEyMzQiLCAiaWQiOiAiYWJjIn0.c2lnbmF0dXJl",
            b"c3VwZXItc2VjcmV0LXZhbHVlLXRoYXQtaXMtbG9uZy1lbm91Z2g=",
            b"ssh-rsa is a fine phrase inside a secret of some length",
            &[0x30, 0x20, 0x02, 0x01, 0x01][..],
        ] {
            assert_eq!(key_material_kind(secret), None, "{secret:?}");
        }
    }

    #[test]
    fn hex_decodes_pairs_only() {
        assert_eq!(hex("0aFf"), Some(vec![0x0a, 0xff]));
        assert_eq!(hex("0aF"), None);
        assert_eq!(hex("zz"), None);
    }
}
