//! Native nanoseconds per HS256 sign, verify and authorize of the benchmark's
//! Tinybird-style payload (308 bytes, bench/payloads.mjs), for the JSON
//! scanner's record in docs/decisions.md. Nothing asserts on the figures.
//! Run: `cargo run --release --example token_timing`.

use scopemint::{options_from_json, SignOptions, Signer, SignerOptions, Verifier, VerifierOptions};
use std::hint::black_box;
use std::time::Instant;

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const NOW: i64 = 1_800_000_000;
const PAYLOAD: &str = r#"{"workspace_id":"5f8a1c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b","name":"user_analytics_frontend","exp":1800003600,"scopes":[{"type":"PIPES:READ","resource":"user_analytics","fixed_params":{"user_id":123,"org_id":"acme"}},{"type":"DATASOURCES:READ","resource":"events","filter":"org_id = 'acme'"}],"limits":{"rps":10}}"#;
const REQUEST: &str = r#"{"type":"PIPES:READ","resource":"user_analytics"}"#;

/// Median over rounds of the mean time per call, in nanoseconds.
fn nanoseconds(calls: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..calls {
        f();
    }
    let mut rounds: Vec<f64> = (0..9)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                f();
            }
            start.elapsed().as_nanos() as f64 / f64::from(calls)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}

fn main() {
    assert_eq!(PAYLOAD.len(), 308);
    let signer = Signer::new(
        options_from_json::<SignerOptions>(
            &format!(r#"{{"secret":"{SECRET}","ttlSeconds":3600}}"#),
            "signer",
        )
        .unwrap(),
    )
    .unwrap();
    let verifier = Verifier::new(
        options_from_json::<VerifierOptions>(&format!(r#"{{"secret":"{SECRET}"}}"#), "verifier")
            .unwrap(),
    )
    .unwrap();
    let options = SignOptions::default();
    let token = signer.sign_at(PAYLOAD, &options, NOW).unwrap();
    let now = NOW as f64;
    verifier.verify_at(&token, now).unwrap();
    verifier.authorize_at(&token, REQUEST, now).unwrap();
    let calls = 20_000;
    let sign = nanoseconds(calls, || {
        black_box(signer.sign_at(black_box(PAYLOAD), &options, NOW).unwrap());
    });
    let verify = nanoseconds(calls, || {
        black_box(verifier.verify_at(black_box(&token), now).unwrap());
    });
    let authorize = nanoseconds(calls, || {
        black_box(
            verifier
                .authorize_at(black_box(&token), REQUEST, now)
                .unwrap(),
        );
    });
    println!(
        "HS256, {}-byte Tinybird payload, ns per call (median of 9 rounds of {calls}):",
        PAYLOAD.len()
    );
    println!("sign      {sign:>8.0}");
    println!("verify    {verify:>8.0}");
    println!("authorize {authorize:>8.0}");
}
