//! Key import through Signer::new / Verifier::new, on RustCrypto's DER crates:
//! the input as a PEM string (`privateKey` / `publicKey`), and, when it is
//! JSON, as a JWK / JWK set. The first byte can also pick a mode that wraps
//! the rest as DER in a PEM block, as the raw components of a JWK (so the
//! degenerate-key checks see arbitrary points and exponents), or as an HMAC
//! `secret` (the key-material detector must never panic).
#![no_main]

use libfuzzer_sys::fuzz_target;
use scopemint::{options_from_json, ErrorCode, Signer, SignerOptions, Verifier, CreateVerifierOptions};
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
            assert_eq!(token.split('.').count(), 3);
            // What the signer exports imports again and verifies its tokens.
            if let (Some(pem), Some(jwk)) = (signer.public_key_pem(), signer.public_jwk()) {
                for public in [json!(pem), jwk] {
                    let options = options_from_json::<CreateVerifierOptions>(
                        &json!({ "publicKey": public, "allowMissingExpiry": true }).to_string(),
                        "v",
                    )
                    .expect("exported key options")
                    .verifier_options();
                    let verifier = Verifier::new(options).expect("exported key re-imports");
                    verifier.verify(&token).expect("exported key verifies");
                }
            }
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn verifier(options: Value) {
    let options = options_from_json::<CreateVerifierOptions>(&options.to_string(), "v")
        .map(CreateVerifierOptions::verifier_options);
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
    // Modes 0xe0..0xef: the rest as an HMAC secret, raw and as text.
    if (0xe0..0xf0).contains(&mode) {
        verifier(json!({ "secret": rest }));
        if let Ok(text) = std::str::from_utf8(rest) {
            verifier(json!({ "secret": text }));
        }
        return;
    }
    // Modes 0xd0..0xdf: the rest as the components of a public JWK.
    if (0xd0..0xe0).contains(&mode) {
        let half = rest.len() / 2;
        let split = rest.len().saturating_sub(4);
        for jwk in [
            json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(rest) }),
            json!({ "kty": "EC", "crv": "P-256", "x": b64(&rest[..half]), "y": b64(&rest[half..]) }),
            json!({ "kty": "EC", "crv": "P-384", "x": b64(&rest[..half]), "y": b64(&rest[half..]) }),
            json!({ "kty": "RSA", "n": b64(&rest[..split]), "e": b64(&rest[split..]) }),
        ] {
            verifier(json!({ "publicKey": jwk }));
        }
        return;
    }
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
