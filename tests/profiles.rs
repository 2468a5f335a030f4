//! Vendor profiles through the Rust API: exact claim shapes, and every field
//! rule rejected with ERR_INVALID_OPTION naming the field.

use scopemint::profiles::embeddable;
use scopemint::{
    decode, generate_key_pair, options_from_json, Algorithm, DecodeOptions, ErrorCode, Key, Signer,
    Verifier, VerifierOptions, VerifierProfile,
};
use serde_json::{json, Value};

mod support;
use support::sign_with_profile;
use support::signer;

const ADMIN_TOKEN: &str = "p.eyJ1IjogIjdmOTIwMmMzLWM1ZjctNDU4Ni1hZDUxLTdmYzUzNTRlMTk5YSJ9";

fn vizzly() -> (Signer, String) {
    let pair = generate_key_pair(Algorithm::ES256).unwrap();
    (
        signer(json!({ "privateKey": pair.private_key, "ttlInMinutes": 120 })),
        pair.public_key,
    )
}

fn tinybird() -> Signer {
    signer(json!({ "secret": ADMIN_TOKEN, "workspaceId": "ws_123" }))
}

fn payload(token: &str) -> Value {
    serde_json::from_str(
        &decode(token, &DecodeOptions::default())
            .unwrap()
            .payload_json,
    )
    .unwrap()
}

// The JS-shaped calls of `scopemint/tinybird`'s createClient and the
// Embeddable functions: JSON text read into the typed params, as the wasm
// adapter reads them, then the typed function.
fn client_signer_json(options_json: &str) -> scopemint::Result<Signer> {
    scopemint::profiles::tinybird::client_signer(options_from_json(options_json, "createClient")?)
}

fn token_request_json(params_json: &str) -> scopemint::Result<String> {
    embeddable::token_request(&options_from_json(params_json, "embeddableTokenRequest")?)
}

fn token_http_request_json(
    params_json: &str,
    options_json: Option<&str>,
) -> scopemint::Result<embeddable::TokenHttpRequest> {
    let params = options_from_json(params_json, "requestEmbeddableToken")?;
    let options = match options_json {
        Some(json) => options_from_json(json, "requestEmbeddableToken options")?,
        None => embeddable::RequestOptions::default(),
    };
    embeddable::token_http_request(params, &options)
}

fn rejects(signer: &Signer, method: &str, params: Value, field: &str) {
    let error = sign_with_profile(signer, method, &params.to_string())
        .expect_err(&format!("{method} {params}"));
    assert_eq!(
        error.code,
        ErrorCode::InvalidOption,
        "{method} {params}: {error}"
    );
    assert_eq!(
        error.claim.as_deref(),
        Some(field),
        "{method} {params}: {error}"
    );
}

fn future_seconds() -> i64 {
    support::system_now() as i64 + 3600
}

