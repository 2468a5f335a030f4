//! Signature primitives, on *ring*. A key is bound to exactly one algorithm
//! when it is built, so per-call work is only the signature itself.

use ring::rand::SystemRandom;
use ring::rsa;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};

use crate::crypto::hmac::{HmacKey, HmacPads};
use crate::error::{key_invalid, Error, ErrorCode, Result};
use crate::jose::alg::{
    ensure_compatible, incompatible, Algorithm, AlgorithmKind, EcCurve, HmacHash, RsaScheme,
};
use crate::keys::{PrivateKey, PublicKey};

fn ecdsa_signing_alg(curve: EcCurve) -> &'static signature::EcdsaSigningAlgorithm {
    match curve {
        EcCurve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        EcCurve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
    }
}

fn ecdsa_verification_alg(curve: EcCurve) -> &'static signature::EcdsaVerificationAlgorithm {
    match curve {
        EcCurve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
        EcCurve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
    }
}

fn rsa_signing_encoding(scheme: RsaScheme) -> &'static dyn signature::RsaEncoding {
    match scheme {
        RsaScheme::Pkcs1Sha256 => &signature::RSA_PKCS1_SHA256,
        RsaScheme::Pkcs1Sha384 => &signature::RSA_PKCS1_SHA384,
        RsaScheme::Pkcs1Sha512 => &signature::RSA_PKCS1_SHA512,
        RsaScheme::PssSha256 => &signature::RSA_PSS_SHA256,
        RsaScheme::PssSha384 => &signature::RSA_PSS_SHA384,
        RsaScheme::PssSha512 => &signature::RSA_PSS_SHA512,
    }
}

fn rsa_verification_params(scheme: RsaScheme) -> &'static signature::RsaParameters {
    match scheme {
        RsaScheme::Pkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        RsaScheme::Pkcs1Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        RsaScheme::Pkcs1Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        RsaScheme::PssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        RsaScheme::PssSha384 => &signature::RSA_PSS_2048_8192_SHA384,
        RsaScheme::PssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
    }
}

fn check_secret_length(secret: &[u8], alg: Algorithm, hash: HmacHash) -> Result<()> {
    let min = hash.output_bytes();
    if secret.len() < min {
        return Err(key_invalid(format!(
            "{} needs a secret of at least {min} bytes (RFC 7518 §3.2); this one has {}",
            alg.as_str(),
            secret.len()
        )));
    }
    Ok(())
}

// Inline for the same reason as `Verifying` below: HS256 signing is the hot path.
#[allow(clippy::large_enum_variant)]
enum Signing {
    Hmac(HmacKey),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair, &'static dyn signature::RsaEncoding),
}

pub struct SigningKey {
    alg: Algorithm,
    inner: Signing,
}

impl SigningKey {
    pub fn from_secret(secret: &[u8], alg: Algorithm) -> Result<SigningKey> {
        let hash = alg.hmac_hash()?;
        check_secret_length(secret, alg, hash)?;
        Ok(SigningKey {
            alg,
            inner: Signing::Hmac(HmacKey::new(hash, secret)?),
        })
    }

