//! A deterministic, stable-Rust fuzz smoke test (the cargo-fuzz targets in
//! fuzz/ go deeper). Mutated tokens, random JSON, huge and deeply nested
//! inputs go through decode, verify, parse_scope and key import. Properties:
//! nothing panics, every error carries a known code, and a mutated token
//! never verifies unless it is byte-identical to the signed original.

use std::panic::{catch_unwind, AssertUnwindSafe};

use scopemint::{decode, parse_scope, DecodeOptions, ErrorCode, Verifier};
use serde_json::{json, Value};

mod support;
use support::{b64, fixture, NOW};
use support::{try_signer as signer, try_verifier as verifier};

const SECRET: &str = "smoke-secret-0123456789abcdef-0123";

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Runs `f`, turning a panic into a test failure that shows the input.
fn no_panic<T>(what: &str, input: &str, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => value,
        Err(_) => panic!("{what} panicked on input {input:?}"),
    }
}

/// What verify may answer to a token: each way a token can be wrong, and no
/// code that belongs to another operation (a scope, a filter, a key import).
const VERIFY_CODES: &[ErrorCode] = &[
    ErrorCode::JwtMalformed,
    ErrorCode::JwtExpired,
    ErrorCode::JwtNotYetValid,
    ErrorCode::JwtClaimInvalid,
    ErrorCode::JwsSignatureInvalid,
    ErrorCode::JoseAlgNotAllowed,
    ErrorCode::JoseHeaderUnsupported,
    ErrorCode::TokenTooLarge,
];
/// Decode checks no signature or claim: only the token's form and size.
const DECODE_CODES: &[ErrorCode] = &[ErrorCode::JwtMalformed, ErrorCode::TokenTooLarge];
const SCOPE_CODES: &[ErrorCode] = &[ErrorCode::ScopeInvalid];
/// Key import refuses the key, or the options that carry it.
const KEY_CODES: &[ErrorCode] = &[ErrorCode::KeyInvalid, ErrorCode::InvalidOption];

/// A failure must carry one of the codes the operation documents, with a
/// message that says something.
fn known_code<T>(result: &scopemint::Result<T>, allowed: &[ErrorCode]) {
    if let Err(error) = result {
        assert!(
            allowed.contains(&error.code),
            "{error:?} is not one of {allowed:?}"
        );
        assert!(!error.message.is_empty(), "{error:?} has no message");
    }
}

