//! Vendor profiles through the Rust API: exact claim shapes, and every field
//! rule rejected with ERR_INVALID_OPTION naming the field.

use scopemint::profiles::{embeddable, sign_with_profile};
use scopemint::{
    decode, generate_key_pair, options_from_json, Algorithm, DecodeOptions, ErrorCode, Signer,
    SignerOptions, Verifier, VerifierOptions,
};
use serde_json::{json, Value};

const ADMIN_TOKEN: &str = "p.eyJ1IjogIjdmOTIwMmMzLWM1ZjctNDU4Ni1hZDUxLTdmYzUzNTRlMTk5YSJ9";

fn signer(options: Value) -> Signer {
    Signer::new(options_from_json::<SignerOptions>(&options.to_string(), "signer").unwrap())
        .unwrap()
}

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
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 3600
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
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((expires - (now_ms + 120 * 60_000)).abs() < 2000);
    assert_eq!(
        claims["expires"].as_str().unwrap().len(),
        "2024-01-01T00:00:00.000Z".len()
    );

    let verifier = Verifier::new(
        options_from_json::<VerifierOptions>(
            &json!({ "publicKey": public_key, "profile": "vizzly" }).to_string(),
            "v",
        )
        .unwrap(),
    )
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
    use base64::Engine;
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(signature)
        .unwrap();
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
        serde_json::from_str(&embeddable::token_request(&params.to_string()).unwrap()).unwrap();
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
            embeddable::token_request(&bad.to_string())
                .unwrap_err()
                .claim
                .as_deref(),
            Some(field)
        );
    }
}
