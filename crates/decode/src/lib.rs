//! `decode`: reading a compact JWS without verifying it, for display. One
//! implementation for both builds: scopemint links it into its main wasm, and
//! `scopemint/decode` compiles it alone (feature `wasm-entry`) into a wasm of a
//! few kilobytes, so the two can never give different answers.
//!
//! No serde and no `core::fmt`: both would dominate the small build. Errors and
//! the JSON checks are written out by hand instead.
#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

mod base64url;
mod filter_op;
pub mod filter_words;
pub mod json;
mod number;
mod time;
#[cfg(all(target_arch = "wasm32", feature = "wasm-entry"))]
mod wasm_entry;

pub use filter_op::FilterOp;
pub use json::{number_in_range, OUT_OF_RANGE};
pub use time::parse_iso8601;

/// Tokens longer than this are refused unless a caller raises the limit.
pub const DEFAULT_MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Numbers above this are almost certainly milliseconds (year 5138 in seconds).
pub const MAX_PLAUSIBLE_SECONDS: f64 = 1e11;

/// A system clock before 2020-01-01T00:00:00Z is unset or broken (a board
/// that booted at 1970); trusting it would show expired tokens as valid.
pub const EARLIEST_PLAUSIBLE_CLOCK: f64 = 1_577_836_800.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `ERR_TOKEN_TOO_LARGE`
    TokenTooLarge,
    /// `ERR_JWT_MALFORMED`
    Malformed,
    /// `ERR_INVALID_OPTION`
    InvalidOption,
    /// `ERR_CLOCK_INVALID`
    ClockInvalid,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 4] = [
        ErrorKind::TokenTooLarge,
        ErrorKind::Malformed,
        ErrorKind::InvalidOption,
        ErrorKind::ClockInvalid,
    ];

    /// The stable code, the same text as the main crate's `ErrorCode` (and the
    /// code the decode-only wasm hands to JS).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::TokenTooLarge => "ERR_TOKEN_TOO_LARGE",
            ErrorKind::Malformed => "ERR_JWT_MALFORMED",
            ErrorKind::InvalidOption => "ERR_INVALID_OPTION",
            ErrorKind::ClockInvalid => "ERR_CLOCK_INVALID",
        }
    }
}

#[derive(Debug, PartialEq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// The option at fault, for `ERR_INVALID_OPTION`.
    pub claim: Option<String>,
}

fn error(kind: ErrorKind, parts: &[&str]) -> Error {
    Error {
        kind,
        message: parts.concat(),
        claim: None,
    }
}

fn invalid_option(option: &str, message: &str) -> Error {
    Error {
        kind: ErrorKind::InvalidOption,
        message: [option, ": ", message].concat(),
        claim: Some(option.into()),
    }
}

/// Decimal text of `n`, without `core::fmt`.
pub(crate) fn decimal(mut n: usize) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// What `decode` shows: the parts as JSON text plus the times, if readable.
#[derive(Debug, PartialEq)]
pub struct Decoded {
    pub header_json: String,
    pub payload_json: String,
    pub issued_at: Option<f64>,
    pub expires_at: Option<f64>,
    pub now: f64,
    /// The vendor shape the payload has, if any (see [`detect_profile`]).
    pub profile: Option<&'static str>,
    /// Vizzly data tokens: each data set's secure filters read as one boolean
    /// expression (`org_id = 'acme' AND region = 'eu'`), in token order.
    pub secure_filters_in_words: Option<Vec<(String, String)>>,
}

impl Decoded {
    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|exp| exp <= self.now)
    }

    pub fn seconds_left(&self) -> Option<f64> {
        // `f64::floor` is std-only; the difference is finite (both sides are).
        self.expires_at.map(|exp| floor((exp - self.now).max(0.0)))
    }
}

fn floor(x: f64) -> f64 {
    // |x| >= 2^52 has no fraction; below that the i64 cast truncates exactly.
    if x.abs() >= 4_503_599_627_370_496.0 {
        return x;
    }
    let truncated = x as i64 as f64;
    if truncated > x {
        truncated - 1.0
    } else {
        truncated
    }
}

/// `{"maxTokenBytes": n}` (JSON text) to the byte limit; absent means the default.
pub fn max_token_bytes(options_json: Option<&str>) -> Result<usize, Error> {
    let Some(text) = options_json else {
        return Ok(DEFAULT_MAX_TOKEN_BYTES);
    };
    let members = json::parse_object(text).map_err(|detail| {
        error(
            ErrorKind::InvalidOption,
            &["decode options: not a JSON object (", &detail, ")"],
        )
    })?;
    let mut max = DEFAULT_MAX_TOKEN_BYTES;
    for member in &members {
        if member.name != "maxTokenBytes" {
            return Err(invalid_option(
                &member.name,
                "unknown option; decode takes only maxTokenBytes",
            ));
        }
        if member.raw == "null" {
            continue;
        }
        max = match number::parse_u64(member.raw) {
            Some(0) | None => {
                return Err(invalid_option(
                    "maxTokenBytes",
                    "must be a positive integer",
                ))
            }
            Some(n) => usize::try_from(n).map_err(|_| {
                invalid_option("maxTokenBytes", "is larger than this platform can address")
            })?,
        };
    }
    Ok(max)
}

