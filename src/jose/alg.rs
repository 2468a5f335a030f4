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
    Ec(EcCurve),
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
                format!("{option}: {}", unsupported(name)),
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
            Algorithm::ES256 => KeyFamily::Ec(EcCurve::P256),
            Algorithm::ES384 => KeyFamily::Ec(EcCurve::P384),
            Algorithm::EdDSA => KeyFamily::Ed25519,
        }
    }

    /// The algorithm split by kind of key, each kind with its own parameters,
    /// so code that needs a hash, scheme or curve matches exhaustively and
    /// never falls back to a default one.
    pub fn kind(self) -> AlgorithmKind {
        match self {
            Algorithm::HS256 => AlgorithmKind::Hmac(HmacHash::Sha256),
            Algorithm::HS384 => AlgorithmKind::Hmac(HmacHash::Sha384),
            Algorithm::HS512 => AlgorithmKind::Hmac(HmacHash::Sha512),
            Algorithm::RS256 => AlgorithmKind::Rsa(RsaScheme::Pkcs1Sha256),
            Algorithm::RS384 => AlgorithmKind::Rsa(RsaScheme::Pkcs1Sha384),
            Algorithm::RS512 => AlgorithmKind::Rsa(RsaScheme::Pkcs1Sha512),
            Algorithm::PS256 => AlgorithmKind::Rsa(RsaScheme::PssSha256),
            Algorithm::PS384 => AlgorithmKind::Rsa(RsaScheme::PssSha384),
            Algorithm::PS512 => AlgorithmKind::Rsa(RsaScheme::PssSha512),
            Algorithm::ES256 => AlgorithmKind::Ecdsa(EcCurve::P256),
            Algorithm::ES384 => AlgorithmKind::Ecdsa(EcCurve::P384),
            Algorithm::EdDSA => AlgorithmKind::EdDsa,
        }
    }

    /// The hash of an HS algorithm; any other is `ERR_KEY_INVALID`, as for
    /// an HMAC secret given with it.
    pub fn hmac_hash(self) -> Result<HmacHash> {
        match self.kind() {
            AlgorithmKind::Hmac(hash) => Ok(hash),
            AlgorithmKind::Rsa(_) | AlgorithmKind::Ecdsa(_) | AlgorithmKind::EdDsa => {
                Err(incompatible(self, KeyFamily::Hmac))
            }
        }
    }

    /// HMAC secrets must be at least as long as the hash output (RFC 7518
    /// §3.2); `None` for algorithms that take no secret.
    pub fn min_hmac_secret_bytes(self) -> Option<usize> {
        self.hmac_hash().ok().map(HmacHash::output_bytes)
    }
}

/// [`Algorithm`] by kind of key, with each kind's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlgorithmKind {
    Hmac(HmacHash),
    Rsa(RsaScheme),
    Ecdsa(EcCurve),
    EdDsa,
}

/// The SHA-2 hash of HS256 / HS384 / HS512.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HmacHash {
    Sha256,
    Sha384,
    Sha512,
}

impl HmacHash {
    pub fn output_bytes(self) -> usize {
        match self {
            HmacHash::Sha256 => 32,
            HmacHash::Sha384 => 48,
            HmacHash::Sha512 => 64,
        }
    }
}

/// RS256..RS512 (PKCS#1 v1.5) and PS256..PS512 (PSS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaScheme {
    Pkcs1Sha256,
    Pkcs1Sha384,
    Pkcs1Sha512,
    PssSha256,
    PssSha384,
    PssSha512,
}

/// The curve of ES256 (P-256) and ES384 (P-384).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EcCurve {
    P256,
    P384,
}

impl EcCurve {
    /// The byte length of a field element / scalar on the curve.
    pub fn field_len(self) -> usize {
        match self {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
        }
    }
}

impl KeyFamily {
    /// The algorithm used when the caller names none.
    pub fn default_algorithm(self) -> Algorithm {
        match self {
            KeyFamily::Hmac => Algorithm::HS256,
            KeyFamily::Rsa => Algorithm::RS256,
            KeyFamily::Ec(EcCurve::P256) => Algorithm::ES256,
            KeyFamily::Ec(EcCurve::P384) => Algorithm::ES384,
            KeyFamily::Ed25519 => Algorithm::EdDSA,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            KeyFamily::Hmac => "an HMAC secret",
            KeyFamily::Rsa => "an RSA key",
            KeyFamily::Ec(EcCurve::P256) => "an EC P-256 key",
            KeyFamily::Ec(EcCurve::P384) => "an EC P-384 key",
            KeyFamily::Ed25519 => "an Ed25519 key",
        }
    }
}

/// Why `name` is refused as an algorithm option.
pub(crate) fn unsupported(name: &str) -> String {
    format!(
        "unsupported algorithm \"{name}\" (supported: {})",
        supported_list()
    )
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
        Err(incompatible(alg, family))
    }
}

/// `ERR_KEY_INVALID`: a key of `family` given for `alg`.
pub fn incompatible(alg: Algorithm, family: KeyFamily) -> Error {
    Error::new(
        ErrorCode::KeyInvalid,
        format!("{} cannot be used with {}", family.describe(), alg.as_str()),
    )
}
