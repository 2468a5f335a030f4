//! Embeddable-style security tokens. Embeddable mints its tokens itself, so
//! scopemint offers the two halves a user owns: a self-issued JWT carrying
//! the same fields (for self-hosted semantic layers), and the validated
//! request body for Embeddable's Tokens API.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{field_error, parse_params};
use crate::error::{invalid_option, Result};
use crate::sign::Signer;
use crate::{random, time};

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SecurityTokenParams {
    embeddable_id: String,
    expiry_in_seconds: Value,
    security_context: Map<String, Value>,
    user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dashboard_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    environment: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenPayload<'a> {
    security_token_id: String,
    embeddable_id: &'a str,
    security_context: &'a Map<String, Value>,
    user: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    dashboard_state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'a str>,
    iat: i64,
    exp: i64,
}

impl SecurityTokenParams {
    fn parse(json: &str, method: &str) -> Result<(SecurityTokenParams, i64)> {
        let params: SecurityTokenParams = parse_params(json, method)?;
        for (field, value) in [
            ("embeddableId", Some(&params.embeddable_id)),
            ("user", Some(&params.user)),
        ]
        .into_iter()
        .chain([
            ("dashboardState", params.dashboard_state.as_ref()),
            ("environment", params.environment.as_ref()),
        ]) {
            if value.is_some_and(|v| v.trim().is_empty()) {
                return Err(field_error(field, "must be a non-empty string"));
            }
        }
        let expiry = params
            .expiry_in_seconds
            .as_i64()
            .filter(|s| *s > 0 && *s <= time::MAX_LIFETIME_SECONDS)
            .ok_or_else(|| {
                field_error(
                    "expiryInSeconds",
                    format!(
                        "must be a whole number of seconds, from 1 up to {} (3650 days)",
                        time::MAX_LIFETIME_SECONDS
                    ),
                )
            })?;
        Ok((params, expiry))
    }
}

/// A self-issued security token; returns `{"token": …}` as JSON text.
pub fn sign_security_token(signer: &Signer, params_json: &str) -> Result<String> {
    let (params, expiry) = SecurityTokenParams::parse(params_json, "signSecurityToken")?;
    let iat = time::now_whole_seconds()?;
    let exp = time::expiry_after(iat, expiry, "expiryInSeconds")?;
    let payload = TokenPayload {
        security_token_id: random::uuid_v4()?,
        embeddable_id: &params.embeddable_id,
        security_context: &params.security_context,
        user: &params.user,
        dashboard_state: params.dashboard_state.as_deref(),
        environment: params.environment.as_deref(),
        iat,
        exp,
    };
    let payload = serde_json::to_vec(&payload)
        .map_err(|e| invalid_option("signSecurityToken", e.to_string()))?;
    Ok(serde_json::json!({ "token": signer.sign_payload(&payload)? }).to_string())
}

/// The validated JSON body for Embeddable's Tokens API (no network call).
pub fn token_request(params_json: &str) -> Result<String> {
    let (params, _) = SecurityTokenParams::parse(params_json, "embeddableTokenRequest")?;
    serde_json::to_string(&params)
        .map_err(|e| invalid_option("embeddableTokenRequest", e.to_string()))
}
