//! Rate limits (`limits.rps` of Tinybird JWTs): reading them from a verified
//! payload, and the token-bucket rule that enforces them.
//!
//! Tinybird's JWT page (https://www.tinybird.co/docs/forward/administration/tokens/jwt,
//! "Rate limits for JWTs") says: `limits` is optional; with `limits.rps`
//! Tinybird counts requests by the token's `name`, so every token minted with
//! one name shares one budget; `rps <= 0` means no limit. A name is only
//! meaningful inside the workspace whose admin token signed it, so the bucket
//! key is the pair (`workspace_id`, `name`): two workspaces never share a budget.
//!
//! `authorize` only reads the limit ([`RateLimit`] on the grant); consuming
//! from a budget is a separate step ([`RateLimiter::consume`], or a shared
//! store such as Redis in the JS package), so one process or many can share
//! one budget.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{claim_invalid, invalid_option, Error, ErrorCode, Result};
use crate::profiles::tinybird::MAX_RPS;

/// The budget a grant draws from: `rps` requests per second, shared by every
/// token with the same `key`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// `["<workspace_id>","<name>"]` (JSON text: unambiguous whatever the two hold).
    pub key: String,
    pub rps: u64,
}

/// What one consumed request leaves, ready for `X-RateLimit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Consumed {
    /// The bucket's capacity: `rps`.
    pub limit: u64,
    /// Whole requests still available right now.
    pub remaining: u64,
    /// Whole seconds until the bucket is full again (0 if it is).
    pub reset_seconds: u64,
}

/// Longest bucket key accepted from a caller (a grant's key is two claims).
pub const MAX_KEY_BYTES: usize = 4096;

impl RateLimit {
    /// A grant's `rateLimit` as a caller hands it back (JSON): `None` for
    /// `null`; otherwise `{key, rps}` with a non-empty key and a positive rps.
    pub fn from_grant_json(json: &str) -> Result<Option<RateLimit>> {
        // serde_json alone is the fast path; the slower parser only words the error.
        let limit: Option<RateLimit> = match serde_json::from_str(json) {
            Ok(limit) => limit,
            Err(_) => crate::options::from_json(json, "rateLimit")?,
        };
        let Some(limit) = limit else { return Ok(None) };
        check_key(&limit.key)?;
        if limit.rps == 0 || limit.rps > MAX_RPS {
            return Err(rps_out_of_range());
        }
        Ok(Some(limit))
    }

    /// A grant's `rateLimit` given as its two values instead of JSON (the JS
    /// package's path for a plain `{key, rps}`): the same checks and errors as
    /// [`RateLimit::from_grant_json`]; `rps` must be a whole number. Returns
    /// the checked rps, so a hot path need not copy the key.
    pub fn check_parts(key: &str, rps: f64) -> Result<u64> {
        check_key(key)?;
        RateLimit::check_rps(rps)
    }

    /// The `rps` half of [`RateLimit::check_parts`].
    pub fn check_rps(rps: f64) -> Result<u64> {
        if rps.fract() != 0.0 || !(1.0..=MAX_RPS as f64).contains(&rps) {
            return Err(rps_out_of_range());
        }
        Ok(rps as u64)
    }
}

fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES {
        return Err(invalid_option(
            "rateLimit.key",
            format!("must be a non-empty string of at most {MAX_KEY_BYTES} bytes"),
        ));
    }
    Ok(())
}

fn rps_out_of_range() -> Error {
    invalid_option(
        "rateLimit.rps",
        format!("must be a whole number from 1 to {MAX_RPS}"),
    )
}

/// What to do when the shared store (Redis) cannot answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnStoreError {
    /// Reject the request with `ERR_RATE_LIMIT_UNAVAILABLE` (the default: fail closed).
    Refuse,
    /// Count in this process's memory until the store answers again.
    Memory,
}

/// `createRateLimiter` options, checked here; the JS layer keeps the Redis
/// client itself and says only whether one was given (`redis: true`).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimiterOptions {
    pub redis: Option<bool>,
    pub max_keys: Option<f64>,
    pub prefix: Option<String>,
    pub timeout_ms: Option<f64>,
    pub on_redis_error: Option<OnStoreError>,
}

/// The checked options with defaults filled in, for the JS layer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedStoreSettings {
    pub prefix: String,
    pub timeout_ms: f64,
    pub on_redis_error: OnStoreError,
}

