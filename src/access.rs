//! Server-side enforcement: after a token verifies, decide whether it grants
//! one request (`{type, resource, params?}`) and with which fixed parameters,
//! SQL filter or secure filters the server must then apply.
//!
//! The token's grants are read from its payload shape:
//! - Tinybird JWT: `scopes` is a list of `{type, resource, fixed_params?, filter?}`.
//! - Static scope strings: `scopes` is a list of strings such as
//!   `"PIPES:READ:top_pages"` (Tinybird's static-token syntax, parsed with
//!   `parse_scope`). A space-separated `scope` claim is not read: SQL filters
//!   contain spaces.
//! - Vizzly data access token: `dataSetIds` (`"*"` or a list) and
//!   `secureFilters`. A Vizzly data set is treated as a data source, so the
//!   only request type it grants is `DATASOURCES:READ`.
//!
//! Matching is exact: no wildcards, no prefixes, no case folding, and the
//! request type must equal the scope type, so a pipe grant never reads a data
//! source of the same name.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{claim_invalid, invalid_option, Error, ErrorCode, Result};
use crate::profiles::tinybird::{self, JwtScope};
use crate::profiles::vizzly::{parse_secure_filters, FilterGroups};
use crate::rate_limit::{rate_limit_of, RateLimit};
use crate::scopes::{is_resource_name, parse_scope};
use crate::verify::Verifier;

/// Request types: Tinybird's nine static scope types.
pub const REQUEST_TYPES: [&str; 9] = [
    "DATASOURCES:CREATE",
    "DATASOURCES:APPEND",
    "DATASOURCES:DROP",
    "DATASOURCES:READ",
    "PIPES:CREATE",
    "PIPES:DROP",
    "PIPES:READ",
    "TOKENS",
    "ADMIN",
];

/// Types whose scopes name no resource: a request's `resource` is optional.
const BARE_TYPES: [&str; 4] = ["DATASOURCES:CREATE", "PIPES:CREATE", "TOKENS", "ADMIN"];

/// Tinybird names a data source's quarantine table `<name>_quarantine`.
const QUARANTINE_SUFFIX: &str = "_quarantine";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Request {
    #[serde(rename = "type")]
    request_type: String,
    #[serde(default)]
    resource: Option<String>,
    #[serde(default)]
    params: Option<Map<String, Value>>,
}

/// What a token grants for one request. Serialises to camelCase JSON.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// The request's type.
    #[serde(rename = "type")]
    pub grant_type: String,
    /// The request's resource (`""` for a bare-type request without one).
    pub resource: String,
    /// The request's params with the scope's `fixed_params` applied on top.
    pub params: Map<String, Value>,
    /// Params the caller sent with a value a fixed param replaced.
    pub overridden: Vec<String>,
    /// The scope's SQL filter (Tinybird JWT `filter`, or a static scope's
    /// `:sql_filter`), for the server to apply.
    pub filter: Option<String>,
    /// Vizzly tokens: the data set's secure filters as an OR of AND-groups
    /// (a token's flat `Filter[]` becomes one-filter groups); empty if the
    /// data set is unfiltered.
    pub secure_filters: Option<FilterGroups>,
    /// The verified payload.
    pub claims: Value,
    /// The token's `limits.rps` budget, for a rate limiter to consume from
    /// (`None` when the token has no positive `rps`).
    pub rate_limit: Option<RateLimit>,
}

