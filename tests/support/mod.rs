//! Helpers shared by the integration tests. Each `tests/*.rs` file is its own
//! crate and pulls this in with `mod support;`, so every file uses a different
//! subset of it.
#![allow(dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use scopemint::{
    options_from_json, CreateVerifierOptions, ErrorCode, SignOptions, Signer, SignerOptions,
    Verifier,
};
use serde_json::{json, Value};

/// The fixed clock (2027-01-15T08:00:00Z) the tests sign and verify at, so
/// time-dependent results are exact.
pub const NOW: i64 = 1_800_000_000;

/// The HS256 admin token of the Tinybird tests that need no particular shape.
pub const TINYBIRD_ADMIN_TOKEN: &str = "p.an-admin-token-long-enough-for-hs256";

/// A file from `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// base64url without padding, as in JWS segments.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

/// Bytes from hexadecimal text (two digits a byte).
pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// A signer from JS-style options, or the error they are refused with.
pub fn try_signer(options: Value) -> scopemint::Result<Signer> {
    Signer::new(options_from_json::<SignerOptions>(
        &options.to_string(),
        "signer",
    )?)
}

/// A verifier from JS-style `createVerifier` options, or the error they are
/// refused with (the options of `authorize` and the JS cache are left out).
pub fn try_verifier(options: Value) -> scopemint::Result<Verifier> {
    Verifier::new(
        options_from_json::<CreateVerifierOptions>(&options.to_string(), "verifier")?
            .verifier_options(),
    )
}

/// A signer from options the test expects to be valid.
pub fn signer(options: Value) -> Signer {
    Signer::new(options_from_json::<SignerOptions>(&options.to_string(), "signer").unwrap())
        .unwrap()
}

/// A verifier from options the test expects to be valid.
pub fn verifier(options: Value) -> Verifier {
    try_verifier(options).unwrap()
}

pub fn sign_options(options: Value) -> SignOptions {
    options_from_json(&options.to_string(), "sign").unwrap()
}

/// `claims` signed at NOW with default sign options.
pub fn sign_at_now(signer: &Signer, claims: Value) -> String {
    signer
        .sign_at(&claims.to_string(), &SignOptions::default(), NOW)
        .unwrap()
}

/// The code of an expected error; panics if the call succeeded.
pub fn code<T>(result: scopemint::Result<T>) -> ErrorCode {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(error) => error.code,
    }
}

/// `signing_input` with its HS256 signature under `secret` appended: a correctly
/// signed token over segments scopemint's own signer would never write.
pub fn hs256_signed(secret: &[u8], signing_input: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    format!(
        "{signing_input}.{}",
        b64(ring::hmac::sign(&key, signing_input.as_bytes()).as_ref())
    )
}

/// An HS256 token over this header and payload text exactly as written.
pub fn hs256_token(secret: &[u8], header: &[u8], payload: &[u8]) -> String {
    hs256_signed(secret, &format!("{}.{}", b64(header), b64(payload)))
}

/// The system clock in seconds, for calls that take no `now`.
pub fn system_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// A signer and verifier for TINYBIRD_ADMIN_TOKEN (workspace `ws_1`).
pub fn tinybird_signer() -> Signer {
    signer(json!({ "secret": TINYBIRD_ADMIN_TOKEN, "workspaceId": "ws_1" }))
}

pub fn tinybird_verifier() -> Verifier {
    verifier(json!({ "secret": TINYBIRD_ADMIN_TOKEN }))
}

/// A Tinybird JWT (workspace `ws_1`, name `n`) granting `scopes`, valid for an hour from NOW.
pub fn tinybird_token(scopes: Value) -> String {
    let claims =
        json!({ "workspace_id": "ws_1", "name": "n", "exp": NOW + 3600, "scopes": scopes });
    sign_at_now(&tinybird_signer(), claims)
}

/// A Vizzly ES256 signer (two-hour tokens) and the `vizzly`-profile verifier for its key.
pub fn vizzly_pair() -> (Signer, Verifier) {
    let pair = scopemint::generate_key_pair(scopemint::Algorithm::ES256).unwrap();
    (
        signer(json!({ "privateKey": pair.private_key, "ttlInMinutes": 120 })),
        verifier(json!({ "publicKey": pair.public_key, "profile": "vizzly" })),
    )
}

/// A vendor method called as the JS signer calls it: its argument as JSON
/// text read into the method's typed params (errors labelled with the
/// method), the typed profile function, and `{"token": …}` JSON where the
/// vendor's SDK answers with an object.
pub fn sign_with_profile(
    signer: &Signer,
    method: &str,
    params_json: &str,
) -> scopemint::Result<String> {
    use scopemint::profiles::{embeddable, tinybird, vizzly};
    let token_object = |token: String| json!({ "token": token }).to_string();
    match method {
        "signDashboardAccessToken" => {
            vizzly::sign_dashboard_access_token(signer, options_from_json(params_json, method)?)
        }
        "signDataAccessToken" => {
            vizzly::sign_data_access_token(signer, &options_from_json(params_json, method)?)
        }
        "signQueryEngineAccessToken" => {
            vizzly::sign_query_engine_access_token(signer, &options_from_json(params_json, method)?)
        }
        "signProjectAccessToken" => {
            vizzly::sign_project_access_token(signer, &options_from_json(params_json, method)?)
        }
        "generateTokens" => {
            let tokens = vizzly::generate_tokens(signer, options_from_json(params_json, method)?)?;
            Ok(serde_json::to_string(&tokens).unwrap())
        }
        "signVizzlyConfig" => {
            let config: serde_json::Map<String, Value> = options_from_json(params_json, method)?;
            vizzly::sign_vizzly_config(signer, &config)
        }
        "createJWT" | "tinybirdClientCreateJWT" => {
            let caller = if method == "createJWT" {
                tinybird::Caller::Signer
            } else {
                tinybird::Caller::Client
            };
            let params = options_from_json(params_json, "createJWT")?;
            tinybird::create_jwt_for(signer, &params, caller).map(token_object)
        }
        "signSecurityToken" => {
            let params = options_from_json(params_json, method)?;
            embeddable::sign_security_token(signer, &params).map(token_object)
        }
        other => panic!("no profile method {other}"),
    }
}

/// `authorize_at` with the request as JSON text, read (as the JS verifier
/// reads it) only once the token has verified.
pub fn authorize_json(
    verifier: &Verifier,
    token: &str,
    request_json: &str,
    now: f64,
) -> scopemint::Result<scopemint::Grant> {
    authorize_json_with(verifier, token, request_json, &Default::default(), now)
}

pub fn authorize_json_with(
    verifier: &Verifier,
    token: &str,
    request_json: &str,
    options: &scopemint::AuthorizeOptions,
    now: f64,
) -> scopemint::Result<scopemint::Grant> {
    verifier.authorize_with(token, options, now, || {
        options_from_json(request_json, "request")
    })
}
