//! The ASN.1 key structures: PKCS#8 (RFC 5208/5958), SEC1 (RFC 5915),
//! PKCS#1 (RFC 8017), SubjectPublicKeyInfo (RFC 5280) and the certificate
//! fields needed to reach it.

use super::{check_ec_point, check_rsa_modulus, ec_field_len, PrivateKey, PublicKey, RsaPrivate};
use crate::alg::KeyFamily;
use crate::der::{self, Reader};
use crate::error::{key_invalid, Result};

/// An AlgorithmIdentifier reduced to what selects a key family.
fn read_algorithm(reader: &mut Reader) -> Result<KeyFamily> {
    let mut alg = Reader::new(reader.expect(der::SEQUENCE)?);
    let oid = alg.expect(der::OID)?;
    if oid == der::OID_RSA_ENCRYPTION {
        Ok(KeyFamily::Rsa)
    } else if oid == der::OID_ED25519 {
        Ok(KeyFamily::Ed25519)
    } else if oid == der::OID_EC_PUBLIC_KEY {
        curve_family(alg.expect(der::OID)?)
    } else {
        Err(key_invalid(
            "unsupported key type (supported: RSA, EC P-256, EC P-384, Ed25519)",
        ))
    }
}

fn curve_family(oid: &[u8]) -> Result<KeyFamily> {
    if oid == der::OID_P256 {
        Ok(KeyFamily::EcP256)
    } else if oid == der::OID_P384 {
        Ok(KeyFamily::EcP384)
    } else {
        Err(key_invalid(
            "unsupported EC curve (supported: P-256, P-384)",
        ))
    }
}

fn curve_oid(family: KeyFamily) -> &'static [u8] {
    if family == KeyFamily::EcP384 {
        der::OID_P384
    } else {
        der::OID_P256
    }
}

