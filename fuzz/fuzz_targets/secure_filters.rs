//! Vizzly `signDataAccessToken` parameter validation (secure filters) with an
//! ES256 signer: no panics, errors are coded, whatever is signed verifies
//! under the Vizzly profile, `authorize` reads every filtered data set of it,
//! and its grant compiles or fails with a code (never a panic).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scopemint::profiles::vizzly;
use scopemint::{
    options_from_json, AuthorizeOptions, CreateVerifierOptions, ErrorCode, Request, ScopeType,
    Signer, SignerOptions, Verifier,
};

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
            Verifier::new(
                options_from_json::<CreateVerifierOptions>(&verifier.to_string(), "v")
                    .unwrap()
                    .verifier_options(),
            )
            .unwrap(),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(params) = std::str::from_utf8(data) else {
        return;
    };
    let (signer, verifier) = keys();
    let data_params = options_from_json(params, "signDataAccessToken");
    match data_params.and_then(|p| vizzly::sign_data_access_token(signer, &p)) {
        Ok(token) => {
            let verified = verifier
                .verify(&token)
                .unwrap_or_else(|e| panic!("signed data token does not verify: {e}\n{token}"));
            let claims: serde_json::Value = serde_json::from_str(&verified.payload_json).unwrap();
            for data_set in claims["secureFilters"].as_object().into_iter().flatten().map(|(k, _)| k) {
                let request = Request::new(ScopeType::DatasourcesRead, data_set);
                // Ids the request check refuses (control characters, `*`, …) are denied, not granted.
                let Ok(grant) = verifier.authorize(&token, &request, &AuthorizeOptions::default()) else {
                    continue;
                };
                let groups = grant.secure_filters.expect("a Vizzly grant has secure filters");
                if let Err(error) = scopemint::compile_filters(&groups, scopemint::Dialect::Sqlite) {
                    assert!(ErrorCode::ALL.contains(&error.code));
                }
            }
        }
        Err(error) => assert!(ErrorCode::ALL.contains(&error.code)),
    }
});
