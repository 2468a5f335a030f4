//! Embeddable-style data models: SQL templates (minijinja) that read the
//! caller's security context, rendered so that no context value ever becomes
//! SQL text. Every `{{ … }}` output (and every single-brace
//! `{ COMPILE_CONTEXT.securityContext.x }`, as Embeddable's own models write
//! it) turns into a bound parameter, `list(…)` into a parenthesised list of
//! them, and `identifier(…)` into a checked, quoted identifier for the places
//! (schema-per-tenant tables) where a parameter cannot stand. Server build
//! only (`--features server`).
//!
//! The template language is a bounded subset of Jinja: a fixed set of
//! filters and tests whose results are size-checked, no repetition (`*`), no
//! list, tuple or dict literals, at most [`MAX_CONCATENATIONS`] `~` / `+`, and
//! no way to feed a grown value back into a name (`{% set %}` and `{% for %}`
//! bind only what they read), so no template can build a value larger than a
//! few megabytes however it loops.
//!
//! The engine cannot see the SQL around an output, so each output is written
//! as an indexed marker; sqlparser's tokenizer then reads the rendered text
//! in the dialect's rules, each marker in code becomes its placeholders, and
//! any that landed inside a quoted string, a quoted identifier or a comment,
//! where a placeholder would not bind, is refused.

use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::{Object, Serde, Value as JinjaValue, ValueKind};
use minijinja::{filters, tests, Environment, ErrorKind, State, UndefinedBehavior};
use serde::Deserialize;
use serde_json::Value;
use sqlparser::tokenizer::{Location, Token, Tokenizer, Whitespace};

use crate::error::{invalid_option, Error, ErrorCode, Result};
use crate::sql::params::{BoundSql, Dialect, Params};

/// Larger templates are refused before compiling: a data model is a query.
pub const MAX_TEMPLATE_BYTES: usize = 256 * 1024;
/// Rendered SQL above this is refused (loops over context lists can multiply text).
pub const MAX_RENDERED_BYTES: usize = 1024 * 1024;
/// Engine instructions per render: bounds loops the template author did not mean to be long.
const FUEL: u64 = 1_000_000;
/// The security context, as JSON: it came from a token or a session, not a data set.
pub const MAX_CONTEXT_BYTES: usize = 64 * 1024;
/// Bound values per render (Postgres allows 65,535 parameters in all).
pub const MAX_BOUND_VALUES: usize = 10_000;
/// The bound values' total size, as JSON.
pub const MAX_BOUND_BYTES: usize = 1024 * 1024;
/// Any one value a filter produces or receives.
const MAX_VALUE_BYTES: usize = 256 * 1024;
/// `~` and `+` operators in one template.
pub const MAX_CONCATENATIONS: usize = 64;
/// Identifier length (Postgres truncates at 63 bytes; others allow more).
const MAX_IDENTIFIER_BYTES: usize = 63;
/// Nesting of blocks and calls; minijinja caps it lower still without `stacker`.
const RECURSION_LIMIT: usize = 100;

/// Opens and closes an output marker; the index of the output sits between.
/// Both are control characters a template's own text may not contain.
const MARKER_OPEN: char = '\u{1}';
const MARKER_CLOSE: char = '\u{2}';