pub fn parse_pkcs8(input: &[u8]) -> Result<PrivateKey> {
    let mut info = Reader::new(Reader::single(input, der::SEQUENCE)?);
    let version = info.unsigned_integer()?;
    if version != [0] && version != [1] {
        return Err(key_invalid("unsupported PKCS#8 version"));
    }
    let family = read_algorithm(&mut info)?;
    let private = info.expect(der::OCTET_STRING)?;
    match family {
        KeyFamily::Rsa => parse_pkcs1_private(private).map(PrivateKey::Rsa),
        KeyFamily::EcP256 | KeyFamily::EcP384 => parse_sec1(private, Some(family)),
        KeyFamily::Ed25519 => {
            let seed = Reader::new(private).expect(der::OCTET_STRING)?;
            let seed: [u8; 32] = seed
                .try_into()
                .map_err(|_| key_invalid("Ed25519 private key must be 32 bytes"))?;
            // A v2 key also carries the public key ([1] after optional attributes): it must match.
            info.optional(der::CONTEXT_0)?;
            if let Some(public) = info.optional(0x81)? {
                let public = public.strip_prefix(&[0]).unwrap_or(public);
                if public != super::ed25519_public_from_seed(&seed) {
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
    let mut key = Reader::new(Reader::single(input, der::SEQUENCE)?);
    if key.unsigned_integer()? != [1] {
        return Err(key_invalid("unsupported EC private key version"));
    }
    let scalar = key.expect(der::OCTET_STRING)?;
    let params = match key.optional(der::CONTEXT_0)? {
        Some(params) => Some(curve_family(Reader::new(params).expect(der::OID)?)?),
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
    let point = match key.optional(der::CONTEXT_1)? {
        Some(public) => Reader::new(public).bit_string()?.to_vec(),
        None => {
            return Err(key_invalid(
                "EC private key does not include its public key; export it with the public key included",
            ))
        }
    };
    check_ec_point(family, &point)?;
    let field = ec_field_len(family);
    if scalar.len() > field {
        return Err(key_invalid("EC private scalar is too long"));
    }
    // Some encoders drop leading zero bytes of the scalar; restore the fixed width.
    let mut padded = vec![0u8; field - scalar.len()];
    padded.extend_from_slice(scalar);
    Ok(PrivateKey::Ec {
        family,
        scalar: padded,
        point,
    })
}

pub fn parse_pkcs1_private(input: &[u8]) -> Result<RsaPrivate> {
    let mut key = Reader::new(Reader::single(input, der::SEQUENCE)?);
    if key.unsigned_integer()? != [0] {
        return Err(key_invalid("multi-prime RSA keys are not supported"));
    }
    let mut next = || key.unsigned_integer().map(<[u8]>::to_vec);
    let rsa = RsaPrivate {
        n: next()?,
        e: next()?,
        d: next()?,
        p: next()?,
        q: next()?,
        dp: next()?,
        dq: next()?,
        qi: next()?,
    };
    check_rsa_modulus(&rsa.n)?;
    Ok(rsa)
}

pub fn parse_pkcs1_public(input: &[u8]) -> Result<PublicKey> {
    let mut key = Reader::new(Reader::single(input, der::SEQUENCE)?);
    let n = key.unsigned_integer()?.to_vec();
    let e = key.unsigned_integer()?.to_vec();
    check_rsa_modulus(&n)?;
    Ok(PublicKey::Rsa { n, e })
}

pub fn parse_spki(input: &[u8]) -> Result<PublicKey> {
    parse_spki_contents(Reader::single(input, der::SEQUENCE)?)
}

fn parse_spki_contents(contents: &[u8]) -> Result<PublicKey> {
    let mut spki = Reader::new(contents);
    let family = read_algorithm(&mut spki)?;
    let key = spki.bit_string()?;
    match family {
        KeyFamily::Rsa => parse_pkcs1_public(key),
        KeyFamily::EcP256 | KeyFamily::EcP384 => {
            check_ec_point(family, key)?;
            Ok(PublicKey::Ec {
                family,
                point: key.to_vec(),
            })
        }
        KeyFamily::Ed25519 => {
            let x = key
                .try_into()
                .map_err(|_| key_invalid("Ed25519 public key must be 32 bytes"))?;
            Ok(PublicKey::Ed25519 { x })
        }
        KeyFamily::Hmac => Err(key_invalid("unsupported key type")),
    }
}

/// The subject public key of an X.509 certificate. The certificate itself is
/// not validated (no chain, no dates): it is only a container for the key.
pub fn parse_certificate(input: &[u8]) -> Result<PublicKey> {
    let mut cert = Reader::new(Reader::single(input, der::SEQUENCE)?);
    let mut tbs = Reader::new(cert.expect(der::SEQUENCE)?);
    tbs.optional(der::CONTEXT_0)?; // version
    tbs.expect(der::INTEGER)?; // serial number
    tbs.expect(der::SEQUENCE)?; // signature algorithm
    tbs.expect(der::SEQUENCE)?; // issuer
    tbs.expect(der::SEQUENCE)?; // validity
    tbs.expect(der::SEQUENCE)?; // subject
    parse_spki_contents(tbs.expect(der::SEQUENCE)?)
}

fn algorithm_identifier(family: KeyFamily) -> Vec<u8> {
    let mut contents = Vec::new();
    match family {
        KeyFamily::Rsa => {
            der::write(&mut contents, der::OID, der::OID_RSA_ENCRYPTION);
            der::write(&mut contents, der::NULL, &[]);
        }
        KeyFamily::EcP256 | KeyFamily::EcP384 => {
            der::write(&mut contents, der::OID, der::OID_EC_PUBLIC_KEY);
            der::write(&mut contents, der::OID, curve_oid(family));
        }
        KeyFamily::Ed25519 | KeyFamily::Hmac => {
            der::write(&mut contents, der::OID, der::OID_ED25519)
        }
    }
    der::tlv(der::SEQUENCE, &contents)
}

pub fn write_spki(key: &PublicKey) -> Vec<u8> {
    let key_bits = match key {
        PublicKey::Rsa { n, e } => {
            let mut contents = Vec::new();
            der::write_unsigned_integer(&mut contents, n);
            der::write_unsigned_integer(&mut contents, e);
            der::tlv(der::SEQUENCE, &contents)
        }
        PublicKey::Ec { point, .. } => point.clone(),
        PublicKey::Ed25519 { x } => x.to_vec(),
    };
    let mut contents = algorithm_identifier(key.family());
    contents.extend_from_slice(&der::bit_string(&key_bits));
    der::tlv(der::SEQUENCE, &contents)
}

/// PKCS#8 v1 for the key types this crate can generate (EC and Ed25519).
pub fn write_pkcs8(key: &PrivateKey) -> Option<Vec<u8>> {
    let private = match key {
        PrivateKey::Ec { scalar, point, .. } => {
            let mut ec = Vec::new();
            der::write(&mut ec, der::INTEGER, &[1]);
            der::write(&mut ec, der::OCTET_STRING, scalar);
            der::write(&mut ec, der::CONTEXT_1, &der::bit_string(point));
            der::tlv(der::SEQUENCE, &ec)
        }
        PrivateKey::Ed25519 { seed } => der::tlv(der::OCTET_STRING, seed),
        PrivateKey::Rsa(_) => return None,
    };
    let mut contents = Vec::new();
    der::write(&mut contents, der::INTEGER, &[0]);
    contents.extend_from_slice(&algorithm_identifier(key.family()));
    der::write(&mut contents, der::OCTET_STRING, &private);
    Some(der::tlv(der::SEQUENCE, &contents))
}

/// PKCS#1 RSAPrivateKey (two-prime) from its components.
pub fn write_pkcs1_private(rsa: &RsaPrivate) -> Vec<u8> {
    let mut contents = Vec::new();
    der::write(&mut contents, der::INTEGER, &[0]);
    for part in [
        &rsa.n, &rsa.e, &rsa.d, &rsa.p, &rsa.q, &rsa.dp, &rsa.dq, &rsa.qi,
    ] {
        der::write_unsigned_integer(&mut contents, part);
    }
    der::tlv(der::SEQUENCE, &contents)
}
