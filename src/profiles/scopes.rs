//! Tinybird scope types, and static-token scope strings
//! `TYPE[:resource[:sql_filter]]`: the nine forms of Tinybird Classic's
//! auth-token docs plus the workspace- and organization-wide scopes of
//! Tinybird Forward's static-token docs. The filter is everything after the
//! resource's colon, so it may itself contain colons.
//!
//! [`ScopeType`] is the one list of scope types: JWT scopes, static scope
//! strings and `authorize` requests all read their `type` through it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, ErrorCode, Result};

/// Every scope type Tinybird documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScopeType {
    DatasourcesCreate,
    DatasourcesAppend,
    DatasourcesDrop,
    DatasourcesRead,
    PipesCreate,
    PipesDrop,
    PipesRead,
    Tokens,
    Admin,
    /// Forward: read every data source and pipe of the workspace.
    WorkspaceReadAll,
    /// Forward: create deployments.
    WorkspaceDeploy,
    /// Forward: read the organization's service data sources.
    OrgDatasourcesRead,
}

/// What a scope type takes after its name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    /// No resource: the type alone is the grant.
    Bare,
    Resource,
    ResourceAndOptionalFilter,
}

impl ScopeType {
    pub const ALL: [ScopeType; 12] = [
        ScopeType::DatasourcesCreate,
        ScopeType::DatasourcesAppend,
        ScopeType::DatasourcesDrop,
        ScopeType::DatasourcesRead,
        ScopeType::PipesCreate,
        ScopeType::PipesDrop,
        ScopeType::PipesRead,
        ScopeType::Tokens,
        ScopeType::Admin,
        ScopeType::WorkspaceReadAll,
        ScopeType::WorkspaceDeploy,
        ScopeType::OrgDatasourcesRead,
    ];

    /// What a Tinybird JWT may carry: the SDK's `JWTScopeType`.
    pub const JWT: [ScopeType; 3] = [
        ScopeType::PipesRead,
        ScopeType::DatasourcesRead,
        ScopeType::DatasourcesAppend,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScopeType::DatasourcesCreate => "DATASOURCES:CREATE",
            ScopeType::DatasourcesAppend => "DATASOURCES:APPEND",
            ScopeType::DatasourcesDrop => "DATASOURCES:DROP",
            ScopeType::DatasourcesRead => "DATASOURCES:READ",
            ScopeType::PipesCreate => "PIPES:CREATE",
            ScopeType::PipesDrop => "PIPES:DROP",
            ScopeType::PipesRead => "PIPES:READ",
            ScopeType::Tokens => "TOKENS",
            ScopeType::Admin => "ADMIN",
            ScopeType::WorkspaceReadAll => "WORKSPACE:READ_ALL",
            ScopeType::WorkspaceDeploy => "WORKSPACE:DEPLOY",
            ScopeType::OrgDatasourcesRead => "ORG_DATASOURCES:READ",
        }
    }

    /// The exact name, or `None`: no case folding, no trimming.
    pub fn parse(name: &str) -> Option<ScopeType> {
        ScopeType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    pub fn shape(self) -> Shape {
        match self {
            ScopeType::DatasourcesAppend | ScopeType::DatasourcesDrop | ScopeType::PipesDrop => {
                Shape::Resource
            }
            ScopeType::DatasourcesRead | ScopeType::PipesRead => Shape::ResourceAndOptionalFilter,
            _ => Shape::Bare,
        }
    }

    pub fn is_jwt_type(self) -> bool {
        ScopeType::JWT.contains(&self)
    }

    /// `"A, B, C"` for error messages.
    pub fn list(types: &[ScopeType]) -> String {
        types
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for ScopeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets callers compare with a type's name (`grant.grant_type == "PIPES:READ"`).
impl PartialEq<&str> for ScopeType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for ScopeType {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ScopeType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        ScopeType::parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "\"{name}\" is not a Tinybird scope type (known: {})",
                ScopeType::list(&ScopeType::ALL)
            ))
        })
    }
}

/// One parsed scope. `resource` and `filter` are absent where the form has none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    #[serde(rename = "type")]
    pub scope_type: ScopeType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
}