#[test]
fn vizzly_tokens_carry_the_fields_and_an_iso_expiry_only() {
    let (s, public_key) = vizzly();
    let token = sign_with_profile(
        &s,
        "signDataAccessToken",
        &json!({ "dataSetIds": ["hr-payroll-data"], "secureFilters": { "hr-payroll-data": [{ "field": "field_user_id", "op": "=", "value": "u1" }] } })
            .to_string(),
    )
    .unwrap();
    let claims = payload(&token);
    let names: Vec<&str> = claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names, ["dataSetIds", "secureFilters", "expires"]);
    let expires = scopemint::parse_iso8601(claims["expires"].as_str().unwrap()).unwrap();
    let now_ms = (support::system_now() * 1000.0) as i64;
    assert!((expires - (now_ms + 120 * 60_000)).abs() < 2000);
    assert_eq!(
        claims["expires"].as_str().unwrap().len(),
        "2024-01-01T00:00:00.000Z".len()
    );

    let verifier = Verifier::new(VerifierOptions {
        public_key: Some(Key::pem(&public_key)),
        profile: Some(VerifierProfile::Vizzly),
        ..VerifierOptions::default()
    })
    .unwrap();
    verifier.verify(&token).unwrap();
    let error = verifier
        .verify_at(&token, (expires / 1000 + 1) as f64)
        .unwrap_err();
    assert_eq!(
        (error.code, error.claim.as_deref()),
        (ErrorCode::JwtExpired, Some("expires"))
    );

    let dashboard = sign_with_profile(
        &s,
        "signDashboardAccessToken",
        &json!({ "accessType": "editor", "organisationId": "org_1", "userReference": "u1", "scope": "read_write", "parentDashboardIds": ["d0"] })
            .to_string(),
    )
    .unwrap();
    let claims = payload(&dashboard);
    assert_eq!(claims["organisationId"], "org_1");
    assert!(
        claims.get("projectId").is_none()
            && claims.get("exp").is_none()
            && claims.get("iat").is_none()
    );

    let tokens: Value = serde_json::from_str(
        &sign_with_profile(
            &s,
            "generateTokens",
            &json!({ "accessType": "admin", "projectId": "prj_1", "userReference": "u", "scope": "read",
                     "dataSetIds": "*", "secureFilters": {} })
                .to_string(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(tokens["dashboardAccessToken"].is_string() && tokens["dataAccessToken"].is_string());
    assert!(tokens.get("queryEngineAccessToken").is_none());

    let config = sign_with_profile(
        &s,
        "signVizzlyConfig",
        &json!({ "dataSets": [] }).to_string(),
    )
    .unwrap();
    assert_eq!(payload(&config)["dataSets"], json!([]));
}

#[test]
fn vizzly_field_rules() {
    let (s, _) = vizzly();
    let dashboard = |patch: Value| {
        let mut base = json!({ "accessType": "standard", "projectId": "prj_1", "userReference": "u1", "scope": "read" });
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                base.as_object_mut().unwrap().remove(k);
            } else {
                base[k] = v.clone();
            }
        }
        base
    };
    rejects(
        &s,
        "signDashboardAccessToken",
        dashboard(json!({ "accessType": "owner" })),
        "accessType",
    );
    rejects(
        &s,
        "signDashboardAccessToken",
        dashboard(json!({ "scope": "write" })),
        "scope",
    );
    rejects(
        &s,
        "signDashboardAccessToken",
        dashboard(json!({ "organisationId": "o" })),
        "projectId",
    );
    rejects(
        &s,
        "signDashboardAccessToken",
        dashboard(json!({ "projectId": null })),
        "projectId",
    );
    rejects(
        &s,
        "signDashboardAccessToken",
        dashboard(json!({ "userReference": " " })),
        "userReference",
    );
    rejects(
        &s,
        "signDashboardAccessToken",
        dashboard(json!({ "userReference": null })),
        "userReference",
    );
    rejects(
        &s,
        "signDashboardAccessToken",
        dashboard(json!({ "colour": "red" })),
        "colour",
    );

    let data = |ids: Value, filters: Value| json!({ "dataSetIds": ids, "secureFilters": filters });
    let filter =
        |op: &str, value: Value| json!({ "a": [{ "field": "f", "op": op, "value": value }] });
    rejects(
        &s,
        "signDataAccessToken",
        data(json!([]), json!({})),
        "dataSetIds",
    );
    rejects(
        &s,
        "signDataAccessToken",
        data(json!("all"), json!({})),
        "dataSetIds",
    );
    rejects(
        &s,
        "signDataAccessToken",
        data(json!(["a"]), json!({ "b": [] })),
        "secureFilters.b",
    );
    rejects(
        &s,
        "signDataAccessToken",
        data(json!(["a"]), filter("like", json!("x"))),
        "secureFilters.a[0].op",
    );
    rejects(
        &s,
        "signDataAccessToken",
        data(json!(["a"]), filter("is_one_of", json!("x"))),
        "secureFilters.a[0].value",
    );
    rejects(
        &s,
        "signDataAccessToken",
        data(json!(["a"]), filter("=", json!(["x"]))),
        "secureFilters.a[0].value",
    );
    rejects(
        &s,
        "signDataAccessToken",
        data(
            json!(["a"]),
            json!({ "a": [{ "field": "", "op": "=", "value": 1 }] }),
        ),
        "secureFilters.a[0].field",
    );
    rejects(
        &s,
        "signDataAccessToken",
        data(json!(["a"]), json!({ "a": [{ "field": "f", "op": "=" }] })),
        "secureFilters.a[0].value",
    );
    sign_with_profile(
        &s,
        "signDataAccessToken",
        &data(json!("*"), filter("is_not_one_of", json!([1, "b"]))).to_string(),
    )
    .unwrap();

    rejects(
        &s,
        "signQueryEngineAccessToken",
        json!({ "allowDatabaseSchemaAccess": [{ "table": "" }] }),
        "allowDatabaseSchemaAccess[0].table",
    );
    rejects(
        &s,
        "signQueryEngineAccessToken",
        json!({ "allowDatabaseSchemaAccess": "yes" }),
        "allowDatabaseSchemaAccess",
    );
    rejects(&s, "signVizzlyConfig", json!({ "expires": "x" }), "expires");

    let no_ttl =
        signer(json!({ "privateKey": generate_key_pair(Algorithm::ES256).unwrap().private_key }));
    rejects(
        &no_ttl,
        "signDataAccessToken",
        json!({ "dataSetIds": "*", "secureFilters": {} }),
        "ttlInMinutes",
    );
    let hs = signer(json!({ "secret": ADMIN_TOKEN, "ttlInMinutes": 5 }));
    let error = sign_with_profile(
        &hs,
        "signDataAccessToken",
        r#"{"dataSetIds":"*","secureFilters":{}}"#,
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::KeyInvalid);
}

