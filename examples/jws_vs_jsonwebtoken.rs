//! Measures why scopemint signs through its own JWS layer over ring instead of
//! the `jsonwebtoken` crate: per-token cost of sign and verify, same claims,
//! same keys, one thread. Run: `cargo run --release --example jws_vs_jsonwebtoken`.
//! Figures are recorded in docs/decisions.md; nothing asserts on them.

use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use scopemint::{
    generate_key_pair, Algorithm, Key, Secret, SignOptions, Signer, SignerOptions, Verifier,
    VerifierOptions,
};
use serde_json::{json, Value};
use std::time::Instant;

const SECRET: &str = "0123456789abcdef0123456789abcdef";

fn per_second(rounds: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..rounds / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..rounds {
        f();
    }
    rounds as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let claims = json!({
        "workspace_id": "3f6c1a52-8c3e-4f5e-9a77-0c0a2b6d1e11",
        "name": "frontend_jwt",
        "scopes": [{ "type": "PIPES:READ", "resource": "top_products", "fixed_params": { "org_id": "acme" } }],
        "limits": { "rps": 10 },
    });
    let claims_text = claims.to_string();
    let pair = generate_key_pair(Algorithm::ES256).unwrap();
    let cases = [
        (
            "HS256",
            SignerOptions {
                secret: Some(Secret::from(SECRET)),
                ..SignerOptions::default()
            },
            VerifierOptions {
                secret: Some(Secret::from(SECRET)),
                ..VerifierOptions::default()
            },
            EncodingKey::from_secret(SECRET.as_bytes()),
            DecodingKey::from_secret(SECRET.as_bytes()),
            jsonwebtoken::Algorithm::HS256,
            200_000,
        ),
        (
            "ES256",
            SignerOptions {
                private_key: Some(Key::pem(&pair.private_key)),
                ..SignerOptions::default()
            },
            VerifierOptions {
                public_key: Some(Key::pem(&pair.public_key)),
                ..VerifierOptions::default()
            },
            EncodingKey::from_ec_pem(pair.private_key.as_bytes()).unwrap(),
            DecodingKey::from_ec_pem(pair.public_key.as_bytes()).unwrap(),
            jsonwebtoken::Algorithm::ES256,
            10_000,
        ),
    ];
    println!("op,scopemint ops/s,jsonwebtoken ops/s,ratio");
    for (name, signer_options, verifier_options, encoding, decoding, alg, rounds) in cases {
        let signer = Signer::new(SignerOptions {
            ttl_seconds: Some(600.0),
            ..signer_options
        })
        .unwrap();
        let verifier = Verifier::new(verifier_options).unwrap();
        let ours = per_second(rounds, || {
            signer.sign(&claims_text, &SignOptions::default()).unwrap();
        });
        let mut timed = claims.clone();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let header = Header::new(alg);
        let theirs = per_second(rounds, || {
            timed["iat"] = json!(now);
            timed["exp"] = json!(now + 600);
            jsonwebtoken::encode(&header, &timed, &encoding).unwrap();
        });
        println!("{name} sign,{ours:.0},{theirs:.0},{:.2}", ours / theirs);

        let token = signer.sign(&claims_text, &SignOptions::default()).unwrap();
        let ours = per_second(rounds, || {
            verifier.verify(&token).unwrap();
        });
        let validation = Validation::new(alg);
        let theirs = per_second(rounds, || {
            jsonwebtoken::decode::<Value>(&token, &decoding, &validation).unwrap();
        });
        println!("{name} verify,{ours:.0},{theirs:.0},{:.2}", ours / theirs);
    }
}
