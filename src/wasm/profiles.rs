//! The vendor methods of a JS signer (`signDataAccessToken`, `createJWT`, …):
//! each one's argument read from JSON text into its typed params, then the
//! typed profile function; tokens come back as a string, or as `{"token": …}`
//! JSON text where the vendor's SDK returns an object (Tinybird, Embeddable).

use crate::error::{invalid_option, Result};
use crate::options::from_json;
use crate::profiles::{embeddable, tinybird, vizzly};
use crate::Signer;

pub(crate) fn sign_with_profile(
    signer: &Signer,
    method: &str,
    params_json: &str,
) -> Result<String> {
    match method {
        "signDashboardAccessToken" => {
            vizzly::sign_dashboard_access_token(signer, from_json(params_json, method)?)
        }
        "signDataAccessToken" => {
            vizzly::sign_data_access_token(signer, &from_json(params_json, method)?)
        }
        "signQueryEngineAccessToken" => {
            vizzly::sign_query_engine_access_token(signer, &from_json(params_json, method)?)
        }
        "signProjectAccessToken" => {
            vizzly::sign_project_access_token(signer, &from_json(params_json, method)?)
        }
        "generateTokens" => {
            let tokens = vizzly::generate_tokens(signer, from_json(params_json, method)?)?;
            json_text(&tokens)
        }
        // The config is signed exactly as the caller wrote it.
        "signVizzlyConfig" => vizzly::sign_vizzly_config_text(signer, params_json),
        "createJWT" => create_jwt(signer, params_json, tinybird::Caller::Signer),
        "tinybirdClientCreateJWT" => create_jwt(signer, params_json, tinybird::Caller::Client),
        "signSecurityToken" => {
            let params: embeddable::SecurityTokenParams = from_json(params_json, method)?;
            token_object(embeddable::sign_security_token(signer, &params)?)
        }
        other => Err(invalid_option(
            "method",
            format!("unknown profile method \"{other}\""),
        )),
    }
}

fn create_jwt(signer: &Signer, params_json: &str, caller: tinybird::Caller) -> Result<String> {
    // A signer that cannot mint Tinybird JWTs is refused before its params are read.
    tinybird::check_signer(signer)?;
    let params: tinybird::CreateJwtParams = from_json(params_json, "createJWT")?;
    token_object(tinybird::create_jwt_for(signer, &params, caller)?)
}

/// `{"token": …}`, as the vendors' SDKs answer.
pub(crate) fn token_object(token: String) -> Result<String> {
    json_text(&serde_json::json!({ "token": token }))
}

fn json_text<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| invalid_option("claims", e.to_string()))
}