/// Options for [`render_data_model`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RenderOptions {
    pub dialect: Dialect,
    /// Parameters the surrounding query already binds; numbering starts after them.
    #[serde(default)]
    pub param_offset: usize,
    /// The only names `identifier(…)` may produce; any name of the strict
    /// grammar when absent.
    #[serde(default)]
    pub allowed_identifiers: Option<Vec<String>>,
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
    let context_bytes = serde_json::to_string(security_context)
        .map(|json| json.len())
        .unwrap_or(usize::MAX);
    if context_bytes > MAX_CONTEXT_BYTES {
        return Err(invalid_option(
            "securityContext",
            format!("is {context_bytes} bytes as JSON, over the {MAX_CONTEXT_BYTES}-byte limit"),
        ));
    }
    if let Some(allowed) = &options.allowed_identifiers {
        if let Some(bad) = allowed.iter().find(|name| !is_strict_identifier(name)) {
            return Err(invalid_option(
                "allowedIdentifiers",
                format!("\"{bad}\" is not an identifier (a letter or _, then letters, digits and _; at most {MAX_IDENTIFIER_BYTES} bytes)"),
            ));
        }
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
    let template = &bind_single_braces(template)?;
    check_growth(template)?;
    let outputs = Arc::new(Mutex::new(Outputs::default()));
    let env = environment(Arc::clone(&outputs));
    let globals = JinjaValue::from(Serde(serde_json::json!({
        "COMPILE_CONTEXT": { "securityContext": security_context },
        "securityContext": security_context,
    })));
    let mut rendered = BoundedWriter::default();
    let result = env
        .template_from_str(template)
        .and_then(|t| t.render_captured_to(globals, &mut rendered).map(|_| ()));
    if rendered.overflowed {
        return Err(template_error(format!(
            "the rendered SQL is over the {MAX_RENDERED_BYTES}-byte limit"
        )));
    }
    result.map_err(describe)?;
    let rendered = String::from_utf8(rendered.bytes)
        .map_err(|_| template_error("the rendered SQL is not UTF-8"))?;
    let outputs = std::mem::take(&mut outputs.lock().unwrap_or_else(PoisonError::into_inner).list);
    let bound = bind_markers(&rendered, outputs, options)?;
    // Belt and braces: whatever the template did, no placeholder of either
    // form may reach the SQL unbound.
    if bound.sql.contains("COMPILE_CONTEXT") || bound.sql.contains("{{") || bound.sql.contains("{%")
    {
        return Err(template_error(
            "the rendered SQL still holds a template placeholder ({{ … }}, {% … %} or COMPILE_CONTEXT); it was not bound",
        ));
    }
    Ok(bound)
}

