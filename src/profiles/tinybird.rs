//! Tinybird JWTs: HS256 signed with the workspace admin token, carrying
//! `workspace_id`, `name`, `exp`, `scopes` and optional `limits.rps`.
//! Minted locally: no round trip to Tinybird.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::field_error;
use crate::error::{invalid_option, key_invalid, Result};
use crate::jose::alg::Algorithm;
use crate::jwt::sign::{Signer, SignerOptions};
use crate::jwt::time;
use crate::options::{Secret, Timestamp};
use crate::profiles::scopes::{is_resource_name, ScopeType};

#[derive(Deserialize, Serialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct JwtScope {
    #[serde(rename = "type")]
    pub scope_type: ScopeType,
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_params: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
}

/// `limits` (optional, and `rps` within it too: `limits: {}` is valid, as in
/// the SDK's `JWTLimits`).
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    #[serde(
        default,
        deserialize_with = "crate::options::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub rps: Option<Value>,
}

/// `createJWT`'s options, as in `@tinybirdco/sdk`'s `CreateJWTOptions`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateJwtParams {
    pub name: String,
    /// Required (an option only so that its absence is worded like the others).
    #[serde(default, deserialize_with = "crate::options::timestamp_option")]
    pub expires_at: Option<Timestamp>,
    pub scopes: Vec<JwtScope>,
    pub limits: Option<Limits>,
    /// Overrides the signer's `workspaceId`.
    pub workspace_id: Option<String>,
}

#[derive(Serialize)]
struct Payload<'a> {
    workspace_id: &'a str,
    name: &'a str,
    exp: i64,
    scopes: &'a [JwtScope],
    #[serde(skip_serializing_if = "Option::is_none")]
    limits: Option<&'a Limits>,
}

/// Checks one scope of a Tinybird JWT; `path` names it in errors.
pub fn validate_scope(scope: &JwtScope, path: &str) -> Result<()> {
    if !scope.scope_type.is_jwt_type() {
        return Err(field_error(
            &format!("{path}.type"),
            format!(
                "\"{}\" is not a JWT scope type (allowed: {})",
                scope.scope_type,
                ScopeType::list(&ScopeType::JWT)
            ),
        ));
    }
    if !is_resource_name(&scope.resource) {
        return Err(field_error(
            &format!("{path}.resource"),
            format!("\"{}\" is not a valid resource name (letters, digits and _; not starting with a digit)", scope.resource),
        ));
    }
    if let Some(params) = &scope.fixed_params {
        if scope.scope_type != ScopeType::PipesRead {
            return Err(field_error(
                &format!("{path}.fixed_params"),
                "is only allowed on PIPES:READ scopes",
            ));
        }
        for (name, value) in params {
            if !matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                return Err(field_error(
                    &format!("{path}.fixed_params.{name}"),
                    "must be a string, number or boolean",
                ));
            }
        }
    }
    if let Some(filter) = &scope.filter {
        if scope.scope_type != ScopeType::DatasourcesRead {
            return Err(field_error(
                &format!("{path}.filter"),
                "is only allowed on DATASOURCES:READ scopes",
            ));
        }
        if filter.trim().is_empty() {
            return Err(field_error(
                &format!("{path}.filter"),
                "must be a non-empty SQL condition",
            ));
        }
    }
    Ok(())
}

/// `limits.rps`, when given: a positive whole number (see `read_rps`).
pub fn rps(limits: &Limits) -> Result<Option<u64>> {
    limits.rps.as_ref().map(check_minted_rps).transpose()
}

/// How `createJWT` was reached: on a signer (which may name the workspace per
/// call), or on a `scopemint/tinybird` client, whose options are exactly the
/// SDK's `CreateJWTOptions`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Signer,
    Client,
}

/// Mints a Tinybird JWT (the token; Tinybird's SDK returns it as `{token}`),
/// for the signer's `workspaceId` unless the params name one.
pub fn create_jwt(signer: &Signer, params: &CreateJwtParams) -> Result<String> {
    create_jwt_for(signer, params, Caller::Signer)
}

/// The signer must be HS256 (checked before the params are read).
pub(crate) fn check_signer(signer: &Signer) -> Result<()> {
    if signer.algorithm() != Algorithm::HS256 {
        return Err(key_invalid(format!(
            "Tinybird JWTs are HS256 signed with the workspace admin token; this signer uses {}",
            signer.algorithm().as_str()
        )));
    }
    Ok(())
}

