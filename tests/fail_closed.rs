//! Fail-closed behaviour through the public Rust API: lifetimes and expiries
//! that overflow or exceed the one maximum, a clock that is not a time, and
//! values that would change meaning. Every case asserts its error code.

use scopemint::{
    generate_key_pair, options_from_json, Algorithm, CreateVerifierOptions, ErrorCode, SignOptions,
    Verifier,
};
use serde_json::{json, Value};

mod support;
use support::authorize_json;
use support::sign_with_profile;
use support::{sign_options, try_signer as signer, unb64, verifier, NOW};

const SECRET: &str = "0123456789abcdef0123456789abcdef";
/// The documented maximum lifetime (README, index.d.ts): 3650 days.
const MAX_LIFETIME: i64 = 3650 * 86_400;

fn payload(token: &str) -> Value {
    serde_json::from_slice(&unb64(token.split('.').nth(1).unwrap())).unwrap()
}

fn refused<T>(result: scopemint::Result<T>, code: ErrorCode, claim: Option<&str>, label: &str) {
    match result {
        Ok(_) => panic!("{label}: expected {code:?}, but it was accepted"),
        Err(error) => {
            assert_eq!(error.code, code, "{label}: {error}");
            if claim.is_some() {
                assert_eq!(error.claim.as_deref(), claim, "{label}: {error}");
            }
        }
    }
}

#[test]
fn ttl_options_that_overflow_or_exceed_the_maximum_are_refused_at_creation() {
    // `ttlSeconds: 1e300` used to mint `exp = -9.2e18` (a saturating cast, then a wrapping add).
    for (option, value) in [
        ("ttlSeconds", json!(1e300)),
        ("ttlSeconds", json!(9.3e18)),
        ("ttlSeconds", json!(MAX_LIFETIME + 1)),
        ("ttlSeconds", json!(f64::MAX)),
        ("ttlInMinutes", json!(1e300)),
        ("ttlInMinutes", json!(1.6e17)),
        ("ttlInMinutes", json!(MAX_LIFETIME / 60 + 1)),
        ("ttlSeconds", json!(0.4)),
        ("ttlSeconds", json!(-60)),
        ("ttlSeconds", json!("NaN")),
        ("ttlSeconds", json!("Infinity")),
    ] {
        let options = json!({ "secret": SECRET, option: value });
        refused(
            signer(options),
            ErrorCode::InvalidOption,
            Some(option),
            &format!("{option}: {value}"),
        );
    }
    let longest = signer(json!({ "secret": SECRET, "ttlSeconds": MAX_LIFETIME })).unwrap();
    let token = longest.sign_at("{}", &SignOptions::default(), NOW).unwrap();
    assert_eq!(payload(&token)["exp"], json!(NOW + MAX_LIFETIME));
}

#[test]
fn explicit_expiries_beyond_the_maximum_are_refused() {
    let s = signer(json!({ "secret": SECRET, "ttlSeconds": 60 })).unwrap();
    let beyond = NOW + MAX_LIFETIME + 1;
    for (claims, options, claim) in [
        (json!({}), json!({ "expiresAt": beyond }), "expiresAt"),
        (
            json!({}),
            json!({ "expiresAt": "9999-12-31T00:00:00Z" }),
            "expiresAt",
        ),
        (
            json!({}),
            json!({ "expiresAt": "1969-12-31T23:59:59Z" }),
            "expiresAt",
        ),
        (json!({}), json!({ "expiresAt": 1e300 }), "expiresAt"),
        (json!({}), json!({ "notBefore": 1e300 }), "notBefore"),
        (json!({ "exp": beyond }), json!({}), "exp"),
        (json!({ "exp": 1e300 }), json!({}), "exp"),
    ] {
        refused(
            s.sign_at(&claims.to_string(), &sign_options(options.clone()), NOW),
            ErrorCode::InvalidOption,
            Some(claim),
            &format!("{claims} {options}"),
        );
    }
    // The edge itself is allowed, and so is a past expiry (tests need expired tokens).
    s.sign_at(
        "{}",
        &sign_options(json!({ "expiresAt": NOW + MAX_LIFETIME })),
        NOW,
    )
    .unwrap();
    s.sign_at(
        &json!({ "exp": NOW - 10 }).to_string(),
        &SignOptions::default(),
        NOW,
    )
    .unwrap();
}

