//! Issuer SQL filters, differential: whatever `normalize_sql_filter` accepts
//! parses (with sqlparser, independently) from its normalised form to the same
//! tree as from the issuer's text, and normalising again changes nothing.
//! The first byte picks the dialect and whether subqueries are allowed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scopemint::{normalize_sql_filter, Dialect, ErrorCode, FilterOptions};
use sqlparser::ast::Expr;
use sqlparser::dialect::{ClickHouseDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

const DIALECTS: [Dialect; 4] = [
    Dialect::Postgres,
    Dialect::Mysql,
    Dialect::Sqlite,
    Dialect::Clickhouse,
];

fn tree(filter: &str, dialect: Dialect) -> Expr {
    let parse = |d: &dyn sqlparser::dialect::Dialect| {
        Parser::new(d)
            .try_with_sql(filter)
            .and_then(|mut p| p.parse_expr())
            .unwrap_or_else(|e| panic!("accepted {filter:?} does not parse: {e}"))
    };
    match dialect {
        Dialect::Postgres => parse(&PostgreSqlDialect {}),
        Dialect::Mysql => parse(&MySqlDialect {}),
        Dialect::Sqlite => parse(&SQLiteDialect {}),
        Dialect::Clickhouse => parse(&ClickHouseDialect {}),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(filter) = std::str::from_utf8(rest) else {
        return;
    };
    let options = FilterOptions {
        dialect: DIALECTS[usize::from(selector % 4)],
        allow_subqueries: selector & 4 != 0,
    };
    match normalize_sql_filter(filter, &options) {
        Ok(normalized) => {
            assert_eq!(
                tree(&normalized, options.dialect),
                tree(filter, options.dialect),
                "{filter:?} -> {normalized:?}"
            );
            assert_eq!(
                normalize_sql_filter(&normalized, &options).as_deref(),
                Ok(normalized.as_str()),
                "{filter:?}"
            );
        }
        Err(error) => assert_eq!(error.code, ErrorCode::FilterInvalid, "{filter:?}"),
    }
});
