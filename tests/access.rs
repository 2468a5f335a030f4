//! Server-side enforcement through the public Rust API: `Verifier::authorize`
//! for each token kind, the rate limiter, and secure filters compiled to SQL.

use scopemint::{
    compile_secure_filters, options_from_json, AuthorizeOptions, CreateVerifierOptions, ErrorCode,
    Grant, Request, ScopeType, SignOptions, Signer, Verifier,
};
use serde_json::{json, Value};

mod support;
use support::sign_with_profile;
use support::{authorize_json, authorize_json_with, signer, system_now as real_now, verifier};
use support::{vizzly_pair, NOW};

const ADMIN_TOKEN: &str = "p.eyJ1IjogIjdmOTIwMmMzLWM1ZjctNDU4Ni1hZDUxLTdmYzUzNTRlMTk5YSJ9";

fn hs_signer() -> Signer {
    signer(json!({ "secret": ADMIN_TOKEN, "workspaceId": "ws_123" }))
}

fn hs_verifier() -> Verifier {
    verifier(json!({ "secret": ADMIN_TOKEN }))
}

/// A token with these claims, valid for an hour from NOW.
fn token(claims: Value) -> String {
    let mut claims = claims;
    claims["exp"] = json!(NOW + 3600);
    hs_signer()
        .sign_at(&claims.to_string(), &SignOptions::default(), NOW)
        .unwrap()
}

fn tinybird_token(scopes: Value) -> String {
    token(json!({ "workspace_id": "ws_123", "name": "user_123_session", "scopes": scopes }))
}

fn authorize(v: &Verifier, token: &str, request: Value) -> scopemint::Result<Grant> {
    authorize_json(v, token, &request.to_string(), NOW as f64)
}

fn grant(v: &Verifier, token: &str, request: Value) -> Grant {
    authorize(v, token, request.clone()).unwrap_or_else(|e| panic!("{request}: {e}"))
}

fn denied(v: &Verifier, token: &str, request: Value) -> scopemint::Error {
    let error = authorize(v, token, request.clone())
        .err()
        .unwrap_or_else(|| panic!("{request} was granted"));
    assert_eq!(error.code, ErrorCode::ScopeDenied, "{request}: {error}");
    assert_eq!(error.claim.as_deref(), Some("scopes"));
    error
}

// ---------------------------------------------------------------- Tinybird JWTs

#[test]
fn tinybird_jwt_from_create_jwt_grants_its_scopes() {
    let minted = sign_with_profile(
        &hs_signer(),
        "createJWT",
        &json!({
            "name": "user_123_session",
            "expiresAt": real_now() as i64 + 3600,
            "scopes": [
                { "type": "PIPES:READ", "resource": "user_dashboard", "fixed_params": { "user_id": 123 } },
                { "type": "DATASOURCES:READ", "resource": "events", "filter": "org_id = 'acme'" },
                { "type": "DATASOURCES:APPEND", "resource": "user_events" }
            ]
        })
        .to_string(),
    )
    .unwrap();
    let jwt: Value = serde_json::from_str(&minted).unwrap();
    let jwt = jwt["token"].as_str().unwrap();
    let v = hs_verifier();
    // Typed requests here; the JSON form (as JS sends it) is used below.
    let g = v
        .authorize(
            jwt,
            &Request::new(ScopeType::PipesRead, "user_dashboard").with_param("start", "2024-01-01"),
            &AuthorizeOptions::default(),
        )
        .unwrap();
    assert_eq!(g.grant_type, "PIPES:READ");
    assert_eq!(g.resource, "user_dashboard");
    assert_eq!(
        Value::Object(g.params.clone()),
        json!({ "start": "2024-01-01", "user_id": 123 })
    );
    assert!(g.overridden.is_empty());
    assert_eq!(g.filter, None);
    assert!(g.secure_filters.is_none());
    assert_eq!(g.claims["workspace_id"], "ws_123");

    let g = v
        .authorize(
            jwt,
            &Request::new(ScopeType::DatasourcesRead, "events"),
            &AuthorizeOptions::default(),
        )
        .unwrap();
    assert_eq!(g.filter.as_deref(), Some("org_id = 'acme'"));
    let g = v
        .authorize(
            jwt,
            &Request::new(ScopeType::DatasourcesAppend, "user_events"),
            &AuthorizeOptions::default(),
        )
        .unwrap();
    assert_eq!(g.filter, None);
    // The grant's JSON shape, as the JS layer will see it.
    let shape: Value = serde_json::from_str(&g.to_json()).unwrap();
    let keys: Vec<&str> = shape
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "type",
            "resource",
            "params",
            "overridden",
            "filter",
            "secureFilters",
            "claims",
            "rateLimit"
        ]
    );
}

#[test]
fn fixed_params_always_win_and_overrides_are_reported() {
    let t = tinybird_token(json!([
        { "type": "PIPES:READ", "resource": "user_analytics", "fixed_params": { "user_id": 123, "org_id": "acme", "beta": true } }
    ]));
    let v = hs_verifier();
    let g = grant(
        &v,
        &t,
        json!({ "type": "PIPES:READ", "resource": "user_analytics", "params": {
            "user_id": 999, "org_id": "acme", "beta": false, "start_date": "2024-01-01", "limit": 10
        } }),
    );
    // Fixed values keep their JSON types; the caller's own params pass through.
    assert_eq!(
        Value::Object(g.params),
        json!({ "user_id": 123, "org_id": "acme", "beta": true, "start_date": "2024-01-01", "limit": 10 })
    );
    // org_id was sent with the fixed value: not an override attempt.
    assert_eq!(g.overridden, ["user_id", "beta"]);

    // A string "123" is a different value from the number 123.
    let g = grant(
        &v,
        &t,
        json!({ "type": "PIPES:READ", "resource": "user_analytics", "params": { "user_id": "123" } }),
    );
    assert_eq!(g.params["user_id"], json!(123));
    assert_eq!(g.overridden, ["user_id"]);
    // 123.0 is the same number.
    let g = grant(
        &v,
        &t,
        json!({ "type": "PIPES:READ", "resource": "user_analytics", "params": { "user_id": 123.0 } }),
    );
    assert!(g.overridden.is_empty());
    // No params at all: the fixed ones are still there.
    let g = grant(
        &v,
        &t,
        json!({ "type": "PIPES:READ", "resource": "user_analytics" }),
    );
    assert_eq!(
        Value::Object(g.params),
        json!({ "user_id": 123, "org_id": "acme", "beta": true })
    );
}

#[test]
fn request_params_are_checked() {
    let t = tinybird_token(json!([{ "type": "PIPES:READ", "resource": "p" }]));
    let v = hs_verifier();
    for params in [
        json!({ "a b": 1 }),
        json!({ "1x": 1 }),
        json!({ "": 1 }),
        json!({ "x-y": 1 }),
        json!({ "ünï": 1 }),
        json!({ "x": null }),
        json!({ "x": [1] }),
        json!({ "x": { "y": 1 } }),
    ] {
        let error = authorize(
            &v,
            &t,
            json!({ "type": "PIPES:READ", "resource": "p", "params": params }),
        )
        .unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOption, "{params}: {error}");
    }
    for request in [
        json!({ "type": "PIPES:READ", "resource": "p", "extra": 1 }),
        json!({ "type": "PIPES:WRITE", "resource": "p" }),
        json!({ "type": "pipes:read", "resource": "p" }),
        json!({ "type": "PIPES:READ" }),
        json!({ "resource": "p" }),
        json!({ "type": "PIPES:READ", "resource": 5 }),
        json!([]),
    ] {
        let error = authorize(&v, &t, request.clone()).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOption, "{request}: {error}");
    }
    assert_eq!(
        authorize_json(&v, &t, "{not json", NOW as f64)
            .unwrap_err()
            .code,
        ErrorCode::InvalidOption
    );
}

