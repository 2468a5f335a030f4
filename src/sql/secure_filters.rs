//! Vizzly secure filters: what one is (`parse_secure_filters`), and the SQL
//! condition it compiles to for a server that queries its own database. Per data set Vizzly's filters are `Filter[]`
//! (any one matches) or `Filter[][]` (any group matches, every filter of a
//! group matches): https://docs.vizzly.co/identity/properties/secure-filters.
//! The SQL says exactly that, with explicit parentheses. Values never enter
//! the SQL text: they become bound parameters in the dialect's placeholder
//! syntax. Field names do enter it, so they are held to a strict identifier
//! pattern and quoted as well.

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::error::{invalid_option, Result};
use crate::sql::params::{BoundSql, Dialect, Params};

pub use scopemint_decode::FilterOp;

/// What a filter's `value` must be for its operator.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    /// A string, number or boolean (`=`, `!=`, `array_contains`).
    Scalar,
    /// A number or an ISO-8601 date string (Vizzly: number and date fields).
    Ordered,
    /// A list of strings, numbers or booleans.
    List,
    /// A string (text fields).
    Text,
}

fn value_kind(op: FilterOp) -> ValueKind {
    match op {
        FilterOp::Eq | FilterOp::Ne | FilterOp::ArrayContains => ValueKind::Scalar,
        FilterOp::Gt | FilterOp::Lt | FilterOp::Ge | FilterOp::Le => ValueKind::Ordered,
        FilterOp::IsOneOf | FilterOp::IsNotOneOf => ValueKind::List,
        FilterOp::StartsWith
        | FilterOp::EndsWith
        | FilterOp::ContainsSubstring
        | FilterOp::DoesNotContainSubstring => ValueKind::Text,
    }
}

fn serialize_op<S: Serializer>(
    op: &FilterOp,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(op.as_str())
}

/// One checked `{field, op, value}` filter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecureFilter {
    pub field: String,
    #[serde(serialize_with = "serialize_op")]
    pub op: FilterOp,
    pub value: Value,
}

/// A data set's secure filters in Vizzly's reading: any one group matches
/// (OR), and within a group every filter matches (AND). An empty list has no
/// filter. `Filter[]` is read as one-filter groups; `Filter[][]` as given.
pub type FilterGroups = Vec<Vec<SecureFilter>>;

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// Checks one `{field, op, value}` filter; `path` names it in errors.
pub fn parse_filter(value: &Value, path: &str) -> Result<SecureFilter> {
    let Value::Object(members) = value else {
        return Err(invalid_option(path, "must be a {field, op, value} filter"));
    };
    if let Some(extra) = members
        .keys()
        .find(|k| !matches!(k.as_str(), "field" | "op" | "value"))
    {
        return Err(invalid_option(
            &format!("{path}.{extra}"),
            "is not a filter member (field, op, value)",
        ));
    }
    let field = match members.get("field") {
        Some(Value::String(f)) if !f.trim().is_empty() => f.clone(),
        _ => {
            return Err(invalid_option(
                &format!("{path}.field"),
                "must be a non-empty string",
            ))
        }
    };
    let op = match members.get("op") {
        Some(Value::String(text)) => FilterOp::parse(text).ok_or_else(|| {
            invalid_option(
                &format!("{path}.op"),
                format!(
                    "unknown operator \"{text}\" (known: {})",
                    FilterOp::ALL.map(FilterOp::as_str).join(", ")
                ),
            )
        })?,
        _ => {
            return Err(invalid_option(
                &format!("{path}.op"),
                "must be an operator string",
            ))
        }
    };
    let value_path = format!("{path}.value");
    let value = match members.get("value") {
        // JSON has no undefined or NaN; a serialiser that turned one into
        // null must not produce an `IS NULL` filter that selects tenant-less rows.
        None | Some(Value::Null) => {
            return Err(invalid_option(
                &value_path,
                format!(
                    "is required and cannot be null (\"{}\" needs a value)",
                    op.as_str()
                ),
            ))
        }
        Some(v) => v.clone(),
    };
    let name = op.as_str();
    let fits = match value_kind(op) {
        ValueKind::Scalar => is_scalar(&value),
        ValueKind::Ordered => match &value {
            Value::Number(_) => true,
            Value::String(s) => crate::jwt::time::parse_iso8601(s).is_some(),
            _ => false,
        },
        ValueKind::List => matches!(&value, Value::Array(items) if items.iter().all(is_scalar)),
        ValueKind::Text => value.is_string(),
    };
    if !fits {
        let wants = match value_kind(op) {
            ValueKind::Scalar => "a single string, number or boolean",
            ValueKind::Ordered => "a number or an ISO-8601 date string",
            ValueKind::List => "a list of strings, numbers or booleans (no null)",
            ValueKind::Text => "a string",
        };
        return Err(invalid_option(
            &value_path,
            format!("\"{name}\" takes {wants}"),
        ));
    }
    Ok(SecureFilter { field, op, value })
}

