//! Issuer-written SQL filters (a Tinybird JWT scope's `filter`, a static
//! scope's `:sql_filter`) checked with a real SQL parser before anything
//! splices them into a `WHERE` clause. Only one boolean expression passes: no
//! statement separator, comment, placeholder or (unless allowed) subquery can
//! ride along, and the caller gets the parser's normalised rendering rather
//! than the issuer's text. Server build only (`--features server`).

use std::ops::ControlFlow;

use serde::Deserialize;
use sqlparser::ast::{
    BinaryOperator, Expr, Query, UnaryOperator, Value as SqlValue, Visit, Visitor,
};
use sqlparser::dialect::{
    ClickHouseDialect, Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use crate::error::{Error, ErrorCode, Result};
use crate::sql_params::Dialect;

/// Longer filters are refused before parsing; a row filter is a condition,
/// not a data set, and this bounds the parser's work.
pub const MAX_FILTER_BYTES: usize = 64 * 1024;

/// Parenthesis nesting the parser follows. sqlparser's default (50) needs
/// more stack than a wasm module's 1 MiB on some expression shapes.
const MAX_NESTING: usize = 32;

/// Operators, keywords and brackets a filter may hold. The parser builds a
/// chain like `a AND b AND c …` in a loop, but walking, printing and dropping
/// the resulting tree recurse once per operator: this bounds that depth
/// (a release build managed about 2,000 in 1 MiB of stack).
pub const MAX_FILTER_OPERATORS: usize = 256;

/// Options for [`normalize_sql_filter`].
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterOptions {
    /// Whose SQL the filter is written in. Default ClickHouse, Tinybird's engine.
    #[serde(default = "tinybird_dialect")]
    pub dialect: Dialect,
    /// Accept `IN (SELECT …)`, `EXISTS (…)` and scalar subqueries. Default false:
    /// a subquery can read tables the token never named.
    #[serde(default)]
    pub allow_subqueries: bool,
}

fn tinybird_dialect() -> Dialect {
    Dialect::Clickhouse
}

impl Default for FilterOptions {
    fn default() -> Self {
        FilterOptions {
            dialect: tinybird_dialect(),
            allow_subqueries: false,
        }
    }
}

fn refused(message: impl Into<String>) -> Error {
    Error::new(
        ErrorCode::FilterInvalid,
        format!("SQL filter refused: {}", message.into()),
    )
}

/// Parses `filter` as one boolean SQL expression and returns it normalised
/// (sqlparser's canonical rendering); anything else is `ERR_FILTER_INVALID`.
pub fn normalize_sql_filter(filter: &str, options: &FilterOptions) -> Result<String> {
    if filter.len() > MAX_FILTER_BYTES {
        return Err(refused(format!(
            "{} bytes is over the {MAX_FILTER_BYTES}-byte limit",
            filter.len()
        )));
    }
    let dialect = sql_dialect(options.dialect);
    check_tokens(filter, dialect.as_ref())?;
    let mut parser = Parser::new(dialect.as_ref())
        .with_recursion_limit(MAX_NESTING)
        .try_with_sql(filter)
        .map_err(|e| refused(e.to_string()))?;
    let expr = parser.parse_expr().map_err(|e| refused(e.to_string()))?;
    let rest = parser.peek_token().token;
    if rest != Token::EOF {
        return Err(refused(format!(
            "unexpected \"{rest}\" after the expression; a filter is one condition"
        )));
    }
    if !options.allow_subqueries {
        if let ControlFlow::Break(()) = expr.visit(&mut SubqueryFinder) {
            return Err(refused(
                "subqueries are not allowed (allowSubqueries: true permits them)",
            ));
        }
    }
    if !is_boolean_shaped(&expr) {
        return Err(refused(format!("\"{expr}\" is not a condition")));
    }
    Ok(expr.to_string())
}

fn sql_dialect(dialect: Dialect) -> Box<dyn SqlDialect> {
    match dialect {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::Mysql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
        Dialect::Clickhouse => Box::new(ClickHouseDialect {}),
    }
}

/// What the parser would silently drop or misplace: comments vanish from the
/// AST (and could hide text a reviewer misreads), `;` would end the statement
/// the filter is spliced into, and a placeholder would shift the host query's
/// own parameters.
fn check_tokens(filter: &str, dialect: &dyn SqlDialect) -> Result<()> {
    let tokens = Tokenizer::new(dialect, filter)
        .tokenize()
        .map_err(|e| refused(e.to_string()))?;
    let mut operators = 0usize;
    for token in tokens {
        match &token {
            Token::Word(word)
                if word.keyword == Keyword::NoKeyword || word.quote_style.is_some() => {}
            Token::Comma | Token::Whitespace(_) | Token::EOF => {}
            t if is_literal(t) => {}
            _ => operators += 1,
        }
        if operators > MAX_FILTER_OPERATORS {
            return Err(refused(format!(
                "more than {MAX_FILTER_OPERATORS} operators, keywords and brackets"
            )));
        }
        match token {
            Token::Whitespace(
                Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_),
            ) => return Err(refused("comments are not allowed")),
            Token::SemiColon => {
                return Err(refused("\";\" is not allowed: a filter is one condition"))
            }
            Token::Placeholder(p) => {
                return Err(refused(format!(
                    "placeholder \"{p}\" is not allowed: a filter carries its values inline"
                )))
            }
            _ => {}
        }
    }
    Ok(())
}