#[test]
fn scope_confusion_is_impossible() {
    let v = hs_verifier();
    let t = tinybird_token(json!([{ "type": "PIPES:READ", "resource": "events" }]));
    grant(
        &v,
        &t,
        json!({ "type": "PIPES:READ", "resource": "events" }),
    );
    let error = denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "events" }),
    );
    assert!(
        error.message.contains("DATASOURCES:READ") && error.message.contains("\"events\""),
        "{}",
        error.message
    );
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:APPEND", "resource": "events" }),
    );
    denied(
        &v,
        &t,
        json!({ "type": "PIPES:DROP", "resource": "events" }),
    );

    let t = tinybird_token(json!([{ "type": "DATASOURCES:READ", "resource": "events" }]));
    denied(
        &v,
        &t,
        json!({ "type": "PIPES:READ", "resource": "events" }),
    );
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:APPEND", "resource": "events" }),
    );
    let t = tinybird_token(json!([{ "type": "DATASOURCES:APPEND", "resource": "events" }]));
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "events" }),
    );
    // Same for static scopes.
    let t = token(json!({ "scopes": ["PIPES:READ:events"] }));
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "events" }),
    );
}

#[test]
fn resource_names_match_exactly() {
    let v = hs_verifier();
    let t = tinybird_token(json!([{ "type": "DATASOURCES:READ", "resource": "events" }]));
    grant(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "events" }),
    );
    for resource in [
        "*",
        "events*",
        "ev*",
        "events:x",
        "events:org_id = 1",
        ":events",
        "Events",
        "EVENTS",
        "events ",
        " events",
        "events\u{0}",
        "evénts",
        "events\u{200b}",
        "ｅvents",
        "event",
        "events2",
        "",
        "events.x",
        "events_quarantine_quarantine",
    ] {
        denied(
            &v,
            &t,
            json!({ "type": "DATASOURCES:READ", "resource": resource }),
        );
    }
    // A wildcard or colon in the token's own scope never matches anything.
    let t = tinybird_token(json!([
        { "type": "DATASOURCES:READ", "resource": "*" },
        { "type": "PIPES:READ", "resource": "a:b" }
    ]));
    let error = denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "events" }),
    );
    assert!(error.message.contains("malformed"), "{}", error.message);
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "*" }),
    );
    denied(&v, &t, json!({ "type": "PIPES:READ", "resource": "a:b" }));
    denied(&v, &t, json!({ "type": "PIPES:READ", "resource": "a" }));
}

#[test]
fn quarantine_is_readable_only_through_datasources_read() {
    let v = hs_verifier();
    let t = tinybird_token(json!([
        { "type": "DATASOURCES:READ", "resource": "events", "filter": "org_id = 'acme'" },
        { "type": "DATASOURCES:APPEND", "resource": "logs" },
        { "type": "PIPES:READ", "resource": "top" }
    ]));
    let g = grant(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "events_quarantine" }),
    );
    assert_eq!(g.resource, "events_quarantine");
    // The base data source's filter still applies.
    assert_eq!(g.filter.as_deref(), Some("org_id = 'acme'"));
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:APPEND", "resource": "events_quarantine" }),
    );
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "logs_quarantine" }),
    );
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:APPEND", "resource": "logs_quarantine" }),
    );
    denied(
        &v,
        &t,
        json!({ "type": "PIPES:READ", "resource": "top_quarantine" }),
    );
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "_quarantine" }),
    );

    let s = token(json!({ "scopes": ["DATASOURCES:READ:events:org_id = 'acme'"] }));
    let g = grant(
        &v,
        &s,
        json!({ "type": "DATASOURCES:READ", "resource": "events_quarantine" }),
    );
    assert_eq!(g.filter.as_deref(), Some("org_id = 'acme'"));
    let s = token(json!({ "scopes": ["PIPES:READ:top", "DATASOURCES:APPEND:logs"] }));
    denied(
        &v,
        &s,
        json!({ "type": "PIPES:READ", "resource": "top_quarantine" }),
    );
    denied(
        &v,
        &s,
        json!({ "type": "DATASOURCES:APPEND", "resource": "logs_quarantine" }),
    );
}

#[test]
fn malformed_or_ambiguous_scope_claims() {
    let v = hs_verifier();
    let no_scopes = token(json!({ "name": "x" }));
    denied(
        &v,
        &no_scopes,
        json!({ "type": "PIPES:READ", "resource": "p" }),
    );
    let empty = token(json!({ "scopes": [] }));
    denied(&v, &empty, json!({ "type": "PIPES:READ", "resource": "p" }));
    for claims in [
        json!({ "scopes": "PIPES:READ:p" }),
        json!({ "scopes": ["PIPES:READ:p", { "type": "PIPES:READ", "resource": "p" }] }),
        json!({ "scopes": ["PIPES:READ:p"], "dataSetIds": "*" }),
        json!({ "dataSetIds": 5 }),
    ] {
        let error = authorize(
            &v,
            &token(claims.clone()),
            json!({ "type": "PIPES:READ", "resource": "p" }),
        )
        .unwrap_err();
        assert!(
            matches!(
                error.code,
                ErrorCode::JwtClaimInvalid | ErrorCode::ScopeDenied
            ),
            "{claims}: {error}"
        );
        assert_ne!(error.code, ErrorCode::InvalidOption);
    }
    // JWT scopes outside Tinybird's shape grant nothing.
    for scope in [
        json!({ "type": "PIPES:READ", "resource": "p", "extra": 1 }),
        json!({ "type": "PIPES:READ", "resource": "p", "fixed_params": { "u": [1] } }),
        json!({ "type": "PIPES:READ", "resource": "p", "filter": "x = 1" }),
        json!({ "type": "PIPES:DROP", "resource": "p" }),
        json!({ "type": "ADMIN", "resource": "p" }),
        json!({ "type": "PIPES:READ", "resource": 5 }),
    ] {
        let t = tinybird_token(json!([scope]));
        denied(&v, &t, json!({ "type": "PIPES:READ", "resource": "p" }));
        denied(&v, &t, json!({ "type": "PIPES:DROP", "resource": "p" }));
    }
    // Unparsable static strings too; "ADMIN" must be exact.
    for scope in ["ADMINX", "admin", "PIPES:READ:p*", "PIPES:READ", "ADMIN:p"] {
        let t = token(json!({ "scopes": [scope] }));
        denied(&v, &t, json!({ "type": "PIPES:READ", "resource": "p" }));
    }
}

// ------------------------------------------------------------ static scope strings

