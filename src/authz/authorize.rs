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
//! source of the same name. When several scopes grant the request, the most
//! specific applies (a scope naming the resource, then the quarantine read
//! that `DATASOURCES:READ:x` implies for `x_quarantine`, then
//! `WORKSPACE:READ_ALL`, then `ADMIN`), and among equally specific ones the
//! restricted one (a filter or fixed params) wins over an unrestricted one.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::authz::grant::Grant;
use crate::authz::rate_limit::rate_limit_of;
use crate::error::{claim_invalid, invalid_option, Error, ErrorCode, Result};
use crate::jose::json::ValueBuilder;
use crate::jwt::verify::{Verified, Verifier};
use crate::profiles::scopes::{is_resource_name, parse_scope, ScopeType, Shape};
use crate::profiles::tinybird::{self, JwtScope};
use crate::sql::secure_filters::{parse_secure_filters, FilterGroups};

/// Tinybird names a data source's quarantine table `<name>_quarantine`.
const QUARANTINE_SUFFIX: &str = "_quarantine";

/// One request to authorize: `{type, resource?, params?}` in JS.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    #[serde(rename = "type")]
    pub request_type: ScopeType,
    /// Required for every type but the bare ones (`ADMIN`, `WORKSPACE:READ_ALL`, …).
    #[serde(default)]
    pub resource: Option<String>,
    /// Query parameters; values are strings, numbers or booleans.
    #[serde(default)]
    pub params: Option<Map<String, Value>>,
}

impl Request {
    pub fn new(request_type: ScopeType, resource: impl Into<String>) -> Request {
        Request {
            request_type,
            resource: Some(resource.into()),
            params: None,
        }
    }

    /// A request for a type that takes no resource (`ADMIN`, `WORKSPACE:READ_ALL`, …).
    pub fn bare(request_type: ScopeType) -> Request {
        Request {
            request_type,
            resource: None,
            params: None,
        }
    }

    pub fn with_param(mut self, name: impl Into<String>, value: impl Into<Value>) -> Request {
        self.params
            .get_or_insert_with(Map::new)
            .insert(name.into(), value.into());
        self
    }
}

/// What `authorize` allows beyond what a token states (in JS, the
/// `allowUnfilteredDataSets` option of `createVerifier`).
#[derive(Clone, Copy, Debug, Default)]
pub struct AuthorizeOptions {
    /// Grant a Vizzly data set that has no `secureFilters` entry even when
    /// the token filters other data sets. Off by default.
    pub allow_unfiltered_data_sets: bool,
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

impl Verifier {
    /// Verifies `token`, then checks that it grants `request`. The grant's
    /// `rate_limit` says which budget to consume from (`RateLimiter`).
    pub fn authorize(
        &self,
        token: &str,
        request: &Request,
        options: &AuthorizeOptions,
    ) -> Result<Grant> {
        self.authorize_with(token, options, self.now()?, || Ok(request.clone()))
    }

    /// [`Verifier::authorize`] at instant `now` (Unix seconds).
    pub fn authorize_at(
        &self,
        token: &str,
        request: &Request,
        options: &AuthorizeOptions,
        now: f64,
    ) -> Result<Grant> {
        self.authorize_with(token, options, now, || Ok(request.clone()))
    }

    /// [`Verifier::authorize_at`] with the request produced only once the
    /// token has verified (e.g. read from a body: the wasm adapter reads it
    /// from JSON), so a bad token fails with its own code whatever the request.
    pub fn authorize_with(
        &self,
        token: &str,
        options: &AuthorizeOptions,
        now: f64,
        request: impl FnOnce() -> Result<Request>,
    ) -> Result<Grant> {
        self.authorize_with_platform(token, options, now, |_, _, _| Ok(None), request)
    }

