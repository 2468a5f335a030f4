//! Key material, parsed once and bound to a key family. Import accepts PEM
//! (PKCS#8, SEC1, PKCS#1, SPKI, X.509) and JWK; export gives JWK and PEM.
//! Every public key is validated when it is built (`PublicKey::rsa`, `ec`,
//! `ed25519`), so a degenerate key is refused on every path, including
//! the Node entry, which hands the key Rust parsed to node:crypto.

mod confusion;
mod generate;
mod jwk;
mod pem;
mod pkcs;
pub mod remote_jwks;

pub use confusion::key_material_kind;
pub use generate::{generate_key_pair, GeneratedKeyPair};
pub use jwk::{parse_jwk_set, parse_private_jwk, parse_public_jwk, public_jwk, JwkMeta};
pub use pkcs::rsa_pkcs8_from_pkcs1;

use crate::error::{key_invalid, Result};
use crate::jose::alg::{Algorithm, EcCurve, KeyFamily};

/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus accepted, in bits: *ring*'s verification limit, so
/// a key Node could use is never one the wasm path cannot.
pub const MAX_RSA_BITS: usize = 8192;
/// The largest RSA public exponent accepted: *ring*'s limit (2^33 - 1), for
/// the same reason. Real keys use 65537 (sometimes 3).
const MAX_RSA_EXPONENT_BITS: usize = 33;

/// The DER layout [`PrivateKey::to_der`] writes: what a platform crypto API
/// must be told to import it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivateKeyFormat {
    /// `PrivateKeyInfo` (RFC 5208), for EC and Ed25519 keys.
    Pkcs8,
    /// `RSAPrivateKey` (RFC 8017), for RSA keys.
    Pkcs1,
}

impl PrivateKeyFormat {
    /// The name node:crypto's `createPrivateKey({ type })` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            PrivateKeyFormat::Pkcs8 => "pkcs8",
            PrivateKeyFormat::Pkcs1 => "pkcs1",
        }
    }
}

/// Private key material, as parsed; not yet bound to an algorithm.
pub enum PrivateKey {
    Rsa(RsaPrivate),
    /// `scalar` is the private key, `point` the uncompressed public point.
    Ec {
        curve: EcCurve,
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
    Ec { curve: EcCurve, point: Vec<u8> },
    Ed25519 { x: [u8; 32] },
}

impl PrivateKey {
    pub fn family(&self) -> KeyFamily {
        match self {
            PrivateKey::Rsa(_) => KeyFamily::Rsa,
            PrivateKey::Ec { curve, .. } => KeyFamily::Ec(*curve),
            PrivateKey::Ed25519 { .. } => KeyFamily::Ed25519,
        }
    }

    /// Parses a private key PEM: PKCS#8, SEC1 (`EC PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`).
    pub fn from_pem(text: &str) -> Result<PrivateKey> {
        for block in pem::parse_pem(text)? {
            match block.label.as_str() {
                "PRIVATE KEY" => return pkcs::parse_pkcs8(&block.der),
                "EC PRIVATE KEY" => return pkcs::parse_sec1(&block.der, None),
                "RSA PRIVATE KEY" => {
                    return pkcs::parse_pkcs1_private(&block.der).map(PrivateKey::Rsa)
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

    /// Parses a PKCS#8 DER private key (the bytes inside `BEGIN PRIVATE KEY`).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<PrivateKey> {
        pkcs::parse_pkcs8(der)
    }

    /// The key as DER with its format (PKCS#8, or PKCS#1 for RSA), for
    /// handing to a platform crypto API.
    pub fn to_der(&self) -> (Vec<u8>, PrivateKeyFormat) {
        match self {
            PrivateKey::Rsa(rsa) => (pkcs::write_pkcs1_private(rsa), PrivateKeyFormat::Pkcs1),
            PrivateKey::Ec {
                curve,
                scalar,
                point,
            } => (
                pkcs::write_ec_pkcs8(*curve, scalar, point),
                PrivateKeyFormat::Pkcs8,
            ),
            PrivateKey::Ed25519 { seed } => {
                (pkcs::write_ed25519_pkcs8(seed), PrivateKeyFormat::Pkcs8)
            }
        }
    }

    pub fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::Rsa(rsa) => PublicKey::Rsa {
                n: rsa.n.clone(),
                e: rsa.e.clone(),
            },
            PrivateKey::Ec { curve, point, .. } => PublicKey::Ec {
                curve: *curve,
                point: point.clone(),
            },
            PrivateKey::Ed25519 { seed } => PublicKey::Ed25519 {
                x: ed25519_public_from_seed(seed),
            },
        }
    }
}

impl PublicKey {
    /// An RSA public key, after the checks of [`check_rsa_public`].
    pub fn rsa(n: Vec<u8>, e: Vec<u8>) -> Result<PublicKey> {
        check_rsa_public(&n, &e)?;
        Ok(PublicKey::Rsa { n, e })
    }

