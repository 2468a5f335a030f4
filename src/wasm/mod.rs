//! The wasm-bindgen adapter, and nothing else: JSON text in, JSON text out,
//! errors turned into JS `Error`s carrying the stable code. Strings cross the
//! boundary more cheaply than object graphs, and `JSON.parse` on the JS side
//! is native. `sign` and `verify`, the hot calls, move their text as bytes
//! through one buffer in wasm memory (`io`), where Node's crypto can also
//! read what it signs (docs/decisions.md, "The sign/verify boundary").

use wasm_bindgen::prelude::*;

mod functions;
mod io;
pub(crate) mod options;
#[cfg(test)]
mod platform_tests;
mod profiles;
mod rate_limit;
#[cfg(feature = "server")]
mod server;
mod signer;
mod verifier;

use crate::Error;

/// A Rust value as JSON text for JS. Serialising these types cannot fail
/// (string keys, finite numbers), but if it ever did, JS gets a TokenError
/// rather than "" (which `JSON.parse` would report as a syntax error).
fn json_text<T: serde::Serialize>(value: &T, what: &str) -> Result<String, JsValue> {
    serde_json::to_string(value).map_err(|e| {
        to_js(Error::new(
            crate::ErrorCode::InvalidOption,
            format!("{what} cannot be written as JSON ({e})"),
        ))
    })
}

fn to_js(error: Error) -> JsValue {
    let js_error = js_sys::Error::new(&error.message);
    js_error.set_name("TokenError");
    let object: &JsValue = js_error.as_ref();
    // Setting plain data properties on a fresh Error cannot fail.
    let _ = js_sys::Reflect::set(object, &"code".into(), &error.code().into());
    if let Some(seconds) = error.retry_after {
        let _ = js_sys::Reflect::set(object, &"retryAfter".into(), &seconds.into());
    }
    if let Some(claim) = &error.claim {
        let _ = js_sys::Reflect::set(object, &"claim".into(), &claim.as_str().into());
    }
    if let Some(status) = error.status {
        let _ = js_sys::Reflect::set(object, &"status".into(), &status.into());
    }
    js_error.into()
}

/// Optional per-call options: absent means the defaults.
fn options_or_default<T: serde::de::DeserializeOwned + Default>(
    json: Option<String>,
    what: &str,
) -> Result<T, JsValue> {
    match json {
        Some(json) => crate::options_from_json(&json, what).map_err(to_js),
        None => Ok(T::default()),
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "null".to_string())
}
