//! Vendor token shapes, each a thin layer over the core signer: validate the
//! vendor's fields (typed params structs), build its exact claim set, sign;
//! and Tinybird's scope types and static-token scope strings. The JS methods
//! (`signer.signDataAccessToken(…)`, …) reach these through `wasm/profiles.rs`.

pub mod embeddable;
pub mod scopes;
pub mod tinybird;
pub mod vizzly;

use crate::error::{invalid_option, Error, Result};

/// A profile field error: `ERR_INVALID_OPTION` with the field's path as `claim`.
fn field_error(path: &str, message: impl Into<String>) -> Error {
    invalid_option(path, message)
}

fn now_millis() -> Result<i64> {
    // now_seconds is at most 1e11, so the product is exact in f64 and fits i64.
    let now = crate::jwt::time::now_seconds()?;
    Ok((now * 1000.0).floor() as i64)
}
