//! Cryptographic primitives: signature keys bound to one algorithm (ring),
//! HMAC (RustCrypto SHA-2) and the platform's randomness. Nothing here reads
//! tokens or options.

pub mod hmac;
pub mod random;
mod signature;
#[cfg(test)]
mod vectors_tests;

pub use signature::{SigningKey, VerifyingKey};
