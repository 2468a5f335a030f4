//! base64url without padding (RFC 7515 §2), strict: padding, characters outside
//! the URL-safe alphabet and non-zero trailing bits are refused, so every token
//! has exactly one encoding (as scopemint's verifier requires).

use alloc::vec::Vec;

fn value(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    } as u32)
}

pub fn decode(text: &str) -> Option<Vec<u8>> {
    let input = text.as_bytes();
    if input.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    for chunk in input.chunks(4) {
        let mut bits = 0u32;
        for &c in chunk {
            bits = bits << 6 | value(c)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]),
            3 => {
                if bits & 0b11 != 0 {
                    return None;
                }
                out.extend_from_slice(&[(bits >> 10) as u8, (bits >> 2) as u8]);
            }
            _ => {
                if bits & 0b1111 != 0 {
                    return None;
                }
                out.push((bits >> 4) as u8);
            }
        }
    }
    Some(out)
}