#[test]
fn static_scope_strings() {
    let v = hs_verifier();
    let t = token(json!({ "scopes": [
        "DATASOURCES:READ:events:org_id = 'acme'",
        "DATASOURCES:READ:users",
        "PIPES:READ:top_pages:ts > '2024-01-01 10:00:00'",
        "PIPES:READ:plain",
        "DATASOURCES:APPEND:logs",
        "DATASOURCES:DROP:old",
        "PIPES:DROP:old_pipe",
        "PIPES:CREATE"
    ] }));
    let g = grant(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "events" }),
    );
    assert_eq!(g.filter.as_deref(), Some("org_id = 'acme'"));
    assert!(g.secure_filters.is_none());
    let g = grant(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "users" }),
    );
    assert_eq!(g.filter, None);
    grant(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "users_quarantine" }),
    );
    let g = grant(
        &v,
        &t,
        json!({ "type": "PIPES:READ", "resource": "top_pages", "params": { "a": 1 } }),
    );
    assert_eq!(g.filter.as_deref(), Some("ts > '2024-01-01 10:00:00'"));
    assert_eq!(Value::Object(g.params), json!({ "a": 1 }));
    for request in [
        json!({ "type": "PIPES:READ", "resource": "plain" }),
        json!({ "type": "DATASOURCES:APPEND", "resource": "logs" }),
        json!({ "type": "DATASOURCES:DROP", "resource": "old" }),
        json!({ "type": "PIPES:DROP", "resource": "old_pipe" }),
        // PIPES:CREATE grants creating any pipe, with or without a name.
        json!({ "type": "PIPES:CREATE", "resource": "new_pipe" }),
        json!({ "type": "PIPES:CREATE" }),
    ] {
        grant(&v, &t, request);
    }
    for request in [
        json!({ "type": "PIPES:CREATE", "resource": "a:b" }),
        json!({ "type": "DATASOURCES:READ", "resource": "logs" }),
        json!({ "type": "DATASOURCES:APPEND", "resource": "events" }),
        json!({ "type": "DATASOURCES:DROP", "resource": "events" }),
        json!({ "type": "PIPES:READ", "resource": "old_pipe" }),
        json!({ "type": "DATASOURCES:CREATE", "resource": "x" }),
        json!({ "type": "TOKENS" }),
        json!({ "type": "ADMIN" }),
    ] {
        denied(&v, &t, request);
    }

    let t = token(json!({ "scopes": ["TOKENS", "DATASOURCES:CREATE"] }));
    grant(&v, &t, json!({ "type": "TOKENS" }));
    grant(
        &v,
        &t,
        json!({ "type": "DATASOURCES:CREATE", "resource": "new_ds" }),
    );
    denied(&v, &t, json!({ "type": "PIPES:CREATE" }));
    // DATASOURCES:CREATE is matched by type only: it does not grant APPEND.
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:APPEND", "resource": "new_ds" }),
    );
}

#[test]
fn admin_allows_everything_but_valid_names_only() {
    let v = hs_verifier();
    let t = token(json!({ "scopes": ["ADMIN"] }));
    for request in [
        json!({ "type": "PIPES:READ", "resource": "anything", "params": { "x": 1 } }),
        json!({ "type": "DATASOURCES:READ", "resource": "events" }),
        json!({ "type": "DATASOURCES:READ", "resource": "events_quarantine" }),
        json!({ "type": "DATASOURCES:APPEND", "resource": "events" }),
        json!({ "type": "DATASOURCES:DROP", "resource": "events" }),
        json!({ "type": "DATASOURCES:CREATE", "resource": "events" }),
        json!({ "type": "PIPES:CREATE" }),
        json!({ "type": "PIPES:DROP", "resource": "p" }),
        json!({ "type": "TOKENS" }),
        json!({ "type": "ADMIN" }),
    ] {
        let g = grant(&v, &t, request);
        assert_eq!(g.filter, None);
        assert!(g.overridden.is_empty());
    }
    denied(&v, &t, json!({ "type": "PIPES:READ", "resource": "*" }));
    denied(&v, &t, json!({ "type": "PIPES:READ", "resource": "a:b" }));
    denied(&v, &t, json!({ "type": "PIPES:READ", "resource": "" }));
    // A specific scope in the same token is not bypassed by ADMIN.
    let t = token(json!({ "scopes": ["ADMIN", "DATASOURCES:READ:events:org_id = 1"] }));
    let g = grant(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "events" }),
    );
    assert_eq!(g.filter.as_deref(), Some("org_id = 1"));
}

// ------------------------------------------------------------------------- Vizzly

fn vizzly_token(s: &Signer, params: Value) -> String {
    sign_with_profile(s, "signDataAccessToken", &params.to_string()).unwrap()
}

fn vizzly_authorize(v: &Verifier, t: &str, request: Value) -> scopemint::Result<Grant> {
    authorize_json(v, t, &request.to_string(), real_now())
}

fn read(resource: &str) -> Value {
    json!({ "type": "DATASOURCES:READ", "resource": resource })
}

/// A Vizzly verifier from JS createVerifier options with `allowUnfilteredDataSets`,
/// which is `authorize`'s option.
fn vizzly_verifier_allowing_unfiltered(s: &Signer) -> (Verifier, AuthorizeOptions) {
    let public_key = s.public_key_pem().unwrap();
    let parts = options_from_json::<CreateVerifierOptions>(
        &json!({ "publicKey": public_key, "profile": "vizzly", "allowUnfilteredDataSets": true })
            .to_string(),
        "createVerifier",
    )
    .unwrap()
    .into_parts();
    assert!(parts.authorize.allow_unfiltered_data_sets);
    (Verifier::new(parts.verifier).unwrap(), parts.authorize)
}

fn lenient_authorize(
    (v, options): &(Verifier, AuthorizeOptions),
    t: &str,
    request: Value,
) -> scopemint::Result<Grant> {
    authorize_json_with(v, t, &request.to_string(), options, real_now())
}

#[test]
fn vizzly_data_tokens() {
    let (s, v) = vizzly_pair();
    let t = vizzly_token(
        &s,
        json!({
            "dataSetIds": ["hr-payroll-data", "sales", "open"],
            "secureFilters": {
                // A flat list: either filter matches (https://docs.vizzly.co/identity/properties/secure-filters).
                "hr-payroll-data": [
                    { "field": "field_user_id", "op": "=", "value": "u1" },
                    { "field": "dept", "op": "is_one_of", "value": ["a", "b"] }
                ],
                "open": []
            }
        }),
    );
    let g = vizzly_authorize(&v, &t, read("hr-payroll-data")).unwrap();
    // The grant is an OR of AND-groups: two one-filter groups.
    let groups = g.secure_filters.clone().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].len(), 1);
    assert_eq!(groups[0][0].field, "field_user_id");
    assert_eq!(groups[1][0].value, json!(["a", "b"]));
    assert_eq!(g.filter, None);
    assert!(g.claims["expires"].is_string());
    // An explicit empty list: unfiltered on purpose.
    let g = vizzly_authorize(&v, &t, read("open")).unwrap();
    assert_eq!(g.secure_filters.unwrap().len(), 0);
    // Listed but without a filters entry while others are filtered: refused, unless opted in.
    let error = vizzly_authorize(&v, &t, read("sales")).unwrap_err();
    assert_eq!(error.code, ErrorCode::ScopeDenied, "{error}");
    assert!(error.message.contains("allowUnfilteredDataSets"), "{error}");
    let lenient = vizzly_verifier_allowing_unfiltered(&s);
    let g = lenient_authorize(&lenient, &t, read("sales")).unwrap();
    assert_eq!(g.secure_filters.unwrap().len(), 0);
    for request in [
        read("other"),
        read("*"),
        read("sales:x"),
        read("Sales"),
        read(""),
        read("hr-payroll-data_quarantine"),
        json!({ "type": "PIPES:READ", "resource": "sales" }),
        json!({ "type": "DATASOURCES:APPEND", "resource": "sales" }),
    ] {
        let error = vizzly_authorize(&v, &t, request.clone()).unwrap_err();
        assert_eq!(error.code, ErrorCode::ScopeDenied, "{request}: {error}");
    }

    let all = vizzly_token(
        &s,
        json!({ "dataSetIds": "*", "secureFilters": { "x": [{ "field": "org", "op": "=", "value": 7 }] } }),
    );
    let g = vizzly_authorize(&v, &all, read("x")).unwrap();
    assert_eq!(g.secure_filters.unwrap()[0][0].value, json!(7));
    let error = vizzly_authorize(&v, &all, read("*")).unwrap_err();
    assert_eq!(error.code, ErrorCode::ScopeDenied);
    // "*" with an empty map: every data set unfiltered by intent
    // (Vizzly's own identity callback example: dataSetIds "*", secureFilters {}).
    let open = vizzly_token(&s, json!({ "dataSetIds": "*", "secureFilters": {} }));
    let g = vizzly_authorize(&v, &open, read("any-set")).unwrap();
    assert_eq!(g.secure_filters.unwrap().len(), 0);
}

