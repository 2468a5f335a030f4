//! Data-model templates rendered with a security context: every value bound,
//! never spliced, in each dialect, and every way a template could misplace a
//! value refused.
#![cfg(feature = "server")]

use scopemint::{
    render_data_model, render_data_model_value, BoundSql, Dialect, ErrorCode, RenderOptions,
};
use serde_json::{json, Value};

/// The vendor's example data model, with the value unquoted.
const ORDERS: &str = "SELECT user_id, created_at FROM public.orders WHERE user_id = {{ COMPILE_CONTEXT.securityContext.userId }} \
{% if COMPILE_CONTEXT.securityContext.regions %} AND region IN {{ list(COMPILE_CONTEXT.securityContext.regions) }} {% endif %}";

fn render_in(
    template: &str,
    context: Value,
    dialect: Dialect,
    offset: usize,
) -> scopemint::Result<BoundSql> {
    let options = RenderOptions {
        dialect,
        param_offset: offset,
        allowed_identifiers: None,
    };
    render_data_model_value(template, &context, &options)
}

fn render(template: &str, context: Value) -> scopemint::Result<BoundSql> {
    render_in(template, context, Dialect::Postgres, 0)
}

fn refused(template: &str, context: Value) -> scopemint::Error {
    let error = render(template, context)
        .err()
        .unwrap_or_else(|| panic!("{template:?} rendered"));
    assert_eq!(
        error.code,
        ErrorCode::TemplateInvalid,
        "{template:?}: {error}"
    );
    error
}

#[test]
fn the_vendor_example_in_every_dialect() {
    let context = json!({ "userId": "u1", "regions": ["eu", "us"] });
    let expected = [
        (Dialect::Postgres, "user_id = $1  AND region IN ($2, $3) "),
        (Dialect::Mysql, "user_id = ?  AND region IN (?, ?) "),
        (Dialect::Sqlite, "user_id = ?  AND region IN (?, ?) "),
        (
            Dialect::Clickhouse,
            "user_id = {p1:String}  AND region IN ({p2:String}, {p3:String}) ",
        ),
    ];
    for (dialect, tail) in expected {
        let bound = render_in(ORDERS, context.clone(), dialect, 0).unwrap();
        assert_eq!(
            bound.sql,
            format!("SELECT user_id, created_at FROM public.orders WHERE {tail}"),
            "{dialect:?}"
        );
        assert_eq!(bound.params, vec![json!("u1"), json!("eu"), json!("us")]);
    }
    // Without regions the condition disappears; the missing key is only tested, never printed.
    let bound = render(ORDERS, json!({ "userId": 7 })).unwrap();
    assert_eq!(
        bound.sql,
        "SELECT user_id, created_at FROM public.orders WHERE user_id = $1 "
    );
    assert_eq!(bound.params, vec![json!(7)]);
}

