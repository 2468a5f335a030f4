//! Remote JWK sets (`createVerifier({ jwksUrl })`): when to fetch, and what a
//! response must be before its keys are used. The fetch itself is the JS
//! layer's (`fetch` exists in every runtime); every decision is here.
//!
//! Defaults follow jose's `createRemoteJWKSet`: keys cached for 10 minutes,
//! an unknown `kid` refetches at most once per 30-second cooldown, 5-second
//! timeout. Unlike jose, responses are bounded (bytes and number of keys).

use serde::Serialize;
use serde_json::Value;

use crate::error::{invalid_option, Error, ErrorCode, Result};
use crate::jose::json::{Object, ValueBuilder};

pub const DEFAULT_CACHE_MAX_AGE_SECONDS: f64 = 600.0;
pub const DEFAULT_COOLDOWN_SECONDS: f64 = 30.0;
pub const DEFAULT_TIMEOUT_MS: f64 = 5000.0;
pub const DEFAULT_MAX_JWKS_BYTES: f64 = 256.0 * 1024.0;
pub const DEFAULT_MAX_JWKS_KEYS: f64 = 100.0;

/// The remote-set options of a verifier ([`crate::VerifierOptions::remote_jwks`]);
/// in JS, `jwksUrl` and the fetch-policy options beside it in `createVerifier`.
#[derive(Clone, Debug, Default)]
pub struct RemoteJwksOptions {
    pub jwks_url: Option<String>,
    pub cache_max_age_seconds: Option<f64>,
    pub cooldown_seconds: Option<f64>,
    pub timeout_ms: Option<f64>,
    pub max_jwks_bytes: Option<f64>,
    pub max_jwks_keys: Option<f64>,
}

/// Checked settings, and the fetch state of one remote set.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteJwks {
    pub url: String,
    pub cache_max_age_seconds: f64,
    pub cooldown_seconds: f64,
    pub timeout_ms: f64,
    pub max_jwks_bytes: usize,
    pub max_jwks_keys: usize,
    /// When the keys in use were fetched.
    #[serde(skip)]
    fetched_at: Option<f64>,
    /// When the last fetch (successful or not) started.
    #[serde(skip)]
    attempted_at: Option<f64>,
}

fn number(value: Option<f64>, default: f64, name: &str, min: f64, max: f64) -> Result<f64> {
    match value {
        None => Ok(default),
        Some(n) if n.is_finite() && n >= min && n <= max => Ok(n),
        Some(_) => Err(invalid_option(
            name,
            format!("must be a number from {min} to {max}"),
        )),
    }
}

impl RemoteJwks {
    /// `None` without `jwksUrl`; the remote options alone are refused.
    pub fn from_options(options: &RemoteJwksOptions) -> Result<Option<RemoteJwks>> {
        let Some(url) = &options.jwks_url else {
            let stray = [
                (
                    options.cache_max_age_seconds.is_some(),
                    "cacheMaxAgeSeconds",
                ),
                (options.cooldown_seconds.is_some(), "cooldownSeconds"),
                (options.timeout_ms.is_some(), "timeoutMs"),
                (options.max_jwks_bytes.is_some(), "maxJwksBytes"),
                (options.max_jwks_keys.is_some(), "maxJwksKeys"),
            ];
            if let Some((_, name)) = stray.iter().find(|(given, _)| *given) {
                return Err(invalid_option(name, "only applies with `jwksUrl`"));
            }
            return Ok(None);
        };
        check_url(url)?;
        Ok(Some(RemoteJwks {
            url: url.clone(),
            cache_max_age_seconds: number(
                options.cache_max_age_seconds,
                DEFAULT_CACHE_MAX_AGE_SECONDS,
                "cacheMaxAgeSeconds",
                0.0,
                31_536_000.0,
            )?,
            cooldown_seconds: number(
                options.cooldown_seconds,
                DEFAULT_COOLDOWN_SECONDS,
                "cooldownSeconds",
                0.0,
                86_400.0,
            )?,
            timeout_ms: number(
                options.timeout_ms,
                DEFAULT_TIMEOUT_MS,
                "timeoutMs",
                1.0,
                60_000.0,
            )?,
            max_jwks_bytes: number(
                options.max_jwks_bytes,
                DEFAULT_MAX_JWKS_BYTES,
                "maxJwksBytes",
                64.0,
                16.0 * 1024.0 * 1024.0,
            )? as usize,
            max_jwks_keys: number(
                options.max_jwks_keys,
                DEFAULT_MAX_JWKS_KEYS,
                "maxJwksKeys",
                1.0,
                10_000.0,
            )? as usize,
            fetched_at: None,
            attempted_at: None,
        }))
    }

