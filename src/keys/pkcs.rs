//! The ASN.1 key structures, read and written with RustCrypto's DER crates:
//! PKCS#8 (RFC 5208/5958), SEC1 (RFC 5915), PKCS#1 (RFC 8017),
//! SubjectPublicKeyInfo and X.509 certificates (RFC 5280). The decoders
//! accept DER only: non-minimal lengths or integers, trailing bytes and
//! indefinite lengths are errors.

use der::asn1::{AnyRef, BitStringRef, Null, ObjectIdentifier, OctetStringRef, UintRef};
use der::{Decode, Encode};
use pkcs8::PrivateKeyInfoRef;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

use super::{check_ec_point, ec_field_len, PrivateKey, PublicKey, RsaPrivate};
use crate::alg::KeyFamily;
use crate::error::{key_invalid, Error, Result};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// A decoding error, named after the structure that failed.
fn not_der(what: &'static str) -> impl Fn(der::Error) -> Error {
    move |e| key_invalid(format!("{what} is not valid DER: {e}"))
}

/// An AlgorithmIdentifier reduced to the key family it selects. Parameters
/// must be exactly what the key type's RFC prescribes.
fn read_algorithm(alg: &AlgorithmIdentifierRef) -> Result<KeyFamily> {
    if alg.oid == RSA_ENCRYPTION {
        // RFC 8017 A.1: the parameters are NULL.
        match alg.parameters {
            Some(params) if params.is_null() => Ok(KeyFamily::Rsa),
            _ => Err(key_invalid("RSA key algorithm parameters must be NULL")),
        }
    } else if alg.oid == ED25519 {
        // RFC 8410 §3: the parameters are absent.
        match alg.parameters {
            None => Ok(KeyFamily::Ed25519),
            Some(_) => Err(key_invalid("Ed25519 key algorithm must have no parameters")),
        }
    } else if alg.oid == EC_PUBLIC_KEY {
        let curve = alg
            .parameters_oid()
            .map_err(|_| key_invalid("EC key algorithm must name its curve (namedCurve)"))?;
        curve_family(curve)
    } else {
        Err(key_invalid(
            "unsupported key type (supported: RSA, EC P-256, EC P-384, Ed25519)",
        ))
    }
}

fn curve_family(oid: ObjectIdentifier) -> Result<KeyFamily> {
    if oid == SECP256R1 {
        Ok(KeyFamily::EcP256)
    } else if oid == SECP384R1 {
        Ok(KeyFamily::EcP384)
    } else {
        Err(key_invalid(
            "unsupported EC curve (supported: P-256, P-384)",
        ))
    }
}

fn curve_oid(family: KeyFamily) -> ObjectIdentifier {
    if family == KeyFamily::EcP384 {
        SECP384R1
    } else {
        SECP256R1
    }
}

/// A BIT STRING holding whole bytes, as every key encoding here does.
fn whole_bytes<'a>(bits: &BitStringRef<'a>, what: &str) -> Result<&'a [u8]> {
    bits.as_bytes()
        .ok_or_else(|| key_invalid(format!("{what} is not a whole number of bytes")))
}

pub fn parse_pkcs8(input: &[u8]) -> Result<PrivateKey> {
    let info = PrivateKeyInfoRef::from_der(input).map_err(not_der("PKCS#8 private key"))?;
    let family = read_algorithm(&info.algorithm)?;
    let private = info.private_key.as_bytes();
    match family {
        KeyFamily::Rsa => parse_pkcs1_private(private).map(PrivateKey::Rsa),
        KeyFamily::EcP256 | KeyFamily::EcP384 => parse_sec1(private, Some(family)),
        KeyFamily::Ed25519 => {
            // RFC 8410 §7: CurvePrivateKey, an OCTET STRING inside the OCTET STRING.
            let seed = <&OctetStringRef>::from_der(private)
                .map_err(not_der("Ed25519 private key"))?
                .as_bytes();
            let seed: [u8; 32] = seed
                .try_into()
                .map_err(|_| key_invalid("Ed25519 private key must be 32 bytes"))?;
            // A v2 key (RFC 5958) also carries the public key: it must match.
            if let Some(public) = &info.public_key {
                if whole_bytes(public, "Ed25519 public key")?
                    != super::ed25519_public_from_seed(&seed)
                {
                    return Err(key_invalid(
                        "Ed25519 public key does not match the private key",
                    ));
                }
            }
            Ok(PrivateKey::Ed25519 { seed })
        }
        KeyFamily::Hmac => Err(key_invalid("unsupported key type")),
    }
}

