//! Vizzly tokens against Vizzly's own docs and example apps:
//! - https://docs.vizzly.co/identity/self-sign (claim sets)
//! - https://docs.vizzly.co/identity/properties/secure-filters (OR / AND logic, operators)
//! - https://docs.vizzly.co/concepts/identity-config (which tokens exist)
//! - https://docs.vizzly.co/dashboard/callbacks/identity (generateTokens' flat identity config)
//! - https://docs.vizzly.co/query-engines/self-hosted/config/storage/vizzly-api (project access token)
//! - vizzly-co/examples: examples/node-auth/src/identity.ts (defaults), examples/nextjs/src/pages/api/identity.ts

use scopemint::profiles::vizzly::FilterOp;
use scopemint::{decode, DecodeOptions, ErrorCode, Signer, Verifier};
use serde_json::{json, Value};

mod support;
use support::sign_with_profile;
use support::vizzly_pair as vizzly;

fn claims(verifier: &Verifier, token: &str) -> Value {
    serde_json::from_str(&verifier.verify(token).unwrap().payload_json).unwrap()
}

fn names(claims: &Value) -> Vec<&str> {
    claims
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

fn sign(s: &Signer, method: &str, params: Value) -> String {
    sign_with_profile(s, method, &params.to_string())
        .unwrap_or_else(|e| panic!("{method} {params}: {e}"))
}

fn refused(s: &Signer, method: &str, params: Value) -> scopemint::Error {
    let error = sign_with_profile(s, method, &params.to_string())
        .expect_err(&format!("{method} {params} was signed"));
    assert_eq!(error.code, ErrorCode::InvalidOption, "{params}: {error}");
    error
}

// The self-sign page's claims examples, field for field (values from the page).
#[test]
fn claim_sets_are_exactly_the_self_sign_pages() {
    let (s, v) = vizzly();
    let dashboard = claims(
        &v,
        &sign(
            &s,
            "signDashboardAccessToken",
            json!({ "accessType": "standard", "projectId": "prj_abc", "userReference": "user 123456",
                    "scope": "read_write", "parentDashboardIds": ["dsh_123"] }),
        ),
    );
    assert_eq!(
        names(&dashboard),
        [
            "accessType",
            "projectId",
            "userReference",
            "scope",
            "parentDashboardIds",
            "expires"
        ]
    );
    let data = claims(
        &v,
        &sign(
            &s,
            "signDataAccessToken",
            json!({ "projectId": "prj_abc", "dataSetIds": "*",
                    "secureFilters": { "data set id 1": [{ "field": "user_id", "op": "=", "value": 88230 }] },
                    "parameters": {} }),
        ),
    );
    assert_eq!(
        names(&data),
        [
            "projectId",
            "dataSetIds",
            "secureFilters",
            "parameters",
            "expires"
        ]
    );
    assert_eq!(data["secureFilters"]["data set id 1"][0]["value"], 88230);
    let query_engine = claims(
        &v,
        &sign(
            &s,
            "signQueryEngineAccessToken",
            json!({ "projectId": "prj_abc", "allowDatabaseSchemaAccess": true, "allowDataPreviewAccess": true }),
        ),
    );
    assert_eq!(
        names(&query_engine),
        [
            "projectId",
            "allowDatabaseSchemaAccess",
            "allowDataPreviewAccess",
            "expires"
        ]
    );
    // projectId is optional on data and query-engine tokens.
    let data = claims(
        &v,
        &sign(
            &s,
            "signDataAccessToken",
            json!({ "dataSetIds": ["a"], "secureFilters": {} }),
        ),
    );
    assert_eq!(names(&data), ["dataSetIds", "secureFilters", "expires"]);
    // The self-sign types: secureFilters and both allow* flags are required.
    refused(&s, "signDataAccessToken", json!({ "dataSetIds": "*" }));
    refused(
        &s,
        "signQueryEngineAccessToken",
        json!({ "allowDatabaseSchemaAccess": true }),
    );
    refused(
        &s,
        "signQueryEngineAccessToken",
        json!({ "allowDataPreviewAccess": true }),
    );
    refused(
        &s,
        "signDataAccessToken",
        json!({ "projectId": "", "dataSetIds": "*", "secureFilters": {} }),
    );
}

// vizzly-co/examples node-auth: accessType defaults to 'standard', scope to
// 'read_write'; the self-sign page makes scope optional. The claims say it.
#[test]
fn dashboard_defaults_are_vizzlys_and_written_out() {
    let (s, v) = vizzly();
    let c = claims(
        &v,
        &sign(
            &s,
            "signDashboardAccessToken",
            json!({ "projectId": "prj_1", "userReference": "u1" }),
        ),
    );
    assert_eq!(c["accessType"], "standard");
    assert_eq!(c["scope"], "read_write");
    // The older names Vizzly's identity callback example still uses.
    let c = claims(
        &v,
        &sign(
            &s,
            "signDashboardAccessToken",
            json!({ "accessType": "editor", "organisationId": "org_1", "userReference": "u1",
                    "dashboardId": "dsh_1", "scope": "read" }),
        ),
    );
    assert_eq!(
        names(&c),
        [
            "accessType",
            "organisationId",
            "userReference",
            "scope",
            "dashboardId",
            "expires"
        ]
    );
    refused(
        &s,
        "signDashboardAccessToken",
        json!({ "projectId": "prj_1", "userReference": "u1", "scope": "write" }),
    );
}

// https://docs.vizzly.co/dashboard/callbacks/identity and vizzly-co/examples
// nextjs identity.ts: one flat identity config, tokens by the fields given.
#[test]
fn generate_tokens_takes_the_flat_identity_config() {
    let (s, v) = vizzly();
    let tokens = |config: Value| -> Value {
        serde_json::from_str(&sign(&s, "generateTokens", config)).unwrap()
    };
    // The callbacks/identity page's own example.
    let t = tokens(json!({
        "userReference": "usr 12345 - custom",
        "accessType": "editor",
        "dataSetIds": "*",
        "secureFilters": {},
        "organisationId": "org_9817c013a80944cea5890df34ab792cd",
        "dashboardId": "dsh_42496c1c55e24bd985dc71bdc4a85f9d",
        "scope": "read_write"
    }));
    assert_eq!(
        names(&t),
        ["dashboardAccessToken", "dataAccessToken"],
        "no query-engine token without allow* flags"
    );
    let dashboard = claims(&v, t["dashboardAccessToken"].as_str().unwrap());
    assert_eq!(
        dashboard["organisationId"],
        "org_9817c013a80944cea5890df34ab792cd"
    );
    assert!(dashboard.get("dataSetIds").is_none());
    let data = claims(&v, t["dataAccessToken"].as_str().unwrap());
    assert_eq!(names(&data), ["dataSetIds", "secureFilters", "expires"]);

    // With projectId, every token carries it; allow* flags add the query-engine token.
    let t = tokens(json!({
        "projectId": "prj_1", "userReference": "u1",
        "dataSetIds": ["orders"], "secureFilters": { "orders": [[{ "field": "org_id", "op": "=", "value": "acme" }]] },
        "parameters": { "region": "eu" },
        "allowDatabaseSchemaAccess": true
    }));
    assert_eq!(
        names(&t),
        [
            "dashboardAccessToken",
            "dataAccessToken",
            "queryEngineAccessToken"
        ]
    );
    let data = claims(&v, t["dataAccessToken"].as_str().unwrap());
    assert_eq!(
        names(&data),
        [
            "projectId",
            "dataSetIds",
            "secureFilters",
            "parameters",
            "expires"
        ]
    );
    let qe = claims(&v, t["queryEngineAccessToken"].as_str().unwrap());
    assert_eq!(qe["projectId"], "prj_1");
    assert_eq!(qe["allowDatabaseSchemaAccess"], true);
    // The flag not given is not granted.
    assert_eq!(qe["allowDataPreviewAccess"], false);

    // Dashboard only.
    let t = tokens(json!({ "projectId": "prj_1", "userReference": "u1" }));
    assert_eq!(names(&t), ["dashboardAccessToken"]);

    // Errors name the flat field.
    for (config, field) in [
        (
            json!({ "projectId": "p", "userReference": "u", "secureFilters": {} }),
            "dataSetIds",
        ),
        (
            json!({ "projectId": "p", "userReference": "u", "dataSetIds": "*" }),
            "secureFilters",
        ),
        (
            json!({ "projectId": "p", "userReference": "u", "dataSetIds": ["a"],
                    "secureFilters": { "a": [{ "field": "f", "op": "~", "value": 1 }] } }),
            "secureFilters.a[0].op",
        ),
        (json!({ "userReference": "u" }), "projectId"),
        // The nested form is gone (0.x): one way to do it.
        (
            json!({ "dashboard": { "projectId": "p", "userReference": "u" } }),
            "dashboard",
        ),
    ] {
        let error = refused(&s, "generateTokens", config.clone());
        assert_eq!(error.claim.as_deref(), Some(field), "{config}: {error}");
    }
}

#[test]
fn project_access_token() {
    let (s, v) = vizzly();
    let c = claims(
        &v,
        &sign(
            &s,
            "signProjectAccessToken",
            json!({ "projectId": "prj_1", "resources": [{ "id": "cnf_1", "scope": "read_write" }] }),
        ),
    );
    assert_eq!(names(&c), ["projectId", "resources", "expires"]);
    assert_eq!(
        c["resources"],
        json!([{ "id": "cnf_1", "scope": "read_write" }])
    );
    let decoded = decode(
        &sign(
            &s,
            "signProjectAccessToken",
            json!({ "projectId": "prj_1", "resources": [{ "id": "cnf_1", "scope": "read" }] }),
        ),
        &DecodeOptions::default(),
    )
    .unwrap();
    assert_eq!(decoded.profile, Some("vizzly-project"));
    for params in [
        json!({ "projectId": "prj_1", "resources": [] }),
        json!({ "projectId": "prj_1", "resources": [{ "id": "cnf_1", "scope": "admin" }] }),
        json!({ "projectId": "prj_1", "resources": [{ "id": "", "scope": "read" }] }),
        json!({ "projectId": "prj_1", "resources": [{ "id": "c", "scope": "read", "x": 1 }] }),
        json!({ "resources": [{ "id": "c", "scope": "read" }] }),
    ] {
        refused(&s, "signProjectAccessToken", params);
    }
}

// https://docs.vizzly.co/identity/properties/secure-filters lists the
// operators and the field types each is valid on; the dashboard adds
// `array_contains` (vizzly-co/examples storybook translations).
#[test]
fn every_operator_with_the_value_types_it_takes() {
    let (s, _) = vizzly();
    let names: Vec<&str> = FilterOp::ALL.iter().map(|op| op.as_str()).collect();
    assert_eq!(
        names,
        [
            "=",
            "!=",
            ">",
            "<",
            ">=",
            "<=",
            "is_one_of",
            "is_not_one_of",
            "starts_with",
            "ends_with",
            "contains_substring",
            "does_not_contain_substring",
            "array_contains"
        ]
    );
    let data = |op: &str, value: Value| json!({ "dataSetIds": ["d"], "secureFilters": { "d": [{ "field": "f", "op": op, "value": value }] } });
    let accepted: [(&str, Vec<Value>); 6] = [
        ("=", vec![json!("t"), json!(1), json!(true), json!(1.5)]),
        ("!=", vec![json!("t"), json!(0), json!(false)]),
        (
            ">",
            vec![
                json!(3),
                json!("2024-03-06"),
                json!("2024-03-06T20:49:28.746Z"),
            ],
        ),
        ("is_one_of", vec![json!([]), json!(["a", 1, true])]),
        ("starts_with", vec![json!("Jo")]),
        ("array_contains", vec![json!("eu"), json!(7), json!(true)]),
    ];
    for (op, values) in accepted {
        for value in values {
            sign(&s, "signDataAccessToken", data(op, value));
        }
    }
    let refused_values: [(&str, Vec<Value>); 7] = [
        ("=", vec![Value::Null, json!([1]), json!({ "a": 1 })]),
        (
            ">",
            vec![json!("soon"), json!(true), json!([1]), Value::Null],
        ),
        ("<=", vec![json!("2024-02-30"), json!(false)]),
        (
            "is_one_of",
            vec![json!("a"), json!([null]), json!([[1]]), json!([{}])],
        ),
        ("is_not_one_of", vec![json!(1), json!(["a", null])]),
        ("ends_with", vec![json!(1), json!(["a"]), Value::Null]),
        ("array_contains", vec![json!(["a"]), Value::Null, json!({})]),
    ];
    for (op, values) in refused_values {
        for value in values {
            let error = refused(&s, "signDataAccessToken", data(op, value));
            assert_eq!(error.claim.as_deref(), Some("secureFilters.d[0].value"));
        }
    }
    let error = refused(&s, "signDataAccessToken", data("in", json!(["a"])));
    assert_eq!(error.claim.as_deref(), Some("secureFilters.d[0].op"));
}

// Both documented shapes are signed as given; malformed nesting is refused.
#[test]
fn secure_filter_shapes() {
    let (s, v) = vizzly();
    let a = json!({ "field": "org_id", "op": "=", "value": "acme" });
    let b = json!({ "field": "region", "op": "=", "value": "eu" });
    for filters in [
        json!([]),
        json!([a, b]),
        json!([[a, b]]),
        json!([[a, b], [b]]),
    ] {
        let t = sign(
            &s,
            "signDataAccessToken",
            json!({ "dataSetIds": ["d"], "secureFilters": { "d": filters } }),
        );
        assert_eq!(claims(&v, &t)["secureFilters"]["d"], filters);
    }
    for (filters, path) in [
        (json!([a, [b]]), "secureFilters.d"),
        (json!([[]]), "secureFilters.d[0]"),
        (json!([[a], []]), "secureFilters.d[1]"),
        (json!([[[a]]]), "secureFilters.d[0][0]"),
        (json!(a), "secureFilters.d"),
        (
            json!([[a, { "field": "x", "op": "=" }]]),
            "secureFilters.d[0][1].value",
        ),
    ] {
        let error = refused(
            &s,
            "signDataAccessToken",
            json!({ "dataSetIds": ["d"], "secureFilters": { "d": filters } }),
        );
        assert_eq!(error.claim.as_deref(), Some(path), "{filters}: {error}");
    }
}

// decode reads the filters as one boolean expression, the way Vizzly does.
#[test]
fn decode_shows_the_boolean_reading_in_words() {
    let (s, _) = vizzly();
    let t = sign(
        &s,
        "signDataAccessToken",
        json!({ "dataSetIds": "*", "secureFilters": {
            "or": [
                { "field": "org_id", "op": "=", "value": "acme" },
                { "field": "org_id", "op": "=", "value": "globex" }
            ],
            "and": [[
                { "field": "org_id", "op": "=", "value": "acme" },
                { "field": "region", "op": "=", "value": "eu" }
            ]],
            "or_of_and": [
                [
                    { "field": "org_id", "op": "=", "value": "acme" },
                    { "field": "region", "op": "is_one_of", "value": ["eu", "us"] }
                ],
                [{ "field": "tags", "op": "array_contains", "value": "public" }]
            ],
            "none": []
        } }),
    );
    let decoded = decode(&t, &DecodeOptions::default()).unwrap();
    assert_eq!(decoded.profile, Some("vizzly-data"));
    let words = decoded.secure_filters_in_words.unwrap();
    assert_eq!(
        words,
        [
            ("or".to_string(), "org_id = 'acme' OR org_id = 'globex'".to_string()),
            ("and".to_string(), "org_id = 'acme' AND region = 'eu'".to_string()),
            (
                "or_of_and".to_string(),
                "(org_id = 'acme' AND region is one of ('eu', 'us')) OR tags has the element 'public'"
                    .to_string()
            ),
            ("none".to_string(), "no filter (every row)".to_string()),
        ]
    );
    // Other tokens carry no reading.
    let dashboard = sign(
        &s,
        "signDashboardAccessToken",
        json!({ "projectId": "p", "userReference": "u" }),
    );
    assert!(decode(&dashboard, &DecodeOptions::default())
        .unwrap()
        .secure_filters_in_words
        .is_none());
}
