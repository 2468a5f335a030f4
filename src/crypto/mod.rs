//! Cryptographic primitives: signature keys bound to one algorithm (ring)
//! and HMAC (RustCrypto SHA-2), built from the parsed keys of `keys/`.
//! Nothing here reads tokens or options.

pub mod hmac;
mod signature;
#[cfg(test)]
mod vectors_tests;

pub use signature::{SigningKey, VerifyingKey};