/// SEC1 ECPrivateKey. `family` comes from the PKCS#8 wrapper when there is one.
pub fn parse_sec1(input: &[u8], family: Option<KeyFamily>) -> Result<PrivateKey> {
    let key = sec1::EcPrivateKey::from_der(input).map_err(not_der("SEC1 EC private key"))?;
    let params = match key.parameters {
        Some(params) => Some(curve_family(params.named_curve().ok_or_else(|| {
            key_invalid("EC private key parameters must name a curve")
        })?)?),
        None => None,
    };
    let family = match (family, params) {
        (Some(outer), Some(inner)) if outer != inner => {
            return Err(key_invalid(
                "EC private key parameters disagree with its algorithm",
            ))
        }
        (Some(family), _) | (None, Some(family)) => family,
        (None, None) => return Err(key_invalid("EC private key does not name its curve")),
    };
    let point = key.public_key.ok_or_else(|| {
        key_invalid(
            "EC private key does not include its public key; export it with the public key included",
        )
    })?;
    check_ec_point(family, point)?;
    let field = ec_field_len(family);
    if key.private_key.len() > field || key.private_key.is_empty() {
        return Err(key_invalid(format!(
            "EC private scalar must be at most {field} bytes"
        )));
    }
    // Some encoders drop leading zero bytes of the scalar; restore the fixed width.
    let mut scalar = vec![0u8; field - key.private_key.len()];
    scalar.extend_from_slice(key.private_key);
    Ok(PrivateKey::Ec {
        family,
        scalar,
        point: point.to_vec(),
    })
}

pub fn parse_pkcs1_private(input: &[u8]) -> Result<RsaPrivate> {
    let key = pkcs1::RsaPrivateKeyRef::from_der(input).map_err(not_der("PKCS#1 RSA private key"))?;
    if key.other_prime_infos.is_some() {
        return Err(key_invalid("multi-prime RSA keys are not supported"));
    }
    let part = |value: &UintRef| value.as_bytes().to_vec();
    let rsa = RsaPrivate {
        n: part(&key.modulus),
        e: part(&key.public_exponent),
        d: part(&key.private_exponent),
        p: part(&key.prime1),
        q: part(&key.prime2),
        dp: part(&key.exponent1),
        dq: part(&key.exponent2),
        qi: part(&key.coefficient),
    };
    super::check_rsa_public(&rsa.n, &rsa.e)?;
    Ok(rsa)
}

pub fn parse_pkcs1_public(input: &[u8]) -> Result<PublicKey> {
    let key = pkcs1::RsaPublicKeyRef::from_der(input).map_err(not_der("PKCS#1 RSA public key"))?;
    PublicKey::rsa(
        key.modulus.as_bytes().to_vec(),
        key.public_exponent.as_bytes().to_vec(),
    )
}

pub fn parse_spki(input: &[u8]) -> Result<PublicKey> {
    let spki =
        SubjectPublicKeyInfoRef::from_der(input).map_err(not_der("SubjectPublicKeyInfo"))?;
    public_key_of(&spki)
}

fn public_key_of(spki: &SubjectPublicKeyInfoRef) -> Result<PublicKey> {
    let family = read_algorithm(&spki.algorithm)?;
    let key = whole_bytes(&spki.subject_public_key, "the public key")?;
    match family {
        KeyFamily::Rsa => parse_pkcs1_public(key),
        KeyFamily::EcP256 | KeyFamily::EcP384 => PublicKey::ec(family, key.to_vec()),
        KeyFamily::Ed25519 => PublicKey::ed25519(
            key.try_into()
                .map_err(|_| key_invalid("Ed25519 public key must be 32 bytes"))?,
        ),
        KeyFamily::Hmac => Err(key_invalid("unsupported key type")),
    }
}

/// The subject public key of an X.509 certificate. The certificate is decoded
/// in full (strict DER) but not validated (no chain, no dates): it is only a
/// container for the key.
pub fn parse_certificate(input: &[u8]) -> Result<PublicKey> {
    let cert =
        x509_cert::Certificate::from_der(input).map_err(not_der("X.509 certificate"))?;
    let spki = cert.tbs_certificate().subject_public_key_info();
    let der = spki.to_der().map_err(not_der("certificate public key"))?;
    parse_spki(&der)
}

