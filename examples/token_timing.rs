//! Native nanoseconds per HS256 sign, verify and authorize of the benchmark's
//! Tinybird-style payload (308 bytes, bench/payloads.mjs), for the JSON
//! scanner's record in docs/decisions.md. Nothing asserts on the figures.
//! Run: `cargo run --release --example token_timing`.

use scopemint::{
    AuthorizeOptions, Request, ScopeType, Secret, SignOptions, Signer, SignerOptions, Verifier,
    VerifierOptions,
};
use std::hint::black_box;
use std::time::Instant;

const SECRET: &str = "0123456789abcdef0123456789abcdef";
const NOW: i64 = 1_800_000_000;
const PAYLOAD: &str = r#"{"workspace_id":"5f8a1c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b","name":"user_analytics_frontend","exp":1800003600,"scopes":[{"type":"PIPES:READ","resource":"user_analytics","fixed_params":{"user_id":123,"org_id":"acme"}},{"type":"DATASOURCES:READ","resource":"events","filter":"org_id = 'acme'"}],"limits":{"rps":10}}"#;

/// This thread's time on a CPU in nanoseconds (Linux: the first field of
/// /proc/thread-self/schedstat), so time spent waiting for a core on a busy
/// machine is not counted; elsewhere the wall clock.
fn cpu_nanoseconds(wall: Instant) -> u128 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split(' ').next()?.parse().ok())
        .unwrap_or_else(|| wall.elapsed().as_nanos())
}

/// Mean nanoseconds per call in each of 15 rounds: (fastest round, median round).
fn nanoseconds(calls: u32, mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..calls {
        f();
    }
    let wall = Instant::now();
    let mut rounds: Vec<f64> = (0..15)
        .map(|_| {
            let start = cpu_nanoseconds(wall);
            for _ in 0..calls {
                f();
            }
            (cpu_nanoseconds(wall) - start) as f64 / f64::from(calls)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    (rounds[0], rounds[rounds.len() / 2])
}

fn main() {
    assert_eq!(PAYLOAD.len(), 308);
    let signer = Signer::new(SignerOptions {
        secret: Some(Secret::from(SECRET)),
        ttl_seconds: Some(3600.0),
        ..SignerOptions::default()
    })
    .unwrap();
    let verifier = Verifier::new(VerifierOptions {
        secret: Some(Secret::from(SECRET)),
        ..VerifierOptions::default()
    })
    .unwrap();
    let request = Request::new(ScopeType::PipesRead, "user_analytics");
    let grant_options = AuthorizeOptions::default();
    let options = SignOptions::default();
    let token = signer.sign_at(PAYLOAD, &options, NOW).unwrap();
    let now = NOW as f64;
    verifier.verify_at(&token, now).unwrap();
    verifier
        .authorize_at(&token, &request, &grant_options, now)
        .unwrap();
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
                .authorize_at(black_box(&token), &request, &grant_options, now)
                .unwrap(),
        );
    });
    println!(
        "HS256, {}-byte Tinybird payload, CPU ns per call over 15 rounds of {calls}: fastest round, median round",
        PAYLOAD.len()
    );
    for (name, (fastest, median)) in [("sign", sign), ("verify", verify), ("authorize", authorize)]
    {
        println!("{name:<10} {fastest:>7.0} {median:>7.0}");
    }
}
