//! Embeddable-style data models: SQL templates (minijinja) that read the
//! caller's security context, rendered so that no context value ever becomes
//! SQL text. Every `{{ … }}` output turns into a bound parameter and `list(…)`
//! into a parenthesised list of them. Server build only (`--features server`).
//!
//! The engine cannot see the SQL around an output, so each output is written
//! as an indexed marker; a pass over the rendered text then replaces markers
//! with placeholders, and refuses any that landed inside a quoted string, a
//! quoted identifier or a comment, where a placeholder would not bind.

use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::{Object, Serde, Value as JinjaValue, ValueKind};
use minijinja::{Environment, ErrorKind, UndefinedBehavior};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{invalid_option, Error, ErrorCode, Result};
use crate::sql_params::{BoundSql, Dialect, Params};

/// Larger templates are refused before compiling: a data model is a query.
pub const MAX_TEMPLATE_BYTES: usize = 256 * 1024;
/// Rendered SQL above this is refused (loops over context lists can multiply text).
pub const MAX_RENDERED_BYTES: usize = 1024 * 1024;
/// Engine instructions per render: bounds loops the template author did not mean to be long.
const FUEL: u64 = 1_000_000;
/// Nesting of blocks and calls; minijinja caps it lower still without `stacker`.
const RECURSION_LIMIT: usize = 100;

/// Opens and closes an output marker; the index of the output sits between.
/// Both are control characters a template's own text may not contain.
const MARKER_OPEN: char = '\u{1}';
const MARKER_CLOSE: char = '\u{2}';

/// Options for [`render_data_model`].
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RenderOptions {
    pub dialect: Dialect,
    /// Parameters the surrounding query already binds; numbering starts after them.
    #[serde(default)]
    pub param_offset: usize,
}

fn template_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::TemplateInvalid, message).with_claim("template")
}

/// Renders `template` with `securityContext` (a JSON object) under JSON options
/// `{ dialect, paramOffset? }`.
pub fn render_data_model(
    template: &str,
    security_context_json: &str,
    options_json: &str,
) -> Result<BoundSql> {
    let options: RenderOptions = crate::options::from_json(options_json, "options")?;
    let context: Value = serde_json::from_str(security_context_json)
        .map_err(|e| invalid_option("securityContext", format!("must be JSON ({e})")))?;
    render_data_model_value(template, &context, &options)
}

/// [`render_data_model`] with an already-parsed context and options.
pub fn render_data_model_value(
    template: &str,
    security_context: &Value,
    options: &RenderOptions,
) -> Result<BoundSql> {
    if !security_context.is_object() {
        return Err(invalid_option("securityContext", "must be an object"));
    }
    if template.len() > MAX_TEMPLATE_BYTES {
        return Err(template_error(format!(
            "the template is {} bytes, over the {MAX_TEMPLATE_BYTES}-byte limit",
            template.len()
        )));
    }
    if template.contains([MARKER_OPEN, MARKER_CLOSE]) {
        return Err(template_error(
            "the template contains control characters U+0001 or U+0002",
        ));
    }
    if uses_filter_block(template) {
        // A `{% filter %}` block would transform the marker, not the value it stands for.
        return Err(template_error(
            "{% filter %} blocks are not supported; apply the filter inside {{ … }}",
        ));
    }
    let outputs = Arc::new(Mutex::new(Vec::new()));
    let env = environment(Arc::clone(&outputs));
    let globals = JinjaValue::from(Serde(serde_json::json!({
        "COMPILE_CONTEXT": { "securityContext": security_context },
        "securityContext": security_context,
    })));
    let rendered = env
        .template_from_str(template)
        .and_then(|t| t.render(globals))
        .map_err(describe)?;
    if rendered.len() > MAX_RENDERED_BYTES {
        return Err(template_error(format!(
            "the rendered SQL is {} bytes, over the {MAX_RENDERED_BYTES}-byte limit",
            rendered.len()
        )));
    }
    let outputs = std::mem::take(&mut *outputs.lock().unwrap_or_else(PoisonError::into_inner));
    bind_markers(&rendered, outputs, options)
}

/// `{%` then optional whitespace control and spaces, then the `filter` keyword.
fn uses_filter_block(template: &str) -> bool {
    template.match_indices("{%").any(|(at, _)| {
        let rest = template[at + 2..].trim_start_matches(['-', '+', '~']);
        let rest = rest.trim_start();
        rest.strip_prefix("filter")
            .is_some_and(|after| after.starts_with(|c: char| c.is_whitespace()))
    })
}

