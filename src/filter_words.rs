//! Vizzly secure filters read out as one boolean expression, for `decode`:
//! `org_id = 'acme' AND region = 'eu'`. A flat list is an OR, a list of lists
//! an OR of AND-groups (https://docs.vizzly.co/identity/properties/secure-filters).
//!
//! Display only, never an access decision. Self-contained on purpose (std
//! only, its own tiny JSON tree) so the decode-only build can include it and
//! show the same words.

use std::borrow::Cow;

/// The JSON a token carries, as far as this module needs it.
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// The number's JSON text.
    Number(Cow<'a, str>),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl Json<'_> {
    fn member(&self, name: &str) -> Option<&Json<'_>> {
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
                .map(|(data_set, value)| (data_set.to_string(), filter_set_in_words(value)))
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
        .map(|(data_set, words)| format!("{}:{}", json_string(data_set), json_string(words)))
        .collect();
    format!("{{\"secureFilters\":{{{}}}}}", members.join(","))
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
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
                format!("({and})")
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
    match op.as_ref() {
        "=" | "!=" | ">" | "<" | ">=" | "<=" => format!("{field} {op} {value}"),
        "is_one_of" => format!("{field} is one of {value}"),
        "is_not_one_of" => format!("{field} is not one of {value}"),
        "starts_with" => format!("{field} starts with {value}"),
        "ends_with" => format!("{field} ends with {value}"),
        "contains_substring" => format!("{field} contains {value}"),
        "does_not_contain_substring" => format!("{field} does not contain {value}"),
        "array_contains" => format!("{field} has the element {value}"),
        other => format!("{field} [{}] {value}", text(other)),
    }
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
        format!("\"{}\"", text(field).replace('"', "\"\""))
    }
}

/// Control characters shown as escapes, so a token cannot drive the terminal.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn literal(value: &Json) -> String {
    match value {
        Json::Null => "NULL".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => text(n),
        Json::String(s) => format!("'{}'", text(s).replace('\'', "''")),
        Json::Array(items) => format!(
            "({})",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        Json::Object(_) => "{…}".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Json<'_> {
        Json::String(Cow::Borrowed(v))
    }
    fn filter<'a>(field: &'a str, op: &'a str, value: Json<'a>) -> Json<'a> {
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