/// Random JSON, sometimes deeply nested, sometimes with claim names the
/// verifier reads, with values of the wrong types.
fn random_json(rng: &mut Rng, depth: usize) -> Value {
    const NAMES: [&str; 12] = [
        "alg", "typ", "kid", "crit", "b64", "exp", "nbf", "iat", "iss", "aud", "sub", "expires",
    ];
    match if depth > 4 {
        rng.below(5)
    } else {
        rng.below(8)
    } {
        0 => Value::Null,
        1 => json!(rng.below(2) == 1),
        2 => json!(rng.next() as i64 as f64 / 1e3),
        3 => json!(*rng.pick(&[0.0, -1.0, 1e308, 1_800_000_060.0, 1_799_999_000.0])),
        4 => {
            let len = rng.below(12);
            let text: String = (0..len)
                .map(|_| *rng.pick(&['a', 'Z', '0', ':', '"', '\\', 'é', '\u{1F600}', ' ']))
                .collect();
            json!(*rng.pick(&[
                text.as_str(),
                "HS256",
                "none",
                "JWT",
                "ES256",
                "2027-01-01T00:00:00Z"
            ]))
        }
        5 | 6 => {
            let mut map = serde_json::Map::new();
            for _ in 0..rng.below(6) {
                map.insert(rng.pick(&NAMES).to_string(), random_json(rng, depth + 1));
            }
            Value::Object(map)
        }
        _ => Value::Array(
            (0..rng.below(4))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
    }
}

/// One mutation of `token`; may return the token unchanged.
fn mutate(rng: &mut Rng, token: &str, others: &[String]) -> String {
    if token.split('.').count() != 3 || token.len() < 4 {
        // Earlier mutations broke the shape; start again from another token.
        return rng.pick(others).clone();
    }
    let mut bytes = token.as_bytes().to_vec();
    let segments: Vec<&str> = token.split('.').collect();
    match rng.below(11) {
        // Bit flip (may make invalid UTF-8: then it is dropped by the caller).
        0 => {
            let i = rng.below(bytes.len());
            bytes[i] ^= 1 << rng.below(8);
        }
        // Truncation.
        1 => bytes.truncate(rng.below(bytes.len())),
        // Random bytes appended or inserted.
        2 => {
            let at = rng.below(bytes.len() + 1);
            let len = 1 + rng.below(8);
            let extra = rng.bytes(len);
            bytes.splice(at..at, extra);
        }
        // A base64url character replaced by another one.
        3 => {
            const ALPHABET: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let i = rng.below(bytes.len());
            bytes[i] = *rng.pick(ALPHABET);
        }
        // Two segments swapped.
        4 => {
            let mut s = segments.clone();
            let (a, b) = (rng.below(3), rng.below(3));
            s.swap(a, b);
            return s.join(".");
        }
        // A segment taken from another (validly signed) token.
        5 => {
            let other: Vec<&str> = rng.pick(others).split('.').collect();
            let mut s = segments.clone();
            let i = rng.below(3);
            s[i] = other[i];
            return s.join(".");
        }
        // Header or payload replaced by random JSON, old signature kept.
        6 => {
            let mut s: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
            let i = rng.below(2);
            s[i] = b64(random_json(rng, 0).to_string().as_bytes());
            return s.join(".");
        }
        // Dots added or removed.
        7 => {
            return match rng.below(3) {
                0 => format!("{token}."),
                1 => token.replacen('.', "", 1),
                _ => format!(".{token}"),
            }
        }
        // Padding or whitespace, which compact JWS does not allow.
        8 => {
            let i = rng.below(3);
            let mut s: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
            s[i].push_str(rng.pick::<&str>(&["=", "==", " ", "\n", "%3D"]));
            return s.join(".");
        }
        // Last character of a segment changed in its low bits: a lenient
        // base64 decoder would map both spellings to the same bytes.
        9 => {
            let i = rng.below(3);
            let mut s: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
            if let Some(last) = s[i].pop() {
                let c = (last as u8) ^ (1 + rng.below(3) as u8);
                s[i].push(c as char);
            }
            return s.join(".");
        }
        // Case of one letter flipped.
        _ => {
            let i = rng.below(bytes.len());
            bytes[i] = bytes[i].to_ascii_uppercase() ^ (bytes[i] ^ bytes[i].to_ascii_lowercase());
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

struct Case {
    name: &'static str,
    token: String,
    verifier: Verifier,
    /// Mutations tried; asymmetric verification is slow in debug builds.
    rounds: usize,
}

fn cases() -> Vec<Case> {
    let claims =
        json!({ "sub": "u1", "iss": "smoke", "aud": ["a", "b"], "exp": NOW + 600 }).to_string();
    let mut cases = Vec::new();
    let mut add = |name, signer_options: Value, rounds| {
        let s = signer(signer_options.clone()).unwrap();
        let token = s.sign_at(&claims, &Default::default(), NOW).unwrap();
        let verifier = match s.public_key_pem() {
            Some(pem) => verifier(json!({
                "publicKey": pem,
                "algorithms": [s.algorithm().as_str()],
                "issuer": "smoke",
            })),
            None => verifier(json!({
                "secret": signer_options["secret"],
                "algorithms": [s.algorithm().as_str()],
                "issuer": "smoke",
            })),
        }
        .unwrap();
        cases.push(Case {
            name,
            token,
            verifier,
            rounds,
        });
    };
    add("HS256", json!({ "secret": SECRET }), 20_000);
    add(
        "HS512",
        json!({ "secret": SECRET.repeat(2), "algorithm": "HS512" }),
        5000,
    );
    add(
        "ES256",
        json!({ "privateKey": fixture("p256-sec1.pem") }),
        4000,
    );
    add(
        "ES384",
        json!({ "privateKey": fixture("p384-sec1.pem") }),
        1500,
    );
    add(
        "EdDSA",
        json!({ "privateKey": fixture("ed25519-pkcs8.pem") }),
        4000,
    );
    add(
        "RS256",
        json!({ "privateKey": fixture("rsa2048-pkcs8.pem") }),
        400,
    );
    add(
        "PS256",
        json!({ "privateKey": fixture("rsa2048-pkcs8.pem"), "algorithm": "PS256" }),
        300,
    );
    cases
}

#[test]
fn mutated_tokens_never_verify() {
    let mut rng = Rng(0x0005_EED0_F5C0_9E31);
    let cases = cases();
    let originals: Vec<String> = cases.iter().map(|c| c.token.clone()).collect();
    let now = NOW as f64;
    for case in &cases {
        case.verifier.verify_at(&case.token, now).unwrap();
        let (mut tried, mut identical) = (0, 0);
        for _ in 0..case.rounds {
            // One to three stacked mutations.
            let mut token = case.token.clone();
            for _ in 0..1 + rng.below(3) {
                token = mutate(&mut rng, &token, &originals);
            }
            tried += 1;
            let result = no_panic("verify", &token, || case.verifier.verify_at(&token, now));
            known_code(&result, VERIFY_CODES);
            if token == case.token {
                identical += 1;
                assert!(result.is_ok());
            } else {
                assert!(
                    result.is_err(),
                    "{}: a mutated token verified:\n  original {}\n  mutated  {token}",
                    case.name,
                    case.token
                );
            }
            known_code(
                &no_panic("decode", &token, || {
                    decode(&token, &DecodeOptions::default())
                }),
                DECODE_CODES,
            );
        }
        eprintln!(
            "fuzz_smoke {}: {tried} mutations ({identical} identical to the original)",
            case.name
        );
    }
}

#[test]
fn random_headers_and_payloads_with_valid_signatures() {
    // Re-signed with the right secret, so every header and claim check runs.
    let mut rng = Rng(0xC0FF_EE00_1234_5678);
    let verifier = verifier(json!({ "secret": SECRET, "audience": "a" })).unwrap();
    let mut accepted = 0;
    for round in 0..20_000 {
        // Mostly objects, so the checks behind "is it an object" are reached.
        let object = |rng: &mut Rng| loop {
            let value = random_json(rng, 0);
            if value.is_object() || rng.below(4) == 0 {
                break value;
            }
        };
        let mut header = object(&mut rng);
        if rng.below(4) > 0 {
            if let Value::Object(map) = &mut header {
                map.insert("alg".into(), json!("HS256"));
            }
        }
        let mut payload = object(&mut rng);
        if round % 2 == 0 {
            // Half the payloads carry valid exp/aud, so some tokens pass.
            if let Value::Object(map) = &mut payload {
                map.insert("exp".into(), json!(NOW + 60));
                map.insert("aud".into(), json!(*rng.pick(&["a", "b"])));
                for name in ["nbf", "iat", "iss", "expires"] {
                    if rng.below(2) == 0 {
                        map.remove(name);
                    }
                }
            }
        }
        let mut header_text = header.to_string();
        let mut payload_text = payload.to_string();
        // Sometimes textual damage the JSON writer would never produce.
        if rng.below(4) == 0 {
            let text = if rng.below(2) == 0 {
                &mut header_text
            } else {
                &mut payload_text
            };
            let mut bytes = std::mem::take(text).into_bytes();
            if !bytes.is_empty() {
                let i = rng.below(bytes.len());
                bytes[i] = *rng.pick(b"{}[],:\"\\ \x00\x1f\x7fe-+.0");
            }
            *text = String::from_utf8_lossy(&bytes).into_owned();
        }
        let token = support::hs256_token(
            SECRET.as_bytes(),
            header_text.as_bytes(),
            payload_text.as_bytes(),
        );
        let result = no_panic("verify", &token, || verifier.verify_at(&token, NOW as f64));
        known_code(&result, VERIFY_CODES);
        known_code(
            &no_panic("decode", &token, || {
                decode(&token, &DecodeOptions::default())
            }),
            DECODE_CODES,
        );
        if let Ok(verified) = result {
            accepted += 1;
            let strict =
                |text: &str| serde_json::from_str::<Value>(text).is_ok_and(|v| v.is_object());
            // Whatever passes must be strict JSON (raw control characters
            // in member names once slipped through; tests/fuzz_regressions.rs).
            let header: Value = serde_json::from_str(&header_text)
                .unwrap_or_else(|e| panic!("accepted a non-JSON header {header_text:?}: {e}"));
            assert_eq!(header["alg"], "HS256", "{header_text}");
            assert!(
                strict(&verified.payload_json),
                "accepted payload {payload_text:?}"
            );
        }
    }
    eprintln!("fuzz_smoke random JSON: 20000 tokens, {accepted} accepted");
    assert!(
        accepted > 100,
        "the generator should produce some acceptable tokens"
    );
}

#[test]
fn huge_and_deep_inputs() {
    let verifier = verifier(json!({ "secret": SECRET })).unwrap();
    let sign = |header: &str, payload: &str| {
        support::hs256_token(SECRET.as_bytes(), header.as_bytes(), payload.as_bytes())
    };
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let deep_objects = |n: usize| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
    let mut inputs = vec![
        "a".repeat(1 << 20),
        ".".repeat(100_000),
        format!(
            "{}.{}.{}",
            "A".repeat(300_000),
            "A".repeat(300_000),
            "A".repeat(300_000)
        ),
        sign(
            r#"{"alg":"HS256"}"#,
            &format!(r#"{{"exp":{},"x":{}}}"#, NOW + 60, deep(100_000)),
        ),
        sign(
            r#"{"alg":"HS256"}"#,
            &format!(r#"{{"exp":{},"x":{}}}"#, NOW + 60, deep(5_000)),
        ),
        sign(
            r#"{"alg":"HS256"}"#,
            &format!(r#"{{"exp":{},"x":{}}}"#, NOW + 60, deep_objects(5_000)),
        ),
        sign(
            &format!(r#"{{"alg":"HS256","x":{}}}"#, deep(5_000)),
            r#"{"exp":1800000060}"#,
        ),
        sign(
            r#"{"alg":"HS256"}"#,
            &format!(r#"{{"exp":{},"x":"{}"}}"#, NOW + 60, "é".repeat(8_000)),
        ),
        sign(
            r#"{"alg":"HS256"}"#,
            &format!(r#"{{"exp":1{}}}"#, "0".repeat(5_000)),
        ),
    ];
    inputs.push(format!("{}.{}", inputs[3], inputs[3]));
    for input in &inputs {
        let short = &input[..input.len().min(80)];
        known_code(
            &no_panic("verify", short, || verifier.verify_at(input, NOW as f64)),
            VERIFY_CODES,
        );
        for max in [None, Some(usize::MAX), Some(1 << 22)] {
            let options = DecodeOptions {
                max_token_bytes: max,
            };
            known_code(
                &no_panic("decode", short, || decode(input, &options)),
                DECODE_CODES,
            );
        }
        // Nothing this large or deep is a valid token under the default limits.
        assert!(verifier.verify_at(input, NOW as f64).is_err(), "{short}");
        known_code(
            &no_panic("parse_scope", short, || parse_scope(input)),
            SCOPE_CODES,
        );
    }
}

#[test]
fn random_scopes() {
    let mut rng = Rng(0x5C0_9E5);
    let pieces = [
        "DATASOURCES",
        "PIPES",
        "TOKENS",
        "ADMIN",
        "READ",
        "CREATE",
        "APPEND",
        "DROP",
        ":",
        ":",
        "ds_1",
        "1ds",
        "_x",
        "",
        " ",
        "user_id = 'a:b'",
        "é",
        "\u{0}",
        "datasources",
    ];
    let mut parsed = 0;
    for _ in 0..20_000 {
        let text: String = (0..1 + rng.below(6)).map(|_| *rng.pick(&pieces)).collect();
        let result = no_panic("parse_scope", &text, || parse_scope(&text));
        match result {
            Ok(scope) => {
                parsed += 1;
                let formatted = scopemint::format_scope(&scope).unwrap();
                assert_eq!(parse_scope(&formatted).unwrap(), scope, "{text:?}");
            }
            Err(error) => assert_eq!(error.code, ErrorCode::ScopeInvalid, "{text:?}"),
        }
    }
    eprintln!("fuzz_smoke scopes: 20000 strings, {parsed} parsed");
    assert!(parsed > 100);
}

#[test]
fn mutated_keys_import_or_fail_cleanly() {
    let mut rng = Rng(0x4B45_5953);
    let pems: Vec<String> = [
        "rsa2048-pkcs8.pem",
        "rsa2048-pkcs1.pem",
        "rsa2048-spki.pem",
        "rsa2048-pkcs1-public.pem",
        "p256-sec1.pem",
        "p256-spki.pem",
        "p256-cert.pem",
        "p384-sec1.pem",
        "ed25519-pkcs8.pem",
    ]
    .iter()
    .map(|name| fixture(name))
    .collect();
    let jwks = [
        json!({ "kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "d": "jpsQnnGQmL-YBIffH1136cLSTPSh9kdHpOasQ8MLjhs" }),
        json!({ "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A" }),
        json!({ "kty": "RSA", "n": "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ", "e": "AQAB" }),
    ];
    let (mut imported, mut refused) = (0, 0);
    let mut tally = |result: scopemint::Result<()>| {
        known_code(&result, KEY_CODES);
        if result.is_ok() {
            imported += 1
        } else {
            refused += 1
        }
    };
    for _ in 0..1000 {
        // PEM text: mutate inside the base64 body as well as the armour.
        let pem = rng.pick(&pems).clone();
        let mutated = mutate_text(&mut rng, &pem);
        tally(no_panic("Signer::new(PEM)", &mutated, || {
            signer(json!({ "privateKey": mutated, "ttlSeconds": 60 })).map(drop)
        }));
        tally(no_panic("Verifier::new(PEM)", &mutated, || {
            verifier(json!({ "publicKey": mutated })).map(drop)
        }));
        // JWK: one member replaced by random JSON or dropped.
        let mut jwk = rng.pick(&jwks).clone();
        let map = jwk.as_object_mut().unwrap();
        let names: Vec<String> = map.keys().cloned().collect();
        let name = rng.pick(&names).clone();
        match rng.below(3) {
            0 => {
                map.remove(&name);
            }
            1 => {
                map.insert(name, random_json(&mut rng, 3));
            }
            _ => {
                let text = map[&name].as_str().unwrap_or("").to_string();
                map.insert(name, json!(mutate_text(&mut rng, &text)));
            }
        }
        let text = jwk.to_string();
        tally(no_panic("Signer::new(JWK)", &text, || {
            signer(json!({ "privateKey": jwk, "ttlSeconds": 60 })).map(drop)
        }));
        tally(no_panic("Verifier::new(JWK)", &text, || {
            verifier(json!({ "publicKey": jwk })).map(drop)
        }));
        tally(no_panic("Verifier::new(JWKS)", &text, || {
            verifier(json!({ "jwks": { "keys": [jwk] } })).map(drop)
        }));
    }
    eprintln!("fuzz_smoke keys: {imported} imported, {refused} refused");
    // Both outcomes must occur, or the mutations were too weak (or too strong) to test anything.
    assert!(imported > 0, "no mutated key imported");
    assert!(refused > 0, "no mutated key was refused");
}

fn mutate_text(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    if bytes.is_empty() {
        return String::from_utf8_lossy(&rng.bytes(4)).into_owned();
    }
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(bytes.len());
        match rng.below(4) {
            0 => bytes[i] ^= 1 << rng.below(7),
            1 => bytes.truncate(i),
            2 => {
                bytes.remove(i);
            }
            _ => bytes.insert(i, *rng.pick(b"A/+=-\n \x00")),
        }
        if bytes.is_empty() {
            break;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
