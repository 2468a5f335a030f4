//! Vendor token shapes, each a thin layer over the core signer: validate the
//! vendor's fields, build its exact claim set, sign.

pub mod embeddable;
pub mod tinybird;
pub mod vizzly;

use serde::de::DeserializeOwned;

use crate::error::{invalid_option, Error, Result};

/// A profile field error: `ERR_INVALID_OPTION` with the field's path as `claim`.
fn field_error(path: &str, message: impl Into<String>) -> Error {
    invalid_option(path, message)
}

/// Re-labels a field error from a nested section (`dashboard`, `data`, …) with the section's path.
fn within(section: &str, error: Error) -> Error {
    match &error.claim {
        Some(claim) => {
            let rest = error
                .message
                .strip_prefix(claim.as_str())
                .unwrap_or(&error.message);
            let path = format!("{section}.{claim}");
            Error::new(error.code, format!("{path}{rest}")).with_claim(path)
        }
        None => error,
    }
}

fn parse_params<T: DeserializeOwned>(json: &str, method: &str) -> Result<T> {
    crate::options::from_json(json, method)
}

fn now_millis() -> i64 {
    (crate::time::now_seconds() * 1000.0).floor() as i64
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
        "generateTokens" => vizzly::generate_tokens(signer, params_json),
        "signVizzlyConfig" => vizzly::sign_vizzly_config(signer, params_json),
        "createJWT" => tinybird::create_jwt(signer, signer.workspace_id(), params_json),
        "signSecurityToken" => embeddable::sign_security_token(signer, params_json),
        other => Err(invalid_option(
            "method",
            format!("unknown profile method \"{other}\""),
        )),
    }
}
