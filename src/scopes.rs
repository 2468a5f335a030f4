//! Tinybird static-token scope strings: `TYPE[:resource[:sql_filter]]`, in
//! the nine forms Tinybird documents. The filter is everything after the
//! resource's colon, so it may itself contain colons.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};

/// One parsed scope. `resource` and `filter` are absent where the form has none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    #[serde(rename = "type")]
    pub scope_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
}

/// What each scope type takes after its name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Bare,
    Resource,
    ResourceAndOptionalFilter,
}

const TYPES: [(&str, Shape); 9] = [
    ("DATASOURCES:CREATE", Shape::Bare),
    ("DATASOURCES:APPEND", Shape::Resource),
    ("DATASOURCES:DROP", Shape::Resource),
    ("DATASOURCES:READ", Shape::ResourceAndOptionalFilter),
    ("PIPES:CREATE", Shape::Bare),
    ("PIPES:DROP", Shape::Resource),
    ("PIPES:READ", Shape::ResourceAndOptionalFilter),
    ("TOKENS", Shape::Bare),
    ("ADMIN", Shape::Bare),
];

fn scope_error(message: String) -> Error {
    Error::new(ErrorCode::ScopeInvalid, message)
}

fn shape_of(scope_type: &str) -> Option<Shape> {
    TYPES
        .iter()
        .find(|(name, _)| *name == scope_type)
        .map(|(_, shape)| *shape)
}

/// Tinybird resource names: a letter or underscore, then letters, digits, underscores.
pub fn is_resource_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_resource(resource: &str, text: &str) -> Result<()> {
    if is_resource_name(resource) {
        Ok(())
    } else {
        Err(scope_error(format!(
            "scope \"{text}\": resource \"{resource}\" is not a valid name (letters, digits and _; not starting with a digit)"
        )))
    }
}

pub fn parse_scope(text: &str) -> Result<Scope> {
    // The type is one word (TOKENS, ADMIN) or two (`DATASOURCES:READ`).
    let (scope_type, rest) = match TYPES.iter().find(|(name, _)| {
        text == *name
            || text
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(':'))
    }) {
        Some((name, _)) => (*name, text[name.len()..].strip_prefix(':')),
        None => {
            let head = text.split(':').take(2).collect::<Vec<_>>().join(":");
            return Err(scope_error(format!(
                "scope \"{text}\": unknown type \"{head}\" (known: {})",
                TYPES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            )));
        }
    };
    let shape = shape_of(scope_type).unwrap_or(Shape::Bare);
    match (shape, rest) {
        (Shape::Bare, None) => Ok(Scope {
            scope_type: scope_type.into(),
            resource: None,
            filter: None,
        }),
        (Shape::Bare, Some(extra)) => Err(scope_error(format!(
            "scope \"{text}\": {scope_type} takes no resource, found \"{extra}\""
        ))),
        (_, None) => Err(scope_error(format!(
            "scope \"{text}\": {scope_type} needs a resource name"
        ))),
        (Shape::Resource, Some(rest)) => {
            check_resource(rest, text)?;
            Ok(Scope {
                scope_type: scope_type.into(),
                resource: Some(rest.into()),
                filter: None,
            })
        }
        (Shape::ResourceAndOptionalFilter, Some(rest)) => {
            let (resource, filter) = match rest.split_once(':') {
                Some((resource, filter)) => (resource, Some(filter)),
                None => (rest, None),
            };
            check_resource(resource, text)?;
            if filter.is_some_and(|f| f.trim().is_empty()) {
                return Err(scope_error(format!(
                    "scope \"{text}\": the SQL filter after \"{resource}:\" is empty"
                )));
            }
            Ok(Scope {
                scope_type: scope_type.into(),
                resource: Some(resource.into()),
                filter: filter.map(str::to_string),
            })
        }
    }
}