#[test]
fn tinybird_jwt_has_exactly_the_documented_claims() {
    let s = tinybird();
    let exp = future_seconds();
    let response: Value = serde_json::from_str(
        &sign_with_profile(
            &s,
            "createJWT",
            &json!({ "name": "user_123_session", "expiresAt": exp,
                "scopes": [{ "type": "PIPES:READ", "resource": "user_analytics", "fixed_params": { "user_id": 123 } },
                           { "type": "DATASOURCES:READ", "resource": "events", "filter": "org_id = 'acme'" }],
                "limits": { "rps": 10 } })
            .to_string(),
        )
        .unwrap(),
    )
    .unwrap();
    let token = response["token"].as_str().unwrap();
    assert_eq!(
        payload(token),
        json!({ "workspace_id": "ws_123", "name": "user_123_session", "exp": exp,
            "scopes": [{ "type": "PIPES:READ", "resource": "user_analytics", "fixed_params": { "user_id": 123 } },
                       { "type": "DATASOURCES:READ", "resource": "events", "filter": "org_id = 'acme'" }],
            "limits": { "rps": 10 } })
    );
    // The admin token is the HS256 key.
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, ADMIN_TOKEN.as_bytes());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = support::unb64(signature);
    ring::hmac::verify(&key, input.as_bytes(), &signature).unwrap();
}

#[test]
fn tinybird_field_rules() {
    let s = tinybird();
    let exp = future_seconds();
    let jwt = |scopes: Value| json!({ "name": "n", "expiresAt": exp, "scopes": scopes });
    let one = |scope: Value| jwt(json!([scope]));
    rejects(
        &s,
        "createJWT",
        one(json!({ "type": "PIPES:WRITE", "resource": "p" })),
        "scopes[0].type",
    );
    rejects(
        &s,
        "createJWT",
        one(json!({ "type": "PIPES:READ", "resource": "a:b" })),
        "scopes[0].resource",
    );
    rejects(
        &s,
        "createJWT",
        one(json!({ "type": "DATASOURCES:READ", "resource": "e", "fixed_params": { "a": 1 } })),
        "scopes[0].fixed_params",
    );
    rejects(
        &s,
        "createJWT",
        one(json!({ "type": "PIPES:READ", "resource": "p", "fixed_params": { "a": { "b": 1 } } })),
        "scopes[0].fixed_params.a",
    );
    rejects(
        &s,
        "createJWT",
        one(json!({ "type": "PIPES:READ", "resource": "p", "filter": "a = 1" })),
        "scopes[0].filter",
    );
    rejects(&s, "createJWT", jwt(json!([])), "scopes");
    rejects(
        &s,
        "createJWT",
        json!({ "name": "", "expiresAt": exp, "scopes": [{ "type": "PIPES:READ", "resource": "p" }] }),
        "name",
    );
    rejects(
        &s,
        "createJWT",
        json!({ "name": "n", "scopes": [{ "type": "PIPES:READ", "resource": "p" }] }),
        "expiresAt",
    );
    rejects(
        &s,
        "createJWT",
        json!({ "name": "n", "expiresAt": 1000, "scopes": [{ "type": "PIPES:READ", "resource": "p" }] }),
        "expiresAt",
    );
    // https://www.tinybird.co/docs/forward/administration/tokens/jwt: Tinybird reads
    // rps <= 0 as "no limit" and shows only whole numbers, so those are refused at mint.
    for rps in [
        json!(0),
        json!(-3),
        json!(1.5),
        json!(0.5),
        json!("10"),
        json!(null),
    ] {
        let mut params = one(json!({ "type": "PIPES:READ", "resource": "p" }));
        params["limits"] = json!({ "rps": rps });
        rejects(&s, "createJWT", params, "limits.rps");
    }
    // `rps` is optional (the SDK's JWTLimits): `limits: {}` is minted as given.
    let mut params = one(json!({ "type": "PIPES:READ", "resource": "p" }));
    params["limits"] = json!({});
    let minted: Value =
        serde_json::from_str(&sign_with_profile(&s, "createJWT", &params.to_string()).unwrap())
            .unwrap();
    assert_eq!(
        payload(minted["token"].as_str().unwrap())["limits"],
        json!({})
    );
    let mut params = one(json!({ "type": "PIPES:READ", "resource": "p" }));
    params["limits"] = json!({ "rps": 10, "burst": 2 });
    rejects(&s, "createJWT", params, "limits.burst");
    let no_workspace = signer(json!({ "secret": ADMIN_TOKEN }));
    rejects(
        &no_workspace,
        "createJWT",
        one(json!({ "type": "PIPES:READ", "resource": "p" })),
        "workspaceId",
    );
    let es = vizzly().0;
    let error = sign_with_profile(
        &es,
        "createJWT",
        &one(json!({ "type": "PIPES:READ", "resource": "p" })).to_string(),
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::KeyInvalid);
}