pub const DEFAULT_PREFIX: &str = "scopemint:rl:";
pub const DEFAULT_STORE_TIMEOUT_MS: f64 = 1000.0;

impl RateLimiterOptions {
    /// The memory store, plus the shared-store settings when `redis` was given.
    pub fn build(self) -> Result<(MemoryRateLimitStore, Option<SharedStoreSettings>)> {
        let memory = MemoryRateLimitStore::with_max_keys_option(self.max_keys)?;
        if self.redis != Some(true) {
            for (given, name) in [
                (self.prefix.is_some(), "prefix"),
                (self.timeout_ms.is_some(), "timeoutMs"),
                (self.on_redis_error.is_some(), "onRedisError"),
            ] {
                if given {
                    return Err(invalid_option(name, "only applies with a `redis` client"));
                }
            }
            return Ok((memory, None));
        }
        let prefix = self.prefix.unwrap_or_else(|| DEFAULT_PREFIX.to_string());
        if prefix.len() > 256 {
            return Err(invalid_option("prefix", "must be at most 256 bytes"));
        }
        let timeout_ms = match self.timeout_ms {
            None => DEFAULT_STORE_TIMEOUT_MS,
            Some(ms) if ms.is_finite() && (1.0..=60_000.0).contains(&ms) => ms,
            Some(_) => {
                return Err(invalid_option(
                    "timeoutMs",
                    "must be a number of milliseconds from 1 to 60000",
                ))
            }
        };
        Ok((
            memory,
            Some(SharedStoreSettings {
                prefix,
                timeout_ms,
                on_redis_error: self.on_redis_error.unwrap_or(OnStoreError::Refuse),
            }),
        ))
    }
}

/// Reads `limits` from a verified payload: `None` when the token has no
/// `limits`, no `rps`, or `rps <= 0` (Tinybird: no limit). Anything else that
/// is not a positive whole number fails closed: a signed limit we cannot read
/// must not mean "unlimited".
pub fn rate_limit_of(claims: &Value) -> Result<Option<RateLimit>> {
    let Some(limits) = claims.get("limits") else {
        return Ok(None);
    };
    let Value::Object(members) = limits else {
        return Err(claim_invalid("limits", "must be an object"));
    };
    if let Some(other) = members.keys().find(|name| *name != "rps") {
        return Err(claim_invalid(
            "limits",
            format!("has an unknown member \"{other}\" (Tinybird defines only \"rps\")"),
        ));
    }
    let Some(rps) = members.get("rps") else {
        return Ok(None);
    };
    let Some(rps) =
        crate::profiles::tinybird::read_rps(rps).map_err(|why| claim_invalid("limits.rps", why))?
    else {
        return Ok(None);
    };
    let text = |claim: &str| {
        claims
            .get(claim)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                claim_invalid(
                    claim,
                    "must be a non-empty string to group limits.rps (Tinybird counts requests per workspace and name)",
                )
            })
    };
    let key = serde_json::to_string(&[text("workspace_id")?, text("name")?])
        .map_err(|e| claim_invalid("name", e.to_string()))?;
    Ok(Some(RateLimit { key, rps }))
}

/// Where buckets live. `try_acquire` takes one request from `key`'s bucket
/// (capacity `rps`, refilled at `rps` per second) at instant `now` (Unix
/// seconds): `Ok(level)` with the tokens left, or `Err(wait)` with the seconds
/// until one would be available.
pub trait RateLimitStore: Send + Sync {
    fn try_acquire(&self, key: &str, rps: u64, now: f64) -> std::result::Result<f64, f64>;
}

/// The result of one `try_acquire` as callers see it: [`Consumed`], or
/// `ERR_RATE_LIMITED` whose `retry_after` is whole seconds (at least 1, ready
/// for a `Retry-After` header). Shared by every store, including the Redis
/// script in the JS package, so all of them answer alike.
pub fn outcome(limit: &RateLimit, acquired: std::result::Result<f64, f64>) -> Result<Consumed> {
    outcome_for_rps(limit.rps, acquired)
}