    /// Before verifying: no keys yet, or keys older than `cacheMaxAgeSeconds`.
    pub fn needs_fetch(&self, now: f64) -> bool {
        match self.fetched_at {
            None => true,
            // A clock that stepped backwards also refreshes.
            Some(at) => !(now >= at && now - at < self.cache_max_age_seconds),
        }
    }

    /// After an unknown `kid`: only once the cooldown since the last attempt
    /// has passed, so a burst of such tokens is one fetch, not a burst.
    pub fn may_refetch(&self, now: f64) -> bool {
        match self.attempted_at {
            None => true,
            Some(at) => !(now >= at && now - at < self.cooldown_seconds),
        }
    }

    pub fn started(&mut self, now: f64) {
        self.attempted_at = Some(now);
    }

    /// A response's key set, checked: HTTP 200, at most `maxJwksBytes`, a
    /// JSON object whose `keys` array has at most `maxJwksKeys` entries.
    /// The keys themselves are then imported by the verifier.
    pub fn accept(&mut self, status: u16, body: &str, now: f64) -> Result<Value> {
        let bad = |why: String| {
            Error::new(
                ErrorCode::JwksInvalid,
                format!("the JWKS at {} {why}", self.url),
            )
            .with_claim("jwksUrl")
        };
        if status != 200 {
            return Err(bad(format!("answered HTTP {status}")));
        }
        if body.len() > self.max_jwks_bytes {
            return Err(bad(format!(
                "is larger than maxJwksBytes ({})",
                self.max_jwks_bytes
            )));
        }
        // One pass checks the text as strictly as a token's (duplicate member
        // names refused, jose/json.rs) and builds the tree the keys are read from.
        let mut tree = ValueBuilder::default();
        Object::parse_with(body, &mut tree)
            .map_err(|e| bad(format!("is not a valid JSON object ({e})")))?;
        let set = tree
            .finish()
            .ok_or_else(|| bad("is not a valid JSON object".into()))?;
        let count = set
            .get("keys")
            .and_then(Value::as_array)
            .map(Vec::len)
            .ok_or_else(|| bad("is not an object with a \"keys\" array".into()))?;
        if count > self.max_jwks_keys {
            return Err(bad(format!(
                "holds {count} keys, more than maxJwksKeys ({})",
                self.max_jwks_keys
            )));
        }
        self.fetched_at = Some(now);
        Ok(set)
    }
}

