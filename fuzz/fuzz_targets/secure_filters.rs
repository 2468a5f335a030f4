//! Vizzly `signDataAccessToken` parameter validation (secure filters) with an
//! ES256 signer: no panics, errors are coded, and whatever is signed verifies
//! under the Vizzly profile.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scopemint::profiles::sign_with_profile;
use scopemint::{options_from_json, ErrorCode, Signer, SignerOptions, Verifier, VerifierOptions};

fn keys() -> &'static (Signer, Verifier) {
    static K: OnceLock<(Signer, Verifier)> = OnceLock::new();
    K.get_or_init(|| {
        let signer = serde_json::json!({
            "privateKey": include_str!("../../tests/fixtures/p256-sec1.pem"),
            "ttlInMinutes": 120,
        });
        let verifier = serde_json::json!({
            "publicKey": include_str!("../../tests/fixtures/p256-spki.pem"),
            "profile": "vizzly",
        });
        (
            Signer::new(options_from_json::<SignerOptions>(&signer.to_string(), "s").unwrap())
                .unwrap(),
            Verifier::new(options_from_json::<VerifierOptions>(&verifier.to_string(), "v").unwrap())
                .unwrap(),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(params) = std::str::from_utf8(data) else {
        return;
    };
    let (signer, verifier) = keys();
    match sign_with_profile(signer, "signDataAccessToken", params) {
        Ok(token) => {
            verifier
                .verify(&token)
                .unwrap_or_else(|e| panic!("signed data token does not verify: {e}\n{token}"));
        }
        Err(error) => assert!(ErrorCode::ALL.contains(&error.code)),
    }
});