// Issue 11: under "*" with filters for `orders`, an id that only looks like
// `orders` must not read unfiltered.
#[test]
fn vizzly_look_alike_data_set_ids_never_read_unfiltered() {
    let (s, v) = vizzly_pair();
    let t = vizzly_token(
        &s,
        json!({ "dataSetIds": "*", "secureFilters": { "orders": [[
            { "field": "org_id", "op": "=", "value": "acme" }
        ]] } }),
    );
    assert_eq!(
        vizzly_authorize(&v, &t, read("orders"))
            .unwrap()
            .secure_filters
            .unwrap()[0][0]
            .value,
        json!("acme")
    );
    for look_alike in [
        "Orders",
        "ORDERS",
        "orders ",
        " orders",
        "orders\u{200b}",
        "\u{feff}orders",
        "ord\u{00ad}ers",
        "\u{043e}rders", // Cyrillic о
        "orders\t",
        "orders\n",
    ] {
        let error = vizzly_authorize(&v, &t, read(look_alike)).unwrap_err();
        assert_eq!(
            error.code,
            ErrorCode::ScopeDenied,
            "{look_alike:?}: {error}"
        );
    }
    // Only the explicit opt-in reads a (really different) data set unfiltered.
    let lenient = vizzly_verifier_allowing_unfiltered(&s);
    assert!(lenient_authorize(&lenient, &t, read("\u{043e}rders"))
        .unwrap()
        .secure_filters
        .unwrap()
        .is_empty());
    // Invisible characters and edge whitespace are refused even then.
    for hidden in ["orders\u{200b}", "orders ", "\u{feff}orders"] {
        let error = lenient_authorize(&lenient, &t, read(hidden)).unwrap_err();
        assert_eq!(error.code, ErrorCode::ScopeDenied, "{hidden:?}");
    }
}

/// A Vizzly-profile token with these raw claims (not minted through the profile checks).
fn raw_vizzly_token(s: &Signer, claims: Value) -> String {
    let mut claims = claims;
    claims["expires"] = json!("2999-01-01T00:00:00.000Z");
    s.sign_at(
        &claims.to_string(),
        &SignOptions::default(),
        real_now() as i64,
    )
    .unwrap()
}

#[test]
fn vizzly_tokens_whose_filters_cannot_be_read_are_refused() {
    let pair = scopemint::generate_key_pair(scopemint::Algorithm::ES256).unwrap();
    let s = signer(json!({ "privateKey": pair.private_key, "allowMissingExpiry": true }));
    let v = verifier(json!({ "publicKey": pair.public_key, "profile": "vizzly" }));
    let cases = [
        // No secureFilters claim at all: Vizzly's claim set requires one.
        (json!({ "dataSetIds": ["orders"] }), "secureFilters"),
        (
            json!({ "dataSetIds": ["orders"], "secureFilters": null }),
            "secureFilters",
        ),
        (
            json!({ "dataSetIds": ["orders"], "secureFilters": [] }),
            "secureFilters",
        ),
        // null where a value is required (what JSON.stringify makes of NaN).
        (
            json!({ "dataSetIds": ["orders"], "secureFilters": { "orders": [{ "field": "org_id", "op": "=", "value": null }] } }),
            "secureFilters.orders[0].value",
        ),
        (
            json!({ "dataSetIds": ["orders"], "secureFilters": { "orders": [{ "field": "org_id", "op": "=" }] } }),
            "secureFilters.orders[0].value",
        ),
        (
            json!({ "dataSetIds": ["orders"], "secureFilters": { "orders": [[{ "field": "org_id", "op": "is_one_of", "value": ["a", null] }]] } }),
            "secureFilters.orders[0][0].value",
        ),
        (
            json!({ "dataSetIds": ["orders"], "secureFilters": { "orders": [[]] } }),
            "secureFilters.orders[0]",
        ),
        (
            json!({ "dataSetIds": ["orders"], "secureFilters": { "orders": [{ "field": "org_id", "op": "=", "value": 1 }, []] } }),
            "secureFilters.orders",
        ),
        (
            json!({ "dataSetIds": ["orders"], "secureFilters": { "orders": [{ "field": "org_id", "op": "like", "value": "a" }] } }),
            "secureFilters.orders[0].op",
        ),
    ];
    for (claims, claim) in cases {
        let t = raw_vizzly_token(&s, claims.clone());
        let error = vizzly_authorize(&v, &t, read("orders")).unwrap_err();
        assert_eq!(
            (error.code, error.claim.as_deref()),
            (ErrorCode::JwtClaimInvalid, Some(claim)),
            "{claims}: {error}"
        );
    }
}

// -------------------------------------------------------- verification comes first

#[test]
fn a_bad_token_fails_with_the_verifiers_code_before_any_scope_logic() {
    let v = hs_verifier();
    let t = tinybird_token(json!([{ "type": "PIPES:READ", "resource": "p" }]));
    let good = json!({ "type": "PIPES:READ", "resource": "p" });
    grant(&v, &t, good.clone());
    // Expired.
    let error = authorize_json(&v, &t, &good.to_string(), (NOW + 7200) as f64).unwrap_err();
    assert_eq!(error.code, ErrorCode::JwtExpired);
    // Tampered payload: the scope would match, the signature does not.
    let (header, rest) = t.split_once('.').unwrap();
    let signature = rest.split_once('.').unwrap().1;
    let forged_payload = support::b64(
        json!({ "exp": NOW + 3600, "scopes": ["ADMIN"] })
            .to_string()
            .as_bytes(),
    );
    let forged = format!("{header}.{forged_payload}.{signature}");
    let error = authorize(&v, &forged, good.clone()).unwrap_err();
    assert_eq!(error.code, ErrorCode::JwsSignatureInvalid);
    // Even a malformed request is not looked at before the token.
    let error = authorize_json(&v, &forged, "{bad", NOW as f64).unwrap_err();
    assert_eq!(error.code, ErrorCode::JwsSignatureInvalid);
    // Signed with another secret.
    let other = signer(json!({ "secret": "another secret, long enough......" }))
        .sign_at(
            &json!({ "exp": NOW + 3600, "scopes": ["ADMIN"] }).to_string(),
            &SignOptions::default(),
            NOW,
        )
        .unwrap();
    assert_eq!(
        authorize(&v, &other, good).unwrap_err().code,
        ErrorCode::JwsSignatureInvalid
    );
}