/// Refuses oversized tokens before looking at a single byte of them.
pub fn check_size(token: &str, max_bytes: usize) -> Result<(), Error> {
    check_length(token.len(), max_bytes)
}

/// [`check_size`] from the length alone, so a caller can refuse a token before copying it.
pub fn check_length(token_bytes: usize, max_bytes: usize) -> Result<(), Error> {
    if token_bytes > max_bytes {
        return Err(error(
            ErrorKind::TokenTooLarge,
            &[
                "token is ",
                &decimal(token_bytes),
                " bytes; the limit (maxTokenBytes) is ",
                &decimal(max_bytes),
            ],
        ));
    }
    Ok(())
}

/// Reads a token without checking its signature. Never use the result for an
/// access decision; that is what a verifier is for. `now` is Unix seconds.
pub fn decode(token: &str, max_bytes: usize, now: f64) -> Result<Decoded, Error> {
    if max_bytes == 0 {
        return Err(invalid_option(
            "maxTokenBytes",
            "must be a positive integer",
        ));
    }
    check_size(token, max_bytes)?;
    // NaN compares false with everything: a broken clock would show an expired token as valid.
    if !(EARLIEST_PLAUSIBLE_CLOCK..=MAX_PLAUSIBLE_SECONDS).contains(&now) {
        return Err(error(
            ErrorKind::ClockInvalid,
            &["the system clock cannot be the current time (not a number, before 2020 or past the year 5138)"],
        ));
    }
    let mut segments: Vec<&str> = Vec::with_capacity(3);
    let mut start = 0;
    for (at, byte) in token.bytes().enumerate() {
        if byte == b'.' {
            segments.push(&token[start..at]);
            start = at + 1;
        }
    }
    segments.push(&token[start..]);
    if segments.len() != 3 {
        return Err(error(
            ErrorKind::Malformed,
            &[
                "a compact JWS has 3 dot-separated segments; this token has ",
                &decimal(segments.len()),
            ],
        ));
    }
    let header_json = segment_text(segments[0], "header")?;
    object(&header_json, "header")?;
    let payload_json = segment_text(segments[1], "payload")?;
    let payload = object(&payload_json, "payload")?;
    let find = |name: &str| payload.iter().find(|m| m.name == name).map(|m| m.raw);
    let issued_at = find("iat").and_then(number::parse_f64);
    // Vizzly states its expiry as an ISO-8601 `expires` instead of `exp`.
    let expires_at = find("exp").and_then(number::parse_f64).or_else(|| {
        let expires = json::string_value(find("expires")?)?;
        time::parse_iso8601(&expires).map(|ms| ms as f64 / 1000.0)
    });
    let profile = detect_profile(&|name| payload.iter().any(|m| m.name == name));
    let secure_filters_in_words = if profile == Some("vizzly-data") {
        find("secureFilters")
            .and_then(json::tree)
            .and_then(|filters| filter_words::secure_filters_in_words(&filters))
    } else {
        None
    };
    Ok(Decoded {
        header_json,
        payload_json,
        issued_at,
        expires_at,
        now,
        profile,
        secure_filters_in_words,
    })
}

fn segment_text(segment: &str, what: &str) -> Result<String, Error> {
    let bytes = base64url::decode(segment).ok_or_else(|| {
        error(
            ErrorKind::Malformed,
            &["the ", what, " is not valid base64url"],
        )
    })?;
    String::from_utf8(bytes)
        .map_err(|_| error(ErrorKind::Malformed, &["the ", what, " is not valid UTF-8"]))
}

fn object<'a>(text: &'a str, what: &str) -> Result<Vec<json::Member<'a>>, Error> {
    json::parse_object(text).map_err(|detail| {
        error(
            ErrorKind::Malformed,
            &["the ", what, " is not a valid JSON object: ", &detail],
        )
    })
}

/// Names the vendor shape of a payload by its characteristic claims.
pub fn detect_profile(has: &dyn Fn(&str) -> bool) -> Option<&'static str> {
    if has("workspace_id") && has("scopes") {
        Some("tinybird")
    } else if has("dataSetIds") {
        Some("vizzly-data")
    } else if has("accessType") && has("userReference") {
        Some("vizzly-dashboard")
    } else if has("allowDatabaseSchemaAccess") || has("allowDataPreviewAccess") {
        Some("vizzly-query-engine")
    } else if has("resources") && has("projectId") && has("expires") {
        Some("vizzly-project")
    } else if has("securityTokenId") {
        Some("embeddable")
    } else {
        None
    }
}

/// The profiles `detect_profile` can name (`TokenProfile` in index.d.ts lists the same).
pub const PROFILES: [&str; 6] = [
    "tinybird",
    "vizzly-data",
    "vizzly-dashboard",
    "vizzly-query-engine",
    "vizzly-project",
    "embeddable",
];

#[cfg(test)]
mod tests;