pub fn create_jwt_for(signer: &Signer, params: &CreateJwtParams, caller: Caller) -> Result<String> {
    check_signer(signer)?;
    let workspace_id = signer.workspace_id();
    if caller == Caller::Client && params.workspace_id.is_some() {
        return Err(field_error(
            "workspaceId",
            "is not a createJWT option of @tinybirdco/sdk; give it to createClient",
        ));
    }
    let workspace_id = params
        .workspace_id
        .as_deref()
        .or(workspace_id)
        .ok_or_else(|| {
            invalid_option(
                "workspaceId",
                "Tinybird JWTs need a workspace id (`workspaceId` on the signer)",
            )
        })?;
    if workspace_id.trim().is_empty() {
        return Err(field_error("workspaceId", "must be a non-empty string"));
    }
    if params.name.trim().is_empty() {
        return Err(field_error("name", "must be a non-empty string"));
    }
    let expires_at = params.expires_at.as_ref().ok_or_else(|| {
        field_error(
            "expiresAt",
            "is required (a Date, Unix seconds or an ISO-8601 string)",
        )
    })?;
    let exp = time::instant(expires_at, "expiresAt")?;
    let now = time::now_whole_seconds()?;
    if exp <= now {
        return Err(field_error("expiresAt", "must be in the future"));
    }
    time::check_expiry_within_max(exp as f64, now, "expiresAt")?;
    if params.scopes.is_empty() {
        return Err(field_error("scopes", "must list at least one scope"));
    }
    for (i, scope) in params.scopes.iter().enumerate() {
        validate_scope(scope, &format!("scopes[{i}]"))?;
        if let Some(filter) = &scope.filter {
            // Refused at mint time in the server build, so no token carries a
            // filter that every verifier would then refuse.
            crate::sql::issuer_filter::check(filter, &format!("scopes[{i}].filter"))?;
        }
    }
    if let Some(limits) = &params.limits {
        rps(limits)?;
    }
    let payload = Payload {
        workspace_id,
        name: &params.name,
        exp,
        scopes: &params.scopes,
        limits: params.limits.as_ref(),
    };
    let payload =
        serde_json::to_vec(&payload).map_err(|e| invalid_option("createJWT", e.to_string()))?;
    signer.sign_payload(&payload)
}

/// `createClient` options of `scopemint/tinybird`: the SDK's `token` and
/// `baseUrl`, plus the `workspaceId` a local signature needs (Tinybird's own
/// API knows it from the token; we do not call it).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientOptions {
    /// The workspace admin token (the HMAC secret).
    pub token: String,
    pub workspace_id: String,
    /// Accepted for a one-line switch from the SDK; no request is made.
    pub base_url: Option<String>,
}

/// The signer behind a `scopemint/tinybird` client.
pub fn client_signer(options: ClientOptions) -> Result<Signer> {
    if options.workspace_id.trim().is_empty() {
        return Err(field_error("workspaceId", "must be a non-empty string"));
    }
    if let Some(url) = &options.base_url {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        if !rest.is_some_and(|host| !host.is_empty() && !host.chars().any(char::is_whitespace)) {
            return Err(field_error(
                "baseUrl",
                format!("\"{url}\" is not an http(s) URL"),
            ));
        }
    }
    let signer_options = SignerOptions {
        secret: Some(Secret::from(options.token)),
        algorithm: Some(Algorithm::HS256),
        workspace_id: Some(options.workspace_id),
        ..SignerOptions::default()
    };
    // The SDK calls the admin token `token`: errors about the secret name it so.
    Signer::new(signer_options).map_err(|e| {
        crate::error::Error::new(
            e.code,
            format!("token (the workspace admin token): {}", e.message),
        )
        .with_claim("token")
    })
}

/// Larger limits are refused rather than read as "practically unlimited".
pub(crate) const MAX_RPS: u64 = 1_000_000_000;

/// `Some(rps)` for a positive whole number, `None` for `<= 0` (no limit).
/// Tinybird's docs show only whole numbers and say nothing of fractions, so a
/// fraction (and anything not a number) is refused rather than rounded.
pub(crate) fn read_rps(value: &Value) -> std::result::Result<Option<u64>, &'static str> {
    let Value::Number(number) = value else {
        return Err("must be a number");
    };
    let Some(rps) = number.as_f64() else {
        return Err("must be a number");
    };
    if rps <= 0.0 {
        return Ok(None);
    }
    if rps.fract() != 0.0 {
        return Err(
            "must be a whole number of requests per second (Tinybird's docs define no fractions)",
        );
    }
    if rps > MAX_RPS as f64 {
        return Err("is larger than 1000000000");
    }
    Ok(Some(rps as u64))
}

/// Mint-time rule for `createJWT`'s `limits.rps`: a positive whole number.
/// `0` or less would mean "no limit" to Tinybird, which an issuer writing
/// `rps: 0` to block a token would not expect, so it is refused with that
/// explanation (leave `rps` out for no limit).
pub fn check_minted_rps(rps: &Value) -> Result<u64> {
    match read_rps(rps) {
        Ok(Some(rps)) => Ok(rps),
        Ok(None) => Err(invalid_option(
            "limits.rps",
            "must be a positive whole number: Tinybird reads rps <= 0 as \"no limit\"; leave rps out for no limit",
        )),
        Err(why) => Err(invalid_option("limits.rps", why)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::check_minted_rps;
    use crate::error::ErrorCode;

    #[test]
    fn minted_rps_is_a_positive_whole_number() {
        assert_eq!(check_minted_rps(&json!(10)), Ok(10));
        for bad in [
            json!(0),
            json!(-1),
            json!(0.5),
            json!(1.5),
            json!("5"),
            json!(null),
        ] {
            let error = check_minted_rps(&bad).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidOption, "{bad}");
            assert_eq!(error.claim.as_deref(), Some("limits.rps"));
        }
        assert!(check_minted_rps(&json!(0))
            .unwrap_err()
            .message
            .contains("no limit"));
    }
}