/// minijinja's message, with the line when it knows one.
fn describe(error: minijinja::Error) -> Error {
    let detail = error.detail().map(str::to_string).unwrap_or_default();
    let what = match error.kind() {
        ErrorKind::UndefinedError => {
            "a value the template uses is not in the security context".to_string()
        }
        kind => kind.to_string(),
    };
    let mut message = if detail.is_empty() {
        what
    } else {
        format!("{what}: {detail}")
    };
    if let Some(line) = error.line() {
        message.push_str(&format!(" (line {line})"));
    }
    template_error(message)
}

/// What one `{{ … }}` stands for.
enum Output {
    Scalar(Value),
    List(Vec<Value>),
}

/// `list(…)`'s result: items the formatter binds one by one.
#[derive(Debug)]
struct BoundList(Vec<Value>);

impl Object for BoundList {}

fn environment(outputs: Arc<Mutex<Vec<Output>>>) -> Environment<'static> {
    let mut env = Environment::new();
    // Missing context keys fail when printed, but `{% if x.regions %}` may
    // test for one, as the vendor's own examples do.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    env.add_function(
        "list",
        |items: JinjaValue| -> std::result::Result<JinjaValue, minijinja::Error> {
            if items.kind() != ValueKind::Seq {
                return Err(minijinja::Error::new(
                    ErrorKind::InvalidOperation,
                    "list() takes an array",
                ));
            }
            let items = items
                .try_iter()?
                .map(|item| match to_json(&item) {
                    Some(value @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => {
                        Ok(value)
                    }
                    _ => Err(minijinja::Error::new(
                        ErrorKind::InvalidOperation,
                        "list() items must be strings, numbers or booleans",
                    )),
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok(JinjaValue::from_object(BoundList(items)))
        },
    );
    env.set_formatter(move |out, _state, value| {
        let output = if let Some(list) = value.downcast_object_ref::<BoundList>() {
            Output::List(list.0.clone())
        } else {
            match to_json(value) {
                Some(
                    scalar @ (Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null),
                ) => Output::Scalar(scalar),
                Some(Value::Array(_)) => {
                    return Err(minijinja::Error::new(
                        ErrorKind::InvalidOperation,
                        "an array cannot be one SQL value; write list(…) for an IN list",
                    ))
                }
                _ => {
                    return Err(minijinja::Error::new(
                        ErrorKind::InvalidOperation,
                        "only strings, numbers, booleans and null can be SQL values",
                    ))
                }
            }
        };
        let mut outputs = outputs.lock().unwrap_or_else(PoisonError::into_inner);
        let index = outputs.len();
        outputs.push(output);
        out.write_str(&format!("{MARKER_OPEN}{index}{MARKER_CLOSE}"))
            .map_err(|_| minijinja::Error::new(ErrorKind::WriteFailure, "output failed"))
    });
    env
}

/// A template value as JSON, keeping integers exact. NaN and infinities have
/// no JSON form (serde would make them null), so they are not values.
fn to_json(value: &JinjaValue) -> Option<Value> {
    if value.is_undefined() {
        return None;
    }
    match serde_json::to_value(value).ok()? {
        Value::Null if value.kind() == ValueKind::Number => None,
        json => Some(json),
    }
}

/// Where the lexer is in the rendered SQL.
#[derive(Clone, Copy, PartialEq)]
enum Context {
    Code,
    String,
    QuotedIdentifier(char),
    LineComment,
    BlockComment,
    DollarQuoted,
}

/// Replaces each marker with its placeholder(s), in text order, and refuses
/// markers where a placeholder would be literal text.
fn bind_markers(rendered: &str, outputs: Vec<Output>, options: &RenderOptions) -> Result<BoundSql> {
    let dialect = options.dialect;
    let backslash_escapes = matches!(dialect, Dialect::Mysql | Dialect::Clickhouse);
    let mut params = Params::new(dialect, options.param_offset)?;
    let mut outputs: Vec<Option<Output>> = outputs.into_iter().map(Some).collect();
    let mut next_index = 0usize;
    let mut take = |index: usize| -> Result<Output> {
        // Each output appears once, in render order, or something (a `{% set %}`
        // block printed later, say) moved markers around: refuse rather than guess.
        if index != next_index {
            return Err(template_error(
                "an output was captured and reprinted ({% set %} blocks cannot hold values)",
            ));
        }
        next_index += 1;
        outputs
            .get_mut(index)
            .and_then(Option::take)
            .ok_or_else(|| template_error("an output marker has no value"))
    };
    let mut sql = String::with_capacity(rendered.len());
    let mut state = Context::Code;
    let mut dollar_tag = String::new();
    // Text of the current single-quoted string, to see if it is exactly one marker.
    let mut string_start = 0usize;
    let mut string_backslashes = backslash_escapes;
    // Postgres block comments nest.
    let mut comment_depth = 0usize;
    let chars: Vec<char> = rendered.chars().collect();
    let mut i = 0usize;
    let misplaced = |what: &str| {
        template_error(format!(
            "a {{{{ … }}}} value inside {what} cannot be bound; write {{{{ value }}}} where the SQL value goes, without quotes"
        ))
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match state {
            Context::Code => {
                if c == MARKER_OPEN {
                    let (index, end) = read_marker(&chars, i)?;
                    let placeholder = match take(index)? {
                        Output::Scalar(value) => params.bind(value),
                        Output::List(items) if items.is_empty() => "(NULL)".to_string(),
                        Output::List(items) => {
                            let list: Vec<String> =
                                items.into_iter().map(|v| params.bind(v)).collect();
                            format!("({})", list.join(", "))
                        }
                    };
                    sql.push_str(&placeholder);
                    i = end;
                    continue;
                }
                if let Some(own) = own_placeholder(&chars, i, dialect, options.param_offset) {
                    return Err(template_error(format!(
                        "the template writes its own placeholder \"{own}\", which would collide with the bound values; \
                         number the host query's own parameters below paramOffset"
                    )));
                }
                match (c, next) {
                    ('\'', _) => {
                        state = Context::String;
                        string_start = sql.len();
                        // Postgres E'…' strings take backslash escapes too.
                        let escape_prefix = i >= 1
                            && matches!(chars[i - 1], 'E' | 'e')
                            && !(i >= 2 && (chars[i - 2].is_alphanumeric() || chars[i - 2] == '_'));
                        string_backslashes =
                            backslash_escapes || (dialect == Dialect::Postgres && escape_prefix);
                    }
                    ('"', _) => state = Context::QuotedIdentifier('"'),
                    ('`', _) if matches!(dialect, Dialect::Mysql | Dialect::Clickhouse) => {
                        state = Context::QuotedIdentifier('`')
                    }
                    ('-', Some('-')) => state = Context::LineComment,
                    ('#', _) if dialect == Dialect::Mysql => state = Context::LineComment,
                    ('/', Some('*')) => {
                        state = Context::BlockComment;
                        comment_depth = 1;
                        sql.push_str("/*");
                        i += 2;
                        continue;
                    }
                    ('$', _) if dialect == Dialect::Postgres => {
                        if let Some(tag) = dollar_tag_at(&chars, i) {
                            sql.push_str(&tag);
                            i += tag.chars().count();
                            dollar_tag = tag;
                            state = Context::DollarQuoted;
                            continue;
                        }
                    }
                    _ => {}
                }
                sql.push(c);
                i += 1;
            }
            Context::String => {
                if c == MARKER_OPEN {
                    // `'{{ value }}'` as the vendor's docs write it: the whole
                    // literal becomes the placeholder.
                    let (index, end) = read_marker(&chars, i)?;
                    let opened_here = sql.len() == string_start + 1;
                    let closes_next =
                        chars.get(end) == Some(&'\'') && chars.get(end + 1) != Some(&'\'');
                    if !(opened_here && closes_next) {
                        return Err(misplaced("a quoted string"));
                    }
                    let Output::Scalar(value) = take(index)? else {
                        return Err(misplaced("a quoted string"));
                    };
                    sql.truncate(string_start);
                    sql.push_str(&params.bind(value));
                    state = Context::Code;
                    i = end + 1;
                    continue;
                }
                if string_backslashes && c == '\\' {
                    if !copy_backslash_escape(&mut sql, next) {
                        return Err(misplaced("a quoted string"));
                    }
                    i += 2;
                    continue;
                }
                if c == '\'' {
                    if next == Some('\'') {
                        sql.push_str("''");
                        i += 2;
                        continue;
                    }
                    state = Context::Code;
                }
                sql.push(c);
                i += 1;
            }
            Context::QuotedIdentifier(quote) => {
                if c == MARKER_OPEN {
                    return Err(misplaced("a quoted identifier"));
                }
                if backslash_escapes && c == '\\' {
                    if !copy_backslash_escape(&mut sql, next) {
                        return Err(misplaced("a quoted identifier"));
                    }
                    i += 2;
                    continue;
                }
                if c == quote {
                    if next == Some(quote) {
                        sql.push(c);
                        sql.push(quote);
                        i += 2;
                        continue;
                    }
                    state = Context::Code;
                }
                sql.push(c);
                i += 1;
            }
            Context::LineComment => {
                if c == MARKER_OPEN {
                    return Err(misplaced("a comment"));
                }
                if c == '\n' {
                    state = Context::Code;
                }
                sql.push(c);
                i += 1;
            }
            Context::BlockComment => {
                if c == MARKER_OPEN {
                    return Err(misplaced("a comment"));
                }
                if c == '/' && next == Some('*') && dialect == Dialect::Postgres {
                    sql.push_str("/*");
                    comment_depth += 1;
                    i += 2;
                    continue;
                }
                if c == '*' && next == Some('/') {
                    sql.push_str("*/");
                    comment_depth -= 1;
                    if comment_depth == 0 {
                        state = Context::Code;
                    }
                    i += 2;
                    continue;
                }
                sql.push(c);
                i += 1;
            }
            Context::DollarQuoted => {
                if c == MARKER_OPEN {
                    return Err(misplaced("a dollar-quoted string"));
                }
                if c == '$' && dollar_tag_at(&chars, i).as_deref() == Some(dollar_tag.as_str()) {
                    sql.push_str(&dollar_tag);
                    i += dollar_tag.chars().count();
                    state = Context::Code;
                    continue;
                }
                sql.push(c);
                i += 1;
            }
        }
    }
    if next_index != outputs.len() {
        return Err(template_error(
            "an output was captured and never printed ({% set %} blocks cannot hold values)",
        ));
    }
    Ok(params.finish(sql))
}

/// A placeholder the template text itself holds at `chars[at]` that the bound
/// values would collide with: `$n` or `{pn:` numbered above `offset`, or any `?`.
fn own_placeholder(chars: &[char], at: usize, dialect: Dialect, offset: usize) -> Option<String> {
    let number_after = |start: usize| -> Option<(usize, usize)> {
        let digits: String = chars[start..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits.parse().ok().map(|n| (n, start + digits.len()))
    };
    match (dialect, chars[at]) {
        (Dialect::Postgres, '$') => {
            let (n, _) = number_after(at + 1)?;
            (n > offset).then(|| format!("${n}"))
        }
        (Dialect::Mysql | Dialect::Sqlite, '?') => Some("?".to_string()),
        (Dialect::Clickhouse, '{') if chars.get(at + 1) == Some(&'p') => {
            let (n, end) = number_after(at + 2)?;
            (n > offset && chars.get(end) == Some(&':')).then(|| format!("{{p{n}:"))
        }
        _ => None,
    }
}

/// Copies a backslash escape (`\` and the character after it); false if that
/// character opens a marker, which the escape would swallow.
fn copy_backslash_escape(sql: &mut String, escaped: Option<char>) -> bool {
    sql.push('\\');
    match escaped {
        Some(MARKER_OPEN) => false,
        Some(c) => {
            sql.push(c);
            true
        }
        None => true,
    }
}

/// The marker at `chars[at]`: its output index and the position after it.
fn read_marker(chars: &[char], at: usize) -> Result<(usize, usize)> {
    let digits: String = chars[at + 1..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let close = at + 1 + digits.len();
    match (digits.parse::<usize>(), chars.get(close)) {
        (Ok(index), Some(&MARKER_CLOSE)) => Ok((index, close + 1)),
        _ => Err(template_error(
            "an output marker was altered (a filter applied to a whole block?)",
        )),
    }
}

/// A Postgres dollar-quote tag (`$$` or `$name$`) starting at `chars[at]`.
fn dollar_tag_at(chars: &[char], at: usize) -> Option<String> {
    let mut tag = String::from("$");
    for (offset, &c) in chars[at + 1..].iter().enumerate() {
        match c {
            '$' => {
                tag.push('$');
                return Some(tag);
            }
            c if c.is_ascii_alphabetic() || c == '_' || (offset > 0 && c.is_ascii_digit()) => {
                tag.push(c)
            }
            _ => return None,
        }
    }
    None
}
