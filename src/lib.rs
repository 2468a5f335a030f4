//! scopemint: mint, verify and decode scoped access tokens (compact JWS/JWT).
//!
//! The Rust API knows nothing of JavaScript; `wasm.rs` adapts it for the npm
//! package. A [`Signer`] or [`Verifier`] validates its options and parses its
//! keys once; `sign` / `verify` then do only per-token work.

mod access;
mod alg;
mod b64;
mod crypto;
#[cfg(feature = "server")]
mod data_model;
mod decode;
mod error;
mod issuer_filter;
mod json;
mod keys;
mod mac;
mod options;
pub mod profiles;
mod random;
mod rate_limit;
mod remote_jwks;
mod scopes;
mod sign;
#[cfg(feature = "server")]
mod sql_expression;
mod sql_filters;
mod sql_params;
mod time;
#[cfg(test)]
mod vectors_tests;
mod verify;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use access::Grant;
pub use alg::Algorithm;
#[cfg(feature = "server")]
pub use data_model::{
    render_data_model, render_data_model_value, RenderOptions, MAX_BOUND_BYTES, MAX_BOUND_VALUES,
    MAX_CONCATENATIONS, MAX_CONTEXT_BYTES, MAX_RENDERED_BYTES, MAX_TEMPLATE_BYTES,
};
pub use decode::{
    decode, decode_protected_header, DecodeOptions, Decoded, DEFAULT_MAX_TOKEN_BYTES,
};
pub use error::{Error, ErrorCode, Result};
pub use keys::{generate_key_pair, GeneratedKeyPair};
pub use options::from_json as options_from_json;
pub use rate_limit::{
    outcome as rate_limit_outcome, rate_limit_of, Consumed, MemoryRateLimitStore, OnStoreError,
    RateLimit, RateLimitStore, RateLimiter, RateLimiterOptions, DEFAULT_MAX_KEYS,
};
pub use remote_jwks::{RemoteJwks, RemoteJwksOptions};
/// Vizzly secure filters read in words (decode's `profileInfo`), from the decode crate.
pub use scopemint_decode::filter_words;
pub use scopes::{format_scope, format_scope_json, parse_scope, Scope, ScopeType};
pub use sign::{SignOptions, Signer, SignerOptions};
#[cfg(feature = "server")]
pub use sql_expression::{
    normalize_sql_filter, FilterOptions, MAX_FILTER_BYTES, MAX_FILTER_OPERATORS,
};
pub use sql_filters::{
    compile_filters, compile_filters_from, compile_secure_filters, CompileOptions,
};
pub use sql_params::{BoundSql, Dialect};
pub use time::{format_iso8601_millis, parse_iso8601};
pub use verify::{Verified, Verifier, VerifierOptions, MAX_CLOCK_TOLERANCE_SECONDS};
