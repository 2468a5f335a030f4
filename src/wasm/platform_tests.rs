//! The platform entry points the wasm adapter uses on Node (`Signer::sign_with`,
//! `Verifier::verify_with`, `HmacPads`), tested natively with a platform emulated
//! by RustCrypto: the same tokens and verdicts as the general path, and a platform
//! that answers wrongly can only make verification fail.

use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::crypto::hmac::HmacPads;
use crate::{CreateVerifierOptions, ErrorCode, SignOptions, Signer, SignerOptions, Verifier};

const SECRET: &str = "a secret of more than sixty-four bytes, enough for HS256, HS384 and HS512!";

fn options<T: serde::de::DeserializeOwned>(json: &str) -> T {
    crate::options_from_json(json, "test options").unwrap()
}

fn signer(alg: &str) -> Signer {
    Signer::new(options::<SignerOptions>(&format!(
        r#"{{"secret":"{SECRET}","algorithm":"{alg}","ttlSeconds":600}}"#
    )))
    .unwrap()
}

fn verifier(alg: &str) -> Verifier {
    let options: CreateVerifierOptions = options(&format!(
        r#"{{"secret":"{SECRET}","algorithms":["{alg}"]}}"#
    ));
    Verifier::new(options.verifier_options()).unwrap()
}

/// What Node does with the layout: one plain hash of `inner pad ‖ message`.
fn platform_inner_digest(pads: &HmacPads, message: &[u8]) -> Vec<u8> {
    let data = [pads.inner(), message].concat();
    match pads.digest_bytes() {
        32 => Sha256::digest(&data).to_vec(),
        48 => Sha384::digest(&data).to_vec(),
        _ => Sha512::digest(&data).to_vec(),
    }
}

/// Explicit iat and exp (an hour from now), so both paths sign the same claims
/// even if the clock ticks between them.
fn claims() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    format!(
        r#"{{"sub":"user_1","org":"é😀","iat":{now},"exp":{}}}"#,
        now + 3600
    )
}

#[test]
fn a_platform_hmac_signs_the_same_tokens_as_the_wasm_hmac() {
    for alg in ["HS256", "HS384", "HS512"] {
        let signer = signer(alg);
        let pads = signer.hmac_pads().expect("an HMAC signer has pads");
        let claims = claims();
        let general = signer.sign(&claims, &SignOptions::default()).unwrap();
        let computed = signer
            .sign_with(&claims, &SignOptions::default(), |input| {
                Ok(pads.tag(&platform_inner_digest(pads, input.as_bytes())))
            })
            .unwrap();
        assert_eq!(computed, general, "{alg}");
        let left_to_rust = signer
            .sign_with(&claims, &SignOptions::default(), |_| Ok(None))
            .unwrap();
        assert_eq!(left_to_rust, general, "{alg}");
    }
}

#[test]
fn a_platform_hmac_verifies_exactly_what_the_wasm_hmac_verifies() {
    for alg in ["HS256", "HS384", "HS512"] {
        let token = signer(alg)
            .sign(&claims(), &SignOptions::default())
            .unwrap();
        let verifier = verifier(alg);
        let by_platform = |token: &str| {
            verifier.verify_with(token, |index, input, signature| {
                let pads = verifier.hmac_pads(index).expect("an HMAC key");
                let tag = pads.tag(&platform_inner_digest(pads, input)).unwrap();
                Ok(Some(pads.tag_matches(&tag, signature)))
            })
        };
        let general = verifier.verify(&token).unwrap();
        let fast = by_platform(&token).unwrap();
        assert_eq!(fast.header_json, general.header_json);
        assert_eq!(fast.payload_json, general.payload_json);
        assert_eq!(fast.valid_until, general.valid_until);

        // Every single-character change gives the same answer on both paths.
        for at in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(bytes).unwrap();
            let general = verifier.verify(&changed).map(|v| v.payload_json);
            let fast = by_platform(&changed).map(|v| v.payload_json);
            match (general, fast) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(a), Err(b)) => {
                    assert_eq!(
                        (a.code(), a.message.as_str()),
                        (b.code(), b.message.as_str())
                    )
                }
                (a, b) => panic!("{alg} at {at}: {a:?} vs {b:?}"),
            }
        }
    }
}

#[test]
fn a_platform_can_fail_a_signature_but_every_other_check_is_still_made() {
    let token = signer("HS256")
        .sign(&claims(), &SignOptions::default())
        .unwrap();
    let verifier = verifier("HS256");
    let refused = verifier
        .verify_with(&token, |_, _, _| Ok(Some(false)))
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::JwsSignatureInvalid.as_str());

    // Even a platform that says "valid" to a forged signature cannot get past
    // the checks before and after it: here an expired token.
    let expired = signer("HS256")
        .sign_at(r#"{"sub":"u"}"#, &SignOptions::default(), 1_000_000_000)
        .unwrap();
    let error = verifier
        .verify_with(&expired, |_, _, _| Ok(Some(true)))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::JwtExpired.as_str());
    // And one for an algorithm the verifier does not allow never reaches the platform.
    let other = signer("HS384")
        .sign(&claims(), &SignOptions::default())
        .unwrap();
    let error = verifier
        .verify_with(&other, |_, _, _| panic!("the platform must not be asked"))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::JoseAlgNotAllowed.as_str());
}