fn scope_error(message: String) -> Error {
    Error::new(ErrorCode::ScopeInvalid, message)
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
    // The type is one word (TOKENS, ADMIN) or two (`DATASOURCES:READ`); the
    // longest known type that prefixes the text wins.
    let found = ScopeType::ALL
        .into_iter()
        .filter(|t| {
            text == t.as_str()
                || text
                    .strip_prefix(t.as_str())
                    .is_some_and(|rest| rest.starts_with(':'))
        })
        .max_by_key(|t| t.as_str().len());
    let Some(scope_type) = found else {
        let head = text.split(':').take(2).collect::<Vec<_>>().join(":");
        return Err(scope_error(format!(
            "scope \"{text}\": unknown type \"{head}\" (known: {})",
            ScopeType::list(&ScopeType::ALL)
        )));
    };
    let rest = text[scope_type.as_str().len()..].strip_prefix(':');
    match (scope_type.shape(), rest) {
        (Shape::Bare, None) => Ok(Scope {
            scope_type,
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
                scope_type,
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
                scope_type,
                resource: Some(resource.into()),
                filter: filter.map(str::to_string),
            })
        }
    }
}

pub fn format_scope(scope: &Scope) -> Result<String> {
    let described = || format!("{} scope", scope.scope_type);
    match (scope.scope_type.shape(), &scope.resource, &scope.filter) {
        (Shape::Bare, None, None) => Ok(scope.scope_type.as_str().to_string()),
        (Shape::Bare, _, _) => Err(scope_error(format!(
            "{} takes no resource or filter",
            described()
        ))),
        (_, None, _) => Err(scope_error(format!("{} needs a resource", described()))),
        (Shape::Resource, Some(_), Some(_)) => {
            Err(scope_error(format!("{} takes no filter", described())))
        }
        (_, Some(resource), filter) => {
            check_resource(resource, scope.scope_type.as_str())?;
            match filter {
                Some(filter) if filter.trim().is_empty() => {
                    Err(scope_error(format!("{}: empty filter", described())))
                }
                Some(filter) => {
                    crate::sql::issuer_filter::check(filter, "filter")?;
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
            scope_type: ScopeType::parse(t).unwrap(),
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

    /// https://www.tinybird.co/docs/forward/administration/tokens/static-tokens
    /// ("Workspace and Org. level tokens", "Other tokens") and the resource
    /// scopes of the same page; the `WORKSPACE:DEPLOY` scope is named on the
    /// page's core-concepts twin (forward/core-concepts/static-tokens).
    #[test]
    fn forward_static_scopes_round_trip() {
        for (text, scope_type, resource) in [
            ("WORKSPACE:READ_ALL", ScopeType::WorkspaceReadAll, None),
            ("WORKSPACE:DEPLOY", ScopeType::WorkspaceDeploy, None),
            ("ORG_DATASOURCES:READ", ScopeType::OrgDatasourcesRead, None),
            ("TOKENS", ScopeType::Tokens, None),
            ("ADMIN", ScopeType::Admin, None),
            (
                "DATASOURCES:READ:landing",
                ScopeType::DatasourcesRead,
                Some("landing"),
            ),
            (
                "DATASOURCES:APPEND:landing",
                ScopeType::DatasourcesAppend,
                Some("landing"),
            ),
            ("PIPES:READ:app", ScopeType::PipesRead, Some("app")),
        ] {
            let parsed = parse_scope(text).unwrap();
            assert_eq!(parsed, scope(scope_type.as_str(), resource, None), "{text}");
            assert_eq!(format_scope(&parsed).unwrap(), text);
        }
        for (text, needle) in [
            ("WORKSPACE:READ_ALL:events", "takes no resource"),
            ("ORG_DATASOURCES:READ:x", "takes no resource"),
            ("WORKSPACE:READ", "unknown type"),
            ("workspace:read_all", "unknown type"),
            ("ORG_DATASOURCES:WRITE", "unknown type"),
        ] {
            let error = parse_scope(text).unwrap_err();
            assert_eq!(error.code, ErrorCode::ScopeInvalid, "{text}");
            assert!(error.message.contains(needle), "{text}: {}", error.message);
        }
        // Every type round-trips through its name, and JSON spells it the same way.
        for scope_type in ScopeType::ALL {
            assert_eq!(ScopeType::parse(scope_type.as_str()), Some(scope_type));
            let json = serde_json::to_string(&scope_type).unwrap();
            assert_eq!(
                serde_json::from_str::<ScopeType>(&json).unwrap(),
                scope_type
            );
        }
        assert!(serde_json::from_str::<ScopeType>("\"PIPES:WRITE\"").is_err());
    }
}
