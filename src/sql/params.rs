//! SQL dialects and bound parameters: the one place that decides what a
//! placeholder looks like, shared by everything that produces parameterised SQL.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{invalid_option, Result};

/// The most parameters a surrounding query may already bind (Postgres allows 65,535 in all).
pub const MAX_PARAM_OFFSET: usize = 65_535;

/// The SQL dialects scopemint writes placeholders for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Postgres,
    Mysql,
    Sqlite,
    Clickhouse,
}

/// SQL text and the values to bind, in placeholder order (for ClickHouse,
/// `params[i]` is `p{i + 1 + offset}`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BoundSql {
    pub sql: String,
    pub params: Vec<Value>,
}

/// Collects values and hands out their placeholders: `$n` (Postgres), `?`
/// (MySQL, SQLite) or `{pn:Type}` (ClickHouse), numbered after `offset`
/// parameters the surrounding query already binds.
pub(crate) struct Params {
    dialect: Dialect,
    offset: usize,
    values: Vec<Value>,
}

impl Params {
    /// `offset` is bounded by Postgres's own limit on parameters per query,
    /// so placeholder numbers can never overflow.
    pub(crate) fn new(dialect: Dialect, offset: usize) -> Result<Self> {
        if offset > MAX_PARAM_OFFSET {
            return Err(invalid_option(
                "paramOffset",
                format!("must be at most {MAX_PARAM_OFFSET}"),
            ));
        }
        Ok(Params {
            dialect,
            offset,
            values: Vec::new(),
        })
    }

    pub(crate) fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Binds `value` and returns its placeholder.
    pub(crate) fn bind(&mut self, value: Value) -> String {
        let n = self.offset + self.values.len() + 1;
        let placeholder = match self.dialect {
            Dialect::Postgres => format!("${n}"),
            Dialect::Mysql | Dialect::Sqlite => "?".to_string(),
            Dialect::Clickhouse => {
                let ty = match &value {
                    Value::Bool(_) => "Bool",
                    Value::Number(n) if n.is_i64() => "Int64",
                    Value::Number(n) if n.is_u64() => "UInt64",
                    Value::Number(_) => "Float64",
                    _ => "String",
                };
                format!("{{p{n}:{ty}}}")
            }
        };
        self.values.push(value);
        placeholder
    }

    pub(crate) fn finish(self, sql: String) -> BoundSql {
        BoundSql {
            sql,
            params: self.values,
        }
    }
}