pub fn format_scope(scope: &Scope) -> Result<String> {
    let shape = shape_of(&scope.scope_type)
        .ok_or_else(|| scope_error(format!("unknown scope type \"{}\"", scope.scope_type)))?;
    let described = || format!("{} scope", scope.scope_type);
    match (shape, &scope.resource, &scope.filter) {
        (Shape::Bare, None, None) => Ok(scope.scope_type.clone()),
        (Shape::Bare, _, _) => Err(scope_error(format!(
            "{} takes no resource or filter",
            described()
        ))),
        (_, None, _) => Err(scope_error(format!("{} needs a resource", described()))),
        (Shape::Resource, Some(_), Some(_)) => {
            Err(scope_error(format!("{} takes no filter", described())))
        }
        (_, Some(resource), filter) => {
            check_resource(resource, &scope.scope_type)?;
            match filter {
                Some(filter) if filter.trim().is_empty() => {
                    Err(scope_error(format!("{}: empty filter", described())))
                }
                Some(filter) => {
                    crate::issuer_filter::check(filter, "filter")?;
                    Ok(format!("{}:{resource}:{filter}", scope.scope_type))
                }
                None => Ok(format!("{}:{resource}", scope.scope_type)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(t: &str, r: Option<&str>, f: Option<&str>) -> Scope {
        Scope {
            scope_type: t.into(),
            resource: r.map(Into::into),
            filter: f.map(Into::into),
        }
    }

    #[test]
    fn all_nine_forms_round_trip() {
        let cases = [
            (
                "DATASOURCES:CREATE",
                scope("DATASOURCES:CREATE", None, None),
            ),
            (
                "DATASOURCES:APPEND:events",
                scope("DATASOURCES:APPEND", Some("events"), None),
            ),
            (
                "DATASOURCES:DROP:events",
                scope("DATASOURCES:DROP", Some("events"), None),
            ),
            (
                "DATASOURCES:READ:events",
                scope("DATASOURCES:READ", Some("events"), None),
            ),
            (
                "DATASOURCES:READ:events:org_id = 'acme'",
                scope("DATASOURCES:READ", Some("events"), Some("org_id = 'acme'")),
            ),
            ("PIPES:CREATE", scope("PIPES:CREATE", None, None)),
            (
                "PIPES:DROP:top_pages",
                scope("PIPES:DROP", Some("top_pages"), None),
            ),
            (
                "PIPES:READ:top_pages",
                scope("PIPES:READ", Some("top_pages"), None),
            ),
            (
                "PIPES:READ:top_pages:ts > '2024-01-01 10:00:00'",
                scope(
                    "PIPES:READ",
                    Some("top_pages"),
                    Some("ts > '2024-01-01 10:00:00'"),
                ),
            ),
            ("TOKENS", scope("TOKENS", None, None)),
            ("ADMIN", scope("ADMIN", None, None)),
        ];
        for (text, expected) in cases {
            let parsed = parse_scope(text).unwrap();
            assert_eq!(parsed, expected, "{text}");
            assert_eq!(format_scope(&parsed).unwrap(), text);
        }
    }

    #[test]
    fn bad_scopes_name_the_bad_part() {
        for (text, needle) in [
            ("PIPES:WRITE:x", "PIPES:WRITE"),
            ("ADMIN:x", "takes no resource"),
            ("PIPES:READ", "needs a resource"),
            ("PIPES:READ:", "\"\" is not a valid name"),
            ("PIPES:DROP:x:y", "\"x:y\""),
            ("DATASOURCES:READ:1bad", "\"1bad\""),
            ("DATASOURCES:READ:ev*", "\"ev*\""),
            ("DATASOURCES:READ:events:  ", "filter"),
            ("ADMINX", "ADMINX"),
            ("", "unknown type"),
        ] {
            let error = parse_scope(text).unwrap_err();
            assert_eq!(error.code, ErrorCode::ScopeInvalid);
            assert!(error.message.contains(needle), "{text}: {}", error.message);
        }
        assert!(format_scope(&scope("PIPES:DROP", Some("x"), Some("a = 1"))).is_err());
        assert!(format_scope(&scope("TOKENS", Some("x"), None)).is_err());
    }
}
