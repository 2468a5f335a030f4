//! The Redis store's token bucket: the rule of [`MemoryRateLimitStore`] as one
//! Lua script, so every process sharing a Redis shares one budget. The JS
//! package runs it (EVALSHA, else EVAL) and reads its answer with
//! [`outcome`](crate::authz::rate_limit::outcome), as for the memory store;
//! tests/redis_bucket.rs checks that both stores answer alike.
//!
//! [`MemoryRateLimitStore`]: crate::authz::rate_limit::MemoryRateLimitStore

/// The rule: a Lua function `take(key, rps, now)`.
pub const REDIS_BUCKET_RULE: &str = include_str!("redis_bucket.lua");

/// The script the package runs: KEYS[1] is the bucket, ARGV[1] the rps, and
/// the time is Redis's own clock, so all processes read one clock.
pub const REDIS_BUCKET_SCRIPT: &str = concat!(
    include_str!("redis_bucket.lua"),
    "local clock = redis.call('TIME')\n",
    "return take(KEYS[1], tonumber(ARGV[1]), tonumber(clock[1]) + tonumber(clock[2]) / 1000000)\n",
);

/// SHA-1 of [`REDIS_BUCKET_SCRIPT`] in hex, for EVALSHA.
pub const REDIS_BUCKET_SHA1: &str = "eac04709219e19c2ff3ed746d9700031df8cc5cb";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_evalsha_hash_is_the_sha1_of_the_script() {
        let digest = ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            REDIS_BUCKET_SCRIPT.as_bytes(),
        );
        let hex: String = digest
            .as_ref()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(hex, REDIS_BUCKET_SHA1);
    }

    #[test]
    fn the_script_runs_the_rule() {
        assert!(REDIS_BUCKET_SCRIPT.starts_with(REDIS_BUCKET_RULE));
    }
}
