//! The JS `createVerifier` options object, which spans three layers: what
//! `verify` checks, what `authorize` allows and how large the JS layer's
//! verified-token cache is. Read here in one piece (the JS shape stays one
//! flat object) and split so each layer gets only its own part.

use serde::de::{self, Deserializer};
use serde::Deserialize;

use crate::error::{invalid_option, Result};
use crate::jose::alg::Algorithm;
use crate::options::{
    algorithms_option, jwks_option, key_option, timestamp_option, JwkSet, Key, OneOrMany, Secret,
    Timestamp,
};
use crate::{AuthorizeOptions, RemoteJwksOptions, VerifierOptions, VerifierProfile};

/// The JS `createVerifier` options, read from JSON with [`crate::options_from_json`].
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateVerifierOptions {
    #[serde(default, deserialize_with = "key_option")]
    public_key: Option<Key>,
    #[serde(default, deserialize_with = "jwks_option")]
    jwks: Option<JwkSet>,
    secret: Option<Secret>,
    #[serde(default, deserialize_with = "algorithms_option")]
    algorithms: Option<Vec<Algorithm>>,
    issuer: Option<OneOrMany>,
    audience: Option<OneOrMany>,
    clock_tolerance_seconds: Option<f64>,
    max_token_age_seconds: Option<f64>,
    required_claims: Option<Vec<String>>,
    typ: Option<String>,
    max_token_bytes: Option<usize>,
    #[serde(default, deserialize_with = "timestamp_option")]
    current_time: Option<Timestamp>,
    #[serde(default)]
    allow_missing_expiry: bool,
    #[serde(default)]
    allow_short_secret: bool,
    #[serde(default, deserialize_with = "profile_option")]
    profile: Option<VerifierProfile>,
    /// `true` for 1000 entries, or `{ maxEntries }`.
    cache: Option<CacheOption>,
    #[serde(default)]
    allow_unfiltered_data_sets: bool,
    jwks_url: Option<String>,
    cache_max_age_seconds: Option<f64>,
    cooldown_seconds: Option<f64>,
    timeout_ms: Option<f64>,
    max_jwks_bytes: Option<f64>,
    max_jwks_keys: Option<f64>,
}

/// [`CreateVerifierOptions`] split by the layer each part belongs to.
pub struct VerifierParts {
    pub verifier: VerifierOptions,
    pub authorize: AuthorizeOptions,
    pub cache: CacheOption,
}

impl CreateVerifierOptions {
    pub fn into_parts(self) -> VerifierParts {
        VerifierParts {
            verifier: VerifierOptions {
                public_key: self.public_key,
                jwks: self.jwks,
                secret: self.secret,
                remote_jwks: RemoteJwksOptions {
                    jwks_url: self.jwks_url,
                    cache_max_age_seconds: self.cache_max_age_seconds,
                    cooldown_seconds: self.cooldown_seconds,
                    timeout_ms: self.timeout_ms,
                    max_jwks_bytes: self.max_jwks_bytes,
                    max_jwks_keys: self.max_jwks_keys,
                },
                algorithms: self.algorithms,
                issuer: self.issuer,
                audience: self.audience,
                clock_tolerance_seconds: self.clock_tolerance_seconds,
                max_token_age_seconds: self.max_token_age_seconds,
                required_claims: self.required_claims,
                typ: self.typ,
                max_token_bytes: self.max_token_bytes,
                current_time: self.current_time,
                allow_missing_expiry: self.allow_missing_expiry,
                allow_short_secret: self.allow_short_secret,
                profile: self.profile,
            },
            authorize: AuthorizeOptions {
                allow_unfiltered_data_sets: self.allow_unfiltered_data_sets,
            },
            cache: self.cache.unwrap_or_default(),
        }
    }

    /// The verifier's options alone.
    pub fn verifier_options(self) -> VerifierOptions {
        self.into_parts().verifier
    }
}

fn profile_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<VerifierProfile>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|name| {
            VerifierProfile::parse(&name).ok_or_else(|| {
                de::Error::custom(format!("unknown profile \"{name}\" (known: \"vizzly\")"))
            })
        })
        .transpose()
}

/// The JS verified-token cache (`cache` in `createVerifier`): off, on with
/// the default size, or on with `{ maxEntries }`.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(untagged)]
pub enum CacheOption {
    #[default]
    #[serde(skip)]
    Off,
    Enabled(bool),
    Sized(CacheSize),
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CacheSize {
    pub max_entries: usize,
}

const DEFAULT_CACHE_ENTRIES: usize = 1000;

impl CacheOption {
    /// How many verified tokens the cache may hold (0: no cache).
    pub fn capacity(&self) -> Result<usize> {
        match self {
            CacheOption::Off | CacheOption::Enabled(false) => Ok(0),
            CacheOption::Enabled(true) => Ok(DEFAULT_CACHE_ENTRIES),
            CacheOption::Sized(CacheSize { max_entries: 0 }) => Err(invalid_option(
                "cache",
                "maxEntries must be a positive integer",
            )),
            CacheOption::Sized(CacheSize { max_entries }) => Ok(*max_entries),
        }
    }
}