#[test]
fn the_json_entry_point_and_the_short_name() {
    let bound = render_data_model(
        "WHERE org = {{ securityContext.org }}",
        r#"{"org":"acme"}"#,
        r#"{"dialect":"clickhouse","paramOffset":2}"#,
    )
    .unwrap();
    assert_eq!(bound.sql, "WHERE org = {p3:String}");
    assert_eq!(bound.params, vec![json!("acme")]);
    let error = render_data_model("x", "[]", r#"{"dialect":"postgres"}"#).unwrap_err();
    assert_eq!(
        (error.code, error.claim.as_deref()),
        (ErrorCode::InvalidOption, Some("securityContext"))
    );
    let error = render_data_model("x", "{", r#"{"dialect":"postgres"}"#).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOption);
    for options in [
        r#"{"dialect":"oracle"}"#,
        r#"{}"#,
        r#"{"dialect":"postgres","offset":1}"#,
    ] {
        let error = render_data_model("x", "{}", options).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOption, "{options}");
    }
}

#[test]
fn a_quoted_value_as_the_vendor_docs_write_it_becomes_one_placeholder() {
    let bound = render(
        "WHERE user_id = '{{ COMPILE_CONTEXT.securityContext.userId }}' AND note = 'it''s'",
        json!({ "userId": "u1" }),
    )
    .unwrap();
    assert_eq!(bound.sql, "WHERE user_id = $1 AND note = 'it''s'");
    assert_eq!(bound.params, vec![json!("u1")]);
}

#[test]
fn injection_attempts_only_ever_reach_the_params() {
    let benign = render(ORDERS, json!({ "userId": "u1", "regions": ["eu"] })).unwrap();
    for attack in [
        "' OR 1=1 --",
        "1; DROP TABLE orders",
        "$1",
        "?",
        "{{ 7*7 }}",
        "{% if true %}x{% endif %}",
        "\u{1}0\u{2}",
        "\u{1}",
        "*/ OR 1=1 /*",
        "\\' OR 1=1",
        "$$ OR 1=1 $$",
    ] {
        let bound = render(ORDERS, json!({ "userId": attack, "regions": [attack] })).unwrap();
        assert_eq!(bound.sql, benign.sql, "{attack:?}");
        assert_eq!(bound.params, vec![json!(attack), json!(attack)]);
    }
}

#[test]
fn generated_hostile_strings_are_always_bound() {
    let fragments = [
        "'", "''", "\"", "`", "\\", "--", "/*", "*/", ";", "$", "$$", "?", "{", "}", "{{", "%}",
        "#", "\u{1}", "\u{2}", "é", "🙂", "\n", "NULL", " OR ", "0",
    ];
    let benign = render(ORDERS, json!({ "userId": "x" })).unwrap();
    for seed in 0..200usize {
        let text: String = (0..6)
            .map(|k| fragments[(seed * 7 + k * 13 + seed / 3) % fragments.len()])
            .collect();
        let bound = render(ORDERS, json!({ "userId": text })).unwrap();
        assert_eq!(bound.sql, benign.sql, "{text:?}");
        assert_eq!(bound.params, vec![json!(text)]);
    }
}

#[test]
fn filters_change_the_value_and_still_bind_it() {
    let context = json!({ "org": "acme" });
    for (template, param) in [
        ("{{ securityContext.org | upper }}", json!("ACME")),
        ("{{ securityContext.org | safe }}", json!("acme")),
        ("{{ securityContext.org | string }}", json!("acme")),
        ("{{ securityContext.org ~ '%' }}", json!("acme%")),
        ("{{ 'literal' }}", json!("literal")),
        ("{{ none }}", Value::Null),
    ] {
        let bound = render(template, context.clone()).unwrap();
        assert_eq!(bound.sql, "$1", "{template}");
        assert_eq!(bound.params, vec![param], "{template}");
    }
}

#[test]
fn values_where_a_placeholder_cannot_bind_are_refused() {
    let context = json!({ "v": "x" });
    for template in [
        "WHERE name LIKE '%{{ securityContext.v }}%'",
        "WHERE name = 'a{{ securityContext.v }}'",
        "WHERE \"{{ securityContext.v }}\" = 1",
        "SELECT 1 -- {{ securityContext.v }}\n",
        "SELECT 1 /* {{ securityContext.v }} */",
        "SELECT $$ {{ securityContext.v }} $$",
        "SELECT $tag$ {{ securityContext.v }} $tag$",
    ] {
        assert!(
            refused(template, context.clone())
                .message
                .contains("cannot be bound"),
            "{template}"
        );
    }
    let error = render_in(
        "SELECT `{{ securityContext.v }}`",
        context.clone(),
        Dialect::Mysql,
        0,
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::TemplateInvalid);
    let error = render_in(
        "SELECT 1 # {{ securityContext.v }}",
        context,
        Dialect::Mysql,
        0,
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::TemplateInvalid);
}

#[test]
fn literal_sql_in_the_template_survives_unchanged() {
    let template = "SELECT 'a''b', \"col\"\"x\", $$ it's $$, $t$ -- $t$ /* c */ -- d\nWHERE x = {{ securityContext.v }}";
    let bound = render(template, json!({ "v": 1 })).unwrap();
    assert_eq!(
        bound.sql,
        "SELECT 'a''b', \"col\"\"x\", $$ it's $$, $t$ -- $t$ /* c */ -- d\nWHERE x = $1"
    );
    // MySQL and ClickHouse strings take backslash escapes.
    let bound = render_in(
        "SELECT 'a\\'b' = {{ securityContext.v }}",
        json!({ "v": 1 }),
        Dialect::Mysql,
        0,
    )
    .unwrap();
    assert_eq!(bound.sql, "SELECT 'a\\'b' = ?");
}

#[test]
fn lists() {
    let bound = render_in(
        "x IN {{ list(securityContext.ids) }}",
        json!({ "ids": [1, "two", 3.5, true] }),
        Dialect::Clickhouse,
        0,
    )
    .unwrap();
    assert_eq!(
        bound.sql,
        "x IN ({p1:Int64}, {p2:String}, {p3:Float64}, {p4:Bool})"
    );
    assert_eq!(
        bound.params,
        vec![json!(1), json!("two"), json!(3.5), json!(true)]
    );
    let bound = render("x IN {{ list(securityContext.ids) }}", json!({ "ids": [] })).unwrap();
    assert_eq!((bound.sql.as_str(), bound.params.len()), ("x IN (NULL)", 0));
    for ids in [
        json!([1, null]),
        json!([[1]]),
        json!([{ "a": 1 }]),
        json!("1,2"),
        json!(3),
    ] {
        refused(
            "x IN {{ list(securityContext.ids) }}",
            json!({ "ids": ids }),
        );
    }
    assert!(refused(
        "x IN '{{ list(securityContext.ids) }}'",
        json!({ "ids": [1] })
    )
    .message
    .contains("cannot be bound"));
}

#[test]
fn objects_arrays_and_missing_values_are_refused() {
    let context = json!({ "ids": [1], "user": { "id": 1 } });
    assert!(refused("{{ securityContext.ids }}", context.clone())
        .message
        .contains("list("));
    refused("{{ securityContext.user }}", context.clone());
    refused("{{ securityContext.missing }}", context.clone());
    refused(
        "{{ COMPILE_CONTEXT.securityContext.missing.deeper }}",
        context.clone(),
    );
    refused("{{ missing }}", context.clone());
    // Testing a missing key is allowed and false.
    assert_eq!(
        render(
            "{% if securityContext.missing %}x{% else %}y{% endif %}",
            context
        )
        .unwrap()
        .sql,
        "y"
    );
}

#[test]
fn param_offsets_number_after_the_host_query() {
    let context = json!({ "userId": "u1", "regions": ["eu"] });
    assert!(render_in(ORDERS, context.clone(), Dialect::Postgres, 3)
        .unwrap()
        .sql
        .contains("= $4  AND region IN ($5)"));
    assert!(render_in(ORDERS, context, Dialect::Clickhouse, 3)
        .unwrap()
        .sql
        .contains("IN ({p5:String})"));
}

#[test]
fn captured_or_transformed_outputs_are_refused() {
    let context = json!({ "v": "x" });
    for template in [
        "{% set x %}{{ securityContext.v }}{% endset %}{{ x }}",
        "{% set x %}{{ securityContext.v }}{% endset %}",
        "{% filter upper %}{{ securityContext.v }}{% endfilter %}",
        "{%- filter upper %}a{% endfilter %}",
        "a\u{1}0\u{2}",
    ] {
        refused(template, context.clone());
    }
    // A plain `{% set %}` of a value is fine: it is printed through the formatter.
    let bound = render("{% set x = securityContext.v %}{{ x }}", context).unwrap();
    assert_eq!((bound.sql.as_str(), bound.params), ("$1", vec![json!("x")]));
}

#[test]
fn broken_or_unbounded_templates_fail_cleanly() {
    for template in [
        "{% if %}",
        "{{ securityContext.v ",
        "{{ nope(1) }}",
        "{{ securityContext.v | nope }}",
        "{% include 'other.sql' %}",
        "{% for i in range(1000000) %}{% for j in range(1000000) %}x{% endfor %}{% endfor %}",
        "{% macro m() %}x{% endmacro %}",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    ] {
        refused(template, json!({ "v": 1 }));
    }
    let big = "x".repeat(scopemint::MAX_TEMPLATE_BYTES + 1);
    assert!(refused(&big, json!({})).message.contains("limit"));
    let error = refused("{% if %}", json!({}));
    assert!(error.message.contains("line 1"), "{error}");
}

#[test]
fn numbers_keep_their_type_and_precision() {
    let bound = render(
        "{{ securityContext.big }} {{ securityContext.neg }} {{ securityContext.f }} {{ securityContext.b }}",
        json!({ "big": 9007199254740993u64, "neg": -9007199254740993i64, "f": 0.1, "b": false }),
    )
    .unwrap();
    assert_eq!(bound.sql, "$1 $2 $3 $4");
    assert_eq!(
        bound.params,
        vec![
            json!(9007199254740993u64),
            json!(-9007199254740993i64),
            json!(0.1),
            json!(false)
        ]
    );
    assert_eq!(bound.params[0].as_u64(), Some(9007199254740993));
}

#[test]
fn escapes_and_nested_comments_are_followed() {
    let context = json!({ "a": "x" });
    for (template, dialect) in [
        (
            "SELECT E'it\\'s {{ securityContext.a }}'",
            Dialect::Postgres,
        ),
        (
            "SELECT /* a /* b */ {{ securityContext.a }} */",
            Dialect::Postgres,
        ),
        ("SELECT \"it\\\"s {{ securityContext.a }}\"", Dialect::Mysql),
        ("SELECT `a\\`{{ securityContext.a }}`", Dialect::Clickhouse),
    ] {
        let error = render_in(template, context.clone(), dialect, 0).unwrap_err();
        assert_eq!(error.code, ErrorCode::TemplateInvalid, "{template}");
    }
    let bound = render(
        "SELECT E'a\\'b' /* x /* y */ z */ = {{ securityContext.a }}",
        context,
    )
    .unwrap();
    assert_eq!(bound.sql, "SELECT E'a\\'b' /* x /* y */ z */ = $1");
}

#[test]
fn placeholders_the_template_writes_itself_must_sit_below_the_offset() {
    let context = json!({ "a": "x" });
    let host = "WHERE tenant = $1 AND a = {{ securityContext.a }}";
    assert_eq!(
        render_in(host, context.clone(), Dialect::Postgres, 1)
            .unwrap()
            .sql,
        "WHERE tenant = $1 AND a = $2"
    );
    assert_eq!(
        render_in(host, context.clone(), Dialect::Postgres, 0)
            .unwrap_err()
            .code,
        ErrorCode::TemplateInvalid
    );
    let error = render_in(
        "WHERE t = ? AND a = {{ securityContext.a }}",
        context.clone(),
        Dialect::Mysql,
        0,
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::TemplateInvalid);
    let clickhouse = "WHERE t = {p1:String} AND a = {{ securityContext.a }}";
    assert_eq!(
        render_in(clickhouse, context.clone(), Dialect::Clickhouse, 0)
            .unwrap_err()
            .code,
        ErrorCode::TemplateInvalid
    );
    assert_eq!(
        render_in(clickhouse, context, Dialect::Clickhouse, 1)
            .unwrap()
            .sql,
        "WHERE t = {p1:String} AND a = {p2:String}"
    );
}

#[test]
fn offsets_are_bounded_and_non_finite_numbers_are_not_values() {
    for options in [
        r#"{"dialect":"postgres","paramOffset":18446744073709551615}"#,
        r#"{"dialect":"postgres","paramOffset":65536}"#,
    ] {
        let error =
            render_data_model("{{ securityContext.a }}", r#"{"a":1}"#, options).unwrap_err();
        assert_eq!(
            (error.code, error.claim.as_deref()),
            (ErrorCode::InvalidOption, Some("paramOffset"))
        );
        let error =
            scopemint::compile_secure_filters(r#"[{"field":"a","op":"=","value":1}]"#, options)
                .unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOption);
    }
    assert!(render_in(
        "{{ securityContext.a }}",
        json!({ "a": 1 }),
        Dialect::Postgres,
        65_535
    )
    .is_ok());
    for template in ["{{ 'nan' | float }}", "{{ 'inf' | float }}"] {
        refused(template, json!({}));
    }
}

fn render_with(
    template: &str,
    context: Value,
    options: RenderOptions,
) -> scopemint::Result<BoundSql> {
    render_data_model_value(template, &context, &options)
}

fn options(dialect: Dialect) -> RenderOptions {
    RenderOptions {
        dialect,
        param_offset: 0,
        allowed_identifiers: None,
    }
}

/// The seed's own model, from https://docs.embeddable.com/deployment/tokens-api
/// (the `securityContext` parameter): a single-brace placeholder inside quotes,
/// then a `{{ list(…) }}`.
#[test]
fn the_tokens_api_page_model_with_single_braces_binds_every_value() {
    let model = "SELECT user_id, created_at FROM public.orders WHERE user_id = '{ COMPILE_CONTEXT.securityContext.userId }' \
{% if COMPILE_CONTEXT.securityContext.regions %} AND region IN {{ list(COMPILE_CONTEXT.securityContext.regions) }} {% endif %}";
    let context = json!({ "userId": "9sZSJ9LHsiYXR0cmlidXRlIjoiZ2VvaXBf", "regions": ["us-east", "eu-west"] });
    let bound = render(model, context).unwrap();
    assert_eq!(
        bound.sql,
        "SELECT user_id, created_at FROM public.orders WHERE user_id = $1  AND region IN ($2, $3) "
    );
    assert_eq!(
        bound.params,
        vec![
            json!("9sZSJ9LHsiYXR0cmlidXRlIjoiZ2VvaXBf"),
            json!("us-east"),
            json!("eu-west")
        ]
    );
    // Unquoted, the short root, and with filters: all bound.
    for (template, param) in [
        (
            "WHERE a = { COMPILE_CONTEXT.securityContext.userId }",
            json!("u1"),
        ),
        ("WHERE a = {securityContext.userId}", json!("u1")),
        ("WHERE a = { securityContext.userId | upper }", json!("U1")),
    ] {
        let bound = render(template, json!({ "userId": "u1" })).unwrap();
        assert_eq!(
            (bound.sql.as_str(), bound.params),
            ("WHERE a = $1", vec![param]),
            "{template}"
        );
    }
}

#[test]
fn single_braces_that_are_sql_stay_and_context_mentions_that_cannot_bind_are_refused() {
    // JSON and Postgres array literals, ClickHouse maps: SQL, not placeholders.
    for template in [
        "SELECT '{\"a\": 1}'::jsonb",
        "SELECT '{1,2,3}'::int[]",
        "SELECT map('a', 1), {'a': 1}",
    ] {
        let bound = render_in(template, json!({}), Dialect::Clickhouse, 0).unwrap();
        assert_eq!(bound.sql, template);
        assert!(bound.params.is_empty());
    }
    for template in [
        "WHERE a = { COMPILE_CONTEXT }",
        "WHERE a = {x COMPILE_CONTEXT.securityContext.userId}",
        "WHERE a = {{% raw %}{ COMPILE_CONTEXT.securityContext.userId }{% endraw %}}",
        "WHERE a = {% raw %}{{ COMPILE_CONTEXT.securityContext.userId }}{% endraw %}",
        "WHERE a = { COMPILE_CONTEXT.securityContext.missing }",
    ] {
        let error = refused(template, json!({ "userId": "u1" }));
        assert!(!error.message.is_empty(), "{template}");
    }
}

/// Schema-per-tenant, as https://docs.embeddable.com/data-modeling/row-level-security
/// describes it: the tenant's schema inside `sql_table`. A bound parameter
/// cannot be a name, so the plain placeholder is refused and `identifier()`
/// is the explicit path.
#[test]
fn identifier_positions_are_refused_unless_written_with_identifier() {
    let context = json!({ "schema": "tenant_a", "table": "orders", "v": "x" });
    for template in [
        "SELECT * FROM { COMPILE_CONTEXT.securityContext.schema }.orders",
        "SELECT * FROM {{ securityContext.schema }}.orders",
        "SELECT * FROM public.{{ securityContext.table }}",
        "SELECT * FROM {{ securityContext.table }}",
        "SELECT * FROM a JOIN {{ securityContext.table }} ON true",
        "SELECT * FROM orders_{{ securityContext.v }}",
        "SELECT * FROM {{ securityContext.v }}_orders",
        "SELECT 1 AS {{ securityContext.v }}",
        "SELECT * FROM {{ securityContext.schema }} .orders",
    ] {
        let error = refused(template, context.clone());
        assert!(error.message.contains("identifier("), "{template}: {error}");
    }
    let template = "SELECT * FROM {{ identifier(COMPILE_CONTEXT.securityContext.schema) }}.orders WHERE v = {{ securityContext.v }}";
    for (dialect, sql) in [
        (
            Dialect::Postgres,
            "SELECT * FROM \"tenant_a\".orders WHERE v = $1",
        ),
        (
            Dialect::Sqlite,
            "SELECT * FROM `tenant_a`.orders WHERE v = ?",
        ),
        (
            Dialect::Mysql,
            "SELECT * FROM `tenant_a`.orders WHERE v = ?",
        ),
        (
            Dialect::Clickhouse,
            "SELECT * FROM `tenant_a`.orders WHERE v = {p1:String}",
        ),
    ] {
        let bound = render_in(template, context.clone(), dialect, 0).unwrap();
        assert_eq!(bound.sql, sql, "{dialect:?}");
        assert_eq!(bound.params, vec![json!("x")]);
    }
}

#[test]
fn identifier_takes_only_the_strict_grammar_and_the_callers_allowlist() {
    let template = "SELECT * FROM {{ identifier(securityContext.schema) }}.orders";
    for hostile in [
        "tenant_a\".orders; DROP TABLE x; --",
        "tenant a",
        "1tenant",
        "",
        "tenant`a",
        "ténant",
        "t\u{0}",
        &"a".repeat(64),
    ] {
        refused(template, json!({ "schema": hostile }));
    }
    for not_text in [json!(1), json!(["a"]), json!(null), json!({"a": 1})] {
        refused(template, json!({ "schema": not_text }));
    }
    // Inside quotes or glued to a name, an identifier is refused too.
    for template in [
        "SELECT '{{ identifier(securityContext.schema) }}'",
        "SELECT * FROM x_{{ identifier(securityContext.schema) }}",
        "SELECT * FROM \"{{ identifier(securityContext.schema) }}\".orders",
    ] {
        refused(template, json!({ "schema": "tenant_a" }));
    }
    let mut allow = options(Dialect::Postgres);
    allow.allowed_identifiers = Some(vec!["tenant_a".into(), "tenant_b".into()]);
    let bound = render_with(template, json!({ "schema": "tenant_b" }), allow.clone()).unwrap();
    assert_eq!(bound.sql, "SELECT * FROM \"tenant_b\".orders");
    let error = render_with(template, json!({ "schema": "tenant_c" }), allow).unwrap_err();
    assert_eq!(error.code, ErrorCode::TemplateInvalid);
    assert_eq!(error.claim.as_deref(), Some("allowedIdentifiers"));
    // The allowlist itself must hold names.
    let error = render_data_model(
        template,
        r#"{"schema":"a"}"#,
        r#"{"dialect":"postgres","allowedIdentifiers":["a b"]}"#,
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOption);
    assert_eq!(error.claim.as_deref(), Some("allowedIdentifiers"));
}

/// Issue 11: the bound values are bounded too, in count and in bytes.
#[test]
fn bound_values_are_bounded_in_count_and_bytes() {
    let many: Vec<u32> = (0..(scopemint::MAX_BOUND_VALUES as u32 + 1)).collect();
    let error = refused(
        "WHERE a IN {{ list(securityContext.ids) }}",
        json!({ "ids": many }),
    );
    assert!(error.message.contains("bound values"), "{error}");
    // Under the context limit, a loop printing the same value runs into the byte limit.
    let value = "x".repeat(60 * 1024);
    let error = refused(
        "{% for i in range(100) %}{{ securityContext.v }},{% endfor %}",
        json!({ "v": value }),
    );
    assert!(error.message.contains("bound values"), "{error}");
    // The context itself is bounded.
    let error = render(
        "{{ securityContext.v }}",
        json!({ "v": "x".repeat(scopemint::MAX_CONTEXT_BYTES) }),
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidOption);
    assert_eq!(error.claim.as_deref(), Some("securityContext"));
    // Just under the limits works.
    let ids: Vec<u32> = (0..1000).collect();
    assert_eq!(
        render("{{ list(securityContext.ids) }}", json!({ "ids": ids }))
            .unwrap()
            .params
            .len(),
        1000
    );
}

/// Issue 11: templates that double a string end quickly with
/// `ERR_TEMPLATE_INVALID`, whichever construct they use to grow it.
#[test]
fn templates_that_grow_values_end_quickly_with_template_invalid() {
    let context = json!({ "s": "x".repeat(1000), "n": 3 });
    for template in [
        // The loops of the security report: a namespace, or a set in a loop.
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        "{% set s = 'x' %}{% for i in range(64) %}{% set s = s ~ s %}{% endfor %}{{ s }}",
        "{% set s = securityContext.s %}{% set s = s ~ s %}{% set s = s ~ s %}{{ s|length }}",
        "{% set s = securityContext.s + securityContext.s %}{{ s }}",
        "{% for s in securityContext.s ~ securityContext.s %}{% endfor %}",
        // Repetition, literals that could be nested, tuples, capture blocks.
        "{{ securityContext.s * 100000000 }}",
        "{{ 'x' * securityContext.n }}",
        "{% set s = [securityContext.s, securityContext.s] %}{{ s|length }}",
        "{{ (securityContext.s, securityContext.s)|length }}",
        "{{ securityContext.s, securityContext.s }}",
        "{{ {'a': securityContext.s}|length }}",
        "{% set s %}{% for i in range(100000) %}xxxxxxxxxxxxxxxx{% endfor %}{% endset %}",
        "{% with s = securityContext.s %}{{ s }}{% endwith %}",
        "{% for x in securityContext.s|list recursive %}{{ loop(x) }}{% endfor %}",
        // Filters that amplify are not there; those that are check their size.
        "{{ securityContext.s|replace('x', securityContext.s)|length }}",
        "{{ securityContext.s|indent(100000000)|length }}",
        "{{ securityContext.s|join(securityContext.s)|length }}",
        "{{ securityContext.s|e|e|e|length }}",
        "{% set s = securityContext.s|list|string %}{% set s = s|list|string %}{% set s = s|list|string %}{% set s = s|list|string %}{{ s|length }}",
        // Output: raw text in a long loop.
        "{% for i in range(100000) %}{% for j in range(100) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}",
        // (more than MAX_CONCATENATIONS ~: see below)
    ] {
        refused(template, context.clone());
    }
    // Concatenations are counted: one past the limit is refused, at the limit it renders.
    let chain = |n: usize| format!("{{{{ {} }}}}", vec!["securityContext.s"; n + 1].join(" ~ "));
    refused(&chain(scopemint::MAX_CONCATENATIONS + 1), context.clone());
    assert_eq!(
        render(&chain(scopemint::MAX_CONCATENATIONS), context.clone())
            .unwrap()
            .params
            .len(),
        1
    );
    // What data models do use still works: a LIKE pattern, a filter, a loop over a context list.
    let bound = render(
        "WHERE name LIKE {{ securityContext.p ~ '%' }} AND r IN ({% for r in securityContext.rs %}{{ r|upper }}{% if not loop.last %}, {% endif %}{% endfor %})",
        json!({ "p": "ac", "rs": ["eu", "us"] }),
    )
    .unwrap();
    assert_eq!(bound.sql, "WHERE name LIKE $1 AND r IN ($2, $3)");
    assert_eq!(bound.params, vec![json!("ac%"), json!("EU"), json!("US")]);
}

/// SQL that reads the same way in the four dialects' tokenizers, for the property below.
const SQL_PIECES: [&str; 16] = [
    "SELECT a FROM t WHERE",
    " ",
    "\n",
    "'it''s'",
    "'{1,2}'",
    "\"col\"",
    // Comments after a space: glued to an operator, `<>--` is refused in Postgres.
    " -- note ? {p1:String}\n",
    " /* c $1 */",
    "1.5",
    "(",
    ")",
    ",",
    " AND ",
    " OR ",
    "b_2",
    "<>",
];

/// How a template writes one value: the double-brace and the vendor's
/// single-brace placeholders, bare or as a whole quoted literal.
const SLOTS: [&str; 4] = [
    "{{ securityContext.NAME }}",
    "'{{ COMPILE_CONTEXT.securityContext.NAME }}'",
    "{ securityContext.NAME }",
    "'{ COMPILE_CONTEXT.securityContext.NAME }'",
];

const HOSTILE_VALUE_PARTS: [&str; 16] = [
    "'",
    "''",
    "\"",
    "`",
    "\\",
    "--",
    "/*",
    "*/",
    ";",
    "$1",
    "$$",
    "?",
    "{{",
    "{p1:String}",
    "\u{1}0\u{2}",
    "\n",
];

fn value_strategy() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    prop_oneof![
        proptest::collection::vec(proptest::sample::select(&HOSTILE_VALUE_PARTS[..]), 0..6)
            .prop_map(|parts| json!(parts.concat())),
        any::<i64>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(|b| json!(b)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
    ]
}

/// The bind marker `Params` writes for the `n`-th value (from 1).
fn bind_marker(dialect: Dialect, n: usize, value: &Value) -> String {
    match dialect {
        Dialect::Postgres => format!("${n}"),
        Dialect::Mysql | Dialect::Sqlite => "?".into(),
        Dialect::Clickhouse => {
            let ty = match value {
                Value::Bool(_) => "Bool",
                Value::Number(n) if n.is_i64() => "Int64",
                Value::Number(n) if n.is_u64() => "UInt64",
                Value::Number(_) => "Float64",
                _ => "String",
            };
            format!("{{p{n}:{ty}}}")
        }
    }
}

fn sql_tokens(sql: &str, dialect: Dialect) -> Vec<sqlparser::tokenizer::Token> {
    use sqlparser::dialect::{ClickHouseDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
    let parser_dialect: Box<dyn sqlparser::dialect::Dialect> = match dialect {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::Mysql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
        Dialect::Clickhouse => Box::new(ClickHouseDialect {}),
    };
    sqlparser::tokenizer::Tokenizer::new(&*parser_dialect, sql)
        .tokenize()
        .unwrap_or_else(|e| panic!("{sql:?} does not tokenize in {dialect:?}: {e}"))
}

/// Any template of SQL and value placeholders renders, whatever the values,
/// to SQL that tokenizes exactly as the template does with each placeholder
/// replaced by one bind marker: no value ever changes the SQL's tokens.
#[test]
fn property_rendered_sql_tokenizes_as_the_template_with_bind_markers() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    // Each item: a SQL piece, or a slot (` = ` then a placeholder) for the next value.
    let item = prop_oneof![
        proptest::sample::select(&SQL_PIECES[..]).prop_map(Err),
        proptest::sample::select(&SLOTS[..]).prop_map(Ok),
    ];
    let case = proptest::collection::vec(item, 1..24).prop_flat_map(|items| {
        let slots = items.iter().filter(|item| item.is_ok()).count();
        (
            Just(items),
            proptest::collection::vec(value_strategy(), slots..=slots),
        )
    });
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let result = runner.run(&case, |(items, values)| {
        let mut template = String::new();
        let mut context = serde_json::Map::new();
        let mut slot = 0usize;
        for item in &items {
            match item {
                Err(sql) => template.push_str(sql),
                Ok(form) => {
                    let name = format!("v{slot}");
                    template.push_str(" = ");
                    template.push_str(&form.replace("NAME", &name));
                    template.push(' ');
                    context.insert(name, values[slot].clone());
                    slot += 1;
                }
            }
        }
        for dialect in [
            Dialect::Postgres,
            Dialect::Mysql,
            Dialect::Sqlite,
            Dialect::Clickhouse,
        ] {
            let bound = render_in(&template, Value::Object(context.clone()), dialect, 0)
                .map_err(|e| TestCaseError::fail(format!("{template:?} in {dialect:?}: {e}")))?;
            let mut expected = String::new();
            let mut slot = 0usize;
            for item in &items {
                match item {
                    Err(sql) => expected.push_str(sql),
                    Ok(_) => {
                        expected.push_str(" = ");
                        expected.push_str(&bind_marker(dialect, slot + 1, &values[slot]));
                        expected.push(' ');
                        slot += 1;
                    }
                }
            }
            // Jinja drops one newline at the very end of a template.
            if expected.ends_with('\n') {
                expected.pop();
            }
            prop_assert_eq!(
                sql_tokens(&bound.sql, dialect),
                sql_tokens(&expected, dialect),
                "{:?} in {:?} rendered as {:?}",
                template,
                dialect,
                bound.sql
            );
            prop_assert_eq!(&bound.params, &values);
        }
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

/// Where sqlparser's tokenizer and the old hand lexer part ways, the
/// tokenizer's reading (each dialect's own) decides, and what it cannot map
/// back to the text is refused.
#[test]
fn the_dialects_lexical_rules_come_from_the_tokenizer() {
    let context = json!({ "v": "x" });
    // SQLite reads [name] as a quoted name, Postgres E'…' and N'…' as strings.
    for (template, dialect) in [
        ("SELECT [{{ securityContext.v }}]", Dialect::Sqlite),
        ("SELECT E'{{ securityContext.v }}'", Dialect::Postgres),
        ("SELECT N'{{ securityContext.v }}'", Dialect::Postgres),
        // ClickHouse heredocs are strings too.
        ("SELECT $$ {{ securityContext.v }} $$", Dialect::Clickhouse),
    ] {
        let error = render_in(template, context.clone(), dialect, 0).unwrap_err();
        assert!(
            error.message.contains("cannot be bound"),
            "{template}: {error}"
        );
    }
    // MySQL runs the text of /*! … */; it is refused whether or not it holds a value.
    for template in [
        "SELECT 1 /*!50110 + 1 */ = {{ securityContext.v }}",
        "SELECT 1 /*! = {{ securityContext.v }} */",
        "SELECT 1 /*!*/",
    ] {
        let error = render_in(template, context.clone(), Dialect::Mysql, 0).unwrap_err();
        assert!(
            error.message.contains("executable comments"),
            "{template}: {error}"
        );
    }
    // Elsewhere it is an ordinary comment.
    let bound = render(
        "SELECT 1 /*!50110 x */ = {{ securityContext.v }}",
        context.clone(),
    )
    .unwrap();
    assert_eq!(bound.sql, "SELECT 1 /*!50110 x */ = $1");
    // SQL the tokenizer cannot read (an unterminated string) is refused.
    let error = render("SELECT 'open = {{ securityContext.v }}", context.clone()).unwrap_err();
    assert!(error.message.contains("does not tokenize"), "{error}");
    // A backslash in a ClickHouse quoted name: the server reads an escape, the tokenizer does not.
    let error = render_in(
        "SELECT `a\\` = {{ securityContext.v }}",
        context.clone(),
        Dialect::Clickhouse,
        0,
    )
    .unwrap_err();
    assert!(error.message.contains("backslash"), "{error}");
    // Comment starts the tokenizer reads as code, where the server reads a
    // comment: a Postgres operator glued to `--` or `/*`, ClickHouse's `#` and
    // `//` (https://clickhouse.com/docs/reference/syntax, "Comments").
    for (template, dialect) in [
        ("WHERE a <>-- {{ securityContext.v }}\n", Dialect::Postgres),
        (
            "WHERE a = 1 <>/* {{ securityContext.v }} */",
            Dialect::Postgres,
        ),
        (
            "WHERE a = {{ securityContext.v }} # note",
            Dialect::Clickhouse,
        ),
        (
            "WHERE a = 1 // {{ securityContext.v }}",
            Dialect::Clickhouse,
        ),
        ("WHERE a = 1 @/* {{ securityContext.v }} */", Dialect::Mysql),
    ] {
        let error = render_in(template, context.clone(), dialect, 0).unwrap_err();
        assert!(
            error.message.contains("start of a comment"),
            "{template}: {error}"
        );
    }
    let bound = render(
        "WHERE a <> -- note\n{{ securityContext.v }}",
        context.clone(),
    )
    .unwrap();
    assert_eq!(bound.sql, "WHERE a <> -- note\n$1");
    // Multi-byte text and CRLF line ends keep their bytes.
    let template = "SELECT 'é🙂' AS \"ü\"\r\n  , x -- ∑\r\nWHERE y = {{ securityContext.v }}";
    for dialect in [Dialect::Postgres, Dialect::Sqlite] {
        let bound = render_in(template, context.clone(), dialect, 0).unwrap();
        assert!(bound
            .sql
            .starts_with("SELECT 'é🙂' AS \"ü\"\r\n  , x -- ∑\r\nWHERE y = "));
    }
}
