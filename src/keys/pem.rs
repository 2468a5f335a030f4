//! PEM text (RFC 7468) in and out. Each block is decoded by `pem-rfc7468`
//! under RFC 7468's strict grammar; this file only finds the blocks, since
//! OpenSSL writes more than one (`EC PARAMETERS` before an EC key) and text
//! may surround them.

use crate::error::{key_invalid, Result};

/// One PEM block: its label and decoded DER.
#[derive(Debug)]
pub struct PemBlock {
    pub label: String,
    pub der: Vec<u8>,
}

const BEGIN: &str = "-----BEGIN ";

/// Every PEM block in `text`, in order. Keys pasted into environment
/// variables often carry literal `\n` sequences instead of newlines; text
/// with no newline at all has those turned into newlines first.
pub fn parse_pem(text: &str) -> Result<Vec<PemBlock>> {
    let unescaped;
    let text = if !text.contains('\n') && text.contains("\\n") {
        unescaped = text.replace("\\n", "\n");
        unescaped.as_str()
    } else {
        text
    };
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let block = &rest[start..];
        let label_end = block[BEGIN.len()..]
            .find("-----")
            .ok_or_else(|| key_invalid("malformed PEM header"))?;
        let label = &block[BEGIN.len()..BEGIN.len() + label_end];
        let end_marker = format!("-----END {label}-----");
        let end = block
            .find(&end_marker)
            .ok_or_else(|| key_invalid(format!("PEM block \"{label}\" has no END line")))?
            + end_marker.len();
        // The block through its END line and that line's line break, if any.
        let after = &block[end..];
        let eol = if after.starts_with("\r\n") {
            2
        } else {
            usize::from(after.starts_with('\n') || after.starts_with('\r'))
        };
        let encapsulated = &block[..end + eol];
        blocks.push(decode_block(label, encapsulated)?);
        rest = &block[end + eol..];
    }
    if blocks.is_empty() {
        return Err(key_invalid("no PEM block found"));
    }
    Ok(blocks)
}

fn decode_block(label: &str, block: &str) -> Result<PemBlock> {
    // RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`) are how OpenSSL marks
    // legacy encrypted keys; RFC 7468 allows no headers at all.
    if block.contains(':') {
        return Err(key_invalid(
            "encrypted PEM keys (or PEM headers) are not supported; decrypt the key first",
        ));
    }
    let invalid = |e: pem_rfc7468::Error| {
        key_invalid(format!(
            "PEM block \"{label}\" is not valid RFC 7468 PEM: {e}"
        ))
    };
    // Line width as written (64 by RFC 7468; some tools write 76 or one
    // long line), but every line but the last must have that width.
    let mut decoder = pem_rfc7468::Decoder::new_detect_wrap(block.as_bytes()).map_err(invalid)?;
    let mut der = Vec::new();
    decoder.decode_to_end(&mut der).map_err(invalid)?;
    Ok(PemBlock {
        label: label.to_string(),
        der,
    })
}

/// RFC 7468 PEM with 64-character lines. Written with the `base64` crate the
/// rest of scopemint already links, not pem-rfc7468's encoder (smaller wasm);
/// tests check the output against pem-rfc7468's.
pub fn to_pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    // base64 output is ASCII, so every byte offset is a character boundary.
    let mut rest = body.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
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
    fn to_pem_matches_pem_rfc7468() {
        for len in [1, 47, 48, 49, 300] {
            let der: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let reference =
                pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &der)
                    .unwrap();
            assert_eq!(to_pem("PUBLIC KEY", &der), reference, "{len} bytes");
        }
    }

    #[test]
    fn escaped_newlines_are_accepted() {
        let pem = to_pem("PUBLIC KEY", &[1, 2, 3]);
        let escaped = pem.replace('\n', "\\n");
        let blocks = parse_pem(&escaped).unwrap();
        assert_eq!(blocks[0].label, "PUBLIC KEY");
        assert_eq!(blocks[0].der, vec![1, 2, 3]);
    }

    #[test]
    fn several_blocks_with_text_around_them() {
        // OpenSSL's PKCS#12 export writes `Bag Attributes:` lines before a key.
        let text = format!(
            "Bag Attributes: none\n{}between\r\n{}trailer",
            to_pem("EC PARAMETERS", &[6, 1, 0]),
            to_pem("EC PRIVATE KEY", &[4, 0])
        );
        let blocks = parse_pem(&text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1].label, "EC PRIVATE KEY");
        assert_eq!(blocks[1].der, vec![4, 0]);
    }

    #[test]
    fn headers_inside_a_block_are_refused() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAQID\n-----END RSA PRIVATE KEY-----\n";
        assert!(parse_pem(pem).unwrap_err().message.contains("encrypted"));
    }

    #[test]
    fn loose_base64_is_refused() {
        for body in ["AQID\n AQID", "AQID====", "AQ ID", "AQID\n\nAQID"] {
            let pem = format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n");
            assert!(parse_pem(&pem).is_err(), "{body:?}");
        }
    }
}
