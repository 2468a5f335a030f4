//! Vizzly secure filters read out as one boolean expression, for `decode`:
//! `org_id = 'acme' AND region = 'eu'`. A flat list is an OR, a list of lists
//! an OR of AND-groups (https://docs.vizzly.co/identity/properties/secure-filters).
//!
//! Display only, never an access decision. Part of the decode crate, so the
//! main wasm and the decode-only wasm show the same words; no `core::fmt`
//! (text is concatenated), which keeps the decode-only wasm small.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::FilterOp;

/// The JSON a token carries, as far as this module needs it.
pub enum Json {
    Null,
    Bool(bool),
    /// The number's JSON text.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn member(&self, name: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A `secureFilters` object read per data set, in token order; `None` when
/// it is not an object.
pub fn secure_filters_in_words(filters: &Json) -> Option<Vec<(String, String)>> {
    match filters {
        Json::Object(members) => Some(
            members
                .iter()
                .map(|(data_set, value)| (data_set.clone(), filter_set_in_words(value)))
                .collect(),
        ),
        _ => None,
    }
}

/// `decode`'s `profileInfo` for these readings, as JSON text:
/// `{"secureFilters":{"<data set>":"<reading>",…}}`.
pub fn profile_info_json(readings: &[(String, String)]) -> String {
    let members: Vec<String> = readings
        .iter()
        .map(|(data_set, words)| [json_string(data_set), json_string(words)].join(":"))
        .collect();
    ["{\"secureFilters\":{", &members.join(","), "}}"].concat()
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push_str(&hex(c as u32, 2));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One data set's filters (`Filter[]` or `Filter[][]`) as one expression.
pub fn filter_set_in_words(value: &Json) -> String {
    let Json::Array(items) = value else {
        return "unreadable filters (not a list)".into();
    };
    if items.is_empty() {
        return "no filter (every row)".into();
    }
    if items.iter().all(|i| matches!(i, Json::Object(_))) {
        return items
            .iter()
            .map(filter_in_words)
            .collect::<Vec<_>>()
            .join(" OR ");
    }
    let groups: Option<Vec<&Vec<Json>>> = items
        .iter()
        .map(|i| match i {
            Json::Array(group) => Some(group),
            _ => None,
        })
        .collect();
    let Some(groups) = groups else {
        return "unreadable filters (a list mixing filters and lists)".into();
    };
    let several = groups.len() > 1;
    groups
        .iter()
        .map(|group| {
            if group.is_empty() {
                return "(empty group: every row)".to_string();
            }
            let and = group
                .iter()
                .map(filter_in_words)
                .collect::<Vec<_>>()
                .join(" AND ");
            if several && group.len() > 1 {
                ["(", &and, ")"].concat()
            } else {
                and
            }
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn filter_in_words(filter: &Json) -> String {
    let (Some(Json::String(field)), Some(Json::String(op)), Some(value)) = (
        filter.member("field"),
        filter.member("op"),
        filter.member("value"),
    ) else {
        return "(unreadable filter)".into();
    };
    let field = field_name(field);
    let value = literal(value);
    let op_text;
    let words: &str = match FilterOp::parse(op) {
        Some(op) => op.in_words(),
        None => {
            op_text = ["[", &text(op), "]"].concat();
            &op_text
        }
    };
    [field.as_str(), " ", words, " ", &value].concat()
}

/// Plain names as they are; anything else double-quoted.
fn field_name(field: &str) -> String {
    let plain = field
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if plain {
        field.to_string()
    } else {
        quoted(&text(field), '"')
    }
}

/// Control characters shown as escapes, so a token cannot drive the terminal.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push_str("\\u{");
            out.push_str(&hex(c as u32, 1));
            out.push('}');
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` between `quote`s, each `quote` inside doubled (SQL style).
fn quoted(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        if c == quote {
            out.push(quote);
        }
        out.push(c);
    }
    out.push(quote);
    out
}

/// Lower-case hex digits of `n`, at least `width` of them.
fn hex(n: u32, width: usize) -> String {
    let mut digits = Vec::new();
    let mut rest = n;
    while rest > 0 || digits.len() < width {
        digits.push(b"0123456789abcdef"[(rest % 16) as usize]);
        rest /= 16;
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

fn literal(value: &Json) -> String {
    match value {
        Json::Null => "NULL".into(),
        Json::Bool(b) => String::from(if *b { "true" } else { "false" }),
        Json::Number(n) => text(n),
        Json::String(s) => quoted(&text(s), '\''),
        Json::Array(items) => [
            "(",
            &items.iter().map(literal).collect::<Vec<_>>().join(", "),
            ")",
        ]
        .concat(),
        Json::Object(_) => "{…}".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn s(v: &str) -> Json {
        Json::String(v.into())
    }
    fn filter(field: &str, op: &str, value: Json) -> Json {
        Json::Object(vec![
            ("field".into(), s(field)),
            ("op".into(), s(op)),
            ("value".into(), value),
        ])
    }

    // https://docs.vizzly.co/identity/properties/secure-filters: flat = OR, nested = OR of ANDs.
    #[test]
    fn reads_or_and_and_or_of_and() {
        let flat = Json::Array(vec![
            filter("org_id", "=", s("acme")),
            filter("org_id", "=", s("globex")),
        ]);
        assert_eq!(
            filter_set_in_words(&flat),
            "org_id = 'acme' OR org_id = 'globex'"
        );
        let and = Json::Array(vec![Json::Array(vec![
            filter("org_id", "=", s("acme")),
            filter("region", "=", s("eu")),
        ])]);
        assert_eq!(
            filter_set_in_words(&and),
            "org_id = 'acme' AND region = 'eu'"
        );
        let or_of_and = Json::Array(vec![
            Json::Array(vec![
                filter("org_id", "=", s("acme")),
                filter("region", "=", s("eu")),
            ]),
            Json::Array(vec![filter("org_id", "=", s("globex"))]),
        ]);
        assert_eq!(
            filter_set_in_words(&or_of_and),
            "(org_id = 'acme' AND region = 'eu') OR org_id = 'globex'"
        );
        assert_eq!(
            filter_set_in_words(&Json::Array(vec![])),
            "no filter (every row)"
        );
    }

    #[test]
    fn profile_info_is_json() {
        let json = profile_info_json(&[("a\"b".into(), "x = 'y'\n".into())]);
        assert_eq!(json, r#"{"secureFilters":{"a\"b":"x = 'y'\u000a"}}"#);
    }

    #[test]
    fn quotes_and_escapes_what_it_shows() {
        let f = Json::Array(vec![
            filter(
                "User ID",
                "is_one_of",
                Json::Array(vec![s("o'k"), Json::Number("7".into())]),
            ),
            filter("t", "=", s("a\u{1b}[2J")),
        ]);
        assert_eq!(
            filter_set_in_words(&f),
            "\"User ID\" is one of ('o''k', 7) OR t = 'a\\u{1b}[2J'"
        );
    }
}
