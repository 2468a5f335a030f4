//! Key import through Signer::new / Verifier::new: the input as a PEM string
//! (`privateKey` / `publicKey`), and, when it is JSON, as a JWK / JWK set.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scopemint::{options_from_json, ErrorCode, Signer, SignerOptions, Verifier, VerifierOptions};
use serde_json::{json, Value};

fn coded<T>(result: scopemint::Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            assert!(ErrorCode::ALL.contains(&error.code));
            None
        }
    }
}

fn signer(options: Value) {
    let options = options_from_json::<SignerOptions>(&options.to_string(), "s");
    if let Some(options) = coded(options) {
        if let Some(signer) = coded(Signer::new(options)) {
            // An imported key must be able to sign.
            let token = signer
                .sign(r#"{"sub":"x"}"#, &Default::default())
                .expect("imported key cannot sign");
            let _ = signer.public_jwk();
            let _ = signer.public_key_pem();
            assert_eq!(token.split('.').count(), 3);
        }
    }
}

fn verifier(options: Value) {
    let options = options_from_json::<VerifierOptions>(&options.to_string(), "v");
    if let Some(options) = coded(options) {
        if let Some(verifier) = coded(Verifier::new(options)) {
            let _ = verifier.verify("e30.e30.AAAA");
        }
    }
}

const LABELS: [&str; 6] = [
    "PRIVATE KEY",
    "EC PRIVATE KEY",
    "RSA PRIVATE KEY",
    "PUBLIC KEY",
    "RSA PUBLIC KEY",
    "CERTIFICATE",
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    // Modes >= 0xf0: the rest is DER, wrapped here in a PEM block with the
    // chosen label, so the fuzzer mutates the ASN.1 itself, not its base64.
    if mode >= 0xf0 {
        use base64::Engine;
        let label = LABELS[(mode - 0xf0) as usize % LABELS.len()];
        let body = base64::engine::general_purpose::STANDARD.encode(rest);
        let pem = format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n");
        signer(json!({ "privateKey": pem, "ttlSeconds": 60 }));
        verifier(json!({ "publicKey": pem }));
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    signer(json!({ "privateKey": text, "ttlSeconds": 60 }));
    verifier(json!({ "publicKey": text }));
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        signer(json!({ "privateKey": value, "ttlSeconds": 60 }));
        verifier(json!({ "publicKey": value }));
        verifier(json!({ "jwks": value }));
    }
});
