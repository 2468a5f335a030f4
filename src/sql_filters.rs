//! Vizzly-style secure filters (`[{field, op, value}]`) compiled to a SQL
//! condition for a server that queries its own database. Values never enter
//! the SQL text: they become bound parameters in the dialect's placeholder
//! syntax. Field names do enter it, so they are held to a strict identifier
//! pattern and quoted as well.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{invalid_option, Result};
use crate::profiles::vizzly::{validate_filter, SecureFilter};
use crate::sql_params::{BoundSql, Dialect, Params};

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

/// Compiles a JSON list of `{field, op, value}` filters with JSON options
/// `{ dialect, paramOffset? }`. Filters are ANDed; an empty list is `1 = 1`.
pub fn compile_secure_filters(filters_json: &str, options_json: &str) -> Result<BoundSql> {
    let options: CompileOptions = crate::options::from_json(options_json, "options")?;
    let filters: Value = serde_json::from_str(filters_json)
        .map_err(|e| invalid_option("filters", format!("must be JSON ({e})")))?;
    let filters = crate::profiles::vizzly::parse_filter_list(&filters, "filters")?;
    compile_filters_from(&filters, options.dialect, options.param_offset)
}

/// Compiles already-parsed filters (e.g. `Grant::secure_filters`).
pub fn compile_filters(filters: &[SecureFilter], dialect: Dialect) -> Result<BoundSql> {
    compile_filters_from(filters, dialect, 0)
}

/// [`compile_filters`] with placeholders numbered after `param_offset` existing ones.
pub fn compile_filters_from(
    filters: &[SecureFilter],
    dialect: Dialect,
    param_offset: usize,
) -> Result<BoundSql> {
    let mut out = Builder {
        params: Params::new(dialect, param_offset)?,
    };
    let mut conditions = Vec::with_capacity(filters.len());
    for (i, filter) in filters.iter().enumerate() {
        let path = format!("filters[{i}]");
        validate_filter(filter, &path)?;
        conditions.push(out.condition(filter, &path)?);
    }
    let sql = match conditions.len() {
        0 => "1 = 1".to_string(),
        1 => conditions.remove(0),
        // Parenthesised so an OR inside one filter (none today) could never
        // bind looser than the ANDs between filters.
        _ => conditions
            .iter()
            .map(|c| format!("({c})"))
            .collect::<Vec<_>>()
            .join(" AND "),
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
        let q = match self.params.dialect() {
            Dialect::Postgres | Dialect::Sqlite => '"',
            Dialect::Mysql | Dialect::Clickhouse => '`',
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
        let op = filter.op.as_str();
        match (op, &filter.value) {
            ("=", Value::Null) => Ok(format!("{column} IS NULL")),
            ("!=", Value::Null) => Ok(format!("{column} IS NOT NULL")),
            (_, Value::Null) => Err(invalid_option(
                &value_path,
                format!("null can only be compared with = or !=, not \"{op}\""),
            )),
            ("=" | "!=" | ">" | "<" | ">=" | "<=", value) => {
                let sql_op = if op == "!=" { "<>" } else { op };
                let placeholder = self.params.bind(value.clone());
                Ok(format!("{column} {sql_op} {placeholder}"))
            }
            ("is_one_of" | "is_not_one_of", Value::Array(items)) => {
                let negated = op == "is_not_one_of";
                if items.is_empty() {
                    // "One of nothing" matches no row; "none of nothing" matches every row.
                    return Ok(if negated { "1 = 1" } else { "1 = 0" }.to_string());
                }
                if items.iter().any(Value::is_null) {
                    // SQL's NULL makes `IN` never match it and `NOT IN` match nothing at all.
                    return Err(invalid_option(
                        &value_path,
                        format!("\"{op}\" lists cannot contain null"),
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
                "starts_with" | "ends_with" | "contains_substring" | "does_not_contain_substring",
                Value::String(text),
            ) => {
                let escaped = escape_like(text);
                let pattern = match op {
                    "starts_with" => format!("{escaped}%"),
                    "ends_with" => format!("%{escaped}"),
                    _ => format!("%{escaped}%"),
                };
                let keyword = if op == "does_not_contain_substring" {
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
                "starts_with" | "ends_with" | "contains_substring" | "does_not_contain_substring",
                _,
            ) => Err(invalid_option(
                &value_path,
                format!("\"{op}\" takes a string"),
            )),
            // validate_filter has checked the operator and the value's shape.
            _ => Err(invalid_option(
                &format!("{path}.op"),
                format!("unsupported operator \"{op}\""),
            )),
        }
    }
}
