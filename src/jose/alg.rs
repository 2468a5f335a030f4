//! JWS algorithm identifiers and the key family each one needs.

use crate::error::{Error, ErrorCode, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    HS256,
    HS384,
    HS512,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    EdDSA,
}

/// The kind of key an algorithm works with. A key is bound to one family, so
/// an RSA public key can never be used as an HMAC secret (key confusion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFamily {
    Hmac,
    Rsa,
    EcP256,
    EcP384,
    Ed25519,
}

impl Algorithm {
    pub const ALL: [Algorithm; 12] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// Exact, case-sensitive match (RFC 7515 §4.1.1). `none` is never an algorithm here.
    pub fn parse(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|alg| alg.as_str() == name)
    }

    pub fn parse_option(name: &str, option: &str) -> Result<Algorithm> {
        Algorithm::parse(name).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidOption,
                format!(
                    "{option}: unsupported algorithm \"{name}\" (supported: {})",
                    supported_list()
                ),
            )
            .with_claim(option)
        })
    }

    pub fn family(self) -> KeyFamily {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => KeyFamily::Hmac,
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => KeyFamily::Rsa,
            Algorithm::ES256 => KeyFamily::EcP256,
            Algorithm::ES384 => KeyFamily::EcP384,
            Algorithm::EdDSA => KeyFamily::Ed25519,
        }
    }

    /// HMAC secrets must be at least as long as the hash output (RFC 7518 §3.2).
    pub fn min_hmac_secret_bytes(self) -> usize {
        match self {
            Algorithm::HS384 => 48,
            Algorithm::HS512 => 64,
            _ => 32,
        }
    }
}

impl KeyFamily {
    /// The algorithm used when the caller names none.
    pub fn default_algorithm(self) -> Algorithm {
        match self {
            KeyFamily::Hmac => Algorithm::HS256,
            KeyFamily::Rsa => Algorithm::RS256,
            KeyFamily::EcP256 => Algorithm::ES256,
            KeyFamily::EcP384 => Algorithm::ES384,
            KeyFamily::Ed25519 => Algorithm::EdDSA,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            KeyFamily::Hmac => "an HMAC secret",
            KeyFamily::Rsa => "an RSA key",
            KeyFamily::EcP256 => "an EC P-256 key",
            KeyFamily::EcP384 => "an EC P-384 key",
            KeyFamily::Ed25519 => "an Ed25519 key",
        }
    }
}

pub fn supported_list() -> String {
    Algorithm::ALL
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks that `alg` may be used with a key of `family`.
pub fn ensure_compatible(alg: Algorithm, family: KeyFamily) -> Result<()> {
    if alg.family() == family {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::KeyInvalid,
            format!("{} cannot be used with {}", family.describe(), alg.as_str()),
        ))
    }
}