// --------------------------------------------------------------------- rate limits

fn rps_token(name: &str, rps: Value) -> String {
    token(json!({
        "workspace_id": "ws_123",
        "name": name,
        "scopes": [{ "type": "PIPES:READ", "resource": "p" }],
        "limits": { "rps": rps }
    }))
}

fn rps_token_in(workspace: &str, name: &str, limits: Value) -> String {
    token(json!({
        "workspace_id": workspace,
        "name": name,
        "scopes": [{ "type": "PIPES:READ", "resource": "p" }],
        "limits": limits
    }))
}

fn rate_limit(v: &Verifier, token: &str) -> Option<scopemint::RateLimit> {
    authorize(v, token, json!({ "type": "PIPES:READ", "resource": "p" }))
        .unwrap()
        .rate_limit
}

// https://www.tinybird.co/docs/forward/administration/tokens/jwt ("Rate limits for JWTs"):
// requests are counted by the token's name; `rps <= 0` means no limit.
#[test]
fn grants_carry_the_rate_limit_keyed_by_workspace_and_name() {
    let v = hs_verifier();
    let limit = rate_limit(&v, &rps_token("limited", json!(3))).unwrap();
    assert_eq!(limit.rps, 3);
    assert_eq!(limit.key, r#"["ws_123","limited"]"#);
    // The grant's JSON shape, as the JS layer sees it.
    let g = authorize(
        &v,
        &rps_token("limited", json!(3)),
        json!({ "type": "PIPES:READ", "resource": "p" }),
    )
    .unwrap();
    let shape: Value = serde_json::from_str(&g.to_json()).unwrap();
    assert_eq!(
        shape["rateLimit"],
        json!({ "key": "[\"ws_123\",\"limited\"]", "rps": 3 })
    );
    // Tokens minted later under the same name share the key; another
    // workspace's token of the same name does not.
    assert_eq!(
        rate_limit(&v, &rps_token("limited", json!(5))).unwrap().key,
        limit.key
    );
    assert_ne!(
        rate_limit(
            &v,
            &rps_token_in("ws_other", "limited", json!({ "rps": 3 }))
        )
        .unwrap()
        .key,
        limit.key
    );
    // No limits, `limits: {}` and rps <= 0: no budget to consume, request granted.
    let none = tinybird_token(json!([{ "type": "PIPES:READ", "resource": "p" }]));
    assert_eq!(rate_limit(&v, &none), None);
    assert_eq!(shape_of(&v, &none)["rateLimit"], Value::Null);
    for limits in [json!({}), json!({ "rps": 0 }), json!({ "rps": -1 })] {
        assert_eq!(
            rate_limit(&v, &rps_token_in("ws_123", "n", limits.clone())),
            None,
            "{limits}"
        );
    }
}

fn shape_of(v: &Verifier, token: &str) -> Value {
    let g = authorize(v, token, json!({ "type": "PIPES:READ", "resource": "p" })).unwrap();
    serde_json::from_str(&g.to_json()).unwrap()
}

#[test]
fn unreadable_limits_fail_closed_at_authorize() {
    let v = hs_verifier();
    let request = json!({ "type": "PIPES:READ", "resource": "p" }).to_string();
    for (claims, claim) in [
        (
            json!({ "workspace_id": "w", "name": "n", "scopes": ["ADMIN"], "limits": { "rps": "10" } }),
            "limits.rps",
        ),
        (
            json!({ "workspace_id": "w", "name": "n", "scopes": ["ADMIN"], "limits": { "rps": 1.5 } }),
            "limits.rps",
        ),
        (
            json!({ "workspace_id": "w", "name": "n", "scopes": ["ADMIN"], "limits": 10 }),
            "limits",
        ),
        (
            json!({ "workspace_id": "w", "scopes": ["ADMIN"], "limits": { "rps": 10 } }),
            "name",
        ),
        (
            json!({ "workspace_id": "w", "name": "", "scopes": ["ADMIN"], "limits": { "rps": 10 } }),
            "name",
        ),
        (
            json!({ "name": "n", "scopes": ["ADMIN"], "limits": { "rps": 10 } }),
            "workspace_id",
        ),
    ] {
        let error = authorize_json(&v, &token(claims.clone()), &request, NOW as f64).unwrap_err();
        assert_eq!(error.code, ErrorCode::JwtClaimInvalid, "{claims}: {error}");
        assert_eq!(error.claim.as_deref(), Some(claim), "{claims}");
    }
    // The old in-verifier limiter option is gone: one limiter concept.
    let error = options_from_json::<CreateVerifierOptions>(
        &json!({ "secret": ADMIN_TOKEN, "enforceRateLimits": true }).to_string(),
        "verifier",
    )
    .err()
    .unwrap();
    assert_eq!(error.code, ErrorCode::InvalidOption);
}

#[test]
fn the_limiter_consumes_per_key_with_whole_second_retry_after() {
    use scopemint::{Consumed, RateLimiter};
    let v = hs_verifier();
    let limiter = RateLimiter::default();
    let limit = rate_limit(&v, &rps_token("limited", json!(3))).unwrap();
    let start = NOW as f64 + 0.25;
    for (i, remaining) in [2, 1, 0].into_iter().enumerate() {
        assert_eq!(
            limiter.consume(&limit, start + i as f64 * 0.01).unwrap(),
            Consumed {
                limit: 3,
                remaining,
                reset_seconds: 1
            }
        );
    }
    let error = limiter.consume(&limit, start + 0.03).unwrap_err();
    assert_eq!(error.code, ErrorCode::RateLimited);
    assert_eq!(error.claim.as_deref(), Some("limits.rps"));
    assert_eq!(error.retry_after, Some(1.0));
    // Same name in another workspace: its own budget.
    let other_ws = rate_limit(
        &v,
        &rps_token_in("ws_other", "limited", json!({ "rps": 3 })),
    )
    .unwrap();
    assert!(limiter.consume(&other_ws, start + 0.03).is_ok());
    // A third of a second later one request is available again.
    assert!(limiter.consume(&limit, start + 0.03 + 1.0 / 3.0).is_ok());
    assert!(limiter.consume(&limit, start + 0.03 + 1.0 / 3.0).is_err());
    // A full second later the whole burst is available again.
    for _ in 0..3 {
        assert!(limiter.consume(&limit, start + 2.0).is_ok());
    }
    // A custom store answers through the same rule.
    struct Never;
    impl scopemint::RateLimitStore for Never {
        fn try_acquire(&self, _: &str, _: u64, _: f64) -> Result<f64, f64> {
            Err(2.5)
        }
    }
    let error = RateLimiter::new(Never).consume(&limit, start).unwrap_err();
    assert_eq!(error.retry_after, Some(3.0));
}

// -------------------------------------------------------------------- SQL filters

fn compile(filters: Value, dialect: &str) -> scopemint::BoundSql {
    compile_secure_filters(
        &filters.to_string(),
        &json!({ "dialect": dialect }).to_string(),
    )
    .unwrap_or_else(|e| panic!("{filters} {dialect}: {e}"))
}

fn f(field: &str, op: &str, value: Value) -> Value {
    json!([{ "field": field, "op": op, "value": value }])
}

const DIALECTS: [&str; 4] = ["postgres", "mysql", "sqlite", "clickhouse"];

#[test]
fn every_operator_in_every_dialect() {
    // (op, value, [postgres, mysql, sqlite, clickhouse] SQL, params)
    let cases: Vec<(&str, Value, [&str; 4], Value)> = vec![
        (
            "=",
            json!("u1"),
            [
                r#""user_id" = $1"#,
                "`user_id` = ?",
                r#""user_id" = ?"#,
                "`user_id` = {p1:String}",
            ],
            json!(["u1"]),
        ),
        (
            "!=",
            json!(5),
            [
                r#""user_id" <> $1"#,
                "`user_id` <> ?",
                r#""user_id" <> ?"#,
                "`user_id` <> {p1:Int64}",
            ],
            json!([5]),
        ),
        (
            ">",
            json!(1.5),
            [
                r#""user_id" > $1"#,
                "`user_id` > ?",
                r#""user_id" > ?"#,
                "`user_id` > {p1:Float64}",
            ],
            json!([1.5]),
        ),
        (
            "<",
            json!(-3),
            [
                r#""user_id" < $1"#,
                "`user_id` < ?",
                r#""user_id" < ?"#,
                "`user_id` < {p1:Int64}",
            ],
            json!([-3]),
        ),
        (
            ">=",
            json!("2024-01-01"),
            [
                r#""user_id" >= $1"#,
                "`user_id` >= ?",
                r#""user_id" >= ?"#,
                "`user_id` >= {p1:String}",
            ],
            json!(["2024-01-01"]),
        ),
        (
            "<=",
            json!(10),
            [
                r#""user_id" <= $1"#,
                "`user_id` <= ?",
                r#""user_id" <= ?"#,
                "`user_id` <= {p1:Int64}",
            ],
            json!([10]),
        ),
        (
            "=",
            json!(true),
            [
                r#""user_id" = $1"#,
                "`user_id` = ?",
                r#""user_id" = ?"#,
                "`user_id` = {p1:Bool}",
            ],
            json!([true]),
        ),
        // A list field holding the value (the dashboard's `array_contains`).
        (
            "array_contains",
            json!("eu"),
            [
                r#"$1 = ANY("user_id")"#,
                "JSON_CONTAINS(`user_id`, JSON_ARRAY(?))",
                r#"EXISTS (SELECT 1 FROM json_each("user_id") WHERE json_each.value = ?)"#,
                "has(`user_id`, {p1:String})",
            ],
            json!(["eu"]),
        ),
        (
            "is_one_of",
            json!(["a", 2, false]),
            [
                r#""user_id" IN ($1, $2, $3)"#,
                "`user_id` IN (?, ?, ?)",
                r#""user_id" IN (?, ?, ?)"#,
                "`user_id` IN ({p1:String}, {p2:Int64}, {p3:Bool})",
            ],
            json!(["a", 2, false]),
        ),
        (
            "is_not_one_of",
            json!(["a", "b"]),
            [
                r#""user_id" NOT IN ($1, $2)"#,
                "`user_id` NOT IN (?, ?)",
                r#""user_id" NOT IN (?, ?)"#,
                "`user_id` NOT IN ({p1:String}, {p2:String})",
            ],
            json!(["a", "b"]),
        ),
        (
            "is_one_of",
            json!([]),
            ["1 = 0", "1 = 0", "1 = 0", "1 = 0"],
            json!([]),
        ),
        (
            "is_not_one_of",
            json!([]),
            ["1 = 1", "1 = 1", "1 = 1", "1 = 1"],
            json!([]),
        ),
        (
            "starts_with",
            json!("abc"),
            [
                r#""user_id" LIKE $1 ESCAPE '\'"#,
                r"`user_id` LIKE ? ESCAPE '\\'",
                r#""user_id" LIKE ? ESCAPE '\'"#,
                "`user_id` LIKE {p1:String}",
            ],
            json!(["abc%"]),
        ),
        (
            "ends_with",
            json!("abc"),
            [
                r#""user_id" LIKE $1 ESCAPE '\'"#,
                r"`user_id` LIKE ? ESCAPE '\\'",
                r#""user_id" LIKE ? ESCAPE '\'"#,
                "`user_id` LIKE {p1:String}",
            ],
            json!(["%abc"]),
        ),
        (
            "contains_substring",
            json!("abc"),
            [
                r#""user_id" LIKE $1 ESCAPE '\'"#,
                r"`user_id` LIKE ? ESCAPE '\\'",
                r#""user_id" LIKE ? ESCAPE '\'"#,
                "`user_id` LIKE {p1:String}",
            ],
            json!(["%abc%"]),
        ),
        (
            "does_not_contain_substring",
            json!("abc"),
            [
                r#""user_id" NOT LIKE $1 ESCAPE '\'"#,
                r"`user_id` NOT LIKE ? ESCAPE '\\'",
                r#""user_id" NOT LIKE ? ESCAPE '\'"#,
                "`user_id` NOT LIKE {p1:String}",
            ],
            json!(["%abc%"]),
        ),
    ];
    for (op, value, sql, params) in cases {
        for (dialect, expected) in DIALECTS.iter().zip(sql) {
            let compiled = compile(f("user_id", op, value.clone()), dialect);
            // One filter is one parenthesised group; SQLite quotes with backquotes
            // (a "double-quoted" unknown name would be a string literal there).
            let mut expected = format!("({expected})");
            if *dialect == "sqlite" {
                expected = expected.replace("\"user_id\"", "`user_id`");
            }
            assert_eq!(compiled.sql, expected, "{op} {value} {dialect}");
            assert_eq!(Value::from(compiled.params), params, "{op} {dialect}");
        }
    }
}

// https://docs.vizzly.co/identity/properties/secure-filters: `[a, b]` is "a OR b",
// `[[a, b]]` is "a AND b", `[[a, b], [c, d]]` is "(a AND b) OR (c AND d)".
#[test]
fn flat_lists_are_or_nested_lists_are_or_of_and_groups() {
    let flat = json!([
        { "field": "org_id", "op": "=", "value": "acme" },
        { "field": "events.region", "op": "is_one_of", "value": ["eu", "us"] },
        { "field": "name", "op": "starts_with", "value": "x" }
    ]);
    let expected = [
        (
            "postgres",
            r#"(("org_id" = $1) OR ("events"."region" IN ($2, $3)) OR ("name" LIKE $4 ESCAPE '\'))"#,
        ),
        (
            "mysql",
            r"((`org_id` = ?) OR (`events`.`region` IN (?, ?)) OR (`name` LIKE ? ESCAPE '\\'))",
        ),
        (
            "sqlite",
            r"((`org_id` = ?) OR (`events`.`region` IN (?, ?)) OR (`name` LIKE ? ESCAPE '\'))",
        ),
        (
            "clickhouse",
            "((`org_id` = {p1:String}) OR (`events`.`region` IN ({p2:String}, {p3:String})) OR (`name` LIKE {p4:String}))",
        ),
    ];
    for (dialect, sql) in expected {
        let compiled = compile(flat.clone(), dialect);
        assert_eq!(compiled.sql, sql, "{dialect}");
        assert_eq!(
            Value::from(compiled.params),
            json!(["acme", "eu", "us", "x%"])
        );
    }
    // One AND-group.
    let and = json!([[
        { "field": "org_id", "op": "=", "value": "acme" },
        { "field": "region", "op": "=", "value": "eu" }
    ]]);
    assert_eq!(
        compile(and.clone(), "postgres").sql,
        r#"("org_id" = $1 AND "region" = $2)"#
    );
    assert_eq!(
        compile(and, "sqlite").sql,
        "(`org_id` = ? AND `region` = ?)"
    );
    // An OR of AND-groups, numbered in order.
    let or_of_and = json!([
        [
            { "field": "org_id", "op": "=", "value": "acme" },
            { "field": "region", "op": "=", "value": "eu" }
        ],
        [
            { "field": "org_id", "op": "=", "value": "globex" }
        ]
    ]);
    let compiled = compile(or_of_and.clone(), "postgres");
    assert_eq!(
        compiled.sql,
        r#"(("org_id" = $1 AND "region" = $2) OR ("org_id" = $3))"#
    );
    assert_eq!(
        Value::from(compiled.params),
        json!(["acme", "eu", "globex"])
    );
    assert_eq!(
        compile(or_of_and, "clickhouse").sql,
        "((`org_id` = {p1:String} AND `region` = {p2:String}) OR (`org_id` = {p3:String}))"
    );
    // An empty list matches every row and binds nothing.
    for dialect in DIALECTS {
        let compiled = compile(json!([]), dialect);
        assert_eq!(compiled.sql, "1 = 1");
        assert!(compiled.params.is_empty());
    }
    // An empty is_one_of inside an AND-group makes that group match nothing.
    let compiled = compile(
        json!([[
            { "field": "a", "op": "=", "value": 1 },
            { "field": "b", "op": "is_one_of", "value": [] }
        ]]),
        "postgres",
    );
    assert_eq!(compiled.sql, r#"("a" = $1 AND 1 = 0)"#);
    // paramOffset continues the surrounding query's numbering.
    let compiled = compile_secure_filters(
        &json!([[{ "field": "a", "op": "=", "value": 1 }, { "field": "b", "op": "=", "value": "x" }]])
            .to_string(),
        &json!({ "dialect": "postgres", "paramOffset": 2 }).to_string(),
    )
    .unwrap();
    assert_eq!(compiled.sql, r#"("a" = $3 AND "b" = $4)"#);
    let compiled = compile_secure_filters(
        &json!([{ "field": "a", "op": "=", "value": 1 }]).to_string(),
        &json!({ "dialect": "clickhouse", "paramOffset": 1 }).to_string(),
    )
    .unwrap();
    assert_eq!(compiled.sql, "(`a` = {p2:Int64})");
}

#[test]
fn values_only_ever_appear_as_params() {
    let nasty = [
        "' OR 1=1 --",
        "\" OR \"\"=\"",
        "`; DROP TABLE x; --",
        "$1",
        "?",
        "{p1:String}",
        "%",
        "_",
        "\\",
        "a%b_c\\d",
        "1 = 1",
    ];
    for value in nasty {
        for dialect in DIALECTS {
            for op in [
                "=",
                "!=",
                "array_contains",
                "starts_with",
                "ends_with",
                "contains_substring",
                "does_not_contain_substring",
            ] {
                let compiled = compile(f("col", op, json!(value)), dialect);
                // The SQL is fixed text around one placeholder.
                let placeholder = match dialect {
                    "postgres" => "$1",
                    "clickhouse" => "{p1:String}",
                    _ => "?",
                };
                let rest = compiled.sql.replacen(placeholder, "", 1);
                for fragment in ["OR", "--", "DROP", "%", "1=1", "\"\"", "{p1"] {
                    assert!(
                        !rest.contains(fragment),
                        "{value} {op} {dialect}: {}",
                        compiled.sql
                    );
                }
                assert_eq!(compiled.params.len(), 1);
            }
            let compiled = compile(f("col", "is_one_of", json!([value, value])), dialect);
            assert!(!compiled.sql.contains("OR"), "{}", compiled.sql);
            assert_eq!(compiled.params, [json!(value), json!(value)]);
        }
    }
    // LIKE metacharacters are escaped inside the pattern parameter.
    let cases = [
        ("starts_with", "50%_off\\", r"50\%\_off\\%"),
        ("ends_with", "%", r"%\%"),
        ("contains_substring", "_", r"%\_%"),
        ("does_not_contain_substring", "' OR 1=1 --", "%' OR 1=1 --%"),
    ];
    for (op, value, pattern) in cases {
        for dialect in DIALECTS {
            let compiled = compile(f("col", op, json!(value)), dialect);
            assert_eq!(compiled.params, [json!(pattern)], "{op} {dialect}");
        }
    }
}

#[test]
fn identifiers_and_malformed_filters_are_refused() {
    for field in [
        "a; DROP TABLE x",
        "a\"b",
        "a`b",
        "a b",
        "",
        " ",
        "1a",
        "a.b.c",
        "a.",
        ".a",
        "a..b",
        "a-b",
        "ünï",
        "a\u{0}",
        "a)",
        "a'",
        "*",
    ] {
        for dialect in DIALECTS {
            let error = compile_secure_filters(
                &f(field, "=", json!(1)).to_string(),
                &json!({ "dialect": dialect }).to_string(),
            )
            .unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidOption, "{field:?}: {error}");
        }
    }
    let postgres = json!({ "dialect": "postgres" }).to_string();
    for filters in [
        f("a", "like", json!("x")),
        f("a", "OR 1=1", json!("x")),
        f("a", "=", json!([1])),
        f("a", "=", json!({ "x": 1 })),
        f("a", "is_one_of", json!("x")),
        f("a", "is_one_of", json!([null])),
        f("a", "is_not_one_of", json!(["a", null])),
        f("a", ">", Value::Null),
        // null is never a value: a lost JS value (undefined, NaN) must not become IS NULL.
        f("a", "=", Value::Null),
        f("a", "!=", Value::Null),
        f("a", "array_contains", Value::Null),
        f("a", "array_contains", json!(["x"])),
        // Ordered operators take numbers and dates only.
        f("a", ">", json!("abc")),
        f("a", "<=", json!(true)),
        f("a", ">=", json!("2024-13-01")),
        f("a", "starts_with", Value::Null),
        f("a", "starts_with", json!(5)),
        f("a", "contains_substring", json!(true)),
        json!([{ "field": "a", "op": "=" }]),
        json!([{ "field": "a", "op": "=", "value": 1, "extra": 2 }]),
        json!({ "field": "a", "op": "=", "value": 1 }),
        json!("a = 1"),
        // Neither Filter[] nor Filter[][].
        json!([{ "field": "a", "op": "=", "value": 1 }, [{ "field": "b", "op": "=", "value": 2 }]]),
        json!([[{ "field": "a", "op": "=", "value": 1 }], "b = 2"]),
        json!([[[{ "field": "a", "op": "=", "value": 1 }]]]),
        // An empty AND-group is true: it would open every row of the OR.
        json!([[]]),
        json!([[{ "field": "a", "op": "=", "value": 1 }], []]),
    ] {
        let error = compile_secure_filters(&filters.to_string(), &postgres).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOption, "{filters}: {error}");
    }
    assert!(compile_secure_filters("[", &postgres).is_err());
    for options in [
        json!({}),
        json!({ "dialect": "oracle" }),
        json!({ "dialect": "Postgres" }),
        json!({ "dialect": "postgres", "extra": 1 }),
        json!({ "dialect": "postgres", "paramOffset": -1 }),
    ] {
        let error = compile_secure_filters("[]", &options.to_string()).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOption, "{options}: {error}");
    }
}

