//! JOSE building blocks with no notion of tokens' meaning: algorithm names,
//! base64url, compact serialisation, and the strict JSON reader for headers and claims.

pub mod alg;
pub mod b64;
pub mod compact;
pub mod json;