/// Parses one data set's `secureFilters` value: `Filter[]` (OR) or
/// `Filter[][]` (OR of AND-groups), as
/// https://docs.vizzly.co/identity/properties/secure-filters defines them.
pub fn parse_secure_filters(value: &Value, path: &str) -> Result<FilterGroups> {
    const SHAPE: &str = "must be a list of {field, op, value} filters (any one matches) \
                         or a list of lists of filters (all in a list match; any list matches)";
    let Value::Array(items) = value else {
        return Err(invalid_option(path, SHAPE));
    };
    if items.iter().all(Value::is_object) {
        return items
            .iter()
            .enumerate()
            .map(|(i, item)| Ok(vec![parse_filter(item, &format!("{path}[{i}]"))?]))
            .collect();
    }
    if !items.iter().all(Value::is_array) {
        return Err(invalid_option(
            path,
            format!("{SHAPE}; a list mixing filters and lists is neither"),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, group)| {
            let group = group.as_array().map(Vec::as_slice).unwrap_or_default();
            if group.is_empty() {
                // An empty AND-group is true, so it would unlock every row of
                // the OR it sits in; say "no filter" with an empty outer list.
                return Err(invalid_option(
                    &format!("{path}[{i}]"),
                    "is an empty group, which would match every row; use [] for no filter",
                ));
            }
            group
                .iter()
                .enumerate()
                .map(|(j, f)| parse_filter(f, &format!("{path}[{i}][{j}]")))
                .collect()
        })
        .collect()
}

/// Options for [`compile_secure_filters`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompileOptions {
    pub dialect: Dialect,
    /// Parameters the surrounding query already binds: Postgres placeholders
    /// start at `$(paramOffset + 1)` and ClickHouse names at
    /// `p(paramOffset + 1)`. Default 0. Ignored by `?` dialects.
    #[serde(default)]
    pub param_offset: usize,
}

/// Compiles one data set's filters, given as JSON (`Filter[]` or
/// `Filter[][]`), with JSON options `{ dialect, paramOffset? }`. An empty list
/// is no filter: `1 = 1`.
pub fn compile_secure_filters(filters_json: &str, options_json: &str) -> Result<BoundSql> {
    let options: CompileOptions = crate::options::from_json(options_json, "options")?;
    let filters: Value = serde_json::from_str(filters_json)
        .map_err(|e| invalid_option("filters", format!("must be JSON ({e})")))?;
    let groups = parse_secure_filters(&filters, "filters")?;
    compile_filters_from(&groups, options.dialect, options.param_offset)
}

/// Compiles already-parsed filter groups (e.g. `Grant::secure_filters`).
pub fn compile_filters(groups: &[Vec<SecureFilter>], dialect: Dialect) -> Result<BoundSql> {
    compile_filters_from(groups, dialect, 0)
}

/// [`compile_filters`] with placeholders numbered after `param_offset` existing ones.
/// Groups are ORed, filters within a group ANDed; each group is
/// parenthesised, and the whole is when there is more than one group, so the
/// result can be ANDed into any WHERE clause as it is.
pub fn compile_filters_from(
    groups: &[Vec<SecureFilter>],
    dialect: Dialect,
    param_offset: usize,
) -> Result<BoundSql> {
    let mut out = Builder {
        params: Params::new(dialect, param_offset)?,
    };
    let mut compiled = Vec::with_capacity(groups.len());
    for (i, group) in groups.iter().enumerate() {
        if group.is_empty() {
            return Err(invalid_option(
                &format!("filters[{i}]"),
                "is an empty group, which would match every row",
            ));
        }
        let mut conditions = Vec::with_capacity(group.len());
        for (j, filter) in group.iter().enumerate() {
            conditions.push(out.condition(filter, &format!("filters[{i}][{j}]"))?);
        }
        compiled.push(format!("({})", conditions.join(" AND ")));
    }
    let sql = match compiled.len() {
        0 => "1 = 1".to_string(),
        1 => compiled.remove(0),
        _ => format!("({})", compiled.join(" OR ")),
    };
    Ok(out.params.finish(sql))
}

/// `name` or `table.name`, ASCII identifier characters only, so that quoting
/// can never be escaped from and no dialect needs its own escaping rules.
fn is_field_name(field: &str) -> bool {
    fn part(p: &str) -> bool {
        let mut chars = p.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    }
    match field.split_once('.') {
        Some((table, column)) => part(table) && part(column),
        None => part(field),
    }
}