#[test]
fn embeddable_tokens_and_requests() {
    let s = signer(json!({ "secret": ADMIN_TOKEN }));
    let params = json!({ "embeddableId": "dash-1", "expiryInSeconds": 604800,
        "securityContext": { "userId": "9sZ", "regions": ["us-east", "eu-west"] }, "user": "sina@embeddable.com",
        "dashboardState": "team1-dashboard7", "environment": "prod" });
    let response: Value = serde_json::from_str(
        &sign_with_profile(&s, "signSecurityToken", &params.to_string()).unwrap(),
    )
    .unwrap();
    let claims = payload(response["token"].as_str().unwrap());
    assert_eq!(claims["securityContext"], params["securityContext"]);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        604800
    );
    assert_eq!(claims["securityTokenId"].as_str().unwrap().len(), 36);
    assert_eq!(
        decode(
            response["token"].as_str().unwrap(),
            &DecodeOptions::default()
        )
        .unwrap()
        .profile,
        Some("embeddable")
    );

    let body: Value =
        serde_json::from_str(&token_request_json(&params.to_string()).unwrap()).unwrap();
    assert_eq!(body, params);
    for (patch, field) in [
        (json!({ "expiryInSeconds": 0 }), "expiryInSeconds"),
        (json!({ "expiryInSeconds": 1.5 }), "expiryInSeconds"),
        (json!({ "user": "" }), "user"),
        (json!({ "securityContext": [1] }), "securityContext"),
        (json!({ "tenant": "x" }), "tenant"),
    ] {
        let mut bad = params.clone();
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        rejects(&s, "signSecurityToken", bad.clone(), field);
        assert_eq!(
            token_request_json(&bad.to_string())
                .unwrap_err()
                .claim
                .as_deref(),
            Some(field)
        );
    }
}

/// `@tinybirdco/sdk` (node_modules/@tinybirdco/sdk/src/api/tokens.ts): `JWTLimits.rps`
/// is optional, so `limits: {}` is valid (https://www.tinybird.co/docs/forward/administration/tokens/jwt,
/// "Rate limits for JWTs"; the rps values themselves are the rate-limit rules' to check).
#[test]
fn tinybird_limits_follow_the_sdk_types_and_the_jwt_page() {
    let s = tinybird();
    let exp = future_seconds();
    for limits in [json!({}), json!({ "rps": 100 })] {
        let minted = sign_with_profile(
            &s,
            "createJWT",
            &json!({ "name": "n", "expiresAt": exp, "scopes": [{ "type": "PIPES:READ", "resource": "p" }], "limits": limits })
                .to_string(),
        )
        .unwrap_or_else(|e| panic!("{limits}: {e}"));
        let token: Value = serde_json::from_str(&minted).unwrap();
        assert_eq!(payload(token["token"].as_str().unwrap())["limits"], limits);
    }
}

