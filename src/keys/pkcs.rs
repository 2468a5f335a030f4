//! The ASN.1 key structures, read and written with RustCrypto's DER crates:
//! PKCS#8 (RFC 5208/5958), SEC1 (RFC 5915), PKCS#1 (RFC 8017),
//! SubjectPublicKeyInfo and the X.509 certificate fields around it (RFC 5280). The decoders
//! accept DER only: non-minimal lengths or integers, trailing bytes and
//! indefinite lengths are errors.

use der::asn1::{
    AnyRef, BitStringRef, IntRef, ObjectIdentifier, OctetStringRef, SequenceRef, UintRef,
};
use der::{Decode, DecodeValue, FixedTag, Header, Reader, Tag, TagMode, TagNumber};
use pkcs8::PrivateKeyInfoRef;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

use super::{check_ec_point, PrivateKey, PublicKey, RsaPrivate};
use crate::error::{key_invalid, Error, Result};
use crate::jose::alg::{EcCurve, KeyFamily};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// A decoding error, named after the structure that failed. The offset, not
/// der's own description: its messages and tag names cost the main wasm ~2 KB.
fn not_der(what: &'static str) -> impl Fn(der::Error) -> Error {
    move |e| match e.position() {
        Some(at) => key_invalid(format!(
            "{what} is not valid DER (at byte {})",
            u32::from(at)
        )),
        None => key_invalid(format!("{what} is not valid DER")),
    }
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
        ec_curve(curve).map(KeyFamily::Ec)
    } else {
        Err(key_invalid(
            "unsupported key type (supported: RSA, EC P-256, EC P-384, Ed25519)",
        ))
    }
}

fn ec_curve(oid: ObjectIdentifier) -> Result<EcCurve> {
    if oid == SECP256R1 {
        Ok(EcCurve::P256)
    } else if oid == SECP384R1 {
        Ok(EcCurve::P384)
    } else {
        Err(key_invalid(
            "unsupported EC curve (supported: P-256, P-384)",
        ))
    }
}

fn curve_oid(curve: EcCurve) -> ObjectIdentifier {
    match curve {
        EcCurve::P256 => SECP256R1,
        EcCurve::P384 => SECP384R1,
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
        KeyFamily::Ec(curve) => parse_sec1(private, Some(curve)),
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

/// SEC1 ECPrivateKey. `curve` comes from the PKCS#8 wrapper when there is one.
pub fn parse_sec1(input: &[u8], curve: Option<EcCurve>) -> Result<PrivateKey> {
    let key = sec1::EcPrivateKey::from_der(input).map_err(not_der("SEC1 EC private key"))?;
    let params = match key.parameters {
        Some(params) => Some(ec_curve(params.named_curve().ok_or_else(|| {
            key_invalid("EC private key parameters must name a curve")
        })?)?),
        None => None,
    };
    let curve = match (curve, params) {
        (Some(outer), Some(inner)) if outer != inner => {
            return Err(key_invalid(
                "EC private key parameters disagree with its algorithm",
            ))
        }
        (Some(curve), _) | (None, Some(curve)) => curve,
        (None, None) => return Err(key_invalid("EC private key does not name its curve")),
    };
    let point = key.public_key.ok_or_else(|| {
        key_invalid(
            "EC private key does not include its public key; export it with the public key included",
        )
    })?;
    check_ec_point(curve, point)?;
    let field = curve.field_len();
    if key.private_key.len() > field || key.private_key.is_empty() {
        return Err(key_invalid(format!(
            "EC private scalar must be at most {field} bytes"
        )));
    }
    // Some encoders drop leading zero bytes of the scalar; restore the fixed width.
    let mut scalar = vec![0u8; field - key.private_key.len()];
    scalar.extend_from_slice(key.private_key);
    Ok(PrivateKey::Ec {
        curve,
        scalar,
        point: point.to_vec(),
    })
}

pub fn parse_pkcs1_private(input: &[u8]) -> Result<RsaPrivate> {
    let key =
        pkcs1::RsaPrivateKeyRef::from_der(input).map_err(not_der("PKCS#1 RSA private key"))?;
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
    let spki = SubjectPublicKeyInfoRef::from_der(input).map_err(not_der("SubjectPublicKeyInfo"))?;
    public_key_of(&spki)
}

fn public_key_of(spki: &SubjectPublicKeyInfoRef) -> Result<PublicKey> {
    let family = read_algorithm(&spki.algorithm)?;
    let key = whole_bytes(&spki.subject_public_key, "the public key")?;
    match family {
        KeyFamily::Rsa => parse_pkcs1_public(key),
        KeyFamily::Ec(curve) => PublicKey::ec(curve, key.to_vec()),
        KeyFamily::Ed25519 => PublicKey::ed25519(
            key.try_into()
                .map_err(|_| key_invalid("Ed25519 public key must be 32 bytes"))?,
        ),
        KeyFamily::Hmac => Err(key_invalid("unsupported key type")),
    }
}

/// An X.509 certificate (RFC 5280 §4.1) decoded only as far as its public
/// key: every field is checked to be DER of the right type, but names,
/// validity and extensions are not interpreted. A certificate is only a
/// container for the key here (no chain, no dates), and decoding all of it
/// with `x509-cert` would add about 23 KB (gzip) to the main wasm.
struct CertificateShell<'a> {
    subject_public_key_info: SubjectPublicKeyInfoRef<'a>,
}

impl FixedTag for CertificateShell<'_> {
    const TAG: Tag = Tag::Sequence;
}

