//! JSON Web Keys (RFC 7517/7518/8037): import of single keys and key sets,
//! export of public keys.

use serde_json::{Map, Value};

use super::{check_ec_point, check_rsa_public, PrivateKey, PublicKey, RsaPrivate};
use crate::error::{key_invalid, Error, Result};
use crate::jose::alg::{Algorithm, EcCurve};
use crate::jose::b64;

/// The JWK members that travel with a key: its id and its declared algorithm.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JwkMeta {
    pub kid: Option<String>,
    pub alg: Option<Algorithm>,
}

fn member<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(key_invalid(format!(
            "JWK member \"{name}\" must be a string"
        ))),
    }
}

fn bytes(jwk: &Map<String, Value>, name: &str) -> Result<Vec<u8>> {
    let text =
        member(jwk, name)?.ok_or_else(|| key_invalid(format!("JWK is missing \"{name}\"")))?;
    b64::decode(text).ok_or_else(|| key_invalid(format!("JWK member \"{name}\" is not base64url")))
}

fn fixed_bytes(jwk: &Map<String, Value>, name: &str, len: usize) -> Result<Vec<u8>> {
    let value = bytes(jwk, name)?;
    if value.len() != len {
        return Err(wrong_length(name, len));
    }
    Ok(value)
}

/// [`fixed_bytes`] for a length known at compile time, as an array.
fn byte_array<const N: usize>(jwk: &Map<String, Value>, name: &str) -> Result<[u8; N]> {
    bytes(jwk, name)?
        .try_into()
        .map_err(|_| wrong_length(name, N))
}

fn wrong_length(name: &str, len: usize) -> Error {
    key_invalid(format!("JWK member \"{name}\" must be {len} bytes"))
}

fn as_object(value: &Value) -> Result<&Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| key_invalid("a JWK must be a JSON object"))
}

/// What a key is for: `sign` (private keys) or `verify` (public keys).
#[derive(Clone, Copy)]
enum Operation {
    Sign,
    Verify,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::Sign => "sign",
            Operation::Verify => "verify",
        }
    }
}

/// Why a JWK may not be used for `operation`, by its `use` (RFC 7517 §4.2)
/// and `key_ops` (§4.3) members; `Ok(None)` when it may. Malformed members
/// are errors.
fn refusal(jwk: &Map<String, Value>, operation: Operation) -> Result<Option<String>> {
    if let Some(usage) = member(jwk, "use")? {
        if usage != "sig" {
            return Ok(Some(format!(
                "JWK \"use\" is \"{usage}\"; only \"sig\" keys can sign or verify"
            )));
        }
    }
    match jwk.get("key_ops") {
        None => Ok(None),
        Some(Value::Array(ops)) => {
            let mut names = Vec::with_capacity(ops.len());
            for op in ops {
                let name = op
                    .as_str()
                    .ok_or_else(|| key_invalid("JWK \"key_ops\" must be an array of strings"))?;
                if names.contains(&name) {
                    return Err(key_invalid(format!(
                        "JWK \"key_ops\" lists \"{name}\" twice"
                    )));
                }
                names.push(name);
            }
            if names.contains(&operation.name()) {
                Ok(None)
            } else {
                Ok(Some(format!(
                    "JWK \"key_ops\" does not include \"{}\"",
                    operation.name()
                )))
            }
        }
        Some(_) => Err(key_invalid("JWK \"key_ops\" must be an array of strings")),
    }
}

fn meta(jwk: &Map<String, Value>, operation: Operation) -> Result<JwkMeta> {
    if let Some(reason) = refusal(jwk, operation)? {
        return Err(key_invalid(reason));
    }
    let alg = match member(jwk, "alg")? {
        None => None,
        Some(name) => Some(
            Algorithm::parse(name)
                .ok_or_else(|| key_invalid(format!("JWK \"alg\" \"{name}\" is not supported")))?,
        ),
    };
    Ok(JwkMeta {
        kid: member(jwk, "kid")?.map(str::to_string),
        alg,
    })
}

fn ec_curve(jwk: &Map<String, Value>) -> Result<EcCurve> {
    match member(jwk, "crv")? {
        Some("P-256") => Ok(EcCurve::P256),
        Some("P-384") => Ok(EcCurve::P384),
        other => Err(key_invalid(format!(
            "unsupported EC JWK curve {other:?} (supported: P-256, P-384)"
        ))),
    }
}

fn ec_point(jwk: &Map<String, Value>, curve: EcCurve) -> Result<Vec<u8>> {
    let field = curve.field_len();
    let mut point = Vec::with_capacity(1 + 2 * field);
    point.push(4);
    point.extend(fixed_bytes(jwk, "x", field)?);
    point.extend(fixed_bytes(jwk, "y", field)?);
    Ok(point)
}

fn okp_is_ed25519(jwk: &Map<String, Value>) -> Result<()> {
    match member(jwk, "crv")? {
        Some("Ed25519") => Ok(()),
        other => Err(key_invalid(format!(
            "unsupported OKP JWK curve {other:?} (supported: Ed25519)"
        ))),
    }
}

fn kty(jwk: &Map<String, Value>) -> Result<&str> {
    member(jwk, "kty")?.ok_or_else(|| key_invalid("JWK is missing \"kty\""))
}

fn unsupported_kty(kty: &str) -> Error {
    if kty == "oct" {
        key_invalid("a symmetric (\"oct\") JWK is an HMAC secret: pass its bytes as `secret`")
    } else {
        key_invalid(format!(
            "unsupported JWK kty \"{kty}\" (supported: RSA, EC, OKP)"
        ))
    }
}

