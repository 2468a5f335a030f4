//! Inputs found by fuzzing that scopemint once handled wrongly; each test
//! failed until src/ was fixed and guards against the bug coming back.

use scopemint::{decode, options_from_json, DecodeOptions, ErrorCode, Verifier, VerifierOptions};

const SECRET: &str = "fuzz-secret-0123456789abcdef-0123";

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hs256(header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET.as_bytes());
    format!(
        "{input}.{}",
        b64(ring::hmac::sign(&key, input.as_bytes()).as_ref())
    )
}

fn verifier() -> Verifier {
    let options = format!(r#"{{"secret":"{SECRET}","allowMissingExpiry":true}}"#);
    Verifier::new(options_from_json::<VerifierOptions>(&options, "v").unwrap()).unwrap()
}

// RFC 8259 §7: control characters U+0000..U+001F must be escaped in strings,
// member names included. Values are refused, but member names are read with
// serde_json's byte-string path (src/json.rs `Name`), which skips that check,
// so a header or payload JSON.parse refuses is verified. Found by the
// `verify` and `decode` fuzz targets.
#[test]
fn raw_control_character_in_a_value_is_malformed() {
    // Control for the tests below: passes today.
    let in_value = hs256(b"{\"alg\":\"HS256\",\"x\":\"\x1f\"}", b"{}");
    assert_eq!(
        verifier().verify(&in_value).unwrap_err().code,
        ErrorCode::JwtMalformed
    );
}

#[test]
fn raw_control_character_in_a_header_member_name_is_malformed() {
    let in_header_name = hs256(b"{\"alg\":\"HS256\",\"\x1f\":1}", b"{}");
    let result = verifier().verify(&in_header_name);
    assert_eq!(
        result.as_ref().map_err(|e| e.code).err(),
        Some(ErrorCode::JwtMalformed),
        "header member name with raw U+001F was accepted: {result:?}"
    );
}

#[test]
fn raw_control_character_in_a_payload_member_name_is_malformed() {

    let in_payload_name = hs256(b"{\"alg\":\"HS256\"}", b"{\"sub\x00\":\"u\"}");
    let result = verifier().verify(&in_payload_name);
    assert_eq!(
        result.as_ref().map_err(|e| e.code).err(),
        Some(ErrorCode::JwtMalformed),
        "payload member name with raw U+0000 was accepted: {result:?}"
    );
}

#[test]
fn decode_refuses_a_raw_control_character_in_a_member_name() {
    let in_payload_name = hs256(b"{\"alg\":\"HS256\"}", b"{\"sub\x00\":\"u\"}");

    let result = decode(&in_payload_name, &DecodeOptions::default());
    assert_eq!(
        result.as_ref().map_err(|e| e.code).err(),
        Some(ErrorCode::JwtMalformed),
        "decode accepted a payload member name with raw U+0000"
    );
}