impl<'a> DecodeValue<'a> for CertificateShell<'a> {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, _header: Header) -> der::Result<Self> {
        let subject_public_key_info = reader.sequence(|tbs| {
            tbs.context_specific::<u8>(TagNumber(0), TagMode::Explicit)?; // version
                                                                          // Some CAs issue negative serial numbers; RFC 5280 §4.1.2.2 asks parsers to cope.
            IntRef::decode(tbs)?;
            AlgorithmIdentifierRef::decode(tbs)?; // signature
            <&SequenceRef>::decode(tbs)?; // issuer
            <&SequenceRef>::decode(tbs)?; // validity
            <&SequenceRef>::decode(tbs)?; // subject
            let spki = SubjectPublicKeyInfoRef::decode(tbs)?;
            tbs.context_specific::<BitStringRef>(TagNumber(1), TagMode::Implicit)?; // issuerUniqueID
            tbs.context_specific::<BitStringRef>(TagNumber(2), TagMode::Implicit)?; // subjectUniqueID
            tbs.context_specific::<&SequenceRef>(TagNumber(3), TagMode::Explicit)?; // extensions
            Ok::<_, der::Error>(spki)
        })?;
        AlgorithmIdentifierRef::decode(reader)?; // signatureAlgorithm
        BitStringRef::decode(reader)?; // signatureValue
        Ok(CertificateShell {
            subject_public_key_info,
        })
    }
}

/// Deeper than any certificate nests; bounds the recursion below.
const MAX_DER_DEPTH: usize = 24;

/// Checks that `input` is a sequence of DER TLVs, recursing into constructed
/// ones, so the fields the certificate shell does not interpret are strict
/// DER too (minimal lengths, no indefinite lengths, nothing truncated).
fn well_formed(input: &[u8], depth: usize) -> der::Result<()> {
    let mut reader = der::SliceReader::new(input)?;
    while !reader.is_finished() {
        let tlv = AnyRef::decode(&mut reader)?;
        if tlv.header().tag().is_constructed() {
            if depth >= MAX_DER_DEPTH {
                return Err(der::ErrorKind::Overlength.into());
            }
            well_formed(tlv.value(), depth + 1)?;
        }
    }
    Ok(())
}

/// The subject public key of an X.509 certificate. The certificate itself is
/// not validated (no chain, no dates): it is only a container for the key.
pub fn parse_certificate(input: &[u8]) -> Result<PublicKey> {
    well_formed(input, 0).map_err(not_der("X.509 certificate"))?;
    let cert = CertificateShell::from_der(input).map_err(not_der("X.509 certificate"))?;
    public_key_of(&cert.subject_public_key_info)
}

fn push_tlv(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
}

fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 4);
    push_tlv(&mut out, tag, contents);
    out
}

/// An unsigned magnitude as a minimal DER INTEGER.
fn push_uint(out: &mut Vec<u8>, magnitude: &[u8]) {
    let start = magnitude
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(magnitude.len());
    let trimmed = &magnitude[start..];
    let mut contents = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
        contents.push(0);
    }
    contents.extend_from_slice(trimmed);
    push_tlv(out, 0x02, &contents);
}

fn push_bit_string(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut contents = Vec::with_capacity(bytes.len() + 1);
    contents.push(0);
    contents.extend_from_slice(bytes);
    push_tlv(out, 0x03, &contents);
}

// Writing: only keys this crate has already parsed and validated pass through
// here, so a few lines of DER do; the formats crates' encoders would add ~7 KB
// (gzip) to the main wasm. Tests below check the bytes against those encoders.

/// The key types an AlgorithmIdentifier can name (no HMAC: a secret has no DER form).
enum KeyAlgorithm {
    Rsa,
    Ec(EcCurve),
    Ed25519,
}

