//! `jwksUrl` verifiers through the public Rust API: before the JS layer has
//! fetched anything they hold no key and say so; with the fetched set they
//! verify like a `jwks` verifier. (Fetch policy and response bounds:
//! `src/remote_jwks.rs`; fetching against a live server: tests/js/remote-jwks.test.mjs.)

use scopemint::{
    generate_key_pair, options_from_json, Algorithm, ErrorCode, SignOptions, Signer, SignerOptions,
    Verifier, VerifierOptions,
};
use serde_json::{json, Value};

fn verifier(options: Value) -> scopemint::Result<Verifier> {
    Verifier::new(options_from_json::<VerifierOptions>(
        &options.to_string(),
        "verifier",
    )?)
}

#[test]
fn a_jwks_url_verifier_without_keys_refuses_every_token_as_no_matching_key() {
    let pair = generate_key_pair(Algorithm::ES256).unwrap();
    let signer = Signer::new(
        options_from_json::<SignerOptions>(
            &json!({ "privateKey": pair.private_key, "keyId": "k1", "ttlSeconds": 60 }).to_string(),
            "signer",
        )
        .unwrap(),
    )
    .unwrap();
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