fn is_literal(token: &Token) -> bool {
    matches!(
        token,
        Token::Number(..)
            | Token::Char(_)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::TripleSingleQuotedString(_)
            | Token::TripleDoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::DoubleQuotedByteStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_)
    )
}

struct SubqueryFinder;

impl Visitor for SubqueryFinder {
    type Break = ();

    // Every subquery form (scalar, IN, EXISTS, a function argument) holds a Query.
    fn pre_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        ControlFlow::Break(())
    }
}

/// True for expressions that can only be (or plausibly are) a condition:
/// comparisons, predicates, boolean logic over conditions, a boolean literal,
/// a column (a boolean column) or a function call (a predicate function).
/// Arithmetic, strings and numbers are refused: `WHERE 1` or `WHERE 'x'` is a
/// mistake that some engines would read as "every row".
fn is_boolean_shaped(expr: &Expr) -> bool {
    use BinaryOperator as B;
    match expr {
        Expr::BinaryOp { left, op, right } => match op {
            B::And | B::Or | B::Xor => is_boolean_shaped(left) && is_boolean_shaped(right),
            B::Eq
            | B::NotEq
            | B::Lt
            | B::LtEq
            | B::Gt
            | B::GtEq
            | B::Spaceship
            | B::Regexp
            | B::Match
            | B::Glob
            | B::PGRegexMatch
            | B::PGRegexIMatch
            | B::PGRegexNotMatch
            | B::PGRegexNotIMatch
            | B::PGLikeMatch
            | B::PGILikeMatch
            | B::PGNotLikeMatch
            | B::PGNotILikeMatch
            | B::PGStartsWith
            | B::PGOverlap
            | B::AtArrow
            | B::ArrowAt
            | B::Question
            | B::QuestionAnd
            | B::QuestionPipe
            | B::Overlaps => true,
            _ => false,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr,
        } => is_boolean_shaped(expr),
        Expr::Nested(inner) => is_boolean_shaped(inner),
        Expr::Value(value) => matches!(value.value, SqlValue::Boolean(_)),
        Expr::IsFalse(_)
        | Expr::IsNotFalse(_)
        | Expr::IsTrue(_)
        | Expr::IsNotTrue(_)
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsUnknown(_)
        | Expr::IsNotUnknown(_)
        | Expr::IsDistinctFrom(..)
        | Expr::IsNotDistinctFrom(..)
        | Expr::InList { .. }
        | Expr::InSubquery { .. }
        | Expr::InUnnest { .. }
        | Expr::Between { .. }
        | Expr::Like { .. }
        | Expr::ILike { .. }
        | Expr::SimilarTo { .. }
        | Expr::RLike { .. }
        | Expr::AnyOp { .. }
        | Expr::AllOp { .. }
        | Expr::Exists { .. }
        | Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::Function(_) => true,
        _ => false,
    }
}
