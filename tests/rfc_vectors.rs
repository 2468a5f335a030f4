//! The JWS examples of RFC 7515 Appendix A and RFC 8037 Appendix A.4,
//! verified byte for byte with the public `Verifier`. The exact-signature
//! checks (A.1 HMAC, RFC 8037 Ed25519) need raw signing input, which the
//! public `Signer` never takes (it builds its own header), so they live in
//! the crate's unit tests: src/crypto/vectors_tests.rs `rfc_*_signature_is_exact`.
//!
//! A.4 (ES512, P-521) is not here: scopemint has no P-521 support. A.5
//! (unsecured, `alg: none`) is refused by design and covered by tests/core.rs.

use scopemint::{ErrorCode, Verifier};
use serde_json::json;

mod support;
use support::{unb64 as b64d, verifier};

/// The RFC 7515 example claims expire at 1300819380 (March 2011).
const BEFORE_EXP: f64 = 1_300_819_000.0;
const RFC_EXP: f64 = 1_300_819_380.0;

/// RFC 7515 A.1–A.3 share this payload: `{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}`.
const PAYLOAD_SEGMENT: &str =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const PAYLOAD_JSON: &str =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

/// RFC 7515 A.1: HS256 with the JWK `{"kty":"oct","k":…}` below.
const A1_K: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
const A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// RFC 7515 A.2: RS256, 2048-bit key.
const A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
const A2_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

/// RFC 7515 A.3: ES256 (P-256). ECDSA is randomised, so only verification.
const A3_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const A3_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const A3_TOKEN: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

/// RFC 8037 A.4: Ed25519 over the payload "Example of Ed25519 signing".
const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const ED_TOKEN: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

/// Flips one bit of the signature's first byte; the segment stays canonical base64url.
fn tamper_signature(token: &str) -> String {
    let (input, signature) = token.rsplit_once('.').unwrap();
    let mut first = signature.chars().next().unwrap();
    first = if first == 'A' { 'B' } else { 'A' };
    format!("{input}.{first}{}", &signature[1..])
}

/// The example verifies before `exp`, with the RFC's exact payload text, and
/// fails after `exp` and with a changed signature.
fn check_rfc_token(verifier: &Verifier, token: &str, header_json: &str) {
    let verified = verifier.verify_at(token, BEFORE_EXP).unwrap();
    assert_eq!(verified.payload_json, PAYLOAD_JSON);
    assert_eq!(verified.header_json, header_json);
    // The payload handed back is byte for byte the RFC's segment (CRLFs included).
    assert_eq!(
        support::b64(verified.payload_json.as_bytes()),
        PAYLOAD_SEGMENT
    );
    assert_eq!(
        verifier.verify_at(token, RFC_EXP + 1.0).unwrap_err().code,
        ErrorCode::JwtExpired
    );
    assert_eq!(
        verifier
            .verify_at(&tamper_signature(token), BEFORE_EXP)
            .unwrap_err()
            .code,
        ErrorCode::JwsSignatureInvalid
    );
}

#[test]
fn rfc7515_a1_hs256() {
    let v = verifier(json!({ "secret": b64d(A1_K), "algorithms": ["HS256"] }));
    check_rfc_token(&v, A1_TOKEN, "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}");
    // The same check through a fixed `currentTime` option.
    let fixed = verifier(json!({ "secret": b64d(A1_K), "currentTime": BEFORE_EXP }));
    fixed.verify(A1_TOKEN).unwrap();
}

#[test]
fn rfc7515_a2_rs256() {
    let v = verifier(json!({
        "publicKey": { "kty": "RSA", "n": A2_N, "e": "AQAB" },
        "algorithms": ["RS256"],
    }));
    check_rfc_token(&v, A2_TOKEN, "{\"alg\":\"RS256\"}");
}

#[test]
fn rfc7515_a3_es256() {
    let v = verifier(json!({
        "publicKey": { "kty": "EC", "crv": "P-256", "x": A3_X, "y": A3_Y },
    }));
    check_rfc_token(&v, A3_TOKEN, "{\"alg\":\"ES256\"}");
}

#[test]
fn rfc8037_a4_ed25519() {
    let v = verifier(json!({
        "publicKey": { "kty": "OKP", "crv": "Ed25519", "x": ED_X },
        "allowMissingExpiry": true,
    }));
    // The RFC's payload is plain text, not a claims object, so the verifier
    // refuses it as malformed, but only after the signature has passed: a
    // changed signature is refused as a bad signature instead.
    let error = v.verify(ED_TOKEN).unwrap_err();
    assert_eq!(error.code, ErrorCode::JwtMalformed, "{error}");
    assert!(error.message.contains("payload"), "{error}");
    assert_eq!(
        v.verify(&tamper_signature(ED_TOKEN)).unwrap_err().code,
        ErrorCode::JwsSignatureInvalid
    );
}