fn algorithm_identifier(family: KeyFamily) -> (ObjectIdentifier, Option<AnyRef<'static>>) {
    match family {
        KeyFamily::Rsa => (RSA_ENCRYPTION, Some(AnyRef::from(Null))),
        KeyFamily::EcP256 | KeyFamily::EcP384 => (EC_PUBLIC_KEY, None),
        KeyFamily::Ed25519 | KeyFamily::Hmac => (ED25519, None),
    }
}

/// Encoding fails only for inputs no import can produce (lengths beyond DER's).
fn encoded(result: der::Result<Vec<u8>>) -> Vec<u8> {
    result.unwrap_or_default()
}

fn rsa_public_der(n: &[u8], e: &[u8]) -> der::Result<Vec<u8>> {
    pkcs1::RsaPublicKeyRef {
        modulus: UintRef::new(n)?,
        public_exponent: UintRef::new(e)?,
    }
    .to_der()
}

pub fn write_spki(key: &PublicKey) -> Vec<u8> {
    encoded((|| {
        let family = key.family();
        let curve;
        let (oid, mut parameters) = algorithm_identifier(family);
        if let KeyFamily::EcP256 | KeyFamily::EcP384 = family {
            curve = curve_oid(family);
            parameters = Some(AnyRef::from(&curve));
        }
        let rsa;
        let key_bytes: &[u8] = match key {
            PublicKey::Rsa { n, e } => {
                rsa = rsa_public_der(n, e)?;
                &rsa
            }
            PublicKey::Ec { point, .. } => point,
            PublicKey::Ed25519 { x } => x,
        };
        SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef { oid, parameters },
            subject_public_key: BitStringRef::from_bytes(key_bytes)?,
        }
        .to_der()
    })())
}

/// PKCS#8 v1 for the key types this crate can generate (EC and Ed25519).
pub fn write_pkcs8(key: &PrivateKey) -> Option<Vec<u8>> {
    let family = key.family();
    let private = match key {
        PrivateKey::Ec { scalar, point, .. } => sec1::EcPrivateKey {
            private_key: scalar,
            // The curve is named once, in the PKCS#8 algorithm.
            parameters: None,
            public_key: Some(point),
        }
        .to_der(),
        PrivateKey::Ed25519 { seed } => OctetStringRef::new(seed).and_then(|s| s.to_der()),
        PrivateKey::Rsa(_) => return None,
    };
    let der = (|| {
        let private = private?;
        let curve;
        let (oid, mut parameters) = algorithm_identifier(family);
        if let KeyFamily::EcP256 | KeyFamily::EcP384 = family {
            curve = curve_oid(family);
            parameters = Some(AnyRef::from(&curve));
        }
        PrivateKeyInfoRef::new(
            AlgorithmIdentifierRef { oid, parameters },
            OctetStringRef::new(&private)?,
        )
        .to_der()
    })();
    Some(encoded(der))
}

/// PKCS#1 RSAPrivateKey (two-prime) from its components.
pub fn write_pkcs1_private(rsa: &RsaPrivate) -> Vec<u8> {
    encoded((|| {
        pkcs1::RsaPrivateKeyRef {
            modulus: UintRef::new(&rsa.n)?,
            public_exponent: UintRef::new(&rsa.e)?,
            private_exponent: UintRef::new(&rsa.d)?,
            prime1: UintRef::new(&rsa.p)?,
            prime2: UintRef::new(&rsa.q)?,
            exponent1: UintRef::new(&rsa.dp)?,
            exponent2: UintRef::new(&rsa.dq)?,
            coefficient: UintRef::new(&rsa.qi)?,
            other_prime_infos: None,
        }
        .to_der()
    })())
}

/// True when `bytes` is, as a whole, one of the key or certificate
/// structures above (public or private). Used to spot key material handed
/// over as an HMAC secret; random bytes essentially never parse as these.
pub fn is_key_structure(bytes: &[u8]) -> bool {
    if bytes.first() != Some(&0x30) {
        return false;
    }
    SubjectPublicKeyInfoRef::from_der(bytes).is_ok()
        || pkcs1::RsaPublicKeyRef::from_der(bytes).is_ok()
        || PrivateKeyInfoRef::from_der(bytes).is_ok()
        || pkcs1::RsaPrivateKeyRef::from_der(bytes).is_ok()
        || sec1::EcPrivateKey::from_der(bytes).is_ok()
        || x509_cert::Certificate::from_der(bytes).is_ok()
}
