//! One JSON rule for every entry point: a lone UTF-16 surrogate escape is
//! refused by `sign`, `verify`, `decode` and `authorize` alike (it used to pass
//! `verify` and then fail `authorize`); a paired escape is one character and
//! passes everywhere. RFC 8259 §8.2 (https://www.rfc-editor.org/rfc/rfc8259#section-8.2)
//! leaves the behaviour of unpaired surrogates unpredictable between parsers.

use scopemint::{
    decode, options_from_json, DecodeOptions, ErrorCode, SignOptions, Signer, SignerOptions,
    Verifier, VerifierOptions,
};
use serde_json::json;

const NOW: i64 = 1_800_000_000;
const SECRET: &str = "p.an-admin-token-long-enough-for-hs256";

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An HS256 token over `payload` exactly as written (escapes included).
fn token(payload: &str) -> String {
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(payload.as_bytes())
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET.as_bytes());
    format!(
        "{input}.{}",
        b64(ring::hmac::sign(&key, input.as_bytes()).as_ref())
    )
}

fn verifier() -> Verifier {
    let options = json!({ "secret": SECRET }).to_string();
    Verifier::new(options_from_json::<VerifierOptions>(&options, "verifier").unwrap()).unwrap()
}

fn signer() -> Signer {
    let options = json!({ "secret": SECRET }).to_string();
    Signer::new(options_from_json::<SignerOptions>(&options, "signer").unwrap()).unwrap()
}

/// A Tinybird-shaped payload granting `DATASOURCES:READ` on `orders`, with
/// `name` spelled as the raw JSON string `name`.
fn payload(name: &str) -> String {
    format!(
        r#"{{"workspace_id":"ws","name":"{name}","exp":{},"scopes":[{{"type":"DATASOURCES:READ","resource":"orders"}}]}}"#,
        NOW + 60
    )
}

const REQUEST: &str = r#"{"type":"DATASOURCES:READ","resource":"orders"}"#;

#[test]
fn lone_surrogates_are_refused_by_verify_authorize_decode_and_sign_alike() {
    for name in [
        r"\ud800",
        r"Rocket \ud83d",
        r"\udc00",
        r"\ud83d\u0041",
        r"\ude80\ud83d",
    ] {
        let t = token(&payload(name));
        let verified = verifier().verify_at(&t, NOW as f64).unwrap_err();
        let authorized = verifier()
            .authorize_at(&t, REQUEST, NOW as f64)
            .unwrap_err();
        let decoded = decode(&t, &DecodeOptions::default()).err().unwrap();
        for error in [&verified, &authorized, &decoded] {
            assert_eq!(error.code, ErrorCode::JwtMalformed, "{name}: {error}");
            assert!(error.message.contains("surrogate"), "{name}: {error}");
        }
        let signed = signer()
            .sign_at(&payload(name), &SignOptions::default(), NOW)
            .unwrap_err();
        assert_eq!(signed.code, ErrorCode::InvalidOption, "{name}");
    }
    // A lone surrogate in a member name is refused the same way.
    let t = token(&payload("n").replacen("\"name\"", r#""\udfff""#, 1));
    assert_eq!(
        verifier().verify_at(&t, NOW as f64).unwrap_err().code,
        ErrorCode::JwtMalformed
    );
}

#[test]
fn paired_surrogates_and_escaped_backslashes_pass_everywhere() {
    for (name, read) in [
        (r"Rocket \ud83d\ude80", "Rocket 🚀"),
        (r"\\ud800", r"\ud800"),
        (r"\u00e9\ud7ff\ue000", "\u{e9}\u{d7ff}\u{e000}"),
    ] {
        let t = token(&payload(name));
        let verified = verifier().verify_at(&t, NOW as f64).unwrap();
        let claims: serde_json::Value = serde_json::from_str(&verified.payload_json).unwrap();
        assert_eq!(claims["name"], read);
        let grant = verifier().authorize_at(&t, REQUEST, NOW as f64).unwrap();
        assert_eq!(grant.claims["name"], read);
        assert!(decode(&t, &DecodeOptions::default()).is_ok());
        assert!(signer()
            .sign_at(&payload(name), &SignOptions::default(), NOW)
            .is_ok());
    }
}
