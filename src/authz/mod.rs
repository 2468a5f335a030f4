//! Server-side enforcement after a token verifies: what it grants one request
//! (`Verifier::authorize`, defined here so `jwt::verify` knows nothing of
//! grants) and the rate limits that grant carries.

pub mod authorize;
pub mod grant;
pub mod rate_limit;
pub mod redis_bucket;