/// `https:` anywhere; `http:` only for loopback hosts (local development and tests).
fn check_url(url: &str) -> Result<()> {
    let refuse = |why: &str| Err(invalid_option("jwksUrl", why.to_string()));
    if url.len() > 2048 || url.chars().any(|c| c.is_control() || c == ' ') {
        return refuse("must be an absolute URL of at most 2048 characters");
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return refuse("must be an absolute https:// URL");
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host_port.is_empty() || host_port.contains('@') {
        return refuse("must name a host (and no credentials)");
    }
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, _)| h)
    };
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if matches!(host, "localhost" | "127.0.0.1" | "::1") => Ok(()),
        "http" => refuse("must be https:// (http:// only for localhost, 127.0.0.1 or [::1])"),
        _ => refuse("must be an https:// URL"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(options: RemoteJwksOptions) -> Result<Option<RemoteJwks>> {
        RemoteJwks::from_options(&RemoteJwksOptions {
            jwks_url: options
                .jwks_url
                .or(Some("https://issuer.example/.well-known/jwks.json".into())),
            ..options
        })
    }

    fn url(url: &str) -> RemoteJwksOptions {
        RemoteJwksOptions {
            jwks_url: Some(url.into()),
            ..RemoteJwksOptions::default()
        }
    }

    #[test]
    fn defaults_are_joses() {
        let r = remote(RemoteJwksOptions::default()).unwrap().unwrap();
        assert_eq!(r.cache_max_age_seconds, 600.0);
        assert_eq!(r.cooldown_seconds, 30.0);
        assert_eq!(r.timeout_ms, 5000.0);
    }

    #[test]
    fn options_are_checked() {
        for bad in [
            url("http://issuer.example/jwks"),
            url("ftp://issuer.example/jwks"),
            url("https://user:pw@issuer.example/jwks"),
            url("jwks.json"),
            url("https:///jwks"),
            RemoteJwksOptions {
                timeout_ms: Some(0.0),
                ..RemoteJwksOptions::default()
            },
            RemoteJwksOptions {
                cooldown_seconds: Some(-1.0),
                ..RemoteJwksOptions::default()
            },
            RemoteJwksOptions {
                max_jwks_keys: Some(0.0),
                ..RemoteJwksOptions::default()
            },
        ] {
            let shown = format!("{bad:?}");
            assert_eq!(
                remote(bad).unwrap_err().code,
                ErrorCode::InvalidOption,
                "{shown}"
            );
        }
        for good in [
            "http://127.0.0.1:8080/jwks",
            "http://localhost/jwks",
            "http://[::1]:9/x",
            "HTTPS://a.example",
        ] {
            assert!(remote(url(good)).is_ok(), "{good}");
        }
        let stray = RemoteJwksOptions {
            cooldown_seconds: Some(5.0),
            ..RemoteJwksOptions::default()
        };
        assert_eq!(
            RemoteJwks::from_options(&stray)
                .unwrap_err()
                .claim
                .as_deref(),
            Some("cooldownSeconds")
        );
    }

    #[test]
    fn fetch_policy() {
        let mut r = remote(RemoteJwksOptions {
            cache_max_age_seconds: Some(60.0),
            cooldown_seconds: Some(10.0),
            ..RemoteJwksOptions::default()
        })
        .unwrap()
        .unwrap();
        assert!(r.needs_fetch(100.0) && r.may_refetch(100.0));
        r.started(100.0);
        r.accept(200, r#"{"keys":[]}"#, 100.5).unwrap();
        assert!(!r.needs_fetch(130.0));
        assert!(r.needs_fetch(160.5));
        // Unknown kid: one refetch per cooldown, however many tokens ask.
        assert!(!r.may_refetch(105.0));
        assert!(r.may_refetch(110.0));
        r.started(110.0);
        assert!(!r.may_refetch(110.001));
        // A clock stepping backwards does not freeze the cache.
        assert!(r.needs_fetch(50.0));
        assert!(r.may_refetch(50.0));
    }

    /// The set comes from the checking pass itself, so it must be the value a
    /// plain JSON parser reads: escapes, numbers, nesting and member order.
    #[test]
    fn an_accepted_set_is_the_body_as_json_reads_it() {
        let mut r = remote(RemoteJwksOptions::default()).unwrap().unwrap();
        let deep = format!("{}{}", "[".repeat(120), "]".repeat(120));
        let body = format!(
            r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"k\u00e9\ud83d\ude80\n\"","x":"AQ","y":"Ag","use":"sig"}},{{"kty":"oct","k":"c2VjcmV0","key_ops":["verify"],"n":-0.5e3,"e":12345678901234567890,"z":1.0000000000000002,"nest":{deep},"t":true,"f":false,"u":null}}],"z":{{}},"a":[]}}"#
        );
        let expected: Value = serde_json::from_str(&body).unwrap();
        let set = r.accept(200, &body, 1.0).unwrap();
        assert_eq!(set, expected);
        assert_eq!(set.to_string(), expected.to_string());
        assert_eq!(set["keys"][0]["kid"], "k\u{e9}\u{1f680}\n\"");
    }

    #[test]
    fn hostile_responses_are_refused_with_a_typed_error() {
        let mut r = remote(RemoteJwksOptions {
            max_jwks_bytes: Some(1024.0),
            max_jwks_keys: Some(2.0),
            ..RemoteJwksOptions::default()
        })
        .unwrap()
        .unwrap();
        let big = format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(2000));
        let many = r#"{"keys":[{},{},{}]}"#;
        for (status, body) in [
            (500, r#"{"keys":[]}"#),
            (200, big.as_str()),
            (200, many),
            (200, "<html>"),
            (200, r#"{"keys":{}}"#),
            (200, r#"[]"#),
            (200, r#"{"keys":[],"keys":[]}"#),
        ] {
            let error = r.accept(status, body, 1.0).unwrap_err();
            assert_eq!(error.code, ErrorCode::JwksInvalid, "{status} {body}");
            assert_eq!(error.claim.as_deref(), Some("jwksUrl"));
        }
        // Nothing accepted: still no keys.
        assert!(r.needs_fetch(1.0));
        assert!(r.accept(200, r#"{"keys":[{},{}]}"#, 1.0).is_ok());
    }
}
