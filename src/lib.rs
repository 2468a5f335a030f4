//! scopemint: mint, verify and decode scoped access tokens (compact JWS/JWT).
//!
//! The Rust API knows nothing of JavaScript; `wasm/` adapts it for the npm
//! package. A [`Signer`] or [`Verifier`] validates its options and parses its
//! keys once; `sign` / `verify` then do only per-token work.

mod authz;
mod crypto;
mod error;
mod jose;
mod jwt;
mod keys;
mod options;
pub mod profiles;
mod random;
mod sql;
mod wasm;

pub use authz::authorize::{AuthorizeOptions, Request};
pub use authz::grant::Grant;
pub use authz::rate_limit::{
    outcome as rate_limit_outcome, rate_limit_of, Consumed, MemoryRateLimitStore, OnStoreError,
    RateLimit, RateLimitStore, RateLimiter, RateLimiterOptions, DEFAULT_MAX_KEYS,
};
pub use authz::redis_bucket::{REDIS_BUCKET_RULE, REDIS_BUCKET_SCRIPT, REDIS_BUCKET_SHA1};
pub use error::{Error, ErrorCode, Result};
pub use jose::alg::Algorithm;
pub use jwt::decode::{
    decode, decode_protected_header, DecodeOptions, Decoded, DEFAULT_MAX_TOKEN_BYTES,
};
pub use jwt::sign::{SignOptions, Signer, SignerOptions};
pub use jwt::time::{format_iso8601_millis, parse_iso8601};
pub use jwt::verify::{
    NativeCheck, Verified, Verifier, VerifierOptions, VerifierProfile, MAX_CLOCK_TOLERANCE_SECONDS,
};
pub use keys::remote_jwks::{RemoteJwks, RemoteJwksOptions};
pub use keys::{generate_key_pair, GeneratedKeyPair, PrivateKeyFormat};
/// Option objects in their JS shape, from JSON text (what the wasm adapter
/// does with each JS call's arguments; Rust callers build the structs).
pub use options::from_json as options_from_json;
pub use options::{Jti, JwkSet, Key, OneOrMany, Secret, Timestamp};
pub use profiles::scopes::{format_scope, parse_scope, Scope, ScopeType};
/// Vizzly secure filters read in words (decode's `profileInfo`), from the decode crate.
pub use scopemint_decode::filter_words;
#[cfg(feature = "server")]
pub use sql::data_model::{
    render_data_model, render_data_model_value, RenderOptions, MAX_BOUND_BYTES, MAX_BOUND_VALUES,
    MAX_CONCATENATIONS, MAX_CONTEXT_BYTES, MAX_RENDERED_BYTES, MAX_TEMPLATE_BYTES,
};
#[cfg(feature = "server")]
pub use sql::expression::{
    normalize_sql_filter, FilterOptions, MAX_FILTER_BYTES, MAX_FILTER_OPERATORS,
};
pub use sql::params::{BoundSql, Dialect};
pub use sql::secure_filters::{
    compile_filters, compile_filters_from, compile_secure_filters, CompileOptions, FilterGroups,
    SecureFilter,
};
/// The JS `createVerifier` object, split by layer (read by the wasm adapter).
pub use wasm::options::{CacheOption, CacheSize, CreateVerifierOptions, VerifierParts};