/// Collects rendered SQL up to [`MAX_RENDERED_BYTES`], then fails the render.
#[derive(Default)]
struct BoundedWriter {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for BoundedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_RENDERED_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("rendered SQL too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The strict identifier grammar of `identifier(…)` and `allowedIdentifiers`.
fn is_strict_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= MAX_IDENTIFIER_BYTES
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Rewrites Embeddable's single-brace placeholders, `{ COMPILE_CONTEXT.x }`
/// or `{ securityContext.x }`, as `{{ … }}` outputs so they are bound like
/// any other. Other single braces (JSON or array literals, ClickHouse maps)
/// are SQL and stay; one that mentions the context but is not a placeholder
/// is refused rather than left in the SQL.
fn bind_single_braces(template: &str) -> Result<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        // Template syntax: copy the whole tag so its inside is left alone.
        let closer = match after.chars().next() {
            Some('{') => Some("}}"),
            Some('%') => Some("%}"),
            Some('#') => Some("#}"),
            _ => None,
        };
        if let Some(closer) = closer {
            let end = after[1..]
                .find(closer)
                .map_or(after.len(), |at| at + 1 + closer.len());
            out.push('{');
            out.push_str(&after[..end]);
            rest = &after[end..];
            continue;
        }
        let Some(close) = after
            .find(['{', '}'])
            .filter(|&at| after.as_bytes()[at] == b'}')
        else {
            out.push('{');
            rest = after;
            continue;
        };
        let inner = &after[..close];
        let expression = inner.trim();
        let root = expression
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or_default();
        if matches!(root, "COMPILE_CONTEXT" | "securityContext") && expression.len() > root.len() {
            out.push_str("{{ ");
            out.push_str(expression);
            out.push_str(" }}");
        } else if inner.contains("COMPILE_CONTEXT") || inner.contains("securityContext") {
            return Err(template_error(format!(
                "\"{{{inner}}}\" mentions the security context but is not a placeholder; write {{ COMPILE_CONTEXT.securityContext.name }}"
            )));
        } else {
            out.push('{');
            out.push_str(inner);
            out.push('}');
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Refuses the template constructs that could build an unbounded value (see
/// the module notes); everything else about a template is the engine's to judge.
fn check_growth(template: &str) -> Result<()> {
    let mut concatenations = 0usize;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let (closer, statement) = match after.chars().next() {
            Some('{') => ("}}", false),
            Some('%') => ("%}", true),
            Some('#') => {
                rest = after.find("#}").map_or("", |at| &after[at + 2..]);
                continue;
            }
            _ => {
                rest = after;
                continue;
            }
        };
        let Some(end) = after[1..].find(closer) else {
            // Unclosed: the engine reports the syntax error with its line.
            return Ok(());
        };
        let inner = blank_strings(after[1..1 + end].trim_matches(['-', '+', '~']));
        rest = &after[1 + end + closer.len()..];
        let keyword = inner.split_whitespace().next().unwrap_or_default();
        if statement && keyword == "raw" {
            rest = rest.find("endraw").map_or("", |at| &rest[at..]);
            continue;
        }
        if inner.replace("**", "").contains('*') {
            return Err(template_error(
                "repetition with * is not supported in data models",
            ));
        }
        if inner.contains(['[', '{', '}']) {
            return Err(template_error(
                "list, dict and subscript syntax ([ ], { }) is not supported in data models; read values by name",
            ));
        }
        if has_tuple(&inner, !statement) {
            return Err(template_error("tuples are not supported in data models"));
        }
        let joins = inner.matches(['~', '+']).count();
        concatenations += joins;
        if concatenations > MAX_CONCATENATIONS {
            return Err(template_error(format!(
                "more than {MAX_CONCATENATIONS} ~ or + operators in one template"
            )));
        }
        if statement {
            let words: Vec<&str> = inner.split_whitespace().collect();
            match keyword {
                "set" if !inner.contains('=') => {
                    return Err(template_error(
                        "{% set %} blocks that capture text are not supported; write {% set name = value %}",
                    ))
                }
                "set" | "for" if joins > 0 => {
                    return Err(template_error(format!(
                        "{{% {keyword} %}} cannot build values with ~ or +; build them where they are printed"
                    )))
                }
                "for" if words.contains(&"recursive") => {
                    return Err(template_error("recursive loops are not supported in data models"))
                }
                "with" => {
                    return Err(template_error("{% with %} blocks are not supported in data models"))
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// `text` with the contents of its string literals replaced by spaces, so
/// operators inside quotes are not counted.
fn blank_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                    out.push(' ');
                } else if c == '\\' {
                    escaped = true;
                    out.push(' ');
                } else if c == q {
                    quote = None;
                    out.push(c);
                } else {
                    out.push(' ');
                }
            }
            None => {
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// A comma inside parentheses that are not a call's (`(a, b)`), or at the top
/// of an expression (`{{ a, b }}`): both build a tuple.
fn has_tuple(inner: &str, expression: bool) -> bool {
    let mut calls = Vec::new();
    let mut previous = ' ';
    for c in inner.chars() {
        match c {
            '(' => calls.push(previous.is_ascii_alphanumeric() || previous == '_'),
            ')' => {
                calls.pop();
            }
            ',' if calls.last() == Some(&false) || (expression && calls.is_empty()) => return true,
            _ => {}
        }
        if !c.is_whitespace() {
            previous = c;
        }
    }
    false
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
    /// `identifier(…)`: a name checked against the strict grammar.
    Identifier(String),
}

/// The outputs of one render, and what they bind so far.
#[derive(Default)]
struct Outputs {
    list: Vec<Output>,
    bound_values: usize,
    bound_bytes: usize,
}

impl Outputs {
    /// Records an output, failing the render once the values it binds pass
    /// [`MAX_BOUND_VALUES`] or [`MAX_BOUND_BYTES`].
    fn push(&mut self, output: Output) -> std::result::Result<usize, minijinja::Error> {
        let values: &[Value] = match &output {
            Output::Scalar(value) => std::slice::from_ref(value),
            Output::List(items) => items,
            Output::Identifier(_) => &[],
        };
        self.bound_values += values.len();
        self.bound_bytes += values.iter().map(json_size).sum::<usize>();
        if self.bound_values > MAX_BOUND_VALUES || self.bound_bytes > MAX_BOUND_BYTES {
            return Err(minijinja::Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "the bound values pass the limit of {MAX_BOUND_VALUES} values or {MAX_BOUND_BYTES} bytes"
                ),
            ));
        }
        self.list.push(output);
        Ok(self.list.len() - 1)
    }
}

fn json_size(value: &Value) -> usize {
    serde_json::to_string(value).map_or(usize::MAX / 2, |json| json.len())
}

/// `list(…)`'s result: items the formatter binds one by one.
#[derive(Debug)]
struct BoundList(Vec<Value>);

impl Object for BoundList {}

/// `identifier(…)`'s result.
#[derive(Debug)]
struct Identifier(String);

impl Object for Identifier {}

fn too_large() -> minijinja::Error {
    minijinja::Error::new(
        ErrorKind::InvalidOperation,
        format!("a value passes the {MAX_VALUE_BYTES}-byte limit for data-model values"),
    )
}

/// A value's size, roughly as text, counted only up to `MAX_VALUE_BYTES`
/// (shared structure is not walked past the limit).
fn within_size(value: &JinjaValue) -> bool {
    fn walk(value: &JinjaValue, budget: &mut usize, depth: usize) -> bool {
        let own = match value.kind() {
            ValueKind::String => value.as_str().map_or(0, str::len) + 2,
            ValueKind::Seq | ValueKind::Map | ValueKind::Iterable => 2,
            _ => 8,
        };
        if own > *budget || depth > 64 {
            return false;
        }
        *budget -= own;
        if matches!(value.kind(), ValueKind::Seq | ValueKind::Map) {
            let Ok(items) = value.try_iter() else {
                return true;
            };
            for item in items {
                if !walk(&item, budget, depth + 1) {
                    return false;
                }
                if value.kind() == ValueKind::Map {
                    match value.get_item(&item) {
                        Ok(member) if walk(&member, budget, depth + 1) => {}
                        Ok(_) => return false,
                        Err(_) => {}
                    }
                }
            }
        }
        true
    }
    let mut budget = MAX_VALUE_BYTES;
    walk(value, &mut budget, 0)
}

fn checked(value: JinjaValue) -> std::result::Result<JinjaValue, minijinja::Error> {
    if within_size(&value) {
        Ok(value)
    } else {
        Err(too_large())
    }
}

/// The engine with only what a data model needs: filters that cannot grow a
/// value past [`MAX_VALUE_BYTES`], the common tests, `range`, `list` and
/// `identifier`.
fn environment(outputs: Arc<Mutex<Outputs>>) -> Environment<'static> {
    let mut env = Environment::empty();
    // Missing context keys fail when printed, but `{% if x.regions %}` may
    // test for one, as the vendor's own examples do.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    env.add_filter("upper", filters::upper);
    env.add_filter("lower", filters::lower);
    env.add_filter("trim", filters::trim);
    env.add_filter("safe", filters::safe);
    env.add_filter("length", filters::length);
    env.add_filter("count", filters::length);
    env.add_filter("default", filters::default);
    env.add_filter("d", filters::default);
    env.add_filter("int", filters::int);
    env.add_filter("float", filters::float);
    env.add_filter("abs", filters::abs);
    env.add_filter("round", filters::round);
    env.add_filter("bool", filters::bool);
    env.add_filter("first", filters::first);
    env.add_filter("last", filters::last);
    env.add_filter("min", filters::min);
    env.add_filter("max", filters::max);
    env.add_filter("sort", filters::sort);
    env.add_filter("reverse", filters::reverse);
    env.add_filter("unique", filters::unique);
    env.add_filter("items", filters::items);
    env.add_filter("dictsort", filters::dictsort);
    // These can make a value larger than their input: their input is checked first.
    env.add_filter("string", |state: &State, value: JinjaValue| {
        checked(value.clone())?;
        checked(filters::string(state, &value)?)
    });
    env.add_filter("list", |state: &State, value: JinjaValue| {
        checked(value.clone())?;
        checked(filters::list(state, value)?)
    });
    env.add_filter("lines", |value: JinjaValue| {
        checked(value.clone())?;
        checked(filters::lines(&value)?)
    });
    env.add_filter(
        "split",
        |value: JinjaValue, on: Option<String>, max: Option<i64>| {
            checked(value.clone())?;
            let text = value.as_str().ok_or_else(|| {
                minijinja::Error::new(ErrorKind::InvalidOperation, "split() takes a string")
            })?;
            let parts: Vec<JinjaValue> = match (&on, max) {
                (Some(on), Some(max)) if max >= 0 => text
                    .splitn(max as usize + 1, on.as_str())
                    .map(JinjaValue::from)
                    .collect(),
                (Some(on), _) => text.split(on.as_str()).map(JinjaValue::from).collect(),
                (None, _) => text.split_whitespace().map(JinjaValue::from).collect(),
            };
            checked(JinjaValue::from(parts))
        },
    );
    for (name, test) in [
        ("defined", tests::is_defined as fn(&JinjaValue) -> bool),
        ("undefined", tests::is_undefined),
        ("none", tests::is_none),
        ("number", tests::is_number),
        ("integer", tests::is_integer),
        ("float", tests::is_float),
        ("string", tests::is_string),
        ("boolean", tests::is_boolean),
        ("sequence", tests::is_sequence),
        ("mapping", tests::is_mapping),
        ("true", tests::is_true),
        ("false", tests::is_false),
    ] {
        env.add_test(name, test);
    }
    for (name, test) in [
        ("eq", tests::is_eq as fn(&JinjaValue, &JinjaValue) -> bool),
        ("equalto", tests::is_eq),
        ("==", tests::is_eq),
        ("ne", tests::is_ne),
        ("!=", tests::is_ne),
        ("lt", tests::is_lt),
        ("<", tests::is_lt),
        ("le", tests::is_le),
        ("<=", tests::is_le),
        ("gt", tests::is_gt),
        (">", tests::is_gt),
        ("ge", tests::is_ge),
        (">=", tests::is_ge),
    ] {
        env.add_test(name, test);
    }
    env.add_test("in", tests::is_in);
    env.add_function("range", minijinja::functions::range);
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
    env.add_function(
        "identifier",
        |name: JinjaValue| -> std::result::Result<JinjaValue, minijinja::Error> {
            match name.as_str() {
                Some(text) if is_strict_identifier(text) => {
                    Ok(JinjaValue::from_object(Identifier(text.to_string())))
                }
                _ => Err(minijinja::Error::new(
                    ErrorKind::InvalidOperation,
                    format!(
                        "identifier() takes a name of letters, digits and _ (not starting with a digit, at most {MAX_IDENTIFIER_BYTES} bytes)"
                    ),
                )),
            }
        },
    );
    env.set_formatter(move |out, _state, value| {
        let output = if let Some(list) = value.downcast_object_ref::<BoundList>() {
            Output::List(list.0.clone())
        } else if let Some(identifier) = value.downcast_object_ref::<Identifier>() {
            Output::Identifier(identifier.0.clone())
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
        let index = outputs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(output)?;
        out.write_str(&format!("{MARKER_OPEN}{index}{MARKER_CLOSE}"))
            .map_err(|_| minijinja::Error::new(ErrorKind::WriteFailure, "output failed"))
    });
    env
}

/// A template value as JSON, keeping integers exact. NaN and infinities have
/// no JSON form (serde would make them null), so they are not values.
fn to_json(value: &JinjaValue) -> Option<Value> {
    if value.is_undefined() || !within_size(value) {
        return None;
    }
    match serde_json::to_value(value).ok()? {
        Value::Null if value.kind() == ValueKind::Number => None,
        json => Some(json),
    }
}

/// Replaces each marker with its placeholder(s), in text order, and refuses
/// markers where a placeholder would be literal text. sqlparser's tokenizer,
/// with the dialect's rules, says where each marker landed: in code it is a
/// `Char(U+0001)` token of its own; inside a string, a quoted name or a
/// comment it is part of that token's text.
fn bind_markers(rendered: &str, outputs: Vec<Output>, options: &RenderOptions) -> Result<BoundSql> {
    let dialect = options.dialect;
    let tokens = tokens_with_ranges(rendered, dialect)?;
    check_comment_starts(rendered, &tokens, dialect)?;
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
    let misplaced = |what: &str| {
        template_error(format!(
            "a {{{{ … }}}} value inside {what} cannot be bound; write {{{{ value }}}} where the SQL value goes, without quotes"
        ))
    };
    let mut sql = String::with_capacity(rendered.len());
    let mut tokens = tokens.into_iter();
    while let Some((token, range)) = tokens.next() {
        let text = &rendered[range.clone()];
        if token == Token::Char(MARKER_OPEN) {
            let (index, end) = read_marker(rendered, range.start)?;
            // The index and the closing character are tokens of their own.
            let mut covered = range.end;
            while covered < end {
                covered = tokens.next().map_or(usize::MAX, |(_, next)| next.end);
            }
            if covered != end {
                return Err(marker_altered());
            }
            let output = take(index)?;
            let placeholder =
                placeholder_for(output, &sql, &rendered[end..], options, &mut params)?;
            sql.push_str(&placeholder);
            continue;
        }
        if text.contains(MARKER_OPEN) {
            // `'{{ value }}'` as the vendor's docs write it: the whole literal
            // becomes the placeholder.
            if matches!(token, Token::SingleQuotedString(_)) && is_one_quoted_marker(text) {
                let (index, _) = read_marker(text, 1)?;
                let Output::Scalar(value) = take(index)? else {
                    return Err(misplaced("a quoted string"));
                };
                sql.push_str(&params.bind(value));
                continue;
            }
            return Err(misplaced(enclosing(&token)));
        }
        if dialect == Dialect::Clickhouse && is_quoted_name(&token) && text.contains('\\') {
            // ClickHouse reads backslash escapes in quoted names; the tokenizer
            // does not, so the two could disagree on where the name ends.
            return Err(template_error(format!(
                "the quoted name {text} holds a backslash, which ClickHouse reads as an escape; rename it or use an alias"
            )));
        }
        if let Some(own) = own_placeholder(&rendered[range.start..], dialect, options.param_offset)
        {
            return Err(template_error(format!(
                "the template writes its own placeholder \"{own}\", which would collide with the bound values; \
                 number the host query's own parameters below paramOffset"
            )));
        }
        sql.push_str(text);
    }
    if next_index != outputs.len() {
        return Err(template_error(
            "an output was captured and never printed ({% set %} blocks cannot hold values)",
        ));
    }
    Ok(params.finish(sql))
}

/// The SQL that stands for one output in code: a bound parameter, a list of
/// them, or a checked and quoted name.
fn placeholder_for(
    output: Output,
    before: &str,
    after: &str,
    options: &RenderOptions,
    params: &mut Params,
) -> Result<String> {
    match output {
        Output::Identifier(name) => {
            if before.chars().next_back().is_some_and(is_name_char)
                || after.chars().next().is_some_and(is_name_char)
            {
                return Err(template_error(format!(
                    "identifier(\"{name}\") is glued to other name characters; an identifier must stand alone (a whole name, or one part of a dotted name)"
                )));
            }
            if let Some(allowed) = &options.allowed_identifiers {
                if !allowed.iter().any(|a| a == &name) {
                    return Err(template_error(format!(
                        "identifier(\"{name}\") is not in allowedIdentifiers"
                    ))
                    .with_claim("allowedIdentifiers"));
                }
            }
            Ok(quote_identifier(options.dialect, &name))
        }
        _ if identifier_position(before, after).is_some() => {
            let why = identifier_position(before, after).unwrap_or_default();
            Err(template_error(format!(
                "a value {why} stands where SQL expects a name, and a bound parameter cannot be one; \
                 write {{{{ identifier(COMPILE_CONTEXT.securityContext.name) }}}} there (checked and quoted), or restructure the model"
            )))
        }
        Output::Scalar(value) => Ok(params.bind(value)),
        Output::List(items) if items.is_empty() => Ok("(NULL)".to_string()),
        Output::List(items) => {
            let list: Vec<String> = items.into_iter().map(|v| params.bind(v)).collect();
            Ok(format!("({})", list.join(", ")))
        }
    }
}

/// `sql` as sqlparser's tokenizer reads it in `dialect`, each token with the
/// byte range of its text. Raw token text (no unescaping) keeps every byte
/// the template wrote.
fn tokens_with_ranges(sql: &str, dialect: Dialect) -> Result<Vec<(Token, Range<usize>)>> {
    let sql_dialect = crate::sql::expression::sql_dialect(dialect);
    let tokens = Tokenizer::new(&*sql_dialect, sql)
        .with_unescape(false)
        .tokenize_with_location()
        .map_err(|e| template_error(format!("the rendered SQL does not tokenize: {e}")))?;
    let mut cursor = Cursor {
        chars: sql.chars(),
        at: 0,
        line: 1,
        column: 1,
    };
    let mut ranges = Vec::with_capacity(tokens.len());
    let mut end = 0usize;
    for token in tokens {
        // Tokens tile the text, except where the tokenizer replaced a MySQL
        // `/*! … */` by the tokens inside it (with positions of its own):
        // MySQL runs that text, and it cannot be mapped back, so it is refused.
        let start = end;
        if cursor.seek(token.span.start) != Some(start) {
            return Err(untiled(dialect));
        }
        end = cursor
            .seek(token.span.end)
            .ok_or_else(|| untiled(dialect))?;
        ranges.push((token.token, start..end));
    }
    if end != sql.len() {
        return Err(untiled(dialect));
    }
    Ok(ranges)
}

fn untiled(dialect: Dialect) -> Error {
    template_error(if dialect == Dialect::Mysql {
        "MySQL executable comments (/*! … */) are not supported in data models"
    } else {
        "the SQL tokenizer's positions do not cover the rendered SQL"
    })
}

/// Walks the text the way the tokenizer counts positions (lines from 1,
/// columns in characters from 1) to turn its locations into byte offsets.
struct Cursor<'a> {
    chars: std::str::Chars<'a>,
    at: usize,
    line: u64,
    column: u64,
}

impl Cursor<'_> {
    /// The byte offset of `to`, if it lies at or after the cursor.
    fn seek(&mut self, to: Location) -> Option<usize> {
        while (self.line, self.column) < (to.line, to.column) {
            let c = self.chars.next()?;
            self.at += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        ((self.line, self.column) == (to.line, to.column)).then_some(self.at)
    }
}

/// Refuses text the server would read as the start of a comment where the
/// tokenizer reads code: sqlparser takes `--` and `/*` into a Postgres
/// operator (`<>--`, which PostgreSQL's lexer never does) and knows none of
/// ClickHouse's `#` and `//` line comments
/// (https://clickhouse.com/docs/reference/syntax, "Comments"). A value placed
/// there would be commented out, so such text must sit in a comment or string.
fn check_comment_starts(
    sql: &str,
    tokens: &[(Token, Range<usize>)],
    dialect: Dialect,
) -> Result<()> {
    let openers: &[&str] = match dialect {
        Dialect::Clickhouse => &["--", "/*", "#", "//"],
        Dialect::Mysql => &["--", "/*", "#"],
        Dialect::Postgres | Dialect::Sqlite => &["--", "/*"],
    };
    for opener in openers {
        for (at, _) in sql.match_indices(opener) {
            let holder = tokens.partition_point(|(_, range)| range.end <= at);
            if tokens.get(holder).is_some_and(|(token, _)| is_code(token)) {
                return Err(template_error(format!(
                    "\"{opener}\" stands in code where the database may read it as the start of a comment; \
                     put a space before a comment and keep {opener} out of operators"
                )));
            }
        }
    }
    Ok(())
}

/// Everything but strings, quoted names and comments.
fn is_code(token: &Token) -> bool {
    !(matches!(
        token,
        Token::Whitespace(Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_))
    ) || is_quoted_name(token)
        || is_string(token))
}

fn is_string(token: &Token) -> bool {
    matches!(
        token,
        Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::TripleSingleQuotedString(_)
            | Token::TripleDoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::DoubleQuotedByteStringLiteral(_)
            | Token::TripleSingleQuotedByteStringLiteral(_)
            | Token::TripleDoubleQuotedByteStringLiteral(_)
            | Token::SingleQuotedRawStringLiteral(_)
            | Token::DoubleQuotedRawStringLiteral(_)
            | Token::TripleSingleQuotedRawStringLiteral(_)
            | Token::TripleDoubleQuotedRawStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::QuoteDelimitedStringLiteral(_)
            | Token::NationalQuoteDelimitedStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_)
    )
}

/// What a token that holds a marker in its text is, for the refusal.
fn enclosing(token: &Token) -> &'static str {
    match token {
        Token::Whitespace(_) => "a comment",
        Token::DollarQuotedString(_) => "a dollar-quoted string",
        Token::Word(_) => "a quoted identifier",
        _ => "a quoted string",
    }
}

fn is_quoted_name(token: &Token) -> bool {
    matches!(token, Token::Word(word) if word.quote_style.is_some())
}

/// `'` + one marker + `'`, nothing else.
fn is_one_quoted_marker(text: &str) -> bool {
    text.strip_prefix('\'')
        .and_then(|inner| inner.strip_suffix('\''))
        .and_then(|inner| inner.strip_prefix(MARKER_OPEN))
        .and_then(|inner| inner.strip_suffix(MARKER_CLOSE))
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Why the SQL around a value makes it a name rather than a value (after a
/// dot, before a dot, glued to a name, or after `FROM` / `JOIN` / …), if it does.
fn identifier_position(before: &str, after: &str) -> Option<String> {
    const NAME_KEYWORDS: [&str; 8] = [
        "FROM", "JOIN", "INTO", "UPDATE", "TABLE", "SCHEMA", "USING", "AS",
    ];
    if before.chars().next_back().is_some_and(is_name_char) {
        return Some("glued to the name before it".into());
    }
    if after.chars().next().is_some_and(is_name_char) {
        return Some("glued to the name after it".into());
    }
    let trimmed = before.trim_end();
    if trimmed.ends_with('.') {
        return Some("after a dot".into());
    }
    if after.chars().find(|c| !c.is_whitespace()) == Some('.') {
        return Some("before a dot".into());
    }
    let word: String = trimmed
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let word = word.to_ascii_uppercase();
    NAME_KEYWORDS
        .contains(&word.as_str())
        .then(|| format!("after {word}"))
}

/// A strict-grammar name quoted for `dialect`. SQLite reads an unknown
/// double-quoted name as a string literal, so it gets backticks there.
fn quote_identifier(dialect: Dialect, name: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("\"{name}\""),
        Dialect::Mysql | Dialect::Clickhouse | Dialect::Sqlite => format!("`{name}`"),
    }
}

/// A placeholder the template text itself holds at the start of `text` that
/// the bound values would collide with: `$n` or `{pn:` numbered above
/// `offset`, or any `?`.
fn own_placeholder(text: &str, dialect: Dialect, offset: usize) -> Option<String> {
    let number_after = |start: &str| -> Option<(usize, usize)> {
        let digits = start.bytes().take_while(u8::is_ascii_digit).count();
        start[..digits].parse().ok().map(|n| (n, digits))
    };
    match dialect {
        Dialect::Postgres => {
            let (n, _) = number_after(text.strip_prefix('$')?)?;
            (n > offset).then(|| format!("${n}"))
        }
        Dialect::Mysql | Dialect::Sqlite => text.starts_with('?').then(|| "?".to_string()),
        Dialect::Clickhouse => {
            let rest = text.strip_prefix("{p")?;
            let (n, digits) = number_after(rest)?;
            (n > offset && rest[digits..].starts_with(':')).then(|| format!("{{p{n}:"))
        }
    }
}

fn marker_altered() -> Error {
    template_error("an output marker was altered (a filter applied to a whole block?)")
}

/// The marker at byte `at` of `text`: its output index and the byte after it.
fn read_marker(text: &str, at: usize) -> Result<(usize, usize)> {
    let rest = text
        .get(at..)
        .and_then(|rest| rest.strip_prefix(MARKER_OPEN))
        .ok_or_else(marker_altered)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let close = at + MARKER_OPEN.len_utf8() + digits;
    match (
        rest[..digits].parse::<usize>(),
        text[close..].chars().next(),
    ) {
        (Ok(index), Some(MARKER_CLOSE)) => Ok((index, close + MARKER_CLOSE.len_utf8())),
        _ => Err(marker_altered()),
    }
}
