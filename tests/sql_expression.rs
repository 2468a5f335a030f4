//! Issuer-written SQL filters through the server build's parser: what passes,
//! what it normalises to, everything that must be refused, and the same gate
//! inside `authorize`, `createJWT` and `formatScope`.
#![cfg(feature = "server")]

use scopemint::profiles::sign_with_profile;
use scopemint::{
    format_scope, normalize_sql_filter, options_from_json, Dialect, ErrorCode, FilterOptions,
    Scope, SignOptions, Signer, SignerOptions, Verifier, VerifierOptions, MAX_FILTER_BYTES,
    MAX_FILTER_OPERATORS,
};
use serde_json::{json, Value};

const NOW: i64 = 1_800_000_000;
const ADMIN_TOKEN: &str = "p.an-admin-token-long-enough-for-hs256";

fn normalize(filter: &str) -> scopemint::Result<String> {
    normalize_sql_filter(filter, &FilterOptions::default())
}

fn normalize_in(filter: &str, dialect: Dialect) -> scopemint::Result<String> {
    let options = FilterOptions {
        dialect,
        ..FilterOptions::default()
    };
    normalize_sql_filter(filter, &options)
}

fn refused(filter: &str) -> scopemint::Error {
    let error = normalize(filter)
        .err()
        .unwrap_or_else(|| panic!("{filter:?} was accepted"));
    assert_eq!(error.code, ErrorCode::FilterInvalid, "{filter:?}: {error}");
    error
}

