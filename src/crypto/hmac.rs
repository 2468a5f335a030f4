//! HMAC-SHA-2 for HS256/384/512. RustCrypto's portable SHA-2 compiles to
//! faster WebAssembly than ring's (about 40% more HS256 signatures per second
//! measured here), and HS256 is the hot path of the vendor tokens; ring keeps
//! the asymmetric algorithms. The keyed state (inner and outer pads) is
//! computed once and cloned per message.
//!
//! [`HmacPads`] splits HMAC (RFC 2104) so that a platform hash function can
//! compute it: HMAC(K, m) = H(opad ‖ H(ipad ‖ m)). On Node, `crypto.hash`
//! over these layouts is several times faster than SHA-2 in wasm; the key
//! stays here, and so does the comparison of tags.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;

use crate::error::{key_invalid, Result};
use crate::jose::alg::HmacHash;

#[derive(Clone)]
enum KeyedMac {
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
}

#[derive(Clone)]
pub struct HmacKey {
    mac: KeyedMac,
    pads: HmacPads,
}

impl HmacKey {
    pub fn new(hash: HmacHash, secret: &[u8]) -> Result<HmacKey> {
        // HMAC accepts keys of any length; the error exists only in the generic API.
        let invalid = |_| key_invalid("HMAC key rejected");
        let mac = match hash {
            HmacHash::Sha256 => KeyedMac::Sha256(Hmac::new_from_slice(secret).map_err(invalid)?),
            HmacHash::Sha384 => KeyedMac::Sha384(Hmac::new_from_slice(secret).map_err(invalid)?),
            HmacHash::Sha512 => KeyedMac::Sha512(Hmac::new_from_slice(secret).map_err(invalid)?),
        };
        Ok(HmacKey {
            mac,
            pads: HmacPads::new(hash, secret),
        })
    }

    pub fn sign<R>(&self, message: &[u8], out: impl FnOnce(&[u8]) -> R) -> R {
        match &self.mac {
            KeyedMac::Sha256(key) => out(&with_message(key, message).finalize().into_bytes()),
            KeyedMac::Sha384(key) => out(&with_message(key, message).finalize().into_bytes()),
            KeyedMac::Sha512(key) => out(&with_message(key, message).finalize().into_bytes()),
        }
    }

    /// Constant-time comparison of the full tag.
    pub fn verify(&self, message: &[u8], tag: &[u8]) -> bool {
        match &self.mac {
            KeyedMac::Sha256(key) => with_message(key, message).verify_slice(tag).is_ok(),
            KeyedMac::Sha384(key) => with_message(key, message).verify_slice(tag).is_ok(),
            KeyedMac::Sha512(key) => with_message(key, message).verify_slice(tag).is_ok(),
        }
    }

    /// The same key split for a platform hash function.
    pub fn pads(&self) -> &HmacPads {
        &self.pads
    }
}

fn with_message<M: Mac + Clone>(key: &M, message: &[u8]) -> M {
    let mut mac = key.clone();
    mac.update(message);
    mac
}

/// HMAC split for a platform hash function (RFC 2104): the platform hashes
/// `K' ⊕ ipad ‖ m` (all the message's blocks), and [`HmacPads::tag`] finishes
/// with the outer hash from a state that has already absorbed `K' ⊕ opad`.
/// `K'` is the secret, hashed first when longer than a block, padded with
/// zeros to the hash's block size. The outer pad never leaves this struct.
#[derive(Clone)]
pub struct HmacPads {
    hash: HmacHash,
    inner: Vec<u8>,
    outer: OuterState,
}

#[derive(Clone)]
enum OuterState {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl HmacPads {
    fn new(hash: HmacHash, secret: &[u8]) -> HmacPads {
        let block = block_bytes(hash);
        let mut key = if secret.len() > block {
            match hash {
                HmacHash::Sha256 => Sha256::digest(secret).to_vec(),
                HmacHash::Sha384 => Sha384::digest(secret).to_vec(),
                HmacHash::Sha512 => Sha512::digest(secret).to_vec(),
            }
        } else {
            secret.to_vec()
        };
        key.resize(block, 0);
        let outer_pad: Vec<u8> = key.iter().map(|b| b ^ 0x5c).collect();
        HmacPads {
            hash,
            inner: key.iter().map(|b| b ^ 0x36).collect(),
            outer: match hash {
                HmacHash::Sha256 => OuterState::Sha256(Sha256::new_with_prefix(&outer_pad)),
                HmacHash::Sha384 => OuterState::Sha384(Sha384::new_with_prefix(&outer_pad)),
                HmacHash::Sha512 => OuterState::Sha512(Sha512::new_with_prefix(&outer_pad)),
            },
        }
    }

    /// The hash's block: 64 bytes for SHA-256, 128 for SHA-384 and SHA-512.
    pub fn block_bytes(&self) -> usize {
        block_bytes(self.hash)
    }