#[test]
fn a_signing_time_that_is_not_an_instant_is_a_clock_error() {
    let s = signer(json!({ "secret": SECRET, "ttlSeconds": 60 })).unwrap();
    for now in [i64::MAX, i64::MAX - 30, -1, i64::MIN, 200_000_000_000] {
        refused(
            s.sign_at("{}", &SignOptions::default(), now),
            ErrorCode::ClockInvalid,
            None,
            &format!("now = {now}"),
        );
    }
}

#[test]
fn a_verification_clock_that_is_not_an_instant_never_passes_a_token() {
    let s = signer(json!({ "secret": SECRET })).unwrap();
    // Expired long ago and not valid until far ahead: every comparison with NaN is false,
    // which is how this token used to verify.
    let token = s
        .sign_at(
            &json!({ "exp": NOW - 3600, "nbf": NOW + 3600 }).to_string(),
            &SignOptions::default(),
            NOW,
        )
        .unwrap();
    let v = verifier(json!({ "secret": SECRET }));
    for now in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -1.0,
        1e12,
        f64::MAX,
    ] {
        refused(
            v.verify_at(&token, now),
            ErrorCode::ClockInvalid,
            None,
            &format!("{now}"),
        );
        refused(
            authorize_json(&v, &token, r#"{"type":"PIPES:READ","resource":"p"}"#, now),
            ErrorCode::ClockInvalid,
            None,
            &format!("authorize at {now}"),
        );
    }
    refused(
        v.verify_at(&token, NOW as f64),
        ErrorCode::JwtExpired,
        Some("exp"),
        "a real time",
    );
}

#[test]
fn profile_expiries_share_the_one_maximum() {
    let hs = signer(json!({ "secret": SECRET, "workspaceId": "ws" })).unwrap();
    let real_now = support::system_now() as i64;
    let scopes = json!([{ "type": "PIPES:READ", "resource": "p" }]);
    for expires_at in [
        json!(real_now + MAX_LIFETIME + 60),
        json!(1e300),
        json!("9999-01-01"),
    ] {
        let params = json!({ "name": "n", "expiresAt": expires_at, "scopes": scopes });
        refused(
            sign_with_profile(&hs, "createJWT", &params.to_string()),
            ErrorCode::InvalidOption,
            Some("expiresAt"),
            &format!("createJWT {expires_at}"),
        );
    }
    let params = json!({ "name": "n", "expiresAt": real_now + 3600, "scopes": scopes });
    sign_with_profile(&hs, "createJWT", &params.to_string()).unwrap();

    for expiry in [json!(MAX_LIFETIME + 1), json!(1e300), json!(i64::MAX)] {
        let params = json!({ "embeddableId": "e", "expiryInSeconds": expiry,
                             "securityContext": {}, "user": "u" });
        refused(
            sign_with_profile(&hs, "signSecurityToken", &params.to_string()),
            ErrorCode::InvalidOption,
            Some("expiryInSeconds"),
            &format!("signSecurityToken {expiry}"),
        );
    }
    let params = json!({ "embeddableId": "e", "expiryInSeconds": MAX_LIFETIME,
                         "securityContext": {}, "user": "u" });
    let token: Value = serde_json::from_str(
        &sign_with_profile(&hs, "signSecurityToken", &params.to_string()).unwrap(),
    )
    .unwrap();
    let claims = payload(token["token"].as_str().unwrap());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        MAX_LIFETIME
    );

    // Vizzly's `expires` comes from the signer's TTL, bounded when the signer is built.
    let pair = generate_key_pair(Algorithm::ES256).unwrap();
    refused(
        signer(json!({ "privateKey": pair.private_key, "ttlInMinutes": 1e300 })),
        ErrorCode::InvalidOption,
        Some("ttlInMinutes"),
        "vizzly ttl",
    );
    let vizzly =
        signer(json!({ "privateKey": pair.private_key, "ttlInMinutes": MAX_LIFETIME / 60 }))
            .unwrap();
    let params = json!({ "accessType": "standard", "projectId": "p", "userReference": "u", "scope": "read" });
    let token =
        sign_with_profile(&vizzly, "signDashboardAccessToken", &params.to_string()).unwrap();
    let expires = payload(&token)["expires"].as_str().unwrap().to_string();
    let expires_ms = scopemint::parse_iso8601(&expires).unwrap();
    assert!(
        (expires_ms / 1000 - real_now - MAX_LIFETIME).abs() <= 2,
        "{expires}"
    );
}

