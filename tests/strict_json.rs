//! One JSON rule for every entry point: a lone UTF-16 surrogate escape is
//! refused by `sign`, `verify`, `decode` and `authorize` alike (it used to pass
//! `verify` and then fail `authorize`); a paired escape is one character and
//! passes everywhere. RFC 8259 §8.2 (https://www.rfc-editor.org/rfc/rfc8259#section-8.2)
//! leaves the behaviour of unpaired surrogates unpredictable between parsers.

use scopemint::{decode, DecodeOptions, ErrorCode, SignOptions, Signer, Verifier};
use serde_json::json;

mod support;
use support::authorize_json;
use support::{NOW, TINYBIRD_ADMIN_TOKEN as SECRET};

fn verifier() -> Verifier {
    support::verifier(json!({ "secret": SECRET }))
}

fn signer() -> Signer {
    support::signer(json!({ "secret": SECRET }))
}

/// An HS256 token over `payload` exactly as written (escapes included).
fn token(payload: &str) -> String {
    support::hs256_token(
        SECRET.as_bytes(),
        br#"{"alg":"HS256","typ":"JWT"}"#,
        payload.as_bytes(),
    )
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
        let authorized = authorize_json(&verifier(), &t, REQUEST, NOW as f64).unwrap_err();
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
        let grant = authorize_json(&verifier(), &t, REQUEST, NOW as f64).unwrap();
        assert_eq!(grant.claims["name"], read);
        assert!(decode(&t, &DecodeOptions::default()).is_ok());
        assert!(signer()
            .sign_at(&payload(name), &SignOptions::default(), NOW)
            .is_ok());
    }
}
