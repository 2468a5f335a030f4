//! Randomness from the platform (getrandom; `crypto.getRandomValues` in wasm).

use crate::error::{Error, ErrorCode, Result};

pub fn fill(bytes: &mut [u8]) -> Result<()> {
    getrandom::getrandom(bytes).map_err(|e| {
        Error::new(
            ErrorCode::KeyInvalid,
            format!("the system random number generator failed: {e}"),
        )
    })
}

/// A random RFC 9562 version 4 UUID, lower-case hex.
pub fn uuid_v4() -> Result<String> {
    let mut b = [0u8; 16];
    fill(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 0xf) as usize] as char);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuid_has_version_and_variant() {
        let id = super::uuid_v4().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(id, super::uuid_v4().unwrap());
    }
}
