//! Cost of reading JS-shaped option JSON per call (an `authorize` request,
//! `sign` options): `options_from_json` (a tree, then `OptionError`'s
//! deserialiser) against the reader it replaced (serde_json through `serde_path_to_error` on every read).
//! Run: `cargo run --release --example options_reader`. Nothing asserts on it.

use scopemint::{options_from_json, Request, SignOptions};
use serde::de::DeserializeOwned;
use std::hint::black_box;
use std::time::Instant;

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

fn direct<T: DeserializeOwned>(json: &str) -> T {
    let mut reader = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut reader).unwrap()
}

fn compare<T: DeserializeOwned>(name: &str, json: &str) {
    let rounds = 200_000;
    let tree = per_second(rounds, || {
        black_box(options_from_json::<T>(black_box(json), "x").unwrap());
    });
    let text = per_second(rounds, || {
        black_box(direct::<T>(black_box(json)));
    });
    println!(
        "{name},{:.0},{:.0},{:.2},{:.2}",
        tree,
        text,
        1e6 / tree,
        1e6 / text
    );
}

fn main() {
    println!("input,options_from_json reads/s,previous reads/s,options_from_json us,previous us");
    compare::<Request>(
        "authorize request",
        r#"{"type":"PIPES:READ","resource":"top_pages","params":{"start":"2024-01-01","org_id":"acme"}}"#,
    );
    compare::<SignOptions>(
        "sign options",
        r#"{"expiresAt":"2027-01-15T09:00:00.000Z","jti":true,"audience":["a","b"]}"#,
    );
}