fn push_algorithm_identifier(out: &mut Vec<u8>, algorithm: KeyAlgorithm) {
    let mut contents = Vec::new();
    match algorithm {
        KeyAlgorithm::Rsa => {
            push_tlv(&mut contents, 0x06, RSA_ENCRYPTION.as_bytes());
            push_tlv(&mut contents, 0x05, &[]);
        }
        KeyAlgorithm::Ec(curve) => {
            push_tlv(&mut contents, 0x06, EC_PUBLIC_KEY.as_bytes());
            push_tlv(&mut contents, 0x06, curve_oid(curve).as_bytes());
        }
        KeyAlgorithm::Ed25519 => push_tlv(&mut contents, 0x06, ED25519.as_bytes()),
    }
    push_tlv(out, 0x30, &contents);
}

pub fn write_spki(key: &PublicKey) -> Vec<u8> {
    let (algorithm, key_bytes) = match key {
        PublicKey::Rsa { n, e } => {
            let mut contents = Vec::new();
            push_uint(&mut contents, n);
            push_uint(&mut contents, e);
            (KeyAlgorithm::Rsa, tlv(0x30, &contents))
        }
        PublicKey::Ec { curve, point } => (KeyAlgorithm::Ec(*curve), point.clone()),
        PublicKey::Ed25519 { x } => (KeyAlgorithm::Ed25519, x.to_vec()),
    };
    let mut contents = Vec::new();
    push_algorithm_identifier(&mut contents, algorithm);
    push_bit_string(&mut contents, &key_bytes);
    tlv(0x30, &contents)
}

/// PKCS#8 v1 for the key types this crate can generate (EC and Ed25519).
pub fn write_pkcs8(key: &PrivateKey) -> Option<Vec<u8>> {
    match key {
        PrivateKey::Ec {
            curve,
            scalar,
            point,
        } => Some(write_ec_pkcs8(*curve, scalar, point)),
        PrivateKey::Ed25519 { seed } => Some(write_ed25519_pkcs8(seed)),
        PrivateKey::Rsa(_) => None,
    }
}

pub fn write_ec_pkcs8(curve: EcCurve, scalar: &[u8], point: &[u8]) -> Vec<u8> {
    // SEC1 ECPrivateKey; the curve is named once, in the PKCS#8 algorithm.
    let mut ec = Vec::new();
    push_tlv(&mut ec, 0x02, &[1]);
    push_tlv(&mut ec, 0x04, scalar);
    let mut public = Vec::new();
    push_bit_string(&mut public, point);
    push_tlv(&mut ec, 0xa1, &public);
    pkcs8_v1(KeyAlgorithm::Ec(curve), &tlv(0x30, &ec))
}

pub fn write_ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    pkcs8_v1(KeyAlgorithm::Ed25519, &tlv(0x04, seed))
}

fn pkcs8_v1(algorithm: KeyAlgorithm, private: &[u8]) -> Vec<u8> {
    let mut contents = Vec::new();
    push_tlv(&mut contents, 0x02, &[0]);
    push_algorithm_identifier(&mut contents, algorithm);
    push_tlv(&mut contents, 0x04, private);
    tlv(0x30, &contents)
}

/// PKCS#1 RSAPrivateKey DER wrapped as PKCS#8 v1, the one private-key format
/// WebCrypto imports.
pub fn rsa_pkcs8_from_pkcs1(pkcs1: &[u8]) -> Vec<u8> {
    pkcs8_v1(KeyAlgorithm::Rsa, pkcs1)
}