    /// [`Verifier::authorize_with`] with the signature checked by the platform,
    /// as in `Verifier::verify_with`: verify, match, then read the rate limit.
    pub(crate) fn authorize_with_platform(
        &self,
        token: &str,
        options: &AuthorizeOptions,
        now: f64,
        platform: impl FnMut(usize, &[u8], &[u8]) -> Result<Option<bool>>,
        request: impl FnOnce() -> Result<Request>,
    ) -> Result<Grant> {
        let now = crate::jwt::time::checked_now(now)?;
        // Every verifier check comes first: a bad token fails with its own code.
        let claims = scanned_claims(|sink| self.verify_scanning(token, now, platform, sink))?;
        grant_for(claims, options, request)
    }
}

impl Verifier {
    /// [`Verifier::authorize_with`]'s second half, once the platform has
    /// verified the signature with the key [`Verifier::start_native`] chose:
    /// the payload checks, then the match. Only for the wasm adapter, like
    /// `finish_native`.
    pub(crate) fn authorize_after_native(
        &self,
        token: &str,
        options: &AuthorizeOptions,
        request: impl FnOnce() -> Result<Request>,
    ) -> Result<Grant> {
        let claims = scanned_claims(|sink| self.finish_native_scanning(token, sink))?;
        grant_for(claims, options, request)
    }
}

/// The claims of a token verified by `verify`, built in the one scan that
/// checks its payload.
fn scanned_claims(verify: impl FnOnce(&mut ValueBuilder) -> Result<Verified>) -> Result<Value> {
    let mut builder = ValueBuilder::default();
    verify(&mut builder)?;
    builder
        .finish()
        .ok_or_else(|| claim_invalid("payload", "could not be read as JSON"))
}

/// What a verified token's claims grant for the request.
fn grant_for(
    claims: Value,
    options: &AuthorizeOptions,
    request: impl FnOnce() -> Result<Request>,
) -> Result<Grant> {
    let request = request()?;
    check_request(&request)?;
    let resource = request.resource.clone().unwrap_or_default();
    let matched = match_grants(
        &claims,
        request.request_type,
        &resource,
        options.allow_unfiltered_data_sets,
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
    if request.resource.is_none() && request.request_type.shape() != Shape::Bare {
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
    request_type: ScopeType,
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
fn quarantine_base(request_type: ScopeType, resource: &str) -> Option<&str> {
    if request_type != ScopeType::DatasourcesRead {
        return None;
    }
    resource
        .strip_suffix(QUARANTINE_SUFFIX)
        .filter(|base| is_resource_name(base))
}

/// How specifically a scope names the requested resource; lower is more specific.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Specificity {
    /// The scope names the resource (or is the bare type requested).
    Named,
    /// `DATASOURCES:READ:x` read as the grant of `x_quarantine`.
    ImpliedQuarantine,
}

/// A scope that grants the request, with what it brings and where it sits.
struct Candidate {
    specificity: Specificity,
    matched: Matched,
    claim: String,
}

impl Candidate {
    fn is_restricted(&self) -> bool {
        self.matched.filter.is_some() || self.matched.fixed_params.is_some()
    }
}

/// Tinybird JWT scopes (objects) and static scope strings. The most specific
/// matching scope applies; `WORKSPACE:READ_ALL` (reads) and `ADMIN` apply only
/// when no scope of the request's own type matches, so a filter the issuer
/// wrote for this resource is never bypassed by a broader grant in the same
/// token.
fn match_scopes(scopes: &[Value], request_type: ScopeType, resource: &str) -> Result<Matched> {
    let deny = |why: &str| {
        denied(format!(
            "the token does not grant {request_type} on \"{resource}\"{why}"
        ))
    };
    // A name that cannot exist is never granted, whatever the token says.
    if !resource.is_empty() && !is_resource_name(resource) {
        return Err(deny(" (not a valid resource name)"));
    }
    if resource.is_empty() && request_type.shape() != Shape::Bare {
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
    let specificity = |scope_resource: Option<&str>| match scope_resource {
        None => Some(Specificity::Named),
        Some(name) if name == resource => Some(Specificity::Named),
        Some(name) if base == Some(name) => Some(Specificity::ImpliedQuarantine),
        Some(_) => None,
    };
    let mut candidates = Vec::new();
    let mut admin = false;
    let mut read_all = false;
    let mut ignored = 0usize;
    for (i, scope) in scopes.iter().enumerate() {
        match scope {
            Value::String(text) => {
                // A static scope string the parser refuses grants nothing.
                let Ok(parsed) = parse_scope(text) else {
                    ignored += 1;
                    continue;
                };
                match parsed.scope_type {
                    ScopeType::Admin => admin = true,
                    ScopeType::WorkspaceReadAll => read_all = true,
                    _ => {}
                }
                if parsed.scope_type != request_type {
                    continue;
                }
                if let Some(specificity) = specificity(parsed.resource.as_deref()) {
                    candidates.push(Candidate {
                        specificity,
                        matched: Matched {
                            filter: parsed.filter,
                            ..Matched::default()
                        },
                        claim: format!("scopes[{i}]"),
                    });
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
                if parsed.scope_type != request_type {
                    continue;
                }
                if let Some(specificity) = specificity(Some(&parsed.resource)) {
                    candidates.push(Candidate {
                        specificity,
                        matched: Matched {
                            fixed_params: parsed.fixed_params,
                            filter: parsed.filter,
                            ..Matched::default()
                        },
                        claim: format!("scopes[{i}].filter"),
                    });
                }
            }
            _ => ignored += 1,
        }
    }
    if let Some(chosen) = most_specific(candidates, request_type, resource)? {
        let filter = checked_filter(chosen.matched.filter.clone(), &chosen.claim)?;
        return Ok(Matched {
            filter,
            ..chosen.matched
        });
    }
    let reads = matches!(
        request_type,
        ScopeType::PipesRead | ScopeType::DatasourcesRead
    );
    if admin || (read_all && reads) {
        return Ok(Matched::default());
    }
    if ignored > 0 {
        return Err(deny(&format!(
            " ({ignored} malformed scope(s) in the token were ignored)"
        )));
    }
    Err(deny(""))
}

/// The candidate that applies: the most specific ones, and among those the
/// restricted one. Two different restrictions for the same request make the
/// token ambiguous, and it is refused rather than one being picked.
fn most_specific(
    candidates: Vec<Candidate>,
    request_type: ScopeType,
    resource: &str,
) -> Result<Option<Candidate>> {
    let Some(best) = candidates.iter().map(|c| c.specificity).min() else {
        return Ok(None);
    };
    let mut tied: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| c.specificity == best)
        .collect();
    let restricted: Vec<usize> = (0..tied.len())
        .filter(|&i| tied[i].is_restricted())
        .collect();
    match restricted.as_slice() {
        [] => Ok(Some(tied.swap_remove(0))),
        [first, rest @ ..] => {
            let same =
                |a: &Matched, b: &Matched| a.filter == b.filter && a.fixed_params == b.fixed_params;
            if rest
                .iter()
                .any(|&i| !same(&tied[i].matched, &tied[*first].matched))
            {
                return Err(claim_invalid(
                    "scopes",
                    format!(
                        "grant {request_type} on \"{resource}\" with different filters or fixed params; refusing to pick one"
                    ),
                ));
            }
            Ok(Some(tied.swap_remove(*first)))
        }
    }
}

/// A matched scope's filter as the grant carries it; a filter the server
/// build cannot parse fails the request rather than being dropped.
fn checked_filter(filter: Option<String>, claim: &str) -> Result<Option<String>> {
    filter
        .map(|f| crate::sql::issuer_filter::check(&f, claim))
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
    request_type: ScopeType,
    resource: &str,
    allow_unfiltered_data_sets: bool,
) -> Result<Matched> {
    let deny = |why: &str| {
        denied(format!(
            "the token does not grant {request_type} on \"{resource}\"{why}"
        ))
    };
    if request_type != ScopeType::DatasourcesRead {
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

#[cfg(test)]
mod tests {
    use crate::{CreateVerifierOptions, Signer, SignerOptions, Verifier};

    fn verifier(options: serde_json::Value) -> (Verifier, super::AuthorizeOptions) {
        let options: CreateVerifierOptions =
            crate::options_from_json(&options.to_string(), "createVerifier options").unwrap();
        let parts = options.into_parts();
        (Verifier::new(parts.verifier).unwrap(), parts.authorize)
    }

    /// The two halves the platform-signature path uses give `authorize`'s answers.
    #[test]
    fn authorize_after_native_answers_as_authorize() {
        let pair = crate::generate_key_pair(crate::Algorithm::ES256).unwrap();
        let signer_options: SignerOptions = crate::options_from_json(
            &serde_json::json!({ "privateKey": pair.private_key, "ttlSeconds": 600 }).to_string(),
            "createSigner options",
        )
        .unwrap();
        let signer = Signer::new(signer_options).unwrap();
        let claims = serde_json::json!({
            "scopes": [{ "type": "PIPES:READ", "resource": "top_pages", "fixed_params": { "org": "acme" } }]
        });
        let token = signer
            .sign(&claims.to_string(), &Default::default())
            .unwrap();
        let now = serde_json::json!({ "publicKey": pair.public_key });
        let later =
            serde_json::json!({ "publicKey": pair.public_key, "currentTime": 4_000_000_000u64 });
        for (options, request) in [
            (
                &now,
                r#"{"type":"PIPES:READ","resource":"top_pages","params":{"org":"other","day":"1"}}"#,
            ),
            (&now, r#"{"type":"PIPES:READ","resource":"other_pipe"}"#),
            (
                &now,
                r#"{"type":"PIPES:READ","resource":"top_pages","extra":1}"#,
            ),
            // Expired: the payload checks still run in the second half.
            (&later, r#"{"type":"PIPES:READ","resource":"top_pages"}"#),
        ] {
            let (verifier, authorize) = verifier(options.clone());
            let read = || crate::options_from_json(request, "request");
            let whole = verifier.authorize_with(&token, &authorize, verifier.now().unwrap(), read);
            let check = verifier.start_native(&token).unwrap();
            assert_eq!(check.signing_input_bytes, token.rfind('.').unwrap());
            let split = verifier.authorize_after_native(&token, &authorize, read);
            match (split, whole) {
                (Ok(split), Ok(whole)) => assert_eq!(
                    serde_json::to_value(&split).unwrap(),
                    serde_json::to_value(&whole).unwrap()
                ),
                (Err(split), Err(whole)) => {
                    assert_eq!(
                        (split.code(), split.to_string()),
                        (whole.code(), whole.to_string())
                    )
                }
                (split, whole) => panic!("{request}: {:?} vs {:?}", split.is_ok(), whole.is_ok()),
            }
        }
    }
}