#[test]
fn a_vizzly_grant_compiles_to_sql() {
    let (s, v) = vizzly_pair();
    let t = vizzly_token(
        &s,
        json!({ "dataSetIds": ["orders"], "secureFilters": { "orders": [
            { "field": "tenant_id", "op": "=", "value": "t_42" }
        ] } }),
    );
    let g = vizzly_authorize(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "orders" }),
    )
    .unwrap();
    let compiled =
        scopemint::compile_filters(&g.secure_filters.unwrap(), scopemint::Dialect::Postgres)
            .unwrap();
    assert_eq!(compiled.sql, r#"("tenant_id" = $1)"#);
    assert_eq!(compiled.params, [json!("t_42")]);
}

// ------------------------------------------ most specific, most restrictive scope

/// Issue 11: https://www.tinybird.co/docs/forward/administration/tokens/static-tokens
/// says a `DATASOURCES:READ` scope also grants its quarantine data source. An
/// explicit, filtered scope for `X_quarantine` is more specific than that
/// implied read and wins, in either token order and in both token kinds.
#[test]
fn an_explicit_filtered_quarantine_scope_beats_the_implied_read() {
    let v = hs_verifier();
    let request = json!({ "type": "DATASOURCES:READ", "resource": "events_quarantine" });
    for scopes in [
        json!([
            "DATASOURCES:READ:events",
            "DATASOURCES:READ:events_quarantine:org_id = 'acme'"
        ]),
        json!([
            "DATASOURCES:READ:events_quarantine:org_id = 'acme'",
            "DATASOURCES:READ:events"
        ]),
    ] {
        let g = grant(&v, &token(json!({ "scopes": scopes })), request.clone());
        assert_eq!(g.filter.as_deref(), Some("org_id = 'acme'"), "{scopes}");
    }
    for scopes in [
        json!([{ "type": "DATASOURCES:READ", "resource": "events" },
               { "type": "DATASOURCES:READ", "resource": "events_quarantine", "filter": "org_id = 'acme'" }]),
        json!([{ "type": "DATASOURCES:READ", "resource": "events_quarantine", "filter": "org_id = 'acme'" },
               { "type": "DATASOURCES:READ", "resource": "events" }]),
    ] {
        let g = grant(&v, &tinybird_token(scopes.clone()), request.clone());
        assert_eq!(g.filter.as_deref(), Some("org_id = 'acme'"), "{scopes}");
    }
    // The base data source itself keeps its own (unfiltered) scope.
    let t = token(
        json!({ "scopes": ["DATASOURCES:READ:events", "DATASOURCES:READ:events_quarantine:org_id = 'acme'"] }),
    );
    let g = grant(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "events" }),
    );
    assert_eq!(g.filter, None);
    // An explicit unfiltered quarantine scope is also more specific than a filtered base.
    let t = token(
        json!({ "scopes": ["DATASOURCES:READ:events:org_id = 'acme'", "DATASOURCES:READ:events_quarantine"] }),
    );
    assert_eq!(grant(&v, &t, request.clone()).filter, None);
}