    pub fn from_private(key: &PrivateKey, alg: Algorithm) -> Result<SigningKey> {
        ensure_compatible(alg, key.family())?;
        let rejected =
            |e: ring::error::KeyRejected| key_invalid(format!("private key rejected: {e}"));
        let inner = match (key, alg.kind()) {
            (PrivateKey::Ec { scalar, point, .. }, AlgorithmKind::Ecdsa(curve)) => Signing::Ecdsa(
                EcdsaKeyPair::from_private_key_and_public_key(
                    ecdsa_signing_alg(curve),
                    scalar,
                    point,
                    &SystemRandom::new(),
                )
                .map_err(rejected)?,
            ),
            (PrivateKey::Ed25519 { seed }, AlgorithmKind::EdDsa) => {
                Signing::Ed25519(Ed25519KeyPair::from_seed_unchecked(seed).map_err(rejected)?)
            }
            (PrivateKey::Rsa(k), AlgorithmKind::Rsa(scheme)) => {
                let components = rsa::KeyPairComponents {
                    public_key: rsa::PublicKeyComponents {
                        n: &k.n[..],
                        e: &k.e[..],
                    },
                    d: &k.d[..],
                    p: &k.p[..],
                    q: &k.q[..],
                    dP: &k.dp[..],
                    dQ: &k.dq[..],
                    qInv: &k.qi[..],
                };
                {
                    let pair = RsaKeyPair::from_components(&components).map_err(rejected)?;
                    // ring checks the CRT exponents only when signing: sign once now,
                    // so a corrupt key fails at import, not on first use.
                    let mut trial = vec![0u8; pair.public().modulus_len()];
                    pair.sign(
                        rsa_signing_encoding(scheme),
                        &SystemRandom::new(),
                        b"scopemint key check",
                        &mut trial,
                    )
                    .map_err(|_| {
                        key_invalid(
                            "RSA private key is inconsistent (its CRT parameters do not match)",
                        )
                    })?;
                    Signing::Rsa(pair, rsa_signing_encoding(scheme))
                }
            }
            // ensure_compatible above has refused every other pairing.
            _ => return Err(incompatible(alg, key.family())),
        };
        Ok(SigningKey { alg, inner })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The keyed blocks of an HMAC key, for a platform hash function; `None` otherwise.
    pub fn hmac_pads(&self) -> Option<&HmacPads> {
        match &self.inner {
            Signing::Hmac(key) => Some(key.pads()),
            Signing::Ecdsa(_) | Signing::Ed25519(_) | Signing::Rsa(..) => None,
        }
    }

    /// Signs `message`, handing the signature bytes to `out`.
    pub fn sign<R>(&self, message: &[u8], out: impl FnOnce(&[u8]) -> R) -> Result<R> {
        let failed = |_| Error::new(ErrorCode::KeyInvalid, "signing failed");
        match &self.inner {
            Signing::Hmac(key) => Ok(key.sign(message, out)),
            Signing::Ed25519(pair) => Ok(out(pair.sign(message).as_ref())),
            Signing::Ecdsa(pair) => pair
                .sign(&SystemRandom::new(), message)
                .map(|s| out(s.as_ref()))
                .map_err(failed),
            Signing::Rsa(pair, encoding) => {
                let mut signature = vec![0u8; pair.public().modulus_len()];
                pair.sign(*encoding, &SystemRandom::new(), message, &mut signature)
                    .map_err(failed)?;
                Ok(out(&signature))
            }
        }
    }
}

// HMAC keys hold their precomputed pads inline: boxing them would add a
// pointer chase to every HS256 verification, the hot path, to save a few
// hundred bytes per configured key.
#[allow(clippy::large_enum_variant)]
enum Verifying {
    Hmac(HmacKey),
    Unparsed(signature::UnparsedPublicKey<Vec<u8>>),
    Rsa(
        rsa::PublicKeyComponents<Vec<u8>>,
        &'static signature::RsaParameters,
    ),
}

pub struct VerifyingKey {
    alg: Algorithm,
    inner: Verifying,
}

impl VerifyingKey {
    pub fn from_secret(secret: &[u8], alg: Algorithm) -> Result<VerifyingKey> {
        let hash = alg.hmac_hash()?;
        check_secret_length(secret, alg, hash)?;
        Ok(VerifyingKey {
            alg,
            inner: Verifying::Hmac(HmacKey::new(hash, secret)?),
        })
    }

    /// The verifier's `allowShortSecret`: HMAC secrets shorter than the hash,
    /// for verifying tokens of legacy systems only (signers have no such
    /// option). An empty secret is still refused.
    pub fn from_short_secret(secret: &[u8], alg: Algorithm) -> Result<VerifyingKey> {
        let hash = alg.hmac_hash()?;
        if secret.is_empty() {
            return Err(key_invalid(
                "an empty HMAC secret is refused, even with allowShortSecret",
            ));
        }
        Ok(VerifyingKey {
            alg,
            inner: Verifying::Hmac(HmacKey::new(hash, secret)?),
        })
    }

    pub fn from_public(key: &PublicKey, alg: Algorithm) -> Result<VerifyingKey> {
        ensure_compatible(alg, key.family())?;
        let inner = match (key, alg.kind()) {
            (PublicKey::Rsa { n, e }, AlgorithmKind::Rsa(scheme)) => Verifying::Rsa(
                rsa::PublicKeyComponents {
                    n: n.clone(),
                    e: e.clone(),
                },
                rsa_verification_params(scheme),
            ),
            (PublicKey::Ec { point, .. }, AlgorithmKind::Ecdsa(curve)) => Verifying::Unparsed(
                signature::UnparsedPublicKey::new(ecdsa_verification_alg(curve), point.clone()),
            ),
            (PublicKey::Ed25519 { x }, AlgorithmKind::EdDsa) => Verifying::Unparsed(
                signature::UnparsedPublicKey::new(&signature::ED25519, x.to_vec()),
            ),
            // ensure_compatible above has refused every other pairing.
            _ => return Err(incompatible(alg, key.family())),
        };
        Ok(VerifyingKey { alg, inner })
    }

    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The keyed blocks of an HMAC key, for a platform hash function; `None` otherwise.
    pub fn hmac_pads(&self) -> Option<&HmacPads> {
        match &self.inner {
            Verifying::Hmac(key) => Some(key.pads()),
            Verifying::Unparsed(_) | Verifying::Rsa(..) => None,
        }
    }

    /// True only for a valid signature; every failure looks the same to callers.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.inner {
            Verifying::Hmac(key) => key.verify(message, signature),
            Verifying::Unparsed(key) => key.verify(message, signature).is_ok(),
            Verifying::Rsa(key, params) => key.verify(params, message, signature).is_ok(),
        }
    }
}
