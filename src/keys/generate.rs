//! Key pair generation for the algorithms whose keys are cheap to make.

use ring::signature;
use serde_json::Value;

use super::{jwk, pem, pkcs, PrivateKey};
use crate::error::{invalid_option, key_invalid, Result};
use crate::jose::alg::{Algorithm, EcCurve, KeyFamily};
use crate::random;

pub struct GeneratedKeyPair {
    /// PKCS#8 PEM.
    pub private_key: String,
    /// SPKI PEM.
    pub public_key: String,
    pub public_jwk: Value,
}

pub fn generate_key_pair(alg: Algorithm) -> Result<GeneratedKeyPair> {
    let key = match alg.family() {
        KeyFamily::Ec(EcCurve::P256) => generate_ec(&signature::ECDSA_P256_SHA256_FIXED_SIGNING)?,
        KeyFamily::Ec(EcCurve::P384) => generate_ec(&signature::ECDSA_P384_SHA384_FIXED_SIGNING)?,
        KeyFamily::Ed25519 => {
            let mut seed = [0u8; 32];
            random::fill(&mut seed)?;
            PrivateKey::Ed25519 { seed }
        }
        KeyFamily::Rsa => {
            return Err(invalid_option(
                "algorithm",
                "RSA key generation is not supported (it is slow and error-prone in WebAssembly); \
                 create one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`",
            ))
        }
        KeyFamily::Hmac => {
            return Err(invalid_option(
                "algorithm",
                "HMAC algorithms use a shared secret, not a key pair: use at least 32 random bytes as `secret`",
            ))
        }
    };
    let public = key.public_key();
    let pkcs8 =
        pkcs::write_pkcs8(&key).ok_or_else(|| key_invalid("cannot encode this key as PKCS#8"))?;
    Ok(GeneratedKeyPair {
        private_key: pem::to_pem("PRIVATE KEY", &pkcs8),
        public_key: public.to_pem(),
        public_jwk: jwk::public_jwk(&public, None, alg),
    })
}

fn generate_ec(curve: &'static signature::EcdsaSigningAlgorithm) -> Result<PrivateKey> {
    let pkcs8 = signature::EcdsaKeyPair::generate_pkcs8(curve, &ring::rand::SystemRandom::new())
        .map_err(|_| key_invalid("the system random number generator failed"))?;
    pkcs::parse_pkcs8(pkcs8.as_ref())
}