/// Escapes LIKE's metacharacters (and the escape character itself) so the
/// value matches literally.
fn escape_like(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

struct Builder {
    params: Params,
}

impl Builder {
    fn quote(&self, field: &str) -> String {
        // SQLite reads an unknown "double-quoted" name as a string literal
        // (so `"tenant_id" <> ?` on a table without that column would match
        // every row); a backquoted name is only ever an identifier there.
        let q = match self.params.dialect() {
            Dialect::Postgres => '"',
            Dialect::Sqlite | Dialect::Mysql | Dialect::Clickhouse => '`',
        };
        field
            .split('.')
            .map(|part| format!("{q}{part}{q}"))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The explicit escape clause for LIKE. ClickHouse before 26.6 has no
    /// ESCAPE syntax, and its LIKE already treats `\` as the escape; MySQL
    /// string literals treat `\` as an escape, hence the doubled backslash
    /// (under NO_BACKSLASH_ESCAPES that literal is two characters and MySQL
    /// rejects the query: it fails closed).
    fn escape_clause(&self) -> &'static str {
        match self.params.dialect() {
            Dialect::Postgres | Dialect::Sqlite => " ESCAPE '\\'",
            Dialect::Mysql => " ESCAPE '\\\\'",
            Dialect::Clickhouse => "",
        }
    }

    fn condition(&mut self, filter: &SecureFilter, path: &str) -> Result<String> {
        if !is_field_name(&filter.field) {
            return Err(invalid_option(
                &format!("{path}.field"),
                format!(
                    "\"{}\" is not a column name (letters, digits and _, optionally table.column)",
                    filter.field
                ),
            ));
        }
        let column = self.quote(&filter.field);
        let value_path = format!("{path}.value");
        let op = filter.op;
        let wrong_value =
            |wants: &str| invalid_option(&value_path, format!("\"{}\" takes {wants}", op.as_str()));
        match (op, &filter.value) {
            // parse_filter refuses null; this stays an error so that no
            // caller-built filter can turn a lost value into `IS NULL`.
            (_, Value::Null) => Err(invalid_option(&value_path, "cannot be null")),
            (
                FilterOp::Eq
                | FilterOp::Ne
                | FilterOp::Gt
                | FilterOp::Lt
                | FilterOp::Ge
                | FilterOp::Le,
                value,
            ) => {
                if !matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                    return Err(wrong_value("a single string, number or boolean"));
                }
                let sql_op = if op == FilterOp::Ne {
                    "<>"
                } else {
                    op.as_str()
                };
                let placeholder = self.params.bind(value.clone());
                Ok(format!("{column} {sql_op} {placeholder}"))
            }
            (FilterOp::IsOneOf | FilterOp::IsNotOneOf, Value::Array(items)) => {
                let negated = op == FilterOp::IsNotOneOf;
                if items.is_empty() {
                    // "One of nothing" matches no row; "none of nothing" matches every row.
                    return Ok(if negated { "1 = 1" } else { "1 = 0" }.to_string());
                }
                if !items
                    .iter()
                    .all(|v| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)))
                {
                    // SQL's NULL makes `IN` never match it and `NOT IN` match nothing at all.
                    return Err(wrong_value(
                        "a list of strings, numbers or booleans (no null)",
                    ));
                }
                let placeholders: Vec<String> = items
                    .iter()
                    .map(|item| self.params.bind(item.clone()))
                    .collect();
                let keyword = if negated { "NOT IN" } else { "IN" };
                Ok(format!("{column} {keyword} ({})", placeholders.join(", ")))
            }
            (
                FilterOp::StartsWith
                | FilterOp::EndsWith
                | FilterOp::ContainsSubstring
                | FilterOp::DoesNotContainSubstring,
                Value::String(text),
            ) => {
                let escaped = escape_like(text);
                let pattern = match op {
                    FilterOp::StartsWith => format!("{escaped}%"),
                    FilterOp::EndsWith => format!("%{escaped}"),
                    _ => format!("%{escaped}%"),
                };
                let keyword = if op == FilterOp::DoesNotContainSubstring {
                    "NOT LIKE"
                } else {
                    "LIKE"
                };
                let placeholder = self.params.bind(Value::String(pattern));
                Ok(format!(
                    "{column} {keyword} {placeholder}{}",
                    self.escape_clause()
                ))
            }
            (
                FilterOp::ArrayContains,
                value @ (Value::String(_) | Value::Number(_) | Value::Bool(_)),
            ) => {
                let placeholder = self.params.bind(value.clone());
                Ok(match self.params.dialect() {
                    Dialect::Postgres => format!("{placeholder} = ANY({column})"),
                    // SQLite has no array type: the column holds a JSON array.
                    Dialect::Sqlite => format!(
                        "EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {placeholder})"
                    ),
                    Dialect::Mysql => format!("JSON_CONTAINS({column}, JSON_ARRAY({placeholder}))"),
                    Dialect::Clickhouse => format!("has({column}, {placeholder})"),
                })
            }
            (FilterOp::ArrayContains, _) => Err(wrong_value("a single string, number or boolean")),
            (FilterOp::IsOneOf | FilterOp::IsNotOneOf, _) => Err(wrong_value(
                "a list of strings, numbers or booleans (no null)",
            )),
            (_, _) => Err(wrong_value("a string")),
        }
    }
}
