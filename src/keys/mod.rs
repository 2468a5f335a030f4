//! Key material, parsed once and bound to a key family. Import accepts PEM
//! (PKCS#8, SEC1, PKCS#1, SPKI, X.509) and JWK; export gives JWK and PEM.

mod asn1;
mod generate;
mod jwk;

pub use generate::{generate_key_pair, GeneratedKeyPair};
pub use jwk::{parse_jwk_set, parse_private_jwk, parse_public_jwk, public_jwk, JwkMeta};

use crate::alg::{Algorithm, KeyFamily};
use crate::der;
use crate::error::{key_invalid, Result};

/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// Private key material, as parsed; not yet bound to an algorithm.
pub enum PrivateKey {
    Rsa(RsaPrivate),
    /// `scalar` is the private key, `point` the uncompressed public point.
    Ec {
        family: KeyFamily,
        scalar: Vec<u8>,
        point: Vec<u8>,
    },
    Ed25519 {
        seed: [u8; 32],
    },
}

/// RSA private key components, big-endian magnitudes.
pub struct RsaPrivate {
    pub n: Vec<u8>,
    pub e: Vec<u8>,
    pub d: Vec<u8>,
    pub p: Vec<u8>,
    pub q: Vec<u8>,
    pub dp: Vec<u8>,
    pub dq: Vec<u8>,
    pub qi: Vec<u8>,
}

/// Public key material.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    Ec { family: KeyFamily, point: Vec<u8> },
    Ed25519 { x: [u8; 32] },
}

impl PrivateKey {
    pub fn family(&self) -> KeyFamily {
        match self {
            PrivateKey::Rsa(_) => KeyFamily::Rsa,
            PrivateKey::Ec { family, .. } => *family,
            PrivateKey::Ed25519 { .. } => KeyFamily::Ed25519,
        }
    }

    /// Parses a private key PEM: PKCS#8, SEC1 (`EC PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`).
    pub fn from_pem(text: &str) -> Result<PrivateKey> {
        for block in der::parse_pem(text)? {
            match block.label.as_str() {
                "PRIVATE KEY" => return asn1::parse_pkcs8(&block.der),
                "EC PRIVATE KEY" => return asn1::parse_sec1(&block.der, None),
                "RSA PRIVATE KEY" => {
                    return asn1::parse_pkcs1_private(&block.der).map(PrivateKey::Rsa)
                }
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(key_invalid(
                        "encrypted private keys are not supported; decrypt the key first",
                    ))
                }
                "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => {
                    return Err(key_invalid(
                        "expected a private key but found a public key or certificate",
                    ))
                }
                // OpenSSL writes an `EC PARAMETERS` block before the key; skip it.
                _ => continue,
            }
        }
        Err(key_invalid("no private key PEM block found"))
    }

    /// The key as DER with its format name (`pkcs8`, or `pkcs1` for RSA), for
    /// handing to a platform crypto API.
    pub fn to_der(&self) -> (Vec<u8>, &'static str) {
        match self {
            PrivateKey::Rsa(rsa) => (asn1::write_pkcs1_private(rsa), "pkcs1"),
            // EC and Ed25519 keys always encode as PKCS#8.
            other => (asn1::write_pkcs8(other).unwrap_or_default(), "pkcs8"),
        }
    }

    pub fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::Rsa(rsa) => PublicKey::Rsa {
                n: rsa.n.clone(),
                e: rsa.e.clone(),
            },
            PrivateKey::Ec { family, point, .. } => PublicKey::Ec {
                family: *family,
                point: point.clone(),
            },
            PrivateKey::Ed25519 { seed } => PublicKey::Ed25519 {
                x: ed25519_public_from_seed(seed),
            },
        }
    }
}

impl PublicKey {
    pub fn family(&self) -> KeyFamily {
        match self {
            PublicKey::Rsa { .. } => KeyFamily::Rsa,
            PublicKey::Ec { family, .. } => *family,
            PublicKey::Ed25519 { .. } => KeyFamily::Ed25519,
        }
    }

    /// Parses a public key PEM: SPKI, PKCS#1 (`RSA PUBLIC KEY`) or an X.509 certificate.
    pub fn from_pem(text: &str) -> Result<PublicKey> {
        for block in der::parse_pem(text)? {
            match block.label.as_str() {
                "PUBLIC KEY" => return asn1::parse_spki(&block.der),
                "RSA PUBLIC KEY" => return asn1::parse_pkcs1_public(&block.der),
                "CERTIFICATE" => return asn1::parse_certificate(&block.der),
                // A private key is enough to derive the public key, but accepting
                // one here would invite shipping private keys to verifiers.
                "PRIVATE KEY" | "EC PRIVATE KEY" | "RSA PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
                    return Err(key_invalid(
                        "expected a public key but found a private key; give verifiers only the public key",
                    ))
                }
                _ => continue,
            }
        }
        Err(key_invalid("no public key PEM block found"))
    }

    /// The key as a DER SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> Vec<u8> {
        asn1::write_spki(self)
    }

    pub fn to_pem(&self) -> String {
        der::to_pem("PUBLIC KEY", &self.to_spki_der())
    }
}

pub fn ed25519_public_from_seed(seed: &[u8; 32]) -> [u8; 32] {
    use ring::signature::KeyPair;
    // A 32-byte seed is always accepted by ring, so the fallback is unreachable.
    let mut x = [0u8; 32];
    if let Ok(pair) = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed) {
        x.copy_from_slice(pair.public_key().as_ref());
    }
    x
}

/// The length of a big-endian magnitude in bits.
pub fn bit_length(magnitude: &[u8]) -> usize {
    match magnitude.iter().position(|&b| b != 0) {
        Some(start) => (magnitude.len() - start) * 8 - magnitude[start].leading_zeros() as usize,
        None => 0,
    }
}

pub fn check_rsa_modulus(n: &[u8]) -> Result<()> {
    let bits = bit_length(n);
    if bits < MIN_RSA_BITS {
        return Err(key_invalid(format!(
            "RSA keys must be at least {MIN_RSA_BITS} bits; this one has {bits}"
        )));
    }
    Ok(())
}

/// The byte length of a field element / scalar on the family's curve.
pub fn ec_field_len(family: KeyFamily) -> usize {
    if family == KeyFamily::EcP384 {
        48
    } else {
        32
    }
}

/// Checks that `point` is an uncompressed point of the right length.
pub fn check_ec_point(family: KeyFamily, point: &[u8]) -> Result<()> {
    let field = ec_field_len(family);
    match point.first() {
        Some(4) if point.len() == 1 + 2 * field => Ok(()),
        Some(2) | Some(3) => Err(key_invalid("compressed EC points are not supported")),
        _ => Err(key_invalid(format!(
            "not a valid {} public point",
            family.describe()
        ))),
    }
}

/// Validates an algorithm against a key family, with the key's own name in the message.
pub fn algorithm_for(family: KeyFamily, requested: Option<Algorithm>) -> Result<Algorithm> {
    match requested {
        None => Ok(family.default_algorithm()),
        Some(alg) => crate::alg::ensure_compatible(alg, family).map(|_| alg),
    }
}
