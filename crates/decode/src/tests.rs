extern crate std;

use super::*;
use alloc::format;
use alloc::string::ToString;

fn b64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// A plausible clock reading (2023-11-14).
const NOW: f64 = 1_700_000_000.0;

fn token(header: &str, payload: &str) -> String {
    format!("{}.{}.c2ln", b64(header), b64(payload))
}

fn malformed(token: &str) -> String {
    let error = decode(token, DEFAULT_MAX_TOKEN_BYTES, NOW).unwrap_err();
    assert_eq!(
        error.kind,
        ErrorKind::Malformed,
        "{token}: {}",
        error.message
    );
    error.message
}

#[test]
fn reads_times_and_profile() {
    let t = token(
        r#"{"alg":"HS256"}"#,
        r#"{"iat":1700000000,"exp":1700000600.5,"workspace_id":"w","scopes":[]}"#,
    );
    let d = decode(&t, DEFAULT_MAX_TOKEN_BYTES, 1_700_000_100.25).unwrap();
    assert_eq!(d.issued_at, Some(1_700_000_000.0));
    assert_eq!(d.expires_at, Some(1_700_000_600.5));
    assert_eq!(d.seconds_left(), Some(500.0));
    assert!(!d.expired());
    assert_eq!(d.profile, Some("tinybird"));
    assert_eq!(
        d.payload_json,
        r#"{"iat":1700000000,"exp":1700000600.5,"workspace_id":"w","scopes":[]}"#
    );
}