/// The SDK's `JWTScopeType` is PIPES:READ, DATASOURCES:READ and DATASOURCES:APPEND
/// (node_modules/@tinybirdco/sdk/src/api/tokens.ts); the JWT docs page lists the
/// first two. Static-only types (ADMIN, WORKSPACE:READ_ALL, …) are refused in a JWT.
#[test]
fn tinybird_jwt_scope_types_are_the_sdks() {
    let s = tinybird();
    let exp = future_seconds();
    let mint = |scope: Value| {
        sign_with_profile(
            &s,
            "createJWT",
            &json!({ "name": "n", "expiresAt": exp, "scopes": [scope] }).to_string(),
        )
    };
    for t in ["PIPES:READ", "DATASOURCES:READ", "DATASOURCES:APPEND"] {
        mint(json!({ "type": t, "resource": "r" })).unwrap_or_else(|e| panic!("{t}: {e}"));
    }
    for t in [
        "ADMIN",
        "TOKENS",
        "WORKSPACE:READ_ALL",
        "ORG_DATASOURCES:READ",
        "PIPES:DROP",
        "DATASOURCES:CREATE",
    ] {
        let error = mint(json!({ "type": t, "resource": "r" })).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOption, "{t}");
        assert_eq!(error.claim.as_deref(), Some("scopes[0].type"), "{t}");
        assert!(
            error.message.contains("DATASOURCES:APPEND"),
            "{}",
            error.message
        );
    }
    let error = mint(json!({ "type": "pipes:read", "resource": "r" })).unwrap_err();
    assert_eq!(error.claim.as_deref(), Some("scopes[0].type"));
}