/// [`outcome`] for a limit known by its rate alone (the key only picks the bucket).
pub fn outcome_for_rps(
    limit_rps: u64,
    acquired: std::result::Result<f64, f64>,
) -> Result<Consumed> {
    let rps = limit_rps.max(1) as f64;
    match acquired {
        Ok(level) => {
            let level = if level.is_finite() {
                level.clamp(0.0, rps)
            } else {
                0.0
            };
            Ok(Consumed {
                limit: limit_rps,
                remaining: level.floor() as u64,
                reset_seconds: ((rps - level) / rps).ceil() as u64,
            })
        }
        Err(wait) => {
            let wait = if wait.is_finite() && wait > 0.0 {
                wait
            } else {
                1.0
            };
            let seconds = wait.ceil().max(1.0);
            Err(Error::new(
                ErrorCode::RateLimited,
                format!(
                    "rate limit of {limit_rps} requests per second exceeded; retry after {seconds} second(s)"
                ),
            )
            .with_claim("limits.rps")
            .with_retry_after(seconds))
        }
    }
}

/// Consumes one request of `limit` from a store.
pub struct RateLimiter<S: RateLimitStore = MemoryRateLimitStore> {
    store: S,
}

impl<S: RateLimitStore> RateLimiter<S> {
    pub fn new(store: S) -> Self {
        RateLimiter { store }
    }

    pub fn consume(&self, limit: &RateLimit, now: f64) -> Result<Consumed> {
        self.consume_key(&limit.key, limit.rps, now)
    }

    /// [`RateLimiter::consume`] by key and rate, checked by [`RateLimit::check_parts`].
    pub fn consume_key(&self, key: &str, rps: u64, now: f64) -> Result<Consumed> {
        outcome_for_rps(rps, self.store.try_acquire(key, rps, now))
    }

    pub fn store(&self) -> &S {
        &self.store
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(MemoryRateLimitStore::default())
    }
}

/// Default bound on the number of keys an in-memory store tracks.
pub const DEFAULT_MAX_KEYS: usize = 10_000;

/// Slack, in seconds of refill, so that a bucket refilled for exactly the
/// advertised wait counts as holding a whole token: Unix seconds near 2e9 as
/// `f64` are only precise to about 0.25 µs.
const SLACK_SECONDS: f64 = 1e-6;

struct Bucket {
    tokens: f64,
    updated: f64,
    /// The rate last used with this key, so eviction can tell a full bucket.
    rps: f64,
}

impl Bucket {
    /// Tokens the bucket holds at `now`; never more than its capacity
    /// (`rps`). A clock that steps backwards refills nothing.
    fn level(&self, now: f64) -> f64 {
        let elapsed = (now - self.updated).max(0.0);
        (self.tokens + elapsed * self.rps).min(self.rps)
    }

    /// The instant the bucket is full again: it then equals a new bucket.
    fn full_at(&self) -> f64 {
        self.updated + (self.rps - self.tokens).max(0.0) / self.rps - SLACK_SECONDS
    }
}

struct Buckets {
    map: HashMap<String, Bucket>,
    /// When the map was last found full of busy buckets: the earliest instant
    /// one of them is full again, so until then a new key is refused without
    /// scanning the map.
    no_room_until: f64,
}

/// An in-memory [`RateLimitStore`] for one process, bounded to `max_keys`
/// buckets. Std only, no background thread. A bucket is dropped only once it
/// has refilled (it then equals a new one), so a busy key's budget is never
/// reset; when every bucket is busy, a new key waits (`Err`) until the first
/// one refills, which takes at most a second.
pub struct MemoryRateLimitStore {
    buckets: Mutex<Buckets>,
    max_keys: usize,
}

impl Default for MemoryRateLimitStore {
    fn default() -> Self {
        MemoryRateLimitStore::new(DEFAULT_MAX_KEYS)
    }
}

impl MemoryRateLimitStore {
    pub fn new(max_keys: usize) -> Self {
        MemoryRateLimitStore {
            buckets: Mutex::new(Buckets {
                map: HashMap::new(),
                no_room_until: f64::NEG_INFINITY,
            }),
            max_keys: max_keys.max(1),
        }
    }

    /// From JS options: a positive whole number of keys.
    pub fn with_max_keys_option(max_keys: Option<f64>) -> Result<Self> {
        match max_keys {
            None => Ok(Self::default()),
            Some(n) if n.is_finite() && n >= 1.0 && n.fract() == 0.0 && n <= 1e9 => {
                Ok(Self::new(n as usize))
            }
            Some(_) => Err(invalid_option(
                "maxKeys",
                "must be a whole number from 1 to 1000000000",
            )),
        }
    }