/// PKCS#1 RSAPrivateKey (two-prime) from its components.
pub fn write_pkcs1_private(rsa: &RsaPrivate) -> Vec<u8> {
    let mut contents = Vec::new();
    push_tlv(&mut contents, 0x02, &[0]);
    for part in [
        &rsa.n, &rsa.e, &rsa.d, &rsa.p, &rsa.q, &rsa.dp, &rsa.dq, &rsa.qi,
    ] {
        push_uint(&mut contents, part);
    }
    tlv(0x30, &contents)
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
        || CertificateShell::from_der(bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::alg::Algorithm;
    use crate::keys::generate_key_pair;
    use der::asn1::Null;
    use der::Encode;

    /// The same structures through the formats crates' encoders.
    fn reference_spki(key: &PublicKey) -> Vec<u8> {
        let rsa;
        let (oid, parameters, bytes): (_, Option<AnyRef>, &[u8]) = match key {
            PublicKey::Rsa { n, e } => {
                rsa = pkcs1::RsaPublicKeyRef {
                    modulus: UintRef::new(n).unwrap(),
                    public_exponent: UintRef::new(e).unwrap(),
                }
                .to_der()
                .unwrap();
                (RSA_ENCRYPTION, Some(AnyRef::from(Null)), &rsa)
            }
            PublicKey::Ec { curve, point } => (
                EC_PUBLIC_KEY,
                Some(AnyRef::from(match curve {
                    EcCurve::P256 => &SECP256R1,
                    EcCurve::P384 => &SECP384R1,
                })),
                point,
            ),
            PublicKey::Ed25519 { x } => (ED25519, None, x),
        };
        SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef { oid, parameters },
            subject_public_key: BitStringRef::from_bytes(bytes).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    fn rsa_fixture() -> RsaPrivate {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/rsa2048-pkcs1.pem"
        ))
        .unwrap();
        let block = &super::super::pem::parse_pem(&text).unwrap()[0];
        parse_pkcs1_private(&block.der).unwrap()
    }

    #[test]
    fn our_writers_match_the_formats_crates_and_read_back() {
        let rsa = rsa_fixture();
        let mut keys = vec![PublicKey::Rsa {
            n: rsa.n.clone(),
            e: rsa.e.clone(),
        }];
        for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA] {
            let pair = generate_key_pair(alg).unwrap();
            let block = &super::super::pem::parse_pem(&pair.private_key).unwrap()[0];
            let private = parse_pkcs8(&block.der).unwrap();
            let der = write_pkcs8(&private).unwrap();
            assert_eq!(der, block.der, "{alg:?}: PKCS#8 round trip");
            let reference_private = match &private {
                PrivateKey::Ec { scalar, point, .. } => sec1::EcPrivateKey {
                    private_key: scalar,
                    parameters: None,
                    public_key: Some(point),
                }
                .to_der()
                .unwrap(),
                PrivateKey::Ed25519 { seed } => {
                    OctetStringRef::new(seed).unwrap().to_der().unwrap()
                }
                PrivateKey::Rsa(_) => unreachable!("only EC and Ed25519 keys are generated"),
            };
            let reference = PrivateKeyInfoRef::new(
                AlgorithmIdentifierRef {
                    oid: if alg == Algorithm::EdDSA {
                        ED25519
                    } else {
                        EC_PUBLIC_KEY
                    },
                    parameters: match private.family() {
                        KeyFamily::Ec(EcCurve::P256) => Some(AnyRef::from(&SECP256R1)),
                        KeyFamily::Ec(EcCurve::P384) => Some(AnyRef::from(&SECP384R1)),
                        KeyFamily::Ed25519 => None,
                        other => {
                            unreachable!("only EC and Ed25519 keys are generated, not {other:?}")
                        }
                    },
                },
                OctetStringRef::new(&reference_private).unwrap(),
            )
            .to_der()
            .unwrap();
            assert_eq!(der, reference, "{alg:?}: PKCS#8 bytes");
            keys.push(private.public_key());
        }
        for key in keys {
            let der = write_spki(&key);
            assert_eq!(der, reference_spki(&key), "{:?}", key.family());
            assert_eq!(parse_spki(&der).unwrap(), key);
        }
        let der = write_pkcs1_private(&rsa);
        let reference = pkcs1::RsaPrivateKeyRef {
            modulus: UintRef::new(&rsa.n).unwrap(),
            public_exponent: UintRef::new(&rsa.e).unwrap(),
            private_exponent: UintRef::new(&rsa.d).unwrap(),
            prime1: UintRef::new(&rsa.p).unwrap(),
            prime2: UintRef::new(&rsa.q).unwrap(),
            exponent1: UintRef::new(&rsa.dp).unwrap(),
            exponent2: UintRef::new(&rsa.dq).unwrap(),
            coefficient: UintRef::new(&rsa.qi).unwrap(),
            other_prime_infos: None,
        }
        .to_der()
        .unwrap();
        assert_eq!(der, reference);
        assert_eq!(parse_pkcs1_private(&der).unwrap().d, rsa.d);

        // The PKCS#8 wrapping that WebCrypto imports: the formats crate's bytes, read back as the same key.
        let wrapped = rsa_pkcs8_from_pkcs1(&der);
        let reference = PrivateKeyInfoRef::new(
            AlgorithmIdentifierRef {
                oid: RSA_ENCRYPTION,
                parameters: Some(AnyRef::from(Null)),
            },
            OctetStringRef::new(&der).unwrap(),
        )
        .to_der()
        .unwrap();
        assert_eq!(wrapped, reference);
        match parse_pkcs8(&wrapped).unwrap() {
            PrivateKey::Rsa(read) => assert_eq!((read.n, read.d), (rsa.n, rsa.d)),
            _ => panic!("the PKCS#8 wrapping of an RSA key read back as another key type"),
        }
    }

    #[test]
    fn integers_gain_and_lose_their_sign_byte() {
        for (magnitude, expected) in [
            (&[0x80, 0x01][..], &[0x02, 3, 0, 0x80, 0x01][..]),
            (&[0, 0, 0x7f], &[0x02, 1, 0x7f]),
            (&[0], &[0x02, 1, 0]),
            (&[], &[0x02, 1, 0]),
        ] {
            let mut out = Vec::new();
            push_uint(&mut out, magnitude);
            assert_eq!(out, expected, "{magnitude:02x?}");
        }
        let long = tlv(0x04, &[7; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
    }
}
