//! Vendor token shapes (the `profile` of JS options), each a thin layer over
//! the core signer: validate the vendor's fields, build its exact claim set,
//! sign; and Tinybird's scope types and static-token scope strings.

pub mod embeddable;
pub mod scopes;
pub mod tinybird;
pub mod vizzly;

use serde::de::DeserializeOwned;

use crate::error::{invalid_option, Error, Result};

/// A profile field error: `ERR_INVALID_OPTION` with the field's path as `claim`.
fn field_error(path: &str, message: impl Into<String>) -> Error {
    invalid_option(path, message)
}

fn parse_params<T: DeserializeOwned>(json: &str, method: &str) -> Result<T> {
    crate::options::from_json(json, method)
}

fn now_millis() -> Result<i64> {
    // now_seconds is at most 1e11, so the product is exact in f64 and fits i64.
    let now = crate::jwt::time::now_seconds()?;
    Ok((now * 1000.0).floor() as i64)
}

/// Signs with the named profile; `params_json` is that method's argument.
/// Tokens come back as a string, or as `{"token": …}` JSON text where the
/// vendor's SDK returns an object (Tinybird, Embeddable).
pub fn sign_with_profile(
    signer: &crate::Signer,
    method: &str,
    params_json: &str,
) -> Result<String> {
    match method {
        "signDashboardAccessToken" => vizzly::sign_dashboard_access_token(signer, params_json),
        "signDataAccessToken" => vizzly::sign_data_access_token(signer, params_json),
        "signQueryEngineAccessToken" => vizzly::sign_query_engine_access_token(signer, params_json),
        "signProjectAccessToken" => vizzly::sign_project_access_token(signer, params_json),
        "generateTokens" => vizzly::generate_tokens(signer, params_json),
        "signVizzlyConfig" => vizzly::sign_vizzly_config(signer, params_json),
        "createJWT" => tinybird::create_jwt(signer, signer.workspace_id(), params_json),
        "tinybirdClientCreateJWT" => tinybird::create_jwt_for(
            signer,
            signer.workspace_id(),
            params_json,
            tinybird::Caller::Client,
        ),
        "signSecurityToken" => embeddable::sign_security_token(signer, params_json),
        other => Err(invalid_option(
            "method",
            format!("unknown profile method \"{other}\""),
        )),
    }
}