pub fn parse_private_jwk(value: &Value) -> Result<(PrivateKey, JwkMeta)> {
    let jwk = as_object(value)?;
    let meta = meta(jwk, Operation::Sign)?;
    if !jwk.contains_key("d") {
        return Err(key_invalid(
            "JWK has no private part (\"d\"); a signer needs the private key",
        ));
    }
    let key = match kty(jwk)? {
        "RSA" => {
            if jwk.contains_key("oth") {
                return Err(key_invalid("multi-prime RSA keys are not supported"));
            }
            let rsa = RsaPrivate {
                n: bytes(jwk, "n")?,
                e: bytes(jwk, "e")?,
                d: bytes(jwk, "d")?,
                p: bytes(jwk, "p")?,
                q: bytes(jwk, "q")?,
                dp: bytes(jwk, "dp")?,
                dq: bytes(jwk, "dq")?,
                qi: bytes(jwk, "qi")?,
            };
            check_rsa_public(&rsa.n, &rsa.e)?;
            PrivateKey::Rsa(rsa)
        }
        "EC" => {
            let curve = ec_curve(jwk)?;
            let point = ec_point(jwk, curve)?;
            check_ec_point(curve, &point)?;
            let scalar = fixed_bytes(jwk, "d", curve.field_len())?;
            PrivateKey::Ec {
                curve,
                scalar,
                point,
            }
        }
        "OKP" => {
            okp_is_ed25519(jwk)?;
            let seed: [u8; 32] = byte_array(jwk, "d")?;
            if let Some(x) = member(jwk, "x")? {
                if b64::decode(x).as_deref() != Some(&super::ed25519_public_from_seed(&seed)[..]) {
                    return Err(key_invalid("Ed25519 JWK \"x\" does not match \"d\""));
                }
            }
            PrivateKey::Ed25519 { seed }
        }
        other => return Err(unsupported_kty(other)),
    };
    Ok((key, meta))
}

pub fn parse_public_jwk(value: &Value) -> Result<(PublicKey, JwkMeta)> {
    let jwk = as_object(value)?;
    if jwk.contains_key("keys") {
        return Err(key_invalid(
            "this is a key set ({keys: [...]}); pass it as `jwks`",
        ));
    }
    let meta = meta(jwk, Operation::Verify)?;
    if jwk.contains_key("d") {
        return Err(key_invalid(
            "JWK holds a private key; give verifiers only the public key",
        ));
    }
    let key = match kty(jwk)? {
        "RSA" => PublicKey::rsa(bytes(jwk, "n")?, bytes(jwk, "e")?)?,
        "EC" => {
            let curve = ec_curve(jwk)?;
            PublicKey::ec(curve, ec_point(jwk, curve)?)?
        }
        "OKP" => {
            okp_is_ed25519(jwk)?;
            PublicKey::ed25519(byte_array(jwk, "x")?)?
        }
        other => return Err(unsupported_kty(other)),
    };
    Ok((key, meta))
}

/// A JWKS. Keys not meant for verification (`use` other than `sig`, or
/// `key_ops` without `verify`) are skipped, as the set may legitimately hold
/// them, and are never used to verify; any other key that fails to import is
/// an error, so a typo in a key never silently shrinks the set.
pub fn parse_jwk_set(value: &Value) -> Result<Vec<(PublicKey, JwkMeta)>> {
    let keys = value
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| key_invalid("a JWKS must be an object with a \"keys\" array"))?;
    let mut parsed = Vec::with_capacity(keys.len());
    for (index, key) in keys.iter().enumerate() {
        let not_for_verifying = match key.as_object() {
            Some(jwk) => refusal(jwk, Operation::Verify)
                .map_err(|e| key_invalid(format!("JWKS key #{index}: {}", e.message)))?
                .is_some(),
            None => false,
        };
        if not_for_verifying {
            continue;
        }
        let entry = parse_public_jwk(key)
            .map_err(|e| key_invalid(format!("JWKS key #{index}: {}", e.message)))?;
        parsed.push(entry);
    }
    if parsed.is_empty() {
        return Err(key_invalid(
            "the JWKS holds no key for verifying signatures (`use: \"sig\"` or `key_ops` with \"verify\")",
        ));
    }
    Ok(parsed)
}

/// The public key as a JWK, with `kid`, `alg` and `use: "sig"`.
pub fn public_jwk(key: &PublicKey, kid: Option<&str>, alg: Algorithm) -> Value {
    let mut jwk = Map::new();
    let mut put = |name: &str, value: String| {
        jwk.insert(name.to_string(), Value::String(value));
    };
    match key {
        PublicKey::Rsa { n, e } => {
            put("kty", "RSA".into());
            put("n", b64::encode(n));
            put("e", b64::encode(e));
        }
        PublicKey::Ec { curve, point } => {
            let field = curve.field_len();
            put("kty", "EC".into());
            let crv = match curve {
                EcCurve::P256 => "P-256",
                EcCurve::P384 => "P-384",
            };
            put("crv", crv.into());
            put("x", b64::encode(&point[1..1 + field]));
            put("y", b64::encode(&point[1 + field..]));
        }
        PublicKey::Ed25519 { x } => {
            put("kty", "OKP".into());
            put("crv", "Ed25519".into());
            put("x", b64::encode(x));
        }
    }
    if let Some(kid) = kid {
        put("kid", kid.to_string());
    }
    put("alg", alg.as_str().to_string());
    put("use", "sig".into());
    Value::Object(jwk)
}