#[test]
fn conditions_pass_and_come_back_normalised() {
    let cases = [
        ("org_id = 'acme'", "org_id = 'acme'"),
        (
            "  org_id='acme'  and(region in ('eu','us')) ",
            "org_id = 'acme' AND (region IN ('eu', 'us'))",
        ),
        ("not deleted", "NOT deleted"),
        ("is_public", "is_public"),
        ("true", "true"),
        ("amount between 10 and 20", "amount BETWEEN 10 AND 20"),
        ("name like 'a%'", "name LIKE 'a%'"),
        ("has(tags, 'vip')", "has(tags, 'vip')"),
        (
            "created_at >= '2024-01-01' or org_id is null",
            "created_at >= '2024-01-01' OR org_id IS NULL",
        ),
        ("t.user_id <> 7", "t.user_id <> 7"),
        ("org_id = 'it''s'", "org_id = 'it''s'"),
    ];
    for (input, expected) in cases {
        let normalised = normalize(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(normalised, expected, "{input:?}");
        // Normalising is idempotent, so a normalised filter can be checked again.
        assert_eq!(normalize(&normalised).unwrap(), normalised);
    }
}

#[test]
fn a_second_statement_or_trailing_text_is_refused() {
    for filter in [
        "org_id = 'a'; DROP TABLE orders",
        "org_id = 'a';",
        "org_id = 'a' org_id = 'b'",
        "org_id = 'a') OR (1 = 1",
        "SELECT * FROM orders",
    ] {
        refused(filter);
    }
    assert!(refused("org_id = 'a'; DROP TABLE orders")
        .message
        .contains("\";\""));
}

#[test]
fn comments_are_refused_wherever_they_are() {
    for filter in [
        "org_id = 'a' -- OR 1 = 1",
        "/* all rows */ org_id = 'a'",
        "org_id = 'a' /* */ OR org_id = 'b'",
        "org_id = 'a' # mysql comment",
    ] {
        let error = normalize_in(filter, Dialect::Mysql)
            .err()
            .unwrap_or_else(|| panic!("{filter:?} was accepted"));
        assert_eq!(error.code, ErrorCode::FilterInvalid, "{filter:?}");
    }
    assert!(refused("org_id = 'a' -- x").message.contains("comments"));
    // Comment markers inside a string literal are data, not comments.
    assert_eq!(
        normalize("note = '-- not a comment'").unwrap(),
        "note = '-- not a comment'"
    );
}

#[test]
fn subqueries_are_refused_unless_allowed() {
    let subqueries = [
        "org_id IN (SELECT org_id FROM memberships)",
        "EXISTS (SELECT 1 FROM admins)",
        "amount > (SELECT max(amount) FROM orders)",
        "has((SELECT groupArray(org_id) FROM orgs), org_id)",
        "org_id = 'a' AND NOT EXISTS (SELECT 1)",
    ];
    for filter in subqueries {
        assert!(refused(filter).message.contains("subqueries"), "{filter}");
    }
    let allowing = FilterOptions {
        allow_subqueries: true,
        ..FilterOptions::default()
    };
    assert_eq!(
        normalize_sql_filter(subqueries[0], &allowing).unwrap(),
        "org_id IN (SELECT org_id FROM memberships)"
    );
}

#[test]
fn placeholders_are_refused() {
    refused("org_id = ?");
    let error = normalize_in("org_id = $1", Dialect::Postgres).unwrap_err();
    assert_eq!(error.code, ErrorCode::FilterInvalid);
    assert!(error.message.contains("placeholder"));
}

#[test]
fn expressions_that_are_not_conditions_are_refused() {
    for filter in [
        "1",
        "'acme'",
        "a + 1",
        "org_id",
        "NULL",
        "1 = 1 AND 2",
        "NOT 'x'",
    ]
    .into_iter()
    .filter(|f| *f != "org_id")
    {
        refused(filter);
    }
    for filter in [
        "",
        "   ",
        "org_id =",
        "(org_id = 'a'",
        "org_id = 'unterminated",
        "= 1",
    ] {
        refused(filter);
    }
}

/// Nested and chained shapes at sizes around the limits: each is accepted or
/// refused with ERR_FILTER_INVALID, never a stack overflow (this runs on a
/// 2 MiB test thread; the wasm build has 1 MiB and optimised frames).
#[test]
fn deep_nesting_and_long_chains_fail_cleanly() {
    type Shape = (&'static str, fn(usize) -> String);
    let shapes: [Shape; 10] = [
        ("parentheses", |n| {
            format!("{}a = 1{}", "(".repeat(n), ")".repeat(n))
        }),
        ("NOT chain", |n| format!("{}a", "NOT ".repeat(n))),
        ("NOT (", |n| {
            format!("{}a{}", "NOT (".repeat(n), ")".repeat(n))
        }),
        ("function calls", |n| {
            format!("{}a{} = 1", "f(".repeat(n), ")".repeat(n))
        }),
        ("CASE", |n| {
            format!("{}1{} = 1", "CASE WHEN a THEN ".repeat(n), " END".repeat(n))
        }),
        ("CAST", |n| {
            format!("{}a{} = 1", "CAST(".repeat(n), " AS INT)".repeat(n))
        }),
        ("comparisons", |n| {
            format!("{}1{}", "a = (".repeat(n), ")".repeat(n))
        }),
        ("AND chain", |n| format!("a = 1{}", " AND a = 1".repeat(n))),
        ("IS NULL chain", |n| {
            format!("a{}", " IS NULL = TRUE".repeat(n))
        }),
        ("arithmetic", |n| format!("a{} = 1", " + a".repeat(n))),
    ];
    for (name, shape) in shapes {
        for n in [8, 30, 64, 127, 128, 129, 255, 256, 1000] {
            match normalize(&shape(n)) {
                Ok(normalised) => assert!(!normalised.is_empty()),
                Err(error) => assert_eq!(error.code, ErrorCode::FilterInvalid, "{name} x{n}"),
            }
        }
        assert!(normalize(&shape(4)).is_ok(), "{name} x4 should pass");
    }
    let error = normalize(&format!("a = 1{}", " AND a = 1".repeat(200))).unwrap_err();
    assert!(
        error.message.contains(&MAX_FILTER_OPERATORS.to_string()),
        "{error}"
    );
    // Long IN lists are data, not operators: they stay within the limits.
    let ids = (0..2000)
        .map(|i| format!("'org_{i}'"))
        .collect::<Vec<_>>()
        .join(", ");
    assert!(normalize(&format!("org_id IN ({ids})")).is_ok());
}

#[test]
fn oversized_filters_are_refused_before_parsing() {
    let huge = format!(
        "org_id IN ({})",
        vec!["'x'"; MAX_FILTER_BYTES / 4].join(",")
    );
    assert!(refused(&huge).message.contains("limit"));
}

#[test]
fn each_dialect_parses_its_own_syntax() {
    assert_eq!(
        normalize_in("amount::int > 3", Dialect::Postgres).unwrap(),
        "amount::INT > 3"
    );
    assert_eq!(
        normalize_in("`org id` = 'a'", Dialect::Mysql).unwrap(),
        "`org id` = 'a'"
    );
    assert_eq!(
        normalize_in("\"org id\" = 'a'", Dialect::Sqlite).unwrap(),
        "\"org id\" = 'a'"
    );
}

#[test]
fn options_are_strict() {
    let options: FilterOptions = options_from_json(
        r#"{"dialect":"postgres","allowSubqueries":true}"#,
        "options",
    )
    .unwrap();
    assert_eq!(options.dialect, Dialect::Postgres);
    assert!(options.allow_subqueries);
    let error = options_from_json::<FilterOptions>(r#"{"dialect":"oracle"}"#, "options")
        .err()
        .unwrap();
    assert_eq!(error.code, ErrorCode::InvalidOption);
    let error = options_from_json::<FilterOptions>(r#"{"allowSubquery":true}"#, "options")
        .err()
        .unwrap();
    assert_eq!(error.code, ErrorCode::InvalidOption);
}

fn signer() -> Signer {
    let options = json!({ "secret": ADMIN_TOKEN, "workspaceId": "ws_1" }).to_string();
    Signer::new(options_from_json::<SignerOptions>(&options, "signer").unwrap()).unwrap()
}

fn verifier() -> Verifier {
    let options = json!({ "secret": ADMIN_TOKEN }).to_string();
    Verifier::new(options_from_json::<VerifierOptions>(&options, "verifier").unwrap()).unwrap()
}

fn token(scopes: Value) -> String {
    let claims =
        json!({ "workspace_id": "ws_1", "name": "n", "exp": NOW + 3600, "scopes": scopes });
    signer()
        .sign_at(&claims.to_string(), &SignOptions::default(), NOW)
        .unwrap()
}

fn authorize(token: &str, resource: &str) -> scopemint::Result<scopemint::Grant> {
    let request = json!({ "type": "DATASOURCES:READ", "resource": resource }).to_string();
    verifier().authorize_at(token, &request, NOW as f64)
}

#[test]
fn authorize_hands_out_the_normalised_filter() {
    let t = token(
        json!([{ "type": "DATASOURCES:READ", "resource": "orders", "filter": "org_id='acme'" }]),
    );
    assert_eq!(
        authorize(&t, "orders").unwrap().filter.as_deref(),
        Some("org_id = 'acme'")
    );
    let t = token(json!([
        "DATASOURCES:READ:orders:org_id='acme' and year>2020"
    ]));
    assert_eq!(
        authorize(&t, "orders").unwrap().filter.as_deref(),
        Some("org_id = 'acme' AND year > 2020")
    );
}

#[test]
fn authorize_fails_closed_on_a_filter_it_cannot_parse() {
    for (scopes, claim) in [
        (
            json!([{ "type": "DATASOURCES:READ", "resource": "orders", "filter": "1=1; DROP TABLE orders" }]),
            "scopes[0].filter",
        ),
        (
            json!(["PIPES:READ:p", "DATASOURCES:READ:orders:1=1 -- x"]),
            "scopes[1]",
        ),
    ] {
        let error = authorize(&token(scopes.clone()), "orders").unwrap_err();
        assert_eq!(error.code, ErrorCode::FilterInvalid, "{scopes}");
        assert_eq!(error.claim.as_deref(), Some(claim));
    }
}

#[test]
fn create_jwt_and_format_scope_refuse_bad_filters_at_mint_time() {
    let params = json!({
        "name": "n",
        "expiresAt": NOW + 3600,
        "scopes": [{ "type": "DATASOURCES:READ", "resource": "orders", "filter": "org_id IN (SELECT 1)" }],
    });
    let error = sign_with_profile(&signer(), "createJWT", &params.to_string()).unwrap_err();
    assert_eq!(error.code, ErrorCode::FilterInvalid);
    assert_eq!(error.claim.as_deref(), Some("scopes[0].filter"));

    let scope = |filter: &str| Scope {
        scope_type: scopemint::ScopeType::DatasourcesRead,
        resource: Some("orders".into()),
        filter: Some(filter.into()),
    };
    assert_eq!(
        format_scope(&scope("org_id = 'a'")).unwrap(),
        "DATASOURCES:READ:orders:org_id = 'a'"
    );
    assert_eq!(
        format_scope(&scope("org_id = 'a';")).unwrap_err().code,
        ErrorCode::FilterInvalid
    );
}
