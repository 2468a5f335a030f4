//! The main build (no `server` feature: the `scopemint` entry) has no SQL
//! parser: it refuses an issuer SQL filter wherever one
//! would be minted or handed out, with ERR_FILTER_UNCHECKED naming the entry
//! that can check it, instead of passing unchecked SQL through.
//! `make test-rust` runs this file without `--features server`.
#![cfg(not(feature = "server"))]

use scopemint::{format_scope, parse_scope, ErrorCode, Scope};
use serde_json::json;

mod support;
use support::authorize_json;
use support::sign_with_profile;
use support::NOW;
use support::{tinybird_signer as signer, tinybird_token as token, tinybird_verifier as verifier};

fn assert_unchecked(error: scopemint::Error, claim: &str) {
    assert_eq!(error.code, ErrorCode::FilterUnchecked, "{error}");
    assert_eq!(error.code.as_str(), "ERR_FILTER_UNCHECKED");
    assert!(error.message.contains("scopemint/server"), "{error}");
    assert_eq!(error.claim.as_deref(), Some(claim));
}

#[test]
fn authorize_refuses_a_filter_it_cannot_check() {
    let request = r#"{"type":"DATASOURCES:READ","resource":"orders"}"#;
    for (scopes, claim) in [
        (
            json!([{ "type": "DATASOURCES:READ", "resource": "orders", "filter": "org_id = 'acme'" }]),
            "scopes[0].filter",
        ),
        (
            json!(["DATASOURCES:READ:orders:org_id = 'acme'"]),
            "scopes[0]",
        ),
    ] {
        let error = authorize_json(&verifier(), &token(scopes), request, NOW as f64).unwrap_err();
        assert_unchecked(error, claim);
    }
    // Without a filter the main build authorizes as before.
    let t = token(json!([{ "type": "DATASOURCES:READ", "resource": "orders" }]));
    let grant = authorize_json(&verifier(), &t, request, NOW as f64).unwrap();
    assert_eq!(grant.filter, None);
}

#[test]
fn create_jwt_and_format_scope_refuse_a_filter_they_cannot_check() {
    let params = json!({
        "name": "n",
        "expiresAt": NOW + 3600,
        "scopes": [
            { "type": "PIPES:READ", "resource": "top" },
            { "type": "DATASOURCES:READ", "resource": "orders", "filter": "org_id = 'acme'" },
        ],
    });
    let error = sign_with_profile(&signer(), "createJWT", &params.to_string()).unwrap_err();
    assert_unchecked(error, "scopes[1].filter");

    let scope = parse_scope("DATASOURCES:READ:orders:org_id = 'acme'").unwrap();
    assert_unchecked(format_scope(&scope).unwrap_err(), "filter");
    let plain = Scope {
        scope_type: scopemint::ScopeType::DatasourcesRead,
        resource: Some("orders".into()),
        filter: None,
    };
    assert_eq!(format_scope(&plain).unwrap(), "DATASOURCES:READ:orders");
}