    pub fn digest_bytes(&self) -> usize {
        self.hash.output_bytes()
    }

    /// `K' ⊕ ipad`: the platform hashes it followed by the message.
    pub fn inner(&self) -> &[u8] {
        &self.inner
    }

    /// The tag from the platform's inner digest H(inner ‖ m); `None` if that
    /// digest has the wrong length (a broken platform, never a tag).
    pub fn tag(&self, inner_digest: &[u8]) -> Option<Vec<u8>> {
        if inner_digest.len() != self.digest_bytes() {
            return None;
        }
        Some(match &self.outer {
            OuterState::Sha256(state) => {
                state.clone().chain_update(inner_digest).finalize().to_vec()
            }
            OuterState::Sha384(state) => {
                state.clone().chain_update(inner_digest).finalize().to_vec()
            }
            OuterState::Sha512(state) => {
                state.clone().chain_update(inner_digest).finalize().to_vec()
            }
        })
    }

    /// Whether `tag` equals `signature`, in time independent of where they
    /// differ. A signature of another length (a truncated tag) never
    /// matches, as in [`HmacKey::verify`].
    pub fn tag_matches(&self, tag: &[u8], signature: &[u8]) -> bool {
        tag.len() == self.digest_bytes() && bool::from(tag.ct_eq(signature))
    }
}

fn block_bytes(hash: HmacHash) -> usize {
    match hash {
        HmacHash::Sha256 => 64,
        HmacHash::Sha384 | HmacHash::Sha512 => 128,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(hash: HmacHash, data: &[u8]) -> Vec<u8> {
        match hash {
            HmacHash::Sha256 => Sha256::digest(data).to_vec(),
            HmacHash::Sha384 => Sha384::digest(data).to_vec(),
            HmacHash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// What a platform does with the pads (one plain hash), then Rust's outer hash.
    fn split_hmac(pads: &HmacPads, message: &[u8]) -> Vec<u8> {
        let inner = hash(pads.hash, &[pads.inner(), message].concat());
        pads.tag(&inner).unwrap()
    }

    fn one_shot(key: &HmacKey, message: &[u8]) -> Vec<u8> {
        key.sign(message, <[u8]>::to_vec)
    }

    const HASHES: [HmacHash; 3] = [HmacHash::Sha256, HmacHash::Sha384, HmacHash::Sha512];

    #[test]
    fn split_hmac_equals_one_shot_for_keys_shorter_equal_and_longer_than_a_block() {
        // A deterministic byte stream, so a failure names a reproducible case.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        };
        for hash in HASHES {
            let block = block_bytes(hash);
            for key_len in [1, 31, 32, 48, 63, 64, 65, 127, 128, 129, 200, 1000] {
                for message_len in [0, 1, 55, 56, 63, 64, 111, 112, 128, 300, 1024] {
                    let secret: Vec<u8> = (0..key_len).map(|_| next()).collect();
                    let message: Vec<u8> = (0..message_len).map(|_| next()).collect();
                    let key = HmacKey::new(hash, &secret).unwrap();
                    let pads = key.pads();
                    assert_eq!(pads.inner().len(), block);
                    let tag = split_hmac(pads, &message);
                    assert_eq!(
                        tag,
                        one_shot(&key, &message),
                        "{hash:?} key {key_len} B message {message_len} B"
                    );
                    assert!(key.verify(&message, &tag));
                    assert!(pads.tag_matches(&tag, &one_shot(&key, &message)));
                }
            }
        }
    }

    #[test]
    fn rfc_4231_case_2_through_the_pads() {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        let key = HmacKey::new(HmacHash::Sha256, b"Jefe").unwrap();
        let tag = split_hmac(key.pads(), b"what do ya want for nothing?");
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }

    #[test]
    fn tag_matches_refuses_any_other_tag_or_length() {
        let key = HmacKey::new(HmacHash::Sha384, &[7u8; 48]).unwrap();
        let pads = key.pads();
        let tag = one_shot(&key, b"header.payload");
        assert!(pads.tag_matches(&tag, &tag));
        for i in 0..tag.len() {
            let mut forged = tag.clone();
            forged[i] ^= 1;
            assert!(!pads.tag_matches(&tag, &forged), "byte {i} flipped");
        }
        assert!(!pads.tag_matches(&tag, &tag[..32]));
        assert!(!pads.tag_matches(&tag[..32], &tag[..32]));
        let mut longer = tag.clone();
        longer.push(0);
        assert!(!pads.tag_matches(&tag, &longer));
        assert!(!pads.tag_matches(&[], &[]));
        // An inner digest of the wrong length gives no tag at all.
        assert!(pads.tag(&tag[..32]).is_none());
        assert!(pads.tag(&[tag.clone(), vec![0]].concat()).is_none());
    }
}