#[test]
fn among_equally_specific_scopes_the_restricted_one_wins_and_conflicts_are_refused() {
    let v = hs_verifier();
    let request = json!({ "type": "DATASOURCES:READ", "resource": "events" });
    for scopes in [
        json!([
            "DATASOURCES:READ:events",
            "DATASOURCES:READ:events:org_id = 'acme'"
        ]),
        json!([
            "DATASOURCES:READ:events:org_id = 'acme'",
            "DATASOURCES:READ:events"
        ]),
    ] {
        let g = grant(&v, &token(json!({ "scopes": scopes })), request.clone());
        assert_eq!(g.filter.as_deref(), Some("org_id = 'acme'"));
    }
    let pipes = tinybird_token(json!([
        { "type": "PIPES:READ", "resource": "top" },
        { "type": "PIPES:READ", "resource": "top", "fixed_params": { "org_id": "acme" } }
    ]));
    let g = grant(
        &v,
        &pipes,
        json!({ "type": "PIPES:READ", "resource": "top", "params": { "org_id": "evil" } }),
    );
    assert_eq!(g.params["org_id"], json!("acme"));
    // Two different restrictions: which one the issuer meant is unknowable.
    let t = token(
        json!({ "scopes": ["DATASOURCES:READ:events:org_id = 'a'", "DATASOURCES:READ:events:org_id = 'b'"] }),
    );
    let error = authorize(&v, &t, request.clone()).unwrap_err();
    assert_eq!(error.code, ErrorCode::JwtClaimInvalid);
    let t = tinybird_token(json!([
        { "type": "PIPES:READ", "resource": "top", "fixed_params": { "org_id": "a" } },
        { "type": "PIPES:READ", "resource": "top", "fixed_params": { "org_id": "b" } }
    ]));
    let error = authorize(&v, &t, json!({ "type": "PIPES:READ", "resource": "top" })).unwrap_err();
    assert_eq!(error.code, ErrorCode::JwtClaimInvalid);
    // The same restriction twice is not a conflict.
    let t = token(
        json!({ "scopes": ["DATASOURCES:READ:events:org_id = 'a'", "DATASOURCES:READ:events:org_id = 'a'"] }),
    );
    assert_eq!(
        grant(&v, &t, request).filter.as_deref(),
        Some("org_id = 'a'")
    );
}

