//! Token-bucket rate limiting for `limits.rps` (Tinybird JWTs), keyed by the
//! token's `name` claim: every token minted with one name shares one budget,
//! as in Tinybird. The store is a trait so a server can share buckets across
//! processes (Redis, a database); the crate ships an in-memory store.

use std::collections::HashMap;
use std::sync::Mutex;

/// Where buckets live. `try_acquire` takes one request from `key`'s bucket
/// (capacity `rps`, refilled at `rps` per second) at instant `now` (Unix
/// seconds), or says how many seconds until one would be available.
pub trait RateLimitStore: Send + Sync {
    fn try_acquire(&self, key: &str, rps: u64, now: f64) -> Result<(), f64>;
}

/// Default bound on the number of keys an in-memory store tracks.
pub const DEFAULT_MAX_KEYS: usize = 10_000;

/// Slack, in seconds of refill, so that a bucket refilled for exactly the
/// advertised retry-after counts as holding a whole token: Unix seconds near
/// 2e9 as `f64` are only precise to about 0.25 µs.
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

    fn is_full(&self, now: f64) -> bool {
        self.level(now) + SLACK_SECONDS * self.rps >= self.rps
    }
}

/// An in-memory [`RateLimitStore`] for one process, bounded to `max_keys`
/// buckets. Std only and no background thread: idle buckets are dropped
/// when the map is full.
pub struct MemoryRateLimitStore {
    buckets: Mutex<HashMap<String, Bucket>>,
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
            buckets: Mutex::new(HashMap::new()),
            max_keys: max_keys.max(1),
        }
    }

    /// How many keys currently have a bucket.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Bucket>> {
        // Each update is a few plain assignments, so a map behind a poisoned
        // lock is still consistent: keep using it.
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Makes room for one more key. A bucket that has refilled to capacity is
/// indistinguishable from a new one, so dropping it loses nothing; only if
/// every bucket is busy is the least recently used one dropped (which resets
/// that key's budget: the price of a bounded map).
fn evict(buckets: &mut HashMap<String, Bucket>, now: f64) {
    let before = buckets.len();
    buckets.retain(|_, bucket| !bucket.is_full(now));
    if buckets.len() < before {
        return;
    }
    if let Some(oldest) = buckets
        .iter()
        .min_by(|a, b| a.1.updated.total_cmp(&b.1.updated))
        .map(|(key, _)| key.clone())
    {
        buckets.remove(&oldest);
    }
}

impl RateLimitStore for MemoryRateLimitStore {
    fn try_acquire(&self, key: &str, rps: u64, now: f64) -> Result<(), f64> {
        let rate = rps.max(1) as f64;
        // A non-finite clock must not poison a bucket's timestamp.
        let now = if now.is_finite() { now } else { 0.0 };
        let mut buckets = self.lock();
        if !buckets.contains_key(key) && buckets.len() >= self.max_keys {
            evict(&mut buckets, now);
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: rate,
            updated: now,
            rps: rate,
        });
        // Tokens minted later under the same name may carry another rps:
        // the newest rate (and capacity) applies from now on.
        let level = bucket.level(now);
        bucket.rps = rate;
        let level = level.min(rate);
        bucket.updated = bucket.updated.max(now);
        if level + SLACK_SECONDS * rate >= 1.0 {
            bucket.tokens = (level - 1.0).max(0.0);
            Ok(())
        } else {
            bucket.tokens = level;
            Err((1.0 - level) / rate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let store = MemoryRateLimitStore::default();
        for _ in 0..3 {
            assert_eq!(store.try_acquire("a", 3, 100.0), Ok(()));
        }
        let wait = store.try_acquire("a", 3, 100.0).unwrap_err();
        assert!((wait - 1.0 / 3.0).abs() < 1e-9, "{wait}");
        // Another key has its own bucket.
        assert_eq!(store.try_acquire("b", 3, 100.0), Ok(()));
        assert_eq!(store.try_acquire("a", 3, 100.0 + 1.0 / 3.0), Ok(()));
        assert!(store.try_acquire("a", 3, 100.0 + 1.0 / 3.0).is_err());
        // Refill is capped at capacity.
        for _ in 0..3 {
            assert_eq!(store.try_acquire("a", 3, 1000.0), Ok(()));
        }
        assert!(store.try_acquire("a", 3, 1000.0).is_err());
    }

    #[test]
    fn a_clock_going_backwards_refills_nothing() {
        let store = MemoryRateLimitStore::default();
        assert_eq!(store.try_acquire("a", 1, 50.0), Ok(()));
        assert!(store.try_acquire("a", 1, 10.0).is_err());
        assert!(store.try_acquire("a", 1, 50.5).is_err());
        assert_eq!(store.try_acquire("a", 1, 51.0), Ok(()));
    }

    #[test]
    fn the_map_stays_bounded() {
        let store = MemoryRateLimitStore::new(4);
        for i in 0..100 {
            let _ = store.try_acquire(&format!("k{i}"), 1, 10.0 + i as f64 * 0.01);
            assert!(store.len() <= 4);
        }
        // Idle buckets are dropped first: after a second everything refilled.
        assert_eq!(store.try_acquire("fresh", 1, 20.0), Ok(()));
        assert_eq!(store.len(), 1);
    }
}
