//! Issuer-written SQL filters (a Tinybird JWT scope's `filter`, a static
//! scope's `:sql_filter`) checked with a real SQL parser before anything
//! splices them into a `WHERE` clause. Only one boolean expression passes: no
//! statement separator, comment, placeholder or (unless allowed) subquery can
//! ride along, and the caller gets a normalised rendering, proven to parse
//! back to the same tree, rather than the issuer's text. Server build only
//! (`--features server`).

use std::ops::ControlFlow;

use serde::Deserialize;
use sqlparser::ast::{
    BinaryOperator, Expr, Query, UnaryOperator, Value as SqlValue, ValueWithSpan, Visit, VisitMut,
    Visitor, VisitorMut,
};
use sqlparser::dialect::{
    ClickHouseDialect, Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use crate::error::{Error, ErrorCode, Result};
use crate::sql::params::Dialect;

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
/// (one canonical rendering per dialect); anything else is `ERR_FILTER_INVALID`.
///
/// The rendering is only handed out after it has been parsed again and found
/// to be the same tree as `filter`'s: what the caller splices is what was
/// checked. A filter whose text would print back differently is refused.
pub fn normalize_sql_filter(filter: &str, options: &FilterOptions) -> Result<String> {
    if filter.len() > MAX_FILTER_BYTES {
        return Err(refused(format!(
            "{} bytes is over the {MAX_FILTER_BYTES}-byte limit",
            filter.len()
        )));
    }
    let dialect = sql_dialect(options.dialect);
    let expr = parse_checked(filter, options, dialect.as_ref())?;
    let normalized = render(&expr, options.dialect);
    // Normalising adds spaces; what comes out must pass the same limit going back in.
    if normalized.len() > MAX_FILTER_BYTES {
        return Err(refused(format!(
            "normalised, it is {} bytes, over the {MAX_FILTER_BYTES}-byte limit",
            normalized.len()
        )));
    }
    let faithful = parse_checked(&normalized, options, dialect.as_ref())
        .is_ok_and(|again| again == expr && render(&again, options.dialect) == normalized);
    if !faithful {
        return Err(refused(
            "it cannot be printed back so that it parses to the same expression",
        ));
    }
    Ok(normalized)
}

/// The token rules, the parse, and the checks on the tree, in that order.
fn parse_checked(filter: &str, options: &FilterOptions, dialect: &dyn SqlDialect) -> Result<Expr> {
    check_tokens(filter, options.dialect, dialect)?;
    let mut parser = Parser::new(dialect)
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
        return Err(refused(format!(
            "\"{expr}\" is not a condition (a boolean column is written `col IS TRUE`)"
        )));
    }
    Ok(expr)
}

pub(crate) fn sql_dialect(dialect: Dialect) -> Box<dyn SqlDialect> {
    match dialect {
        Dialect::Postgres => Box::new(PostgreSqlDialect {}),
        Dialect::Mysql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
        Dialect::Clickhouse => Box::new(ClickHouseDialect {}),
    }
}

/// sqlparser's `Display` for a quoted string leaves a quote that follows a
/// backslash, or an already doubled quote, as it is, which ends the literal
/// early when parsed back. String literals are therefore printed here, in one
/// canonical form per dialect; everything else is sqlparser's rendering
/// (identifiers are safe there: `check_tokens` keeps quotes out of them).
fn render(expr: &Expr, dialect: Dialect) -> String {
    struct CanonicalStrings(Dialect);
    impl VisitorMut for CanonicalStrings {
        type Break = ();
        fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
            if let SqlValue::SingleQuotedString(text) = &value.value {
                // `Placeholder` prints its text verbatim; it never reaches a parse.
                value.value = SqlValue::Placeholder(quote_string(text, self.0));
            }
            ControlFlow::Continue(())
        }
    }
    let mut printable = expr.clone();
    let _ = VisitMut::visit(&mut printable, &mut CanonicalStrings(dialect));
    printable.to_string()
}

