//! Verifier::verify against an HS256 verifier (fixed secret) and an ES256
//! verifier (fixed key). The first byte picks the mode:
//! - even: the rest is a raw token;
//! - odd: the rest is `header \xff payload`, which is base64url-encoded and
//!   HS256-signed with the verifier's secret, so the header and claim checks
//!   behind the signature get fuzzed too.
#![no_main]

use std::sync::OnceLock;

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use scopemint::{options_from_json, ErrorCode, Verifier, CreateVerifierOptions};

const SECRET: &str = "fuzz-secret-0123456789abcdef-0123";
const NOW: f64 = 1_800_000_000.0;

struct Verifiers {
    hs: Verifier,
    es: Verifier,
    hs_key: ring::hmac::Key,
}

fn verifiers() -> &'static Verifiers {
    static V: OnceLock<Verifiers> = OnceLock::new();
    V.get_or_init(|| {
        let make = |json: serde_json::Value| {
            Verifier::new(
                options_from_json::<CreateVerifierOptions>(&json.to_string(), "v")
                    .unwrap()
                    .verifier_options(),
            )
            .unwrap()
        };
        Verifiers {
            hs: make(serde_json::json!({ "secret": SECRET, "issuer": "iss", "audience": ["a", "b"] })),
            es: make(serde_json::json!({
                "publicKey": include_str!("../../tests/fixtures/p256-spki.pem"),
                "algorithms": ["ES256"],
            })),
            hs_key: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET.as_bytes()),
        }
    })
}

fn check(result: scopemint::Result<scopemint::Verified>) -> bool {
    match result {
        Ok(verified) => {
            match serde_json::from_str::<serde_json::Value>(&verified.payload_json) {
                Ok(payload) => assert!(payload.is_object()),
                Err(e) => panic!("verified payload is not JSON: {e}"),
            }
            true
        }
        Err(error) => {
            assert!(ErrorCode::ALL.contains(&error.code));
            false
        }
    }
}


fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let v = verifiers();
    if mode % 2 == 0 {
        let Ok(token) = std::str::from_utf8(rest) else {
            return;
        };
        check(v.hs.verify_at(token, NOW));
        // Nobody can forge an ES256 signature; random input must never pass.
        assert!(!check(v.es.verify_at(token, NOW)), "ES256 accepted a fuzzed token");
    } else {
        let (header, payload) = match rest.iter().position(|&b| b == 0xff) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &b"{}"[..]),
        };
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let input = format!("{}.{}", b64.encode(header), b64.encode(payload));
        let sig = ring::hmac::sign(&v.hs_key, input.as_bytes());
        let token = format!("{input}.{}", b64.encode(sig.as_ref()));
        if check(v.hs.verify_at(&token, NOW)) {
            // Accepted: the header must have been a JSON object naming HS256.
            match serde_json::from_slice::<serde_json::Value>(header) {
                Ok(header) => assert_eq!(header["alg"], "HS256", "accepted header: {header}"),
                Err(e) => panic!("accepted header is not JSON: {e}"),
            }
        }
        assert!(!check(v.es.verify_at(&token, NOW)));
    }
});