#[test]
fn json_nulls_and_non_finite_strings_never_stand_for_a_value() {
    let hs = signer(json!({ "secret": SECRET, "workspaceId": "ws" })).unwrap();
    // What JSON.stringify makes of NaN and an invalid Date is null; neither may mint.
    for (params, claim) in [
        (
            json!({ "name": "n", "expiresAt": null, "scopes": [{ "type": "PIPES:READ", "resource": "p" }] }),
            "expiresAt",
        ),
        (
            json!({ "name": "n", "expiresAt": "NaN", "scopes": [{ "type": "PIPES:READ", "resource": "p" }] }),
            "expiresAt",
        ),
        (
            json!({ "name": "n", "expiresAt": "Infinity", "scopes": [{ "type": "PIPES:READ", "resource": "p" }] }),
            "expiresAt",
        ),
    ] {
        refused(
            sign_with_profile(&hs, "createJWT", &params.to_string()),
            ErrorCode::InvalidOption,
            Some(claim),
            &params.to_string(),
        );
    }
    let s = signer(json!({ "secret": SECRET, "ttlSeconds": 60 })).unwrap();
    for options in [
        json!({ "expiresAt": null }),
        json!({ "expiresAt": "NaN" }),
        json!({ "notBefore": "-Infinity" }),
    ] {
        // Read per call as the JS signer reads them; `null` fails there.
        refused(
            options_from_json::<SignOptions>(&options.to_string(), "sign options")
                .and_then(|options| s.sign_at("{}", &options, NOW)),
            ErrorCode::InvalidOption,
            None,
            &options.to_string(),
        );
    }
    for options in [
        json!({ "secret": SECRET, "currentTime": null }),
        json!({ "secret": SECRET, "currentTime": "NaN" }),
        json!({ "secret": SECRET, "clockToleranceSeconds": "Infinity" }),
    ] {
        let result = options_from_json::<CreateVerifierOptions>(&options.to_string(), "verifier")
            .and_then(|options| Verifier::new(options.verifier_options()));
        refused(result, ErrorCode::InvalidOption, None, &options.to_string());
    }
}

#[test]
fn a_huge_token_is_refused_before_decoding() {
    let v = verifier(json!({ "secret": SECRET, "maxTokenBytes": 1024 }));
    let huge = format!("{}.{}.{}", "a".repeat(2 << 20), "b", "c");
    refused(
        v.verify_at(&huge, NOW as f64),
        ErrorCode::TokenTooLarge,
        None,
        "2 MiB",
    );
    // 400 three-byte characters: 400 UTF-16 units, 1200 UTF-8 bytes. JS lets it through
    // its length pre-check; the exact byte check here refuses it.
    let wide = "€".repeat(400);
    assert!(wide.len() > 1024 && wide.chars().count() <= 1024);
    refused(
        v.verify_at(&wide, NOW as f64),
        ErrorCode::TokenTooLarge,
        None,
        "wide characters",
    );
}
