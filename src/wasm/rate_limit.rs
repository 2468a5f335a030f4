//! `RateLimiter`: the in-memory token buckets, and the outcome of a Redis run.

use std::cell::Cell;

use wasm_bindgen::prelude::*;

use super::{json_text, to_js};
use crate::Error;

/// The in-memory rate limiter (`createRateLimiter()`), a separate object from
/// any verifier; with a Redis client it is the fallback store, and the JS
/// layer runs the Redis script and reads its result with `outcomeKey`.
#[wasm_bindgen(js_name = RateLimiter)]
pub struct WasmRateLimiter {
    limiter: crate::RateLimiter,
    /// Checked Redis settings as JSON text, when a client was given.
    shared: Option<String>,
    /// The last outcome of `consumeKey` / `outcomeKey`: they return
    /// `remaining` and JS reads the other two fields from here, so the hot
    /// path moves three numbers instead of writing and parsing JSON.
    last: Cell<crate::Consumed>,
}

#[wasm_bindgen(js_class = RateLimiter)]
impl WasmRateLimiter {
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<WasmRateLimiter, JsValue> {
        let options: Option<crate::RateLimiterOptions> =
            crate::options_from_json(options_json, "createRateLimiter options").map_err(to_js)?;
        let (memory, shared) = options.unwrap_or_default().build().map_err(to_js)?;
        Ok(WasmRateLimiter {
            limiter: crate::RateLimiter::new(memory),
            shared: shared
                .map(|s| json_text(&s, "the shared-store settings"))
                .transpose()?,
            last: Cell::new(crate::Consumed {
                limit: 0,
                remaining: 0,
                reset_seconds: 0,
            }),
        })
    }

    /// `{prefix, timeoutMs, onRedisError}` as JSON text, or undefined without Redis.
    #[wasm_bindgen(js_name = sharedSettings)]
    pub fn shared_settings(&self) -> Option<String> {
        self.shared.clone()
    }

    /// Checks a grant's `rateLimit` (JSON); the normalised `{key, rps}` or `null`.
    pub fn check(&self, rate_limit_json: &str) -> Result<String, JsValue> {
        let limit = crate::RateLimit::from_grant_json(rate_limit_json).map_err(to_js)?;
        json_text(&limit, "the rate limit")
    }

    /// Consumes one request in memory for a rate limit given as its key and
    /// rps (checked as `check` checks the JSON): returns `remaining`, and
    /// `lastLimit` / `lastResetSeconds` the rest of the outcome; throws
    /// `ERR_RATE_LIMITED`.
    #[wasm_bindgen(js_name = consumeKey)]
    pub fn consume_key(&self, key: &str, rps: f64) -> Result<f64, JsValue> {
        let rps = crate::RateLimit::check_parts(key, rps).map_err(to_js)?;
        let now = crate::jwt::time::now_seconds().map_err(to_js)?;
        let consumed = self.limiter.consume_key(key, rps, now).map_err(to_js)?;
        Ok(self.remember(consumed))
    }

    /// Checks a grant's `rateLimit` given as its key and rps, before the
    /// Redis script runs with them.
    #[wasm_bindgen(js_name = checkKey)]
    pub fn check_key(&self, key: &str, rps: f64) -> Result<(), JsValue> {
        crate::RateLimit::check_parts(key, rps)
            .map(drop)
            .map_err(to_js)
    }

    /// Reads the Redis script's answer (granted with `level` tokens left, or
    /// refused for `wait` seconds) the way the memory store's is read:
    /// returns `remaining`, like `consumeKey`.
    #[wasm_bindgen(js_name = outcomeKey)]
    pub fn outcome_key(
        &self,
        rps: f64,
        granted: bool,
        level: f64,
        wait: f64,
    ) -> Result<f64, JsValue> {
        let rps = crate::RateLimit::check_rps(rps).map_err(to_js)?;
        let acquired = if granted { Ok(level) } else { Err(wait) };
        let consumed = crate::authz::rate_limit::outcome_for_rps(rps, acquired).map_err(to_js)?;
        Ok(self.remember(consumed))
    }

    #[wasm_bindgen(js_name = lastLimit)]
    pub fn last_limit(&self) -> f64 {
        self.last.get().limit as f64
    }

    #[wasm_bindgen(js_name = lastResetSeconds)]
    pub fn last_reset_seconds(&self) -> f64 {
        self.last.get().reset_seconds as f64
    }

    fn remember(&self, consumed: crate::Consumed) -> f64 {
        self.last.set(consumed);
        consumed.remaining as f64
    }

    /// Buckets held in memory.
    pub fn size(&self) -> usize {
        self.limiter.store().len()
    }

    /// A TokenError for a shared store that failed, built here so its code is Rust's.
    #[wasm_bindgen(js_name = unavailable)]
    pub fn unavailable(&self, why: &str) -> JsValue {
        to_js(
            Error::new(
                crate::ErrorCode::RateLimitUnavailable,
                format!("the rate-limit store did not answer ({why}); the request is refused"),
            )
            .with_claim("limits.rps"),
        )
    }
}