/// A string literal that every server of `dialect` reads back as `text`.
/// Only ClickHouse reads backslash escapes unconditionally; in the other
/// dialects `check_tokens` has made sure `text` holds no backslash where the
/// server's settings could make one an escape.
fn quote_string(text: &str, dialect: Dialect) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' if dialect == Dialect::Clickhouse => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// What the parser would silently drop or misplace, and what a server could
/// read differently from the parser: comments vanish from the AST (and could
/// hide text a reviewer misreads), `;` would end the statement the filter is
/// spliced into, a placeholder would shift (or be filled from) the host
/// query's own parameters, and an escape whose meaning depends on server
/// settings cannot be checked here.
fn check_tokens(filter: &str, kind: Dialect, dialect: &dyn SqlDialect) -> Result<()> {
    if filter.contains('\0') {
        return Err(refused(
            "NUL characters are not allowed (C clients end the text there; PostgreSQL refuses them)",
        ));
    }
    // Raw token text: backslashes and doubled quotes as the issuer wrote them.
    let tokens = Tokenizer::new(dialect, filter)
        .with_unescape(false)
        .tokenize()
        .map_err(|e| refused(e.to_string()))?;
    let mut operators = 0usize;
    let mut previous: Option<&Token> = None;
    for token in &tokens {
        match token {
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
        check_token(token, previous, kind)?;
        previous = Some(token);
    }
    if kind == Dialect::Mysql && has_executable_comment(filter, &tokens) {
        return Err(refused(
            "comments are not allowed (MySQL executable comments /*! … */ included)",
        ));
    }
    Ok(())
}

/// The tokenizer expands MySQL's `/*! … */` into the tokens it holds, the way
/// MySQL runs them, so no comment token is left to refuse. Every `/*` in the
/// filter is either inside a string or quoted name (whose raw text is a slice
/// of the filter) or starts a comment: more in the filter than in those means
/// a comment was there.
fn has_executable_comment(filter: &str, tokens: &[Token]) -> bool {
    let quoted: usize = tokens
        .iter()
        .map(|token| match token {
            Token::SingleQuotedString(s)
            | Token::DoubleQuotedString(s)
            | Token::NationalStringLiteral(s)
            | Token::HexStringLiteral(s) => s.matches("/*").count(),
            Token::Word(word) => word.value.matches("/*").count(),
            _ => 0,
        })
        .sum();
    filter.matches("/*").count() > quoted
}

fn placeholder(what: &str) -> Error {
    refused(format!(
        "{what} is not allowed: it is a query parameter or variable in some engine or driver, \
         and a filter carries its values inline"
    ))
}

fn check_token(token: &Token, previous: Option<&Token>, kind: Dialect) -> Result<()> {
    match token {
        Token::Whitespace(
            Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_),
        ) => Err(refused(
            "comments are not allowed (MySQL executable comments /*! … */ included)",
        )),
        Token::SemiColon => Err(refused("\";\" is not allowed: a filter is one condition")),
        Token::Placeholder(p) => Err(placeholder(&format!("placeholder \"{p}\""))),
        Token::LBrace | Token::RBrace => Err(placeholder(
            "\"{\" or \"}\" (ClickHouse query parameters {name:Type}, template placeholders)",
        )),
        Token::Colon => Err(placeholder("\":\" (named parameters :name)")),
        Token::AtSign | Token::AtAt => Err(placeholder("\"@\" (variables @name, @@name)")),
        Token::Question
        | Token::QuestionAnd
        | Token::QuestionPipe
        | Token::QuestionMarkDash
        | Token::QuestionMarkDashVerticalBar
        | Token::QuestionMarkDoubleVerticalBar
        | Token::QuestionMarkSharp
        | Token::AtQuestion => Err(placeholder("\"?\" (positional parameters)")),
        Token::Backslash => Err(refused("a backslash outside a string is not allowed")),
        Token::Word(word) if word.quote_style.is_none() => {
            if word.value.starts_with(['@', '$']) {
                Err(placeholder(&format!("\"{}\"", word.value)))
            } else if matches!(previous, Some(Token::Mod)) {
                Err(placeholder(&format!(
                    "\"%{}\" (%s-style parameters)",
                    word.value
                )))
            } else {
                Ok(())
            }
        }
        Token::LParen if matches!(previous, Some(Token::Mod)) => {
            Err(placeholder("\"%(\" (%(name)s-style parameters)"))
        }
        Token::Word(word) => check_quoted_identifier(&word.value, word.quote_style),
        Token::SingleQuotedString(raw) => check_string(raw, kind),
        Token::EscapedStringLiteral(_) | Token::DollarQuotedString(_)
            if kind == Dialect::Postgres =>
        {
            Ok(())
        }
        Token::DoubleQuotedString(_) => Err(refused(
            "a double-quoted string is not allowed: MySQL reads it as an identifier under \
             sql_mode ANSI_QUOTES; write '…'",
        )),
        t if is_literal(t) && !matches!(t, Token::Number(..) | Token::Char(_)) => {
            Err(refused(format!(
                "{t} is not allowed: write strings as '…'{}",
                if kind == Dialect::Postgres {
                    " (or E'…', $$…$$)"
                } else {
                    ""
                }
            )))
        }
        t if kind != Dialect::Postgres && t.to_string().contains('#') => Err(refused(
            "\"#\" is not allowed: MySQL and ClickHouse read it as the start of a comment",
        )),
        _ => Ok(()),
    }
}