    /// How many keys currently have a bucket.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Buckets> {
        // Each update is a few plain assignments, so a map behind a poisoned
        // lock is still consistent: keep using it.
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Makes room for one more key by dropping the buckets that have refilled.
/// `Err(wait)` if none has: the seconds until the first one will be.
fn make_room(buckets: &mut Buckets, now: f64) -> std::result::Result<(), f64> {
    if now < buckets.no_room_until {
        return Err(buckets.no_room_until - now);
    }
    let before = buckets.map.len();
    buckets.map.retain(|_, bucket| bucket.full_at() > now);
    if buckets.map.len() < before {
        buckets.no_room_until = f64::NEG_INFINITY;
        return Ok(());
    }
    let first_full = buckets
        .map
        .values()
        .map(Bucket::full_at)
        .fold(f64::INFINITY, f64::min);
    buckets.no_room_until = first_full;
    Err((first_full - now).max(SLACK_SECONDS))
}

impl Bucket {
    /// Takes one request at `now` at `rate` per second: the tokens left, or
    /// the seconds until one would be available.
    fn take_one(&mut self, rate: f64, now: f64) -> std::result::Result<f64, f64> {
        // Tokens minted later under the same name may carry another rps. The
        // time since the last request refilled at the rate then in force; the
        // new rate (and capacity) applies from now on. A bucket that has
        // refilled is a new bucket at the new rate, as it would be once
        // evicted here or expired on Redis, so neither changes an answer.
        let refilled = self.level(now);
        let level = if refilled >= self.rps {
            rate
        } else {
            refilled.min(rate)
        };
        self.rps = rate;
        self.updated = self.updated.max(now);
        if level + SLACK_SECONDS * rate >= 1.0 {
            self.tokens = (level - 1.0).max(0.0);
            Ok(self.tokens)
        } else {
            self.tokens = level;
            Err((1.0 - level) / rate)
        }
    }
}

impl RateLimitStore for MemoryRateLimitStore {
    fn try_acquire(&self, key: &str, rps: u64, now: f64) -> std::result::Result<f64, f64> {
        let rate = rps.max(1) as f64;
        // A non-finite clock must not poison a bucket's timestamp.
        let now = if now.is_finite() { now } else { 0.0 };
        let mut buckets = self.lock();
        // A known key is found by reference: only a new bucket copies the key.
        if let Some(bucket) = buckets.map.get_mut(key) {
            return bucket.take_one(rate, now);
        }
        if buckets.map.len() >= self.max_keys {
            make_room(&mut buckets, now)?;
        }
        let mut bucket = Bucket {
            tokens: rate,
            updated: now,
            rps: rate,
        };
        let taken = bucket.take_one(rate, now);
        buckets.map.insert(key.to_string(), bucket);
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn burst_then_refill() {
        let store = MemoryRateLimitStore::default();
        for left in [2.0, 1.0, 0.0] {
            assert_eq!(store.try_acquire("a", 3, 100.0), Ok(left));
        }
        let wait = store.try_acquire("a", 3, 100.0).unwrap_err();
        assert!((wait - 1.0 / 3.0).abs() < 1e-9, "{wait}");
        // Another key has its own bucket.
        assert!(store.try_acquire("b", 3, 100.0).is_ok());
        assert!(store.try_acquire("a", 3, 100.0 + 1.0 / 3.0).is_ok());
        assert!(store.try_acquire("a", 3, 100.0 + 1.0 / 3.0).is_err());
        // Refill is capped at capacity.
        for _ in 0..3 {
            assert!(store.try_acquire("a", 3, 1000.0).is_ok());
        }
        assert!(store.try_acquire("a", 3, 1000.0).is_err());
    }

    #[test]
    fn a_clock_going_backwards_refills_nothing() {
        let store = MemoryRateLimitStore::default();
        assert!(store.try_acquire("a", 1, 50.0).is_ok());
        assert!(store.try_acquire("a", 1, 10.0).is_err());
        assert!(store.try_acquire("a", 1, 50.5).is_err());
        assert!(store.try_acquire("a", 1, 51.0).is_ok());
    }

    #[test]
    fn a_new_rps_for_a_name_applies_from_that_request_on() {
        let store = MemoryRateLimitStore::default();
        // Drained at rps 1; half a second later a token with rps 100 arrives.
        // That half second refilled at 1 per second, not 100: half a token.
        assert_eq!(store.try_acquire("a", 1, 100.0), Ok(0.0));
        let wait = store.try_acquire("a", 100, 100.5).unwrap_err();
        assert!((wait - 0.5 / 100.0).abs() < 1e-12, "{wait}");
        // From then on the refill is 100 per second.
        assert!(store.try_acquire("a", 100, 100.5 + 0.005).is_ok());

        // Lowering the rps caps what is left at the new capacity.
        assert_eq!(store.try_acquire("b", 10, 100.0), Ok(9.0));
        assert_eq!(store.try_acquire("b", 2, 100.0), Ok(1.0));

        // A bucket that has refilled is a new one at the new rps (as it
        // would be after eviction here or expiry on Redis): a full budget.
        assert_eq!(store.try_acquire("c", 1, 100.0), Ok(0.0));
        assert_eq!(store.try_acquire("c", 100, 101.0), Ok(99.0));
        // The same instant a moment short of refilled: what refilled, capped.
        assert_eq!(store.try_acquire("d", 2, 100.0), Ok(1.0));
        let left = store.try_acquire("d", 100, 100.25).unwrap();
        assert!((left - 0.5).abs() < 1e-9, "{left}");
    }

    #[test]
    fn the_map_stays_bounded_and_idle_buckets_go_first() {
        let store = MemoryRateLimitStore::new(4);
        for i in 0..100 {
            let _ = store.try_acquire(&format!("k{i}"), 1, 10.0 + i as f64 * 0.01);
            assert!(store.len() <= 4);
        }
        // After a second every bucket has refilled: all are dropped for a new key.
        assert!(store.try_acquire("fresh", 1, 20.0).is_ok());
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn churn_never_resets_a_busy_bucket() {
        // A busy key (rps 2) is hit every 0.1 s while a stream of new keys
        // fills the store. Its grants over 10 s stay within its budget
        // (2 burst + 2 per second), which a reset bucket would exceed.
        let store = MemoryRateLimitStore::new(8);
        let mut busy_granted = 0;
        let mut newcomers_refused = 0;
        for step in 0..100 {
            let now = 1000.0 + step as f64 * 0.1;
            if store.try_acquire("busy", 2, now).is_ok() {
                busy_granted += 1;
            }
            for j in 0..5 {
                if store
                    .try_acquire(&format!("new{step}_{j}"), 1, now)
                    .is_err()
                {
                    newcomers_refused += 1;
                }
            }
            assert!(store.len() <= 8);
        }
        assert!(busy_granted <= 2 + 2 * 10, "{busy_granted}");
        assert!(busy_granted >= 2 * 10, "{busy_granted}");
        // The store was full of busy buckets: newcomers had to wait.
        assert!(newcomers_refused > 0);
        // Waiting is bounded: a second later there is room again.
        assert!(store.try_acquire("late", 1, 1000.0 + 10.0 + 1.0).is_ok());
    }

    #[test]
    fn parts_are_checked_as_the_json_is() {
        let long_key = "k".repeat(MAX_KEY_BYTES + 1);
        for (key, rps) in [
            ("k", 1.0),
            ("k", MAX_RPS as f64),
            ("", 1.0),
            (long_key.as_str(), 1.0),
            ("k", 0.0),
            ("k", (MAX_RPS + 1) as f64),
            ("k", 9_007_199_254_740_991.0),
        ] {
            let json = serde_json::to_string(&json!({ "key": key, "rps": rps as u64 })).unwrap();
            let from_json = RateLimit::from_grant_json(&json).map(|l| l.map(|l| l.rps));
            assert_eq!(
                RateLimit::check_parts(key, rps).map(Some),
                from_json,
                "{key:.8} {rps}"
            );
        }
        // What JSON would not read as a whole rps is refused too, never rounded.
        for rps in [1.5, -1.0, f64::NAN, f64::INFINITY] {
            let error = RateLimit::check_parts("k", rps).unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidOption, "{rps}");
            assert_eq!(error.claim.as_deref(), Some("rateLimit.rps"), "{rps}");
        }
    }

    #[test]
    fn consume_by_key_is_consume() {
        let by_limit = RateLimiter::default();
        let by_key = RateLimiter::default();
        let limit = RateLimit {
            key: "k".into(),
            rps: 2,
        };
        for now in [10.0, 10.0, 10.0, 10.2, 10.6, 12.0] {
            assert_eq!(
                by_key.consume_key("k", 2, now),
                by_limit.consume(&limit, now),
                "{now}"
            );
        }
    }

    #[test]
    fn outcome_gives_whole_seconds() {
        let limit = RateLimit {
            key: "k".into(),
            rps: 5,
        };
        assert_eq!(
            outcome(&limit, Ok(4.0)),
            Ok(Consumed {
                limit: 5,
                remaining: 4,
                reset_seconds: 1
            })
        );
        assert_eq!(
            outcome(&limit, Ok(5.0)),
            Ok(Consumed {
                limit: 5,
                remaining: 5,
                reset_seconds: 0
            })
        );
        assert_eq!(
            outcome(&limit, Ok(0.4)),
            Ok(Consumed {
                limit: 5,
                remaining: 0,
                reset_seconds: 1
            })
        );
        for wait in [0.001, 0.2, 1.0, f64::NAN, -3.0] {
            let error = outcome(&limit, Err(wait)).unwrap_err();
            assert_eq!(error.code, ErrorCode::RateLimited);
            assert_eq!(error.retry_after, Some(1.0), "{wait}");
        }
        assert_eq!(
            outcome(&limit, Err(2.5)).unwrap_err().retry_after,
            Some(3.0)
        );
    }

    // https://www.tinybird.co/docs/forward/administration/tokens/jwt ("Rate limits for JWTs")
    #[test]
    fn limits_read_as_tinybird_reads_them() {
        let claims = |limits: Value| json!({ "workspace_id": "ws", "name": "frontend_jwt", "limits": limits });
        let limit = rate_limit_of(&claims(json!({ "rps": 10 })))
            .unwrap()
            .unwrap();
        assert_eq!(
            limit,
            RateLimit {
                key: r#"["ws","frontend_jwt"]"#.into(),
                rps: 10
            }
        );
        // No limits, `{}`, and rps <= 0 ("Tinybird ignores the limit").
        assert_eq!(rate_limit_of(&json!({ "name": "n" })).unwrap(), None);
        for limits in [
            json!({}),
            json!({ "rps": 0 }),
            json!({ "rps": -5 }),
            json!({ "rps": -0.5 }),
            json!({ "rps": 0.0 }),
        ] {
            assert_eq!(
                rate_limit_of(&claims(limits.clone())).unwrap(),
                None,
                "{limits}"
            );
        }
        // Unreadable limits fail closed.
        for (limits, claim) in [
            (json!({ "rps": 0.5 }), "limits.rps"),
            (json!({ "rps": 2.5 }), "limits.rps"),
            (json!({ "rps": "10" }), "limits.rps"),
            (json!({ "rps": null }), "limits.rps"),
            (json!({ "rps": 1e30 }), "limits.rps"),
            (json!({ "rps": 10, "burst": 5 }), "limits"),
            (json!([10]), "limits"),
        ] {
            let error = rate_limit_of(&claims(limits.clone())).unwrap_err();
            assert_eq!(error.code, ErrorCode::JwtClaimInvalid, "{limits}");
            assert_eq!(error.claim.as_deref(), Some(claim), "{limits}");
        }
        // The key needs both the workspace and the name.
        for claims in [
            json!({ "name": "n", "limits": { "rps": 1 } }),
            json!({ "workspace_id": "ws", "limits": { "rps": 1 } }),
            json!({ "workspace_id": "", "name": "n", "limits": { "rps": 1 } }),
        ] {
            assert_eq!(
                rate_limit_of(&claims).unwrap_err().code,
                ErrorCode::JwtClaimInvalid
            );
        }
        // Same name, two workspaces: two keys; no separator trick can merge them.
        let a =
            rate_limit_of(&json!({ "workspace_id": "a:b", "name": "c", "limits": { "rps": 1 } }))
                .unwrap()
                .unwrap();
        let b =
            rate_limit_of(&json!({ "workspace_id": "a", "name": "b:c", "limits": { "rps": 1 } }))
                .unwrap()
                .unwrap();
        assert_ne!(a.key, b.key);
    }
}
