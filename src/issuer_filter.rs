//! The gate every issuer-written SQL filter passes on its way into or out of
//! a token. The server build parses it (`sql_expression`) and hands out the
//! normalised expression; the main build has no SQL parser and passes the
//! issuer's text through unchanged, as its documentation says.

use crate::error::Result;

#[cfg(feature = "server")]
pub(crate) fn check(filter: &str, claim: &str) -> Result<String> {
    crate::sql_expression::normalize_sql_filter(filter, &Default::default())
        .map_err(|e| e.with_claim(claim))
}

#[cfg(not(feature = "server"))]
pub(crate) fn check(filter: &str, _claim: &str) -> Result<String> {
    Ok(filter.to_string())
}