impl Grant {
    pub fn to_json(&self) -> String {
        // A Grant holds only strings, JSON values and lists: it always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What a matching scope contributes to the grant.
#[derive(Default)]
struct Matched {
    fixed_params: Option<Map<String, Value>>,
    filter: Option<String>,
    secure_filters: Option<FilterGroups>,
}

fn denied(message: String) -> Error {
    Error::new(ErrorCode::ScopeDenied, message).with_claim("scopes")
}

fn is_param_name(name: &str) -> bool {
    is_resource_name(name)
}

/// `Verifier::authorize_at`'s body: verify, match, then read the rate limit.
pub(crate) fn authorize(
    verifier: &Verifier,
    token: &str,
    request_json: &str,
    now: f64,
) -> Result<Grant> {
    // Every verifier check comes first: a bad token fails with its own code.
    let verified = verifier.verify_at(token, now)?;
    let claims: Value = serde_json::from_str(&verified.payload_json)
        .map_err(|e| claim_invalid("payload", format!("is not JSON ({e})")))?;
    let request: Request = crate::options::from_json(request_json, "request")?;
    check_request(&request)?;
    let resource = request.resource.clone().unwrap_or_default();
    let matched = match_grants(
        &claims,
        &request.request_type,
        &resource,
        verifier.allows_unfiltered_data_sets(),
    )?;
    let rate_limit = rate_limit_of(&claims)?;
    let (params, overridden) = apply_fixed_params(request.params, matched.fixed_params);
    Ok(Grant {
        grant_type: request.request_type,
        resource,
        params,
        overridden,
        filter: matched.filter,
        secure_filters: matched.secure_filters,
        claims,
        rate_limit,
    })
}

fn check_request(request: &Request) -> Result<()> {
    if !REQUEST_TYPES.contains(&request.request_type.as_str()) {
        return Err(invalid_option(
            "type",
            format!(
                "\"{}\" is not a request type (known: {})",
                request.request_type,
                REQUEST_TYPES.join(", ")
            ),
        ));
    }
    if request.resource.is_none() && !BARE_TYPES.contains(&request.request_type.as_str()) {
        return Err(invalid_option(
            "resource",
            format!("{} needs a resource", request.request_type),
        ));
    }
    for (name, value) in request.params.iter().flatten() {
        if !is_param_name(name) {
            return Err(invalid_option(
                "params",
                format!("\"{name}\" is not a parameter name (letters, digits and _; not starting with a digit)"),
            ));
        }
        if !matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
            return Err(invalid_option(
                &format!("params.{name}"),
                "must be a string, number or boolean",
            ));
        }
    }
    Ok(())
}

/// Finds the grant for `request_type` on `resource`, by payload shape.
fn match_grants(
    claims: &Value,
    request_type: &str,
    resource: &str,
    allow_unfiltered_data_sets: bool,
) -> Result<Matched> {
    let scopes = claims.get("scopes");
    let data_sets = claims.get("dataSetIds");
    match (scopes, data_sets) {
        (Some(_), Some(_)) => Err(claim_invalid(
            "scopes",
            "and \"dataSetIds\" are both present; a token must be one kind",
        )),
        (Some(Value::Array(scopes)), None) => match_scopes(scopes, request_type, resource),
        (Some(_), None) => Err(claim_invalid("scopes", "must be a list")),
        (None, Some(ids)) => match_vizzly(
            claims,
            ids,
            request_type,
            resource,
            allow_unfiltered_data_sets,
        ),
        (None, None) => Err(denied(format!(
            "the token carries no scopes; {request_type} on \"{resource}\" is denied"
        ))),
    }
}

/// The data source a `DATASOURCES:READ` of `resource` may also be granted
/// through: `events` for `events_quarantine`.
fn quarantine_base<'r>(request_type: &str, resource: &'r str) -> Option<&'r str> {
    if request_type != "DATASOURCES:READ" {
        return None;
    }
    resource
        .strip_suffix(QUARANTINE_SUFFIX)
        .filter(|base| is_resource_name(base))
}

/// Tinybird JWT scopes (objects) and static scope strings, in token order.
/// The first scope of the request's own type that matches wins; `ADMIN`
/// applies only when no such scope matches, so a filter the issuer wrote for
/// this resource is never bypassed by a broader grant in the same token.
fn match_scopes(scopes: &[Value], request_type: &str, resource: &str) -> Result<Matched> {
    let deny = |why: &str| {
        denied(format!(
            "the token does not grant {request_type} on \"{resource}\"{why}"
        ))
    };
    // A name that cannot exist is never granted, whatever the token says.
    if !resource.is_empty() && !is_resource_name(resource) {
        return Err(deny(" (not a valid resource name)"));
    }
    if resource.is_empty() && !BARE_TYPES.contains(&request_type) {
        return Err(deny(""));
    }
    // One kind per token: a list mixing JWT scope objects and static strings
    // is neither, and reading it as both could widen what either grants.
    let strings = scopes.iter().filter(|s| s.is_string()).count();
    if strings != 0 && strings != scopes.len() {
        return Err(claim_invalid(
            "scopes",
            "mixes scope strings and scope objects; use one kind",
        ));
    }
    let base = quarantine_base(request_type, resource);
    let names_match = |scope_resource: &str| {
        scope_resource == resource || base.is_some_and(|b| b == scope_resource)
    };
    let mut admin = false;
    let mut ignored = 0usize;
    for (i, scope) in scopes.iter().enumerate() {
        match scope {
            Value::String(text) => {
                // A static scope string the parser refuses grants nothing.
                let Ok(parsed) = parse_scope(text) else {
                    ignored += 1;
                    continue;
                };
                if parsed.scope_type == "ADMIN" {
                    admin = true;
                    continue;
                }
                if parsed.scope_type != request_type {
                    continue;
                }
                match &parsed.resource {
                    // CREATE and TOKENS: the type alone is the grant.
                    None => return Ok(Matched::default()),
                    Some(name) if names_match(name) => {
                        return Ok(Matched {
                            filter: checked_filter(parsed.filter, &format!("scopes[{i}]"))?,
                            ..Matched::default()
                        })
                    }
                    Some(_) => {}
                }
            }
            Value::Object(_) => {
                // A JWT scope that is not exactly Tinybird's shape grants
                // nothing: its fixed params or filter could not be trusted.
                let Ok(parsed) = serde_json::from_value::<JwtScope>(scope.clone()) else {
                    ignored += 1;
                    continue;
                };
                if tinybird::validate_scope(&parsed, &format!("scopes[{i}]")).is_err() {
                    ignored += 1;
                    continue;
                }
                if parsed.scope_type == request_type && names_match(&parsed.resource) {
                    return Ok(Matched {
                        fixed_params: parsed.fixed_params,
                        filter: checked_filter(parsed.filter, &format!("scopes[{i}].filter"))?,
                        ..Matched::default()
                    });
                }
            }
            _ => ignored += 1,
        }
    }
    if admin {
        return Ok(Matched::default());
    }
    if ignored > 0 {
        return Err(deny(&format!(
            " ({ignored} malformed scope(s) in the token were ignored)"
        )));
    }
    Err(deny(""))
}

