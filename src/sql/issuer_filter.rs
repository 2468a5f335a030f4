//! The gate every issuer-written SQL filter passes on its way into or out of
//! a token. The server build parses it (`sql::expression`) and hands out the
//! normalised expression. The main build has no SQL parser, so it cannot know
//! what a filter means and refuses it rather than pass unchecked SQL along.

use crate::error::Result;

#[cfg(feature = "server")]
pub(crate) fn check(filter: &str, claim: &str) -> Result<String> {
    crate::sql::expression::normalize_sql_filter(filter, &Default::default())
        .map_err(|e| e.with_claim(claim))
}

#[cfg(not(feature = "server"))]
pub(crate) fn check(_filter: &str, claim: &str) -> Result<String> {
    use crate::error::{Error, ErrorCode};
    Err(Error::new(
        ErrorCode::FilterUnchecked,
        "this entry has no SQL parser and does not pass a SQL filter on unchecked; \
         use 'scopemint/server', which parses and normalises it",
    )
    .with_claim(claim))
}
