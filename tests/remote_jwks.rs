//! `jwksUrl` verifiers through the public Rust API: before the JS layer has
//! fetched anything they hold no key and say so; with the fetched set they
//! verify like a `jwks` verifier. (Fetch policy and response bounds:
//! `src/keys/remote_jwks.rs`; fetching against a live server: tests/js/remote-jwks.test.mjs.)

use scopemint::{generate_key_pair, Algorithm, ErrorCode, SignOptions};
use serde_json::{json, Value};

mod support;
use support::try_verifier as verifier;

#[test]
fn a_jwks_url_verifier_without_keys_refuses_every_token_as_no_matching_key() {
    let pair = generate_key_pair(Algorithm::ES256).unwrap();
    let signer =
        support::signer(json!({ "privateKey": pair.private_key, "keyId": "k1", "ttlSeconds": 60 }));
    let token = signer.sign("{}", &SignOptions::default()).unwrap();
    let url = "https://issuer.example/.well-known/jwks.json";
    let empty = verifier(json!({ "jwksUrl": url, "algorithms": ["ES256"] })).unwrap();
    assert_eq!(
        empty.verify(&token).unwrap_err().code,
        ErrorCode::JwksNoMatchingKey
    );
    let mut jwk: Value = pair.public_jwk.clone();
    jwk["kid"] = json!("k1");
    let loaded = verifier(json!({ "jwksUrl": url, "jwks": { "keys": [jwk] } })).unwrap();
    assert!(loaded.verify(&token).is_ok());
    // A jwksUrl is a key source like the others: exactly one.
    let error = verifier(json!({ "jwksUrl": url, "secret": "x".repeat(32) }))
        .err()
        .unwrap();
    assert_eq!(error.code, ErrorCode::InvalidOption);
    let error = verifier(json!({ "jwksUrl": "http://issuer.example/jwks" }))
        .err()
        .unwrap();
    assert_eq!(error.claim.as_deref(), Some("jwksUrl"));
}