#[test]
fn vizzly_expires_is_an_iso_date() {
    // Vizzly's tokens carry `expires` (ISO-8601), not `exp`.
    let t = token(
        r#"{"alg":"ES256"}"#,
        r#"{"dataSetIds":"*","expires":"2024-02-29T12:34:56.789Z"}"#,
    );
    let d = decode(&t, DEFAULT_MAX_TOKEN_BYTES, 1_709_210_000.0).unwrap();
    assert_eq!(d.expires_at, Some(1_709_210_096.789));
    assert_eq!(d.profile, Some("vizzly-data"));
    let escaped = token("{}", r#"{"\u0065xpires":"2024-02-29T12:34:56Z"}"#);
    assert_eq!(
        decode(&escaped, 99_999, NOW).unwrap().expires_at,
        Some(1_709_210_096.0)
    );
}

#[test]
fn expired_and_seconds_left_never_negative() {
    let t = token("{}", r#"{"exp":1700000100}"#);
    let d = decode(&t, DEFAULT_MAX_TOKEN_BYTES, NOW + 200.7).unwrap();
    assert!(d.expired());
    assert_eq!(d.seconds_left(), Some(0.0));
    let d = decode(&t, DEFAULT_MAX_TOKEN_BYTES, NOW + 99.5).unwrap();
    assert_eq!(d.seconds_left(), Some(0.0));
    assert!(!d.expired());
}

#[test]
fn unreadable_times_are_absent_not_errors() {
    for payload in [
        r#"{"exp":"soon"}"#,
        r#"{"expires":"tomorrow"}"#,
        r#"{"exp":null}"#,
    ] {
        let d = decode(&token("{}", payload), DEFAULT_MAX_TOKEN_BYTES, NOW).unwrap();
        assert_eq!(d.expires_at, None, "{payload}");
    }
}

#[test]
fn numbers_are_read_exactly_where_tokens_need_it() {
    for (text, value) in [
        ("0", 0.0),
        ("-0", -0.0),
        ("1700000000", 1_700_000_000.0),
        ("1700000000.123", 1_700_000_000.123),
        ("1.7e9", 1.7e9),
        ("17E+8", 1.7e9),
        ("9007199254740993", 9_007_199_254_740_992.0),
        ("0.001", 0.001),
    ] {
        assert_eq!(number::parse_f64(text), Some(value), "{text}");
        assert_eq!(text.parse::<f64>().ok(), Some(value), "{text} (reference)");
    }
    // Outside the exact path (over 2^53, or |exponent| > 22): within a few ulps.
    for text in [
        "123456789012345678901234",
        "1.7e-30",
        "9.99e300",
        "17000000001234567890.5",
    ] {
        let ours = number::parse_f64(text).unwrap();
        let exact = text.parse::<f64>().unwrap();
        assert!(
            ((ours - exact) / exact).abs() < 1e-15,
            "{text}: {ours} vs {exact}"
        );
    }
}

#[test]
fn every_malformed_shape_is_refused() {
    assert!(malformed("a.b").contains("has 2"));
    assert!(malformed("a.b.c.d").contains("has 4"));
    assert!(malformed(&format!("{}.e30.", "e30=")).contains("base64url"));
    assert!(malformed("YR.e30.").contains("header is not valid base64url"));
    assert!(malformed(&format!("{}.e30.", b64("\u{0}\u{ff}")))
        .contains("header is not a valid JSON object"));
    assert!(malformed(&format!("e30.{}.", "_w")).contains("payload is not valid UTF-8"));
    for payload in [
        "[]",
        "{",
        r#"{"a":1,}"#,
        r#"{"a":01}"#,
        r#"{"a":1.}"#,
        r#"{"a":"x
y"}"#,
        r#"{"a":"\x"}"#,
        r#"{"a":1}{}"#,
        r#"{"a":1,"a":2}"#,
        r#"{"a":1,"\u0061":2}"#,
        r#"{"n":{"b":[{"c":1,"c":1}]}}"#,
        r#"{"a":tru}"#,
        r#"{'a':1}"#,
        "",
    ] {
        let message = malformed(&token("{}", payload));
        assert!(
            message.starts_with("the payload is not a valid JSON object: "),
            "{payload}: {message}"
        );
    }
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
    assert!(malformed(&token("{}", &deep)).contains("nested too deeply"));
    let ok = format!("{{\"a\":{}1{}}}", "[".repeat(100), "]".repeat(100));
    assert!(decode(&token("{}", &ok), DEFAULT_MAX_TOKEN_BYTES, NOW).is_ok());
}

#[test]
fn lone_surrogate_escapes_are_refused() {
    for payload in [
        r#"{"name":"\ud83d"}"#,
        r#"{"\udc00":1}"#,
        r#"{"a":["\ud83d\u0041"]}"#,
    ] {
        assert!(
            malformed(&token("{}", payload)).contains("lone surrogate"),
            "{payload}"
        );
    }
    assert!(decode(
        &token("{}", r#"{"\ud83d\ude00":2,"t":"\\ud800"}"#),
        DEFAULT_MAX_TOKEN_BYTES,
        NOW
    )
    .is_ok());
    malformed(&token("{}", r#"{"\ud83d\ude00":1,"😀":2}"#));
}

#[test]
fn size_limit_and_options() {
    let t = token("{}", r#"{"sub":"x"}"#);
    let error = decode(&t, 10, NOW).unwrap_err();
    assert_eq!(error.kind, ErrorKind::TokenTooLarge);
    assert_eq!(
        error.message,
        format!(
            "token is {} bytes; the limit (maxTokenBytes) is 10",
            t.len()
        )
    );
    assert_eq!(max_token_bytes(None), Ok(DEFAULT_MAX_TOKEN_BYTES));
    assert_eq!(max_token_bytes(Some(r#"{"maxTokenBytes":100}"#)), Ok(100));
    assert_eq!(
        max_token_bytes(Some(r#"{"maxTokenBytes":null}"#)),
        Ok(DEFAULT_MAX_TOKEN_BYTES)
    );
    for bad in [
        r#"{"maxTokenBytes":0}"#,
        r#"{"maxTokenBytes":1.5}"#,
        r#"{"maxTokenBytes":-1}"#,
        r#"{"maxTokenBytes":"9"}"#,
        r#"{"maxTokenBytes":"NaN"}"#,
    ] {
        let error = max_token_bytes(Some(bad)).unwrap_err();
        assert_eq!(
            (error.kind, error.claim.as_deref()),
            (ErrorKind::InvalidOption, Some("maxTokenBytes")),
            "{bad}"
        );
    }
    assert_eq!(
        max_token_bytes(Some(r#"{"verify":true}"#))
            .unwrap_err()
            .claim
            .as_deref(),
        Some("verify")
    );
    for bad in [r#"{"maxBytes":1}"#, "[]", "1"] {
        assert_eq!(
            max_token_bytes(Some(bad)).unwrap_err().kind,
            ErrorKind::InvalidOption,
            "{bad}"
        );
    }
    assert_eq!(
        decode(&t, 0, NOW).unwrap_err().kind,
        ErrorKind::InvalidOption
    );
}

#[test]
fn a_broken_clock_is_refused() {
    let t = token("{}", r#"{"exp":1700000100}"#);
    for now in [
        f64::NAN,
        f64::INFINITY,
        -1.0,
        0.0,
        1e12,
        EARLIEST_PLAUSIBLE_CLOCK - 1.0,
    ] {
        assert_eq!(
            decode(&t, DEFAULT_MAX_TOKEN_BYTES, now).unwrap_err().kind,
            ErrorKind::ClockInvalid,
            "{now}"
        );
    }
}

#[test]
fn decimal_text() {
    for n in [0usize, 7, 10, 16384, usize::MAX] {
        assert_eq!(decimal(n), n.to_string());
    }
}

#[test]
fn numbers_of_magnitude_1e308_or_more_are_refused_by_their_digits() {
    for ok in [
        "0",
        "-0",
        "0.0e999999",
        "1",
        "-1.5",
        "9.999e307",
        "99999e303",
        "0.001e310",
        "1e-400",
        "1797693134862315e292",
        "123456789012345678901234567890",
    ] {
        assert!(number_in_range(ok), "{ok}");
    }
    for huge in [
        "1e308",
        "-1e308",
        "1.7976931348623157e308",
        "10e307",
        "1799E99990",
        "0.1e309",
        "1e99999999999999999999",
    ] {
        assert!(!number_in_range(huge), "{huge}");
    }
    // 309 digits: 1e308 written out.
    let written_out = ["1", &"0".repeat(308)].concat();
    assert!(!number_in_range(&written_out));
    assert!(number_in_range(&written_out[..308]));
}

#[test]
fn decode_refuses_a_claim_that_would_read_as_infinity() {
    // Found by the decode fuzz target: `1799E99990` passed, and JS read Infinity.
    for payload in [
        r#"{"exp":180,"nbf":1799E99990}"#,
        r#"{"x":[{"y":-1e400}]}"#,
        r#"{"exp":1e400}"#,
    ] {
        let message = malformed(&token(r#"{"alg":"HS256"}"#, payload));
        assert!(message.contains("1e308"), "{message}");
    }
    assert!(decode(
        &token(r#"{"alg":"HS256"}"#, r#"{"x":1e-400}"#),
        DEFAULT_MAX_TOKEN_BYTES,
        NOW
    )
    .is_ok());
}

#[test]
fn error_kind_all_lists_every_kind_in_order() {
    for (position, kind) in ErrorKind::ALL.into_iter().enumerate() {
        // Exhaustive: a new kind does not compile until it is placed in ALL.
        let expected = match kind {
            ErrorKind::TokenTooLarge => 0,
            ErrorKind::Malformed => 1,
            ErrorKind::InvalidOption => 2,
            ErrorKind::ClockInvalid => 3,
        };
        assert_eq!(position, expected);
    }
}

#[test]
fn detect_profile_names_only_listed_profiles() {
    let claim_sets: [&[&str]; 7] = [
        &["workspace_id", "scopes"],
        &["dataSetIds"],
        &["accessType", "userReference"],
        &["allowDataPreviewAccess"],
        &["resources", "projectId", "expires"],
        &["securityTokenId"],
        &["sub"],
    ];
    let mut named = alloc::vec::Vec::new();
    for claims in claim_sets {
        if let Some(profile) = crate::detect_profile(&|name| claims.contains(&name)) {
            named.push(profile);
        }
    }
    assert_eq!(named, crate::PROFILES);
}

#[test]
fn trailing_commas_and_missing_values_are_refused() {
    for payload in [
        r#"{"a":1,}"#,
        r#"{"a":[1,]}"#,
        r#"{"a":[,1]}"#,
        r#"{,"a":1}"#,
        r#"{"a":{"b":1,}}"#,
        r#"{"a":}"#,
        r#"{"a"}"#,
        r#"{"a":1"b":2}"#,
        r#"{"a":[1 2]}"#,
    ] {
        let message = malformed(&token("{}", payload));
        assert!(
            message.starts_with("the payload is not a valid JSON object: "),
            "{payload}: {message}"
        );
    }
    for payload in [r#"{}"#, r#"{ }"#, r#"{"a":[ ],"b":{ }}"#] {
        assert!(
            decode(&token("{}", payload), DEFAULT_MAX_TOKEN_BYTES, NOW).is_ok(),
            "{payload}"
        );
    }
}