/// A matched scope's filter as the grant carries it; a filter the server
/// build cannot parse fails the request rather than being dropped.
fn checked_filter(filter: Option<String>, claim: &str) -> Result<Option<String>> {
    filter
        .map(|f| crate::issuer_filter::check(&f, claim))
        .transpose()
}

/// Characters that make one id look like another without changing how it
/// reads: zero-width and direction marks, the soft hyphen, the BOM.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// Vizzly data access tokens: `DATASOURCES:READ` of a listed data set id,
/// with that data set's secure filters.
///
/// https://docs.vizzly.co/identity/properties/secure-filters: "You must
/// define filters for each data set the user has access to." So when a token
/// filters some data sets, a data set it grants without a filters entry is
/// refused: under `"*"` a look-alike id (`Orders`, `orders `, a Cyrillic `о`)
/// would otherwise read unfiltered while the real table is the filtered one.
/// An empty filters map (`{}`) says "nothing is filtered" on purpose, an
/// empty list (`"orders": []`) says it for one data set, and the verifier
/// option `allowUnfilteredDataSets` opts out of the rule.
fn match_vizzly(
    claims: &Value,
    ids: &Value,
    request_type: &str,
    resource: &str,
    allow_unfiltered_data_sets: bool,
) -> Result<Matched> {
    let deny = |why: &str| {
        denied(format!(
            "the token does not grant {request_type} on \"{resource}\"{why}"
        ))
    };
    if request_type != "DATASOURCES:READ" {
        return Err(deny(" (Vizzly data tokens only grant DATASOURCES:READ)"));
    }
    // Ids are Vizzly's own (any text), so only what could act as a wildcard
    // or a separator, or hide in plain sight, is refused.
    if resource.is_empty()
        || resource.contains(['*', ':'])
        || resource.trim() != resource
        || resource.chars().any(|c| c.is_control() || is_invisible(c))
    {
        return Err(deny(" (not a valid data set id)"));
    }
    let listed = match ids {
        Value::String(star) if star == "*" => true,
        Value::Array(list) => list.iter().any(|id| id.as_str() == Some(resource)),
        _ => {
            return Err(claim_invalid(
                "dataSetIds",
                "must be \"*\" or a list of data set ids",
            ))
        }
    };
    if !listed {
        return Err(deny(""));
    }
    let by_set = match claims.get("secureFilters") {
        Some(Value::Object(by_set)) => by_set,
        // Vizzly's claim set requires it; a token without it states nothing
        // about filtering, and reading that as "unfiltered" would widen access.
        None | Some(Value::Null) => {
            return Err(claim_invalid(
                "secureFilters",
                "is missing; a Vizzly data token states its filters ({} for none)",
            ))
        }
        Some(_) => {
            return Err(claim_invalid(
                "secureFilters",
                "must be an object of data set id -> filters",
            ))
        }
    };
    let groups = match by_set.get(resource) {
        Some(filters) => {
            // Malformed filters fail the request: dropping them would widen access.
            parse_secure_filters(filters, &format!("secureFilters.{resource}")).map_err(|e| {
                Error::new(ErrorCode::JwtClaimInvalid, e.message)
                    .with_claim(e.claim.unwrap_or_else(|| "secureFilters".into()))
            })?
        }
        None if by_set.is_empty() || allow_unfiltered_data_sets => Vec::new(),
        None => {
            return Err(deny(
                " (the token filters other data sets but has no secureFilters entry for this one; \
                 give it one, [] for none, or create the verifier with allowUnfilteredDataSets: true)",
            ))
        }
    };
    Ok(Matched {
        secure_filters: Some(groups),
        ..Matched::default()
    })
}

/// Numbers compare by value (`123` equals `123.0`); everything else exactly.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Fixed params always win (Tinybird: they "cannot be overridden"). A name
/// is reported as overridden only when the caller's value differed, so a
/// client echoing the fixed value is not flagged.
fn apply_fixed_params(
    requested: Option<Map<String, Value>>,
    fixed: Option<Map<String, Value>>,
) -> (Map<String, Value>, Vec<String>) {
    let mut params = requested.unwrap_or_default();
    let mut overridden = Vec::new();
    for (name, value) in fixed.unwrap_or_default() {
        if params
            .get(&name)
            .is_some_and(|sent| !same_value(sent, &value))
        {
            overridden.push(name.clone());
        }
        params.insert(name, value);
    }
    (params, overridden)
}