/// A quoted identifier must not hold its own closing quote (the doubled form
/// does not survive sqlparser's printing), a backslash (ClickHouse reads
/// escapes in quoted identifiers, the parser does not) or a control character.
fn check_quoted_identifier(raw: &str, quote: Option<char>) -> Result<()> {
    let closing = match quote {
        Some('[') => ']',
        Some(q) => q,
        None => return Ok(()),
    };
    match raw
        .chars()
        .find(|c| *c == closing || *c == '\\' || c.is_control())
    {
        Some(c) => Err(refused(format!(
            "a quoted identifier may not contain {c:?}"
        ))),
        None => Ok(()),
    }
}

/// Backslashes in a `'…'` string, by what the dialect's servers do with them.
/// PostgreSQL (`standard_conforming_strings`) and MySQL (`NO_BACKSLASH_ESCAPES`)
/// read them as escapes or as text depending on a server setting, so the
/// filter's meaning cannot be known here: refused. SQLite never escapes.
/// ClickHouse always does; only the escapes that it and the parser read the
/// same way pass: the control escapes and a quote, backtick or backslash
/// (<https://clickhouse.com/docs/sql-reference/syntax#string>). Since 20.5
/// ClickHouse keeps the backslash of other escapes such as `\%` (changelog,
/// ClickHouse#11208), where the parser drops it, and it reads `\x41` as a byte.
fn check_string(raw: &str, kind: Dialect) -> Result<()> {
    if !raw.contains('\\') {
        return Ok(());
    }
    match kind {
        Dialect::Sqlite => Ok(()),
        Dialect::Postgres => Err(refused(
            "a backslash in '…' is an escape or text depending on standard_conforming_strings; \
             write E'…' (escapes) or $$…$$ (text)",
        )),
        Dialect::Mysql => Err(refused(
            "a backslash in a MySQL string is an escape or text depending on sql_mode \
             NO_BACKSLASH_ESCAPES",
        )),
        Dialect::Clickhouse => {
            let mut chars = raw.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    continue;
                }
                match chars.next() {
                    Some('\\' | '\'' | '"' | '`' | 'n' | 't' | 'r' | 'b' | 'f' | 'a') => {}
                    Some(other) => {
                        return Err(refused(format!(
                            "the escape \"\\{other}\" is not allowed in a ClickHouse string \
                             (allowed: \\\\ \\' \\\" \\` \\n \\t \\r \\b \\f \\a)"
                        )))
                    }
                    None => return Err(refused("a string ends in a backslash")),
                }
            }
            Ok(())
        }
    }
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
/// comparisons, predicates, boolean logic over conditions, a boolean literal
/// or a function call (a predicate function). Arithmetic, strings, numbers
/// and bare columns are refused: `WHERE 1`, `WHERE 'x'` or `WHERE org_id` is a
/// mistake that SQLite and MySQL read as "every row with a non-zero value",
/// i.e. every tenant's rows; a boolean column is written `col IS TRUE`.
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
        | Expr::Function(_) => true,
        _ => false,
    }
}
