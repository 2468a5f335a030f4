//! The little DER (ASN.1) and PEM handling key import/export needs: reading
//! and writing definite-length TLVs. Anything unexpected is an error, never a
//! panic: these bytes come from users.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::error::{key_invalid, Result};

pub const SEQUENCE: u8 = 0x30;
pub const INTEGER: u8 = 0x02;
pub const BIT_STRING: u8 = 0x03;
pub const OCTET_STRING: u8 = 0x04;
pub const NULL: u8 = 0x05;
pub const OID: u8 = 0x06;
pub const CONTEXT_0: u8 = 0xa0;
pub const CONTEXT_1: u8 = 0xa1;

// Object identifiers, DER-encoded content bytes.
pub const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
pub const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
pub const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
pub const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// A cursor over DER bytes.
pub struct Reader<'a> {
    input: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Reader { input }
    }

    pub fn is_empty(&self) -> bool {
        self.input.is_empty()
    }

    /// Reads the only TLV in `input`, which must have `tag`; trailing bytes are an error.
    pub fn single(input: &'a [u8], tag: u8) -> Result<&'a [u8]> {
        let mut reader = Reader::new(input);
        let contents = reader.expect(tag)?;
        if !reader.is_empty() {
            return Err(key_invalid("trailing data after DER structure"));
        }
        Ok(contents)
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.input.first().copied()
    }

    /// Reads one TLV, returning its tag and contents.
    pub fn any(&mut self) -> Result<(u8, &'a [u8])> {
        let (&tag, rest) = self
            .input
            .split_first()
            .ok_or_else(|| key_invalid("truncated DER"))?;
        let (&first, mut rest) = rest
            .split_first()
            .ok_or_else(|| key_invalid("truncated DER"))?;
        let len = if first < 0x80 {
            first as usize
        } else {
            let count = (first & 0x7f) as usize;
            if count == 0 || count > 4 || rest.len() < count {
                return Err(key_invalid("unsupported DER length"));
            }
            let len = rest[..count]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | b as usize);
            rest = &rest[count..];
            len
        };
        if rest.len() < len {
            return Err(key_invalid("truncated DER"));
        }
        let (contents, rest) = rest.split_at(len);
        self.input = rest;
        Ok((tag, contents))
    }

    pub fn expect(&mut self, tag: u8) -> Result<&'a [u8]> {
        let (found, contents) = self.any()?;
        if found != tag {
            return Err(key_invalid(format!(
                "unexpected DER tag 0x{found:02x} (wanted 0x{tag:02x})"
            )));
        }
        Ok(contents)
    }

    /// Reads a TLV with `tag` only if it comes next.
    pub fn optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>> {
        if self.peek_tag() == Some(tag) {
            self.expect(tag).map(Some)
        } else {
            Ok(None)
        }
    }

    /// An INTEGER's magnitude with the sign-padding zero byte removed.
    pub fn unsigned_integer(&mut self) -> Result<&'a [u8]> {
        let bytes = self.expect(INTEGER)?;
        match bytes {
            [] => Err(key_invalid("empty DER integer")),
            [first, ..] if first & 0x80 != 0 => Err(key_invalid("negative DER integer")),
            [0, rest @ ..] if !rest.is_empty() => Ok(rest),
            _ => Ok(bytes),
        }
    }

    /// A BIT STRING's bytes; only whole-byte strings occur in keys.
    pub fn bit_string(&mut self) -> Result<&'a [u8]> {
        match self.expect(BIT_STRING)? {
            [0, bytes @ ..] => Ok(bytes),
            _ => Err(key_invalid("unsupported DER bit string")),
        }
    }
}

/// Appends one TLV to `out`.
pub fn write(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
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

pub fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 6);
    write(&mut out, tag, contents);
    out
}

/// An unsigned big-endian magnitude as a DER INTEGER (adds the sign byte if needed).
pub fn write_unsigned_integer(out: &mut Vec<u8>, magnitude: &[u8]) {
    let trimmed = match magnitude.iter().position(|&b| b != 0) {
        Some(start) => &magnitude[start..],
        None => &[0u8][..],
    };
    if trimmed[0] & 0x80 != 0 {
        let mut padded = Vec::with_capacity(trimmed.len() + 1);
        padded.push(0);
        padded.extend_from_slice(trimmed);
        write(out, INTEGER, &padded);
    } else {
        write(out, INTEGER, trimmed);
    }
}

pub fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut contents = Vec::with_capacity(bytes.len() + 1);
    contents.push(0);
    contents.extend_from_slice(bytes);
    tlv(BIT_STRING, &contents)
}

/// One PEM block: its label and decoded DER.
pub struct PemBlock {
    pub label: String,
    pub der: Vec<u8>,
}

/// Parses all PEM blocks in `text`. Keys pasted into environment variables
/// often carry literal `\n` sequences instead of newlines; those are accepted.
pub fn parse_pem(text: &str) -> Result<Vec<PemBlock>> {
    let normalised;
    let text = if !text.contains('\n') && text.contains("\\n") {
        normalised = text.replace("\\n", "\n");
        normalised.as_str()
    } else {
        text
    };
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after_begin = &rest[start + 11..];
        let label_end = after_begin
            .find("-----")
            .ok_or_else(|| key_invalid("malformed PEM header"))?;
        let label = &after_begin[..label_end];
        let body_and_rest = &after_begin[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let end = body_and_rest
            .find(&end_marker)
            .ok_or_else(|| key_invalid(format!("PEM block \"{label}\" has no END line")))?;
        let body: String = body_and_rest[..end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        if body.contains(':') {
            return Err(key_invalid(
                "encrypted PEM keys are not supported; decrypt the key first",
            ));
        }
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|_| key_invalid(format!("PEM block \"{label}\" is not valid base64")))?;
        blocks.push(PemBlock {
            label: label.to_string(),
            der,
        });
        rest = &body_and_rest[end + end_marker.len()..];
    }
    if blocks.is_empty() {
        return Err(key_invalid("no PEM block found"));
    }
    Ok(blocks)
}

pub fn to_pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for line in body.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_round_trip() {
        let contents = vec![7u8; 300];
        let encoded = tlv(OCTET_STRING, &contents);
        assert_eq!(&encoded[..4], &[OCTET_STRING, 0x82, 0x01, 0x2c]);
        let mut reader = Reader::new(&encoded);
        assert_eq!(reader.expect(OCTET_STRING).unwrap(), &contents[..]);
        assert!(reader.is_empty());
    }

    #[test]
    fn truncated_input_is_an_error() {
        let mut reader = Reader::new(&[SEQUENCE, 0x05, 1, 2]);
        assert!(reader.any().is_err());
        let mut reader = Reader::new(&[SEQUENCE, 0x85, 1, 2, 3, 4, 5]);
        assert!(reader.any().is_err());
    }

    #[test]
    fn integers_gain_and_lose_their_sign_byte() {
        let mut out = Vec::new();
        write_unsigned_integer(&mut out, &[0x80, 0x01]);
        assert_eq!(out, vec![INTEGER, 3, 0, 0x80, 0x01]);
        assert_eq!(Reader::new(&out).unsigned_integer().unwrap(), &[0x80, 0x01]);
    }

    #[test]
    fn pem_with_escaped_newlines_is_accepted() {
        let pem = to_pem("PUBLIC KEY", &[1, 2, 3]);
        let escaped = pem.replace('\n', "\\n");
        let blocks = parse_pem(&escaped).unwrap();
        assert_eq!(blocks[0].label, "PUBLIC KEY");
        assert_eq!(blocks[0].der, vec![1, 2, 3]);
    }
}