    /// An EC public key, after the checks of [`check_ec_point`].
    pub fn ec(curve: EcCurve, point: Vec<u8>) -> Result<PublicKey> {
        check_ec_point(curve, &point)?;
        Ok(PublicKey::Ec { curve, point })
    }

    /// An Ed25519 public key, after the checks of [`check_ed25519_public`].
    pub fn ed25519(x: [u8; 32]) -> Result<PublicKey> {
        check_ed25519_public(&x)?;
        Ok(PublicKey::Ed25519 { x })
    }

    pub fn family(&self) -> KeyFamily {
        match self {
            PublicKey::Rsa { .. } => KeyFamily::Rsa,
            PublicKey::Ec { curve, .. } => KeyFamily::Ec(*curve),
            PublicKey::Ed25519 { .. } => KeyFamily::Ed25519,
        }
    }

    /// Parses a public key PEM: SPKI, PKCS#1 (`RSA PUBLIC KEY`) or an X.509 certificate.
    pub fn from_pem(text: &str) -> Result<PublicKey> {
        for block in pem::parse_pem(text)? {
            match block.label.as_str() {
                "PUBLIC KEY" => return pkcs::parse_spki(&block.der),
                "RSA PUBLIC KEY" => return pkcs::parse_pkcs1_public(&block.der),
                "CERTIFICATE" => return pkcs::parse_certificate(&block.der),
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

    /// Parses a DER SubjectPublicKeyInfo (the bytes inside `BEGIN PUBLIC KEY`).
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey> {
        pkcs::parse_spki(der)
    }

    /// The key as a DER SubjectPublicKeyInfo.
    pub fn to_spki_der(&self) -> Vec<u8> {
        pkcs::write_spki(self)
    }

    pub fn to_pem(&self) -> String {
        pem::to_pem("PUBLIC KEY", &self.to_spki_der())
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

/// RSA public key sanity (NIST SP 800-89 §5.3.3, partial public-key
/// validation): an odd modulus of 2048 to 8192 bits, and an odd exponent of
/// at least 3. An exponent of 1 makes every value its own signature (anyone
/// could forge), an even one has no inverse. The exponent is also at most 33
/// bits, which keeps it below any accepted modulus (so e < n).
pub fn check_rsa_public(n: &[u8], e: &[u8]) -> Result<()> {
    let bits = bit_length(n);
    if bits < MIN_RSA_BITS {
        return Err(key_invalid(format!(
            "RSA keys must be at least {MIN_RSA_BITS} bits; this one has {bits}"
        )));
    }
    if bits > MAX_RSA_BITS {
        return Err(key_invalid(format!(
            "RSA keys larger than {MAX_RSA_BITS} bits are not supported; this one has {bits}"
        )));
    }
    if n.last().is_some_and(|low| low & 1 == 0) {
        return Err(key_invalid(
            "RSA modulus is even: not a product of two odd primes",
        ));
    }
    let e_bits = bit_length(e);
    if e_bits > MAX_RSA_EXPONENT_BITS {
        return Err(key_invalid(
            "RSA public exponent is too large (at most 2^33 - 1; usually 65537)",
        ));
    }
    let e_value = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if e_value < 3 {
        return Err(key_invalid(format!(
            "RSA public exponent {e_value} is degenerate (it must be odd and at least 3; usually 65537)"
        )));
    }
    if e_value & 1 == 0 {
        return Err(key_invalid(format!(
            "RSA public exponent {e_value} is even (it must be odd; usually 65537)"
        )));
    }
    Ok(())
}

/// Checks that `point` is an uncompressed point of the right length that
/// lies on the curve. *ring* checks the curve equation when it computes an
/// ECDH agreement with a peer's key (the same check its ECDSA verification
/// does, which it does not expose on its own), so one agreement with a
/// throwaway key validates the point.
pub fn check_ec_point(curve: EcCurve, point: &[u8]) -> Result<()> {
    let field = curve.field_len();
    match point.first() {
        Some(4) if point.len() == 1 + 2 * field => {}
        Some(2) | Some(3) => return Err(key_invalid("compressed EC points are not supported")),
        _ => {
            return Err(key_invalid(format!(
                "not a valid {} public point",
                KeyFamily::Ec(curve).describe()
            )))
        }
    }
    use ring::agreement;
    let agreement_alg = match curve {
        EcCurve::P256 => &agreement::ECDH_P256,
        EcCurve::P384 => &agreement::ECDH_P384,
    };
    let throwaway =
        agreement::EphemeralPrivateKey::generate(agreement_alg, &ring::rand::SystemRandom::new())
            .map_err(|_| key_invalid("the system random number generator failed"))?;
    agreement::agree_ephemeral(
        throwaway,
        &agreement::UnparsedPublicKey::new(agreement_alg, point),
        |_| (),
    )
    .map_err(|_| {
        key_invalid(format!(
            "the {} public point is not on the curve",
            KeyFamily::Ec(curve).describe()
        ))
    })
}

/// The y coordinates (little-endian, sign bit clear) of the eight points of
/// small order on edwards25519: the identity (y = 1), the point of order 2
/// (y = p - 1), the two of order 4 (y = 0) and the four of order 8. With such
/// a key, one fixed signature verifies every message; the list is checked
/// against curve25519-dalek in tests/keys.rs.
const ED25519_SMALL_ORDER_Y: [[u8; 32]; 5] = [
    hex32("0100000000000000000000000000000000000000000000000000000000000000"),
    hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    hex32("0000000000000000000000000000000000000000000000000000000000000000"),
    hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    hex32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
];

const fn hex32(text: &str) -> [u8; 32] {
    const fn digit(c: u8) -> u8 {
        if c <= b'9' {
            c - b'0'
        } else {
            c - b'a' + 10
        }
    }
    let text = text.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = digit(text[2 * i]) << 4 | digit(text[2 * i + 1]);
        i += 1;
    }
    out
}

/// Refuses Ed25519 public keys of small order (all eight, in either sign)
/// and non-canonical encodings (y >= p = 2^255 - 19), which RFC 8032 §5.1.3
/// says to reject and which verifiers treat differently.
pub fn check_ed25519_public(x: &[u8; 32]) -> Result<()> {
    let mut y = *x;
    y[31] &= 0x7f;
    let y_at_least_p = y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] >= 0xed;
    if y_at_least_p {
        return Err(key_invalid(
            "Ed25519 public key is not canonically encoded (y >= 2^255 - 19)",
        ));
    }
    if ED25519_SMALL_ORDER_Y.contains(&y) {
        return Err(key_invalid(
            "Ed25519 public key is a point of small order: a fixed signature would verify any message",
        ));
    }
    Ok(())
}

/// Validates an algorithm against a key family, with the key's own name in the message.
pub fn algorithm_for(family: KeyFamily, requested: Option<Algorithm>) -> Result<Algorithm> {
    match requested {
        None => Ok(family.default_algorithm()),
        Some(alg) => crate::jose::alg::ensure_compatible(alg, family).map(|_| alg),
    }
}