/// `scopemint/tinybird`'s `createClient({ token, workspaceId, baseUrl? })`: the
/// signer it makes mints what `createJWT` on a signer mints, and takes exactly
/// the SDK's `CreateJWTOptions` (no `workspaceId` per call).
#[test]
fn tinybird_client_signer_json() {
    let client = client_signer_json(
        &json!({ "token": ADMIN_TOKEN, "workspaceId": "ws_123", "baseUrl": "https://api.tinybird.co" }).to_string(),
    )
    .unwrap();
    let exp = future_seconds();
    let options = json!({ "name": "user_123_session", "expiresAt": exp,
        "scopes": [{ "type": "PIPES:READ", "resource": "user_dashboard", "fixed_params": { "user_id": 123 } }] });
    let minted: Value = serde_json::from_str(
        &sign_with_profile(&client, "tinybirdClientCreateJWT", &options.to_string()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        payload(minted["token"].as_str().unwrap()),
        json!({ "workspace_id": "ws_123", "name": "user_123_session", "exp": exp,
            "scopes": [{ "type": "PIPES:READ", "resource": "user_dashboard", "fixed_params": { "user_id": 123 } }] })
    );
    let mut with_workspace = options.clone();
    with_workspace["workspaceId"] = json!("other");
    rejects(
        &client,
        "tinybirdClientCreateJWT",
        with_workspace,
        "workspaceId",
    );
    for (bad, field) in [
        (json!({ "workspaceId": "ws" }), "token"),
        (json!({ "token": ADMIN_TOKEN }), "workspaceId"),
        (
            json!({ "token": ADMIN_TOKEN, "workspaceId": " " }),
            "workspaceId",
        ),
        (json!({ "token": "short", "workspaceId": "ws" }), "token"),
        (
            json!({ "token": ADMIN_TOKEN, "workspaceId": "ws", "baseUrl": "api.tinybird.co" }),
            "baseUrl",
        ),
        (
            json!({ "token": ADMIN_TOKEN, "workspaceId": "ws", "fetch": 1 }),
            "fetch",
        ),
    ] {
        let error = client_signer_json(&bad.to_string())
            .err()
            .unwrap_or_else(|| panic!("{bad} accepted"));
        assert_eq!(error.claim.as_deref(), Some(field), "{bad}: {error}");
    }
}

/// Every field of https://docs.embeddable.com/deployment/tokens-api (its examples,
/// and `filters` from https://docs.embeddable.com/data-modeling/row-level-security/security-filters),
/// with its type checked.
#[test]
fn embeddable_token_request_takes_every_documented_field() {
    let body = json!({
        "embeddableId": "dash-1",
        "savedVersion": "production",
        "expiryInSeconds": 604800,
        "securityContext": { "userId": "9sZ", "regions": ["us-east", "eu-west"] },
        "user": "sina@embeddable.com",
        "dashboardState": "team1-dashboard7",
        "customCanvasState": "team1-dashboard7",
        "customCanvasReadOnly": true,
        "environment": "default",
        "roles": ["manager"],
        "filters": [
            { "member": "customers.id", "operator": "equals", "values": ["5"] },
            { "member": "orders.created_at", "operator": "inDateRange", "values": ["2024-01-01", "2024-12-31"] },
            { "member": "orders.total", "operator": "gte", "values": ["10.5"] }
        ],
        "dataProvider": "warehouse"
    });
    let out: Value = serde_json::from_str(&token_request_json(&body.to_string()).unwrap()).unwrap();
    assert_eq!(out, body);
    for (patch, field) in [
        (json!({ "savedVersion": 1 }), "savedVersion"),
        (json!({ "savedVersion": "" }), "savedVersion"),
        (json!({ "roles": "manager" }), "roles"),
        (json!({ "roles": [""] }), "roles[0]"),
        (
            json!({ "customCanvasReadOnly": "yes" }),
            "customCanvasReadOnly",
        ),
        (json!({ "filters": {} }), "filters"),
        (
            json!({ "filters": [{ "member": "id", "operator": "equals", "values": ["5"] }] }),
            "filters[0].member",
        ),
        (
            json!({ "filters": [{ "member": "a.b; drop", "operator": "equals", "values": ["5"] }] }),
            "filters[0].member",
        ),
        (
            json!({ "filters": [{ "member": "a.b", "operator": "like", "values": ["5"] }] }),
            "filters[0].operator",
        ),
        (
            json!({ "filters": [{ "member": "a.b", "operator": "equals", "values": [5] }] }),
            "filters[0].values[0]",
        ),
        (
            json!({ "filters": [{ "member": "a.b", "operator": "equals", "values": [] }] }),
            "filters[0].values",
        ),
        (
            json!({ "filters": [{ "member": "a.b", "operator": "equals" }] }),
            "filters[0].values",
        ),
        (
            json!({ "filters": [{ "member": "a.b", "operator": "inDateRange", "values": ["2024-01-01"] }] }),
            "filters[0].values",
        ),
        (
            json!({ "filters": [{ "member": "a.b", "operator": "gt", "values": ["ten"] }] }),
            "filters[0].values[0]",
        ),
        (
            json!({ "filters": [{ "member": "a.b", "operator": "equals", "values": ["1"], "and": [] }] }),
            "filters[0].and",
        ),
        (json!({ "tenant": "x" }), "tenant"),
    ] {
        let mut bad = body.clone();
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let error = token_request_json(&bad.to_string()).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOption, "{patch}");
        assert_eq!(error.claim.as_deref(), Some(field), "{patch}: {error}");
    }
    // The self-issued token carries the same fields, plus its id, iat and exp.
    let s = signer(json!({ "secret": ADMIN_TOKEN }));
    let minted: Value = serde_json::from_str(
        &sign_with_profile(&s, "signSecurityToken", &body.to_string()).unwrap(),
    )
    .unwrap();
    let claims = payload(minted["token"].as_str().unwrap());
    assert_eq!(claims["filters"], body["filters"]);
    assert_eq!(claims["roles"], body["roles"]);
    assert!(claims.get("expiryInSeconds").is_none());
}

