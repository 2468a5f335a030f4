//! `allowShortSecret`: a verifier option for HMAC secrets shorter than the
//! hash (RFC 7518 §3.2 asks for at least the hash length), as a migration aid
//! for tokens from legacy systems. Signing with such a secret stays refused.

use scopemint::{options_from_json, ErrorCode, Signer, SignerOptions};
use serde_json::json;

mod support;
use support::try_verifier as verifier;

/// An HS256 token signed with `secret`, built by hand (no scopemint signer would).
fn legacy_token(secret: &[u8]) -> String {
    support::hs256_token(
        secret,
        br#"{"alg":"HS256","typ":"JWT"}"#,
        br#"{"sub":"legacy","exp":4000000000}"#,
    )
}

#[test]
fn short_secrets_verify_only_when_allowed() {
    let short = "legacy-secret"; // 13 bytes < 32
    let token = legacy_token(short.as_bytes());
    let refused = verifier(json!({ "secret": short })).err().unwrap();
    assert_eq!(refused.code, ErrorCode::KeyInvalid);
    let v = verifier(json!({ "secret": short, "allowShortSecret": true })).unwrap();
    assert!(v.verify(&token).is_ok());
    // The signature is still checked.
    let other = legacy_token(b"another-secret");
    assert_eq!(
        v.verify(&other).unwrap_err().code,
        ErrorCode::JwsSignatureInvalid
    );
    // Empty stays refused; the option means nothing without a secret.
    assert_eq!(
        verifier(json!({ "secret": "", "allowShortSecret": true }))
            .err()
            .unwrap()
            .code,
        ErrorCode::KeyInvalid
    );
    let error = verifier(json!({ "publicKey": "x", "allowShortSecret": true }))
        .err()
        .unwrap();
    assert_eq!(error.claim.as_deref(), Some("allowShortSecret"));
    // Signers have no such option: a short secret never signs.
    let signer = options_from_json::<SignerOptions>(
        &json!({ "secret": short, "allowShortSecret": true }).to_string(),
        "signer",
    );
    assert_eq!(signer.err().unwrap().code, ErrorCode::InvalidOption);
    let signer =
        options_from_json::<SignerOptions>(&json!({ "secret": short }).to_string(), "signer")
            .unwrap();
    assert_eq!(
        Signer::new(signer).err().unwrap().code,
        ErrorCode::KeyInvalid
    );
}
