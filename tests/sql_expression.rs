//! Issuer-written SQL filters through the server build's parser: what passes,
//! what it normalises to, everything that must be refused, and the same gate
//! inside `authorize`, `createJWT` and `formatScope`.
#![cfg(feature = "server")]

use scopemint::{
    format_scope, normalize_sql_filter, options_from_json, Dialect, ErrorCode, FilterOptions,
    Scope, MAX_FILTER_BYTES, MAX_FILTER_OPERATORS,
};
use serde_json::json;

mod support;
use support::authorize_json;
use support::sign_with_profile;
use support::NOW;
use support::{tinybird_signer as signer, tinybird_token as token, tinybird_verifier as verifier};

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
        ("not deleted = 1", "NOT deleted = 1"),
        ("is_public is true", "is_public IS TRUE"),
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

/// `WHERE 1`, `WHERE 'x'` or a bare column `WHERE org_id` reads as "every row
/// with a non-zero value" in SQLite and MySQL: each is refused, as is a
/// filter that does not parse at all.
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
        "not deleted",
        "is_public",
    ] {
        for dialect in DIALECTS {
            refused_in(filter, dialect);
        }
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

const DIALECTS: [Dialect; 4] = [
    Dialect::Postgres,
    Dialect::Mysql,
    Dialect::Sqlite,
    Dialect::Clickhouse,
];

fn refused_in(filter: &str, dialect: Dialect) -> scopemint::Error {
    let error = normalize_in(filter, dialect)
        .err()
        .unwrap_or_else(|| panic!("{filter:?} was accepted in {dialect:?}"));
    assert_eq!(
        error.code,
        ErrorCode::FilterInvalid,
        "{filter:?} in {dialect:?}: {error}"
    );
    error
}

/// Every placeholder and variable syntax a host's driver or engine could fill
/// in is refused in every dialect, wherever it stands: ClickHouse query
/// parameters (https://clickhouse.com/docs/sql-reference/syntax#defining-and-using-query-parameters),
/// SQLite's `?NNN :AAA @AAA $AAA` (https://www.sqlite.org/lang_expr.html#varparam),
/// PostgreSQL `$1` (https://www.postgresql.org/docs/current/sql-expressions.html#SQL-EXPRESSIONS-PARAMETERS-POSITIONAL),
/// MySQL user variables `@v` (https://dev.mysql.com/doc/refman/8.4/en/user-variables.html),
/// Python DB-API `%s` / `%(name)s` (https://peps.python.org/pep-0249/#paramstyle).
#[test]
fn placeholders_are_refused() {
    let error = normalize_in("org_id = $1", Dialect::Postgres).unwrap_err();
    assert_eq!(error.code, ErrorCode::FilterInvalid);
    assert!(error.message.contains("placeholder"));
    for filter in [
        "org_id = ?",
        "org_id = ?1",
        "org_id = $1",
        "org_id = $org",
        "org_id = :org",
        "org_id = :1",
        "org_id = @org",
        "org_id = @@org",
        "org_id = {org:String}",
        "org_id = {org: String}",
        "org_id IN {orgs:Array(String)}",
        "org_id = {{org}}",
        "org_id = {org}",
        "org_id = %s",
        "org_id = 'a' AND n = 1 %s",
        "org_id = %(org)s",
        "n %(org)s = 1",
        "n %s = 1",
        "tags ? 'vip'",
        "tags ?| array['a']",
        "tags ?& array['a']",
        "tags @? '$.a'",
    ] {
        for dialect in DIALECTS {
            refused_in(filter, dialect);
        }
    }
    // Placeholder look-alikes inside string literals are data, and `%` with
    // spaces is the modulo operator.
    assert_eq!(
        normalize("note = '{x:String} ? $1 :a @b %s'").unwrap(),
        "note = '{x:String} ? $1 :a @b %s'"
    );
    assert_eq!(normalize("n % 2 = 0").unwrap(), "n % 2 = 0");
    for (filter, dialect) in [
        ("org_id = {org:String}", Dialect::Clickhouse),
        ("org_id = @org", Dialect::Mysql),
        ("org_id = :org", Dialect::Sqlite),
        ("org_id = %s", Dialect::Postgres),
        ("tags ? 'vip'", Dialect::Postgres),
    ] {
        let message = refused_in(filter, dialect).message;
        assert!(message.contains("parameter"), "{filter}: {message}");
    }
}

/// MySQL runs the text of `/*! … */` and `/*!50700 … */` as SQL
/// (https://dev.mysql.com/doc/refman/8.4/en/comments.html); ClickHouse starts
/// comments with `#` and `#!` as well as `--`
/// (https://clickhouse.com/docs/sql-reference/syntax#comments).
#[test]
fn executable_comments_and_hash_comments_are_refused() {
    for filter in [
        "org_id = 'a' /*! OR 1 = 1 */",
        "org_id = 'a' /*!50700 OR 1 = 1 */",
        "org_id = 'a' /*+ hint */",
        "org_id = 'a'/**/",
        "org_id = 'a' #! OR 1 = 1",
        "org_id = 'a' # OR 1 = 1",
        "org_id = 'a' --",
        "org_id = '/*' /*! OR 1 = 1 */",
        "org_id = 'a' /*!OR 1 = 1*/ AND note = '/*'",
    ] {
        for dialect in DIALECTS {
            refused_in(filter, dialect);
        }
    }
    for dialect in [Dialect::Mysql, Dialect::Clickhouse] {
        assert!(refused_in("org_id = 'a' /*! OR 1 = 1 */", dialect)
            .message
            .contains("comment"));
    }
}

/// The attack from issue 11: a quote after a backslash in a string literal
/// was printed back unescaped, so a filter that selects no rows came back as
/// one that selects every row. Each case is the issuer's filter (selecting
/// only the hostile value) and the canonical rendering that means the same.
#[test]
fn a_quote_after_a_backslash_stays_inside_its_string() {
    // ClickHouse always reads backslash escapes
    // (https://clickhouse.com/docs/sql-reference/syntax#string).
    let clickhouse = r"org_id = 'nobody\\' OR org_id = ' OR 1 = 1 OR org_id = '";
    assert_eq!(
        normalize_in(clickhouse, Dialect::Clickhouse).unwrap(),
        r"org_id = 'nobody\\' OR org_id = ' OR 1 = 1 OR org_id = '"
    );
    assert_eq!(
        normalize_in(r"org_id = 'x\' OR 1 = 1 OR \'\' = \''", Dialect::Clickhouse).unwrap(),
        "org_id = 'x'' OR 1 = 1 OR '''' = '''"
    );
    // SQLite has no backslash escapes (https://www.sqlite.org/lang_expr.html#literal_values_constants_).
    let sqlite = r"org_id = 'x\'' OR 1 = 1 OR '''' = '''";
    assert_eq!(
        normalize_in(sqlite, Dialect::Sqlite).unwrap(),
        r"org_id = 'x\'' OR 1 = 1 OR '''' = '''"
    );
    // A doubled quote inside the value stays doubled twice over.
    assert_eq!(
        normalize_in("org_id = 'a'''' OR 1 = 1'", Dialect::Sqlite).unwrap(),
        "org_id = 'a'''' OR 1 = 1'"
    );
    // PostgreSQL reads a backslash in '…' by standard_conforming_strings
    // (https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-STRINGS-ESCAPE),
    // MySQL by sql_mode NO_BACKSLASH_ESCAPES
    // (https://dev.mysql.com/doc/refman/8.4/en/string-literals.html): refused.
    for dialect in [Dialect::Postgres, Dialect::Mysql] {
        refused_in(sqlite, dialect);
        let message = refused_in(r"org_id = 'a\\b'", dialect).message;
        assert!(message.contains("backslash"), "{message}");
        refused_in(r"org_id = 'a\'", dialect);
    }
    // PostgreSQL: E'…' escapes and $$…$$ text are unambiguous.
    assert_eq!(
        normalize_in(r"org_id = E'x\' OR 1 = 1 --\\'", Dialect::Postgres).unwrap(),
        r"org_id = E'x\' OR 1 = 1 --\\'"
    );
    assert_eq!(
        normalize_in(r"org_id = $q$x\' OR 1 = 1 --$q$", Dialect::Postgres).unwrap(),
        r"org_id = $q$x\' OR 1 = 1 --$q$"
    );
}

/// ClickHouse escapes (https://clickhouse.com/docs/sql-reference/syntax#string):
/// only those that ClickHouse and the parser read alike pass.
#[test]
fn clickhouse_escapes_that_the_parser_reads_differently_are_refused() {
    for escape in [
        r"\x41", r"\v", r"\Z", r"\0", r"\%", r"\_", r"\N", r"\u0041", r"\1", r"\e",
    ] {
        let filter = format!("name = 'a{escape}'");
        let message = refused_in(&filter, Dialect::Clickhouse).message;
        assert!(message.contains("escape"), "{filter}: {message}");
    }
    assert_eq!(
        normalize_in(r"name = 'a\n\t\r\\\'\`\b\f\a'", Dialect::Clickhouse).unwrap(),
        "name = 'a\n\t\r\\\\''`\u{8}\u{c}\u{7}'"
    );
    refused_in(r"name = 'a\'", Dialect::Clickhouse);
}

/// Quoted identifiers keep nothing that a printer or server could read as the
/// end of the name: no closing quote (doubled or not), backslash or control.
#[test]
fn quoted_identifiers_that_could_end_early_are_refused() {
    for (filter, dialect) in [
        (r#""a""b" = 1"#, Dialect::Postgres),
        (r#""a""b" = 1"#, Dialect::Sqlite),
        (r#""a""b" = 1"#, Dialect::Clickhouse),
        ("`a``b` = 1", Dialect::Mysql),
        ("`a``b` = 1", Dialect::Clickhouse),
        (r#""a\" = 1"#, Dialect::Clickhouse),
        (r"`a\` = 1", Dialect::Mysql),
        ("\"a\nb\" = 1", Dialect::Postgres),
        ("[a]]b] = 1", Dialect::Sqlite),
    ] {
        refused_in(filter, dialect);
    }
    assert_eq!(
        normalize_in("\"org id é\" = 'a'", Dialect::Postgres).unwrap(),
        "\"org id é\" = 'a'"
    );
}

/// Other literal forms whose reading depends on the engine or its settings.
#[test]
fn ambiguous_literal_forms_are_refused() {
    for (filter, dialect) in [
        // MySQL reads "…" as an identifier under ANSI_QUOTES
        // (https://dev.mysql.com/doc/refman/8.4/en/sql-mode.html#sqlmode_ansi_quotes).
        (r#"org_id = "a""#, Dialect::Mysql),
        ("org_id = N'a'", Dialect::Mysql),
        ("org_id = X'61'", Dialect::Sqlite),
        ("org_id = U&'\\0061'", Dialect::Postgres),
        ("org_id = E'a'", Dialect::Clickhouse),
        ("org_id = 'a\0'", Dialect::Sqlite),
        ("org_id = $$a\0$$", Dialect::Postgres),
        ("org_id = E'a\\0'", Dialect::Postgres),
        ("org_id = 'a' \\", Dialect::Postgres),
    ] {
        refused_in(filter, dialect);
    }
    assert!(refused_in("org_id = 'a\0'", Dialect::Postgres)
        .message
        .contains("NUL"));
}

fn parse_tree(filter: &str, dialect: Dialect) -> sqlparser::ast::Expr {
    use sqlparser::dialect::{ClickHouseDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
    let parse = |d: &dyn sqlparser::dialect::Dialect| {
        sqlparser::parser::Parser::new(d)
            .try_with_sql(filter)
            .and_then(|mut p| p.parse_expr())
            .unwrap_or_else(|e| panic!("{filter:?} in {dialect:?}: {e}"))
    };
    match dialect {
        Dialect::Postgres => parse(&PostgreSqlDialect {}),
        Dialect::Mysql => parse(&MySqlDialect {}),
        Dialect::Sqlite => parse(&SQLiteDialect {}),
        Dialect::Clickhouse => parse(&ClickHouseDialect {}),
    }
}

/// The string value on the right of `org_id = <literal>`.
fn compared_string(filter: &str, dialect: Dialect) -> String {
    use sqlparser::ast::{Expr, Value};
    let Expr::BinaryOp { right, .. } = parse_tree(filter, dialect) else {
        panic!("{filter:?} is not a comparison");
    };
    match *right {
        Expr::Value(v) => match v.value {
            Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) => s,
            Value::DollarQuotedString(d) => d.value,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

/// Literal spellings of `value` as each dialect's documentation defines them.
fn spellings(value: &str, dialect: Dialect) -> Vec<String> {
    let doubled = format!("'{}'", value.replace('\'', "''"));
    let backslashed =
        |quote: &str| format!("'{}'", value.replace('\\', "\\\\").replace('\'', quote));
    match dialect {
        Dialect::Sqlite | Dialect::Mysql => vec![doubled],
        Dialect::Postgres => {
            let mut all = vec![doubled, format!("E{}", backslashed("\\'"))];
            if !value.contains("$q") && !value.ends_with('$') {
                all.push(format!("$q${value}$q$"));
            }
            all
        }
        Dialect::Clickhouse => vec![backslashed("\\'"), backslashed("''")],
    }
}

const HOSTILE: &[&str] = &[
    "\\",
    "'",
    "''",
    "\\'",
    "\\\\",
    "\"",
    "`",
    "$",
    "$$",
    "$q$",
    "$1",
    "?",
    ":a",
    "{x:String}",
    "{",
    "}",
    "%s",
    "@v",
    ";",
    "--",
    "/*",
    "*/",
    "/*!",
    "#",
    "\n",
    "\t",
    "\r",
    "\0",
    "\u{2028}",
    "\u{202e}",
    "\u{feff}",
    "\u{1a}",
    "é",
    "🚀",
    "\u{ff07}",
    " ",
    "a",
    "E",
    "x",
    "0",
    " OR 1 = 1",
    "N'",
    "E'",
    "\\x41",
    "\\0",
    "\\n",
];

fn hostile_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    proptest::collection::vec(proptest::sample::select(HOSTILE), 0..10)
        .prop_map(|parts| parts.concat())
}

/// Cases per property; `PROPTEST_CASES` overrides it for longer runs.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000)
}

/// Runs `property` on `cases()` values of `strategy` and returns how many
/// filters it accepted, so each property can show it was not vacuous.
fn run_property<S: proptest::strategy::Strategy>(
    name: &str,
    strategy: S,
    property: impl Fn(S::Value) -> Result<usize, proptest::test_runner::TestCaseError>,
) {
    use proptest::test_runner::{Config, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let accepted = AtomicUsize::new(0);
    let checked = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        ..Config::default()
    });
    let result = runner.run(&strategy, |value| {
        checked.fetch_add(1, Ordering::Relaxed);
        accepted.fetch_add(property(value)?, Ordering::Relaxed);
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{name}: {failure}");
    }
    let (checked, accepted) = (checked.into_inner(), accepted.into_inner());
    eprintln!("{name}: {checked} cases, {accepted} filters accepted across the dialects");
    assert!(
        accepted * 5 >= checked,
        "{name}: too few accepted to mean anything"
    );
}

/// Every hostile value, spelled as its dialect documents, is either refused
/// (NUL; a backslash in '…' where a server setting decides) or accepted and
/// normalised to a filter comparing the same value.
#[test]
fn property_hostile_string_values_survive_or_are_refused() {
    use proptest::prelude::*;
    run_property("hostile string values", hostile_text(), |value| {
        let mut accepted = 0;
        for dialect in DIALECTS {
            for literal in spellings(&value, dialect) {
                let filter = format!("org_id = {literal}");
                let setting_decides = matches!(dialect, Dialect::Postgres | Dialect::Mysql)
                    && literal.starts_with('\'')
                    && value.contains('\\');
                match normalize_in(&filter, dialect) {
                    Ok(normalized) => {
                        accepted += 1;
                        prop_assert!(!value.contains('\0'), "{:?} accepted", filter);
                        prop_assert!(!setting_decides, "{:?} accepted in {:?}", filter, dialect);
                        prop_assert_eq!(compared_string(&filter, dialect), value.clone());
                        prop_assert_eq!(compared_string(&normalized, dialect), value.clone());
                        prop_assert_eq!(
                            parse_tree(&normalized, dialect),
                            parse_tree(&filter, dialect)
                        );
                        prop_assert_eq!(normalize_in(&normalized, dialect).unwrap(), normalized);
                    }
                    Err(error) => {
                        prop_assert_eq!(error.code, ErrorCode::FilterInvalid);
                        prop_assert!(
                            value.contains('\0') || setting_decides,
                            "{:?} refused in {:?}: {}",
                            filter,
                            dialect,
                            error
                        );
                    }
                }
            }
        }
        Ok(accepted)
    });
}

/// Differential: for any text (string bodies, quoted names, operators and
/// placeholders mixed), whatever is accepted parses back from its normalised
/// form to the same tree as the original, and normalising is idempotent.
#[test]
fn property_accepted_filters_parse_back_to_the_same_tree() {
    use proptest::prelude::*;
    use proptest::sample::select;
    let filters = (
        select(
            &[
                "org_id = '",
                "org_id = E'",
                "org_id = $$",
                "org_id = \"",
                "\"",
                "`",
                "[",
                "org_id IN ('a', '",
                "org_id = ",
                "NOT org_id LIKE '",
                "(org_id = 'a') OR '",
            ][..],
        ),
        hostile_text(),
        select(
            &[
                "'",
                "' OR org_id = '",
                "$$",
                "\" = 'a",
                "` = 'a",
                "] = 'a",
                "') OR x = '",
                "",
                "' = org_id AND '",
            ][..],
        ),
        hostile_text(),
        select(&["'", "", "')", "$$", "' = 'b", "$$ = 'b"][..]),
    )
        .prop_map(|(a, b, c, d, e)| format!("{a}{b}{c}{d}{e}"));
    // Hostile bodies with their quotes half-escaped in one of several ways,
    // between two conditions, so that more of them parse.
    let bodies = (
        hostile_text(),
        select(&["raw", "doubled", "backslashed", "dropped"][..]),
        select(&["'", "E'", "\"", "`"][..]),
        select(&["org_id = 'a' OR ", "NOT ", "", "x IN ('b') AND "][..]),
    )
        .prop_map(|(body, how, quote, head)| {
            let q = quote.chars().last().unwrap().to_string();
            let body = match how {
                "raw" => body,
                "doubled" => body.replace(&q, &format!("{q}{q}")),
                "backslashed" => body.replace(&q, &format!("\\{q}")),
                _ => body.replace(&q, ""),
            };
            if quote == "'" || quote == "E'" {
                format!("{head}org_id = {quote}{body}{q} OR y = 1")
            } else {
                format!("{head}{quote}{body}{q} = 'a'")
            }
        });
    let filters = prop_oneof![filters, bodies];
    run_property("differential parse-print-parse", filters, |filter| {
        let mut accepted = 0;
        for dialect in DIALECTS {
            match normalize_in(&filter, dialect) {
                Ok(normalized) => {
                    accepted += 1;
                    prop_assert_eq!(
                        parse_tree(&normalized, dialect),
                        parse_tree(&filter, dialect)
                    );
                    prop_assert_eq!(normalize_in(&normalized, dialect).unwrap(), normalized);
                }
                Err(error) => prop_assert_eq!(error.code, ErrorCode::FilterInvalid),
            }
        }
        Ok(accepted)
    });
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
        ("NOT chain", |n| format!("{}a = 1", "NOT ".repeat(n))),
        ("NOT (", |n| {
            format!("{}a = 1{}", "NOT (".repeat(n), ")".repeat(n))
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
    // Under the limit as written, over it once `,` becomes `, `: refused, so
    // that every normalised filter can be normalised again.
    let items = MAX_FILTER_BYTES / 4 - 10;
    let tight = format!("a IN ({})", vec!["'x'"; items].join(","));
    assert!(tight.len() <= MAX_FILTER_BYTES);
    assert!(refused(&tight).message.contains("normalised"));
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

fn authorize(token: &str, resource: &str) -> scopemint::Result<scopemint::Grant> {
    let request = json!({ "type": "DATASOURCES:READ", "resource": resource }).to_string();
    authorize_json(&verifier(), token, &request, NOW as f64)
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
/// sqlparser prints a double negation as `--1`, which reads back as a
/// comment in most dialects: the parse-back check catches what the printer
/// gets wrong.
#[test]
fn printing_that_would_not_parse_back_is_refused() {
    for dialect in [Dialect::Postgres, Dialect::Sqlite, Dialect::Clickhouse] {
        let message = refused_in("a = - -1", dialect).message;
        assert!(message.contains("printed back"), "{dialect:?}: {message}");
    }
    // MySQL needs whitespace after `--` for a comment
    // (https://dev.mysql.com/doc/refman/8.4/en/comments.html), and so does the parser there.
    assert_eq!(normalize_in("a = - -1", Dialect::Mysql).unwrap(), "a = --1");
    assert_eq!(normalize("a = -(-1)").unwrap(), "a = -(-1)");
}