/// `requestEmbeddableToken`'s request as https://docs.embeddable.com/deployment/tokens-api
/// shows it: POST https://api.<region>.embeddable.com/api/v1/security-token, JSON, Bearer key.
#[test]
fn embeddable_http_request_and_response() {
    let params = json!({ "apiKey": "key-1", "region": "eu", "embeddableId": "dash-1", "expiryInSeconds": 3600,
        "securityContext": { "userId": "u1" }, "user": "u1@example.com" });
    let request = token_http_request_json(&params.to_string(), None).unwrap();
    assert_eq!(
        request.url,
        "https://api.eu.embeddable.com/api/v1/security-token"
    );
    assert_eq!(request.headers["Authorization"], "Bearer key-1");
    assert_eq!(request.headers["Content-Type"], "application/json");
    assert_eq!(request.timeout_ms, 10_000);
    let body: Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(
        body,
        json!({ "embeddableId": "dash-1", "expiryInSeconds": 3600,
        "securityContext": { "userId": "u1" }, "user": "u1@example.com" })
    );
    let mut local = params.clone();
    local.as_object_mut().unwrap().remove("region");
    local["baseUrl"] = json!("http://127.0.0.1:8080/");
    let request =
        token_http_request_json(&local.to_string(), Some(r#"{"timeoutMs":250}"#)).unwrap();
    assert_eq!(request.url, "http://127.0.0.1:8080/api/v1/security-token");
    assert_eq!(request.timeout_ms, 250);
    for (patch, remove, field) in [
        (json!({ "region": "asia" }), None, "region"),
        (json!({ "baseUrl": "https://x" }), None, "region"),
        (json!({}), Some("region"), "region"),
        (json!({ "apiKey": "" }), None, "apiKey"),
        (json!({ "apiKey": "a\r\nX-Evil: 1" }), None, "apiKey"),
        (json!({}), Some("apiKey"), "apiKey"),
        (
            json!({ "expiryInSeconds": "3600" }),
            None,
            "expiryInSeconds",
        ),
    ] {
        let mut bad = params.clone();
        for (k, v) in patch.as_object().unwrap() {
            bad[k] = v.clone();
        }
        if let Some(key) = remove {
            bad.as_object_mut().unwrap().remove(key);
        }
        let error = token_http_request_json(&bad.to_string(), None)
            .err()
            .unwrap_or_else(|| panic!("{bad}"));
        assert_eq!(error.claim.as_deref(), Some(field), "{bad}: {error}");
    }
    let mut no_region = params.clone();
    no_region.as_object_mut().unwrap().remove("region");
    no_region["baseUrl"] = json!("ftp://x");
    assert_eq!(
        token_http_request_json(&no_region.to_string(), None)
            .unwrap_err()
            .claim
            .as_deref(),
        Some("baseUrl")
    );
    for timeout in ["0", "1.5", "-1", "\"10\"", "1000000"] {
        let error = token_http_request_json(
            &params.to_string(),
            Some(&format!("{{\"timeoutMs\":{timeout}}}")),
        )
        .unwrap_err();
        assert_eq!(error.claim.as_deref(), Some("timeoutMs"), "{timeout}");
    }

    // The token itself (the JS function answers `{token}`, as Embeddable does).
    assert_eq!(
        embeddable::token_http_response(200, r#"{"token":"eyJ.a.b"}"#).unwrap(),
        "eyJ.a.b"
    );
    let error =
        embeddable::token_http_response(401, r#"{"errorMessage":"Invalid API key"}"#).unwrap_err();
    assert_eq!(
        (error.code, error.status),
        (ErrorCode::EmbeddableHttp, Some(401))
    );
    assert!(error.message.contains("Invalid API key"), "{error}");
    let error = embeddable::token_http_response(502, "<html>bad gateway</html>").unwrap_err();
    assert_eq!(
        (error.code, error.status),
        (ErrorCode::EmbeddableHttp, Some(502))
    );
    for body in ["not json", "{}", r#"{"token":""}"#, r#"{"token":5}"#, "[]"] {
        let error = embeddable::token_http_response(200, body).unwrap_err();
        assert_eq!(error.code, ErrorCode::EmbeddableResponseInvalid, "{body}");
    }
    // An answer past the bound is refused whole, even a well-formed one.
    let padded = format!(
        r#"{{"token":"eyJ.a.b","pad":"{}"}}"#,
        "x".repeat(embeddable::MAX_TOKEN_RESPONSE_BYTES)
    );
    let error = embeddable::token_http_response(200, &padded).unwrap_err();
    assert_eq!(
        (error.code, error.status),
        (ErrorCode::EmbeddableResponseInvalid, Some(200))
    );
    assert_eq!(
        embeddable::token_transport_error("timeout", 250, "").code,
        ErrorCode::EmbeddableTimeout
    );
    assert_eq!(
        embeddable::token_transport_error("network", 250, "ECONNREFUSED").code,
        ErrorCode::EmbeddableNetwork
    );
}
