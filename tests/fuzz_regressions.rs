//! Inputs found by fuzzing that scopemint once handled wrongly; each test
//! failed until src/ was fixed and guards against the bug coming back.

use scopemint::{
    decode, options_from_json, CreateVerifierOptions, DecodeOptions, ErrorCode, Verifier,
};

mod support;

const SECRET: &str = "fuzz-secret-0123456789abcdef-0123";

fn hs256(header: &[u8], payload: &[u8]) -> String {
    support::hs256_token(SECRET.as_bytes(), header, payload)
}

fn verifier() -> Verifier {
    let options = format!(r#"{{"secret":"{SECRET}","allowMissingExpiry":true}}"#);
    Verifier::new(
        options_from_json::<CreateVerifierOptions>(&options, "v")
            .unwrap()
            .verifier_options(),
    )
    .unwrap()
}

// RFC 8259 §7: control characters U+0000..U+001F must be escaped in strings,
// member names included. Values are refused, but member names are read with
// serde_json's byte-string path (src/jose/json.rs `Name`), which skips that check,
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

// An RSA private key whose CRT exponent dQ is corrupted (one byte of the
// fixture's PKCS#8 DER changed, 0x36 -> 0x35 at offset 969) is accepted by
// Signer::new, but every sign() then fails with ERR_KEY_INVALID "signing
// failed": ring's RsaKeyPair::from_components does not check dP/dQ against
// d, and its sign-time fault check refuses the result. A key that cannot
// sign should be refused when it is imported. Found by the `key_import`
// fuzz target (PKCS#8 and PKCS#1 both).
#[test]
fn rsa_key_with_a_corrupt_crt_exponent_is_refused_at_import() {
    use base64::Engine;
    use scopemint::{Signer, SignerOptions};
    let pem = support::fixture("rsa2048-pkcs8.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    assert_eq!(der[969], 0x36, "fixture changed; offset 969 is inside dQ");
    der[969] = 0x35;
    let corrupt = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(&der)
    );
    let options = serde_json::json!({ "privateKey": corrupt, "ttlSeconds": 60 }).to_string();
    match Signer::new(options_from_json::<SignerOptions>(&options, "s").unwrap()) {
        Err(error) => assert_eq!(error.code, ErrorCode::KeyInvalid),
        Ok(signer) => {
            let signed = signer.sign(r#"{"sub":"x"}"#, &Default::default());
            panic!("Signer::new accepted the key; sign() then gave {signed:?}");
        }
    }
}

// Found by the `verify` fuzz target (10-minute run this round): a payload with
// a lone surrogate escape verified, and serde_json (which authorize uses)
// refused it. The exact crash input, reduced to its payload.
#[test]
fn lone_surrogate_in_a_verified_payload_is_malformed() {
    let token = hs256(
        br#"{"alg":"HS256"}"#,
        br#"{"iss":"iss","aud":"a","exp":1800000060.5,"sub":"\ud800"}"#,
    );
    assert_eq!(
        verifier().verify(&token).unwrap_err().code,
        ErrorCode::JwtMalformed
    );
    assert_eq!(
        decode(&token, &DecodeOptions::default()).unwrap_err().code,
        ErrorCode::JwtMalformed
    );
}

// Found by the `decode` fuzz target: `1799E99990` is valid JSON number syntax
// but no double; decode and verify passed it on, JS read Infinity and the
// payload handed back to JS showed `null`. Every entry now refuses magnitudes
// of 1e308 and more, in any claim at any depth.
#[test]
fn a_number_beyond_the_double_range_is_malformed_everywhere() {
    for payload in [
        r#"{"suaud":"a","exp":180,"nbf":1799E99990}"#,
        r#"{"exp":2000000000,"x":1e999}"#,
        r#"{"exp":2000000000,"scopes":[{"fixed_params":{"org_id":-1e400}}]}"#,
    ] {
        let token = hs256(br#"{"alg":"HS256","typ":"JWT"}"#, payload.as_bytes());
        assert_eq!(
            verifier().verify(&token).unwrap_err().code,
            ErrorCode::JwtMalformed,
            "{payload}"
        );
        assert_eq!(
            decode(&token, &DecodeOptions::default()).unwrap_err().code,
            ErrorCode::JwtMalformed,
            "{payload}"
        );
    }
    let header = hs256(br#"{"alg":"HS256","x":1e308}"#, br#"{"exp":2000000000}"#);
    assert_eq!(
        verifier().verify(&header).unwrap_err().code,
        ErrorCode::JwtMalformed
    );
    // Tiny numbers are ordinary doubles (zero) in every parser: accepted.
    let tiny = hs256(br#"{"alg":"HS256"}"#, br#"{"exp":2000000000,"x":1e-400}"#);
    assert!(verifier().verify(&tiny).is_ok());
}
