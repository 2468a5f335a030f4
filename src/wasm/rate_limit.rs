//! `RateLimiter`: the in-memory token buckets, and the outcome of a Redis run.

use wasm_bindgen::prelude::*;

use super::{json_text, to_js};
use crate::Error;

/// The in-memory rate limiter (`createRateLimiter()`), a separate object from
/// any verifier; with a Redis client it is the fallback store, and the JS
/// layer runs the Redis script and reads its result with `rateLimitOutcome`.
#[wasm_bindgen(js_name = RateLimiter)]
pub struct WasmRateLimiter {
    limiter: crate::RateLimiter,
    /// Checked Redis settings as JSON text, when a client was given.
    shared: Option<String>,
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

    /// Consumes one request in memory: `{limit, remaining, resetSeconds}` or
    /// `null` (no limit), or throws `ERR_RATE_LIMITED`.
    pub fn consume(&self, rate_limit_json: &str) -> Result<String, JsValue> {
        let Some(limit) = crate::RateLimit::from_grant_json(rate_limit_json).map_err(to_js)? else {
            return Ok("null".to_string());
        };
        let consumed = self
            .limiter
            .consume(&limit, crate::jwt::time::now_seconds().map_err(to_js)?)
            .map_err(to_js)?;
        json_text(&consumed, "the rate-limit outcome")
    }

    /// Reads the Redis script's answer (granted with `level` tokens left, or
    /// refused for `wait` seconds) the way the memory store's is read.
    pub fn outcome(
        &self,
        rate_limit_json: &str,
        granted: bool,
        level: f64,
        wait: f64,
    ) -> Result<String, JsValue> {
        let Some(limit) = crate::RateLimit::from_grant_json(rate_limit_json).map_err(to_js)? else {
            return Ok("null".to_string());
        };
        let acquired = if granted { Ok(level) } else { Err(wait) };
        let consumed = crate::rate_limit_outcome(&limit, acquired).map_err(to_js)?;
        json_text(&consumed, "the rate-limit outcome")
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