/// Forward's workspace-wide scopes (static-tokens page, "Other tokens"):
/// `WORKSPACE:READ_ALL` reads every data source and pipe, but a scope naming
/// the resource is more specific and applies; it grants no writes.
#[test]
fn forward_workspace_scopes() {
    let v = hs_verifier();
    let t = token(
        json!({ "scopes": ["WORKSPACE:READ_ALL", "DATASOURCES:READ:events:org_id = 'acme'"] }),
    );
    assert_eq!(
        grant(
            &v,
            &t,
            json!({ "type": "DATASOURCES:READ", "resource": "logs" })
        )
        .filter,
        None
    );
    assert_eq!(
        grant(&v, &t, json!({ "type": "PIPES:READ", "resource": "top" })).filter,
        None
    );
    assert_eq!(
        grant(
            &v,
            &t,
            json!({ "type": "DATASOURCES:READ", "resource": "events" })
        )
        .filter
        .as_deref(),
        Some("org_id = 'acme'")
    );
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:APPEND", "resource": "logs" }),
    );
    denied(&v, &t, json!({ "type": "PIPES:DROP", "resource": "top" }));
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "no-such-name" }),
    );
    grant(&v, &t, json!({ "type": "WORKSPACE:READ_ALL" }));
    denied(&v, &t, json!({ "type": "WORKSPACE:DEPLOY" }));
    let t = token(json!({ "scopes": ["ORG_DATASOURCES:READ", "WORKSPACE:DEPLOY"] }));
    grant(&v, &t, json!({ "type": "ORG_DATASOURCES:READ" }));
    grant(&v, &t, json!({ "type": "WORKSPACE:DEPLOY" }));
    denied(
        &v,
        &t,
        json!({ "type": "DATASOURCES:READ", "resource": "events" }),
    );
    // A JWT cannot carry a workspace-wide scope: such an object grants nothing.
    let t = tinybird_token(json!([{ "type": "WORKSPACE:READ_ALL", "resource": "x" }]));
    denied(&v, &t, json!({ "type": "PIPES:READ", "resource": "top" }));
    // Unknown request types are an option error naming `type`.
    let error = authorize(&v, &t, json!({ "type": "WORKSPACE:READ" })).unwrap_err();
    assert_eq!(
        (error.code, error.claim.as_deref()),
        (ErrorCode::InvalidOption, Some("type"))
    );
}
