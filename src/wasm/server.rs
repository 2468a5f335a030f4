//! Functions only the `server` build has (SQL parser, template engine).

use wasm_bindgen::prelude::*;

use super::{json_text, options_or_default, to_js};

/// The server build's SQL filter check: the normalised expression.
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = normalizeSqlFilter)]
pub fn normalize_sql_filter(filter: &str, options_json: Option<String>) -> Result<String, JsValue> {
    let options: crate::FilterOptions =
        options_or_default(options_json, "normalizeSqlFilter options")?;
    crate::normalize_sql_filter(filter, &options).map_err(to_js)
}

/// A data-model template rendered with its security context: `{"sql","params"}` as JSON text.
#[cfg(feature = "server")]
#[wasm_bindgen(js_name = renderDataModel)]
pub fn render_data_model(
    template: &str,
    security_context_json: &str,
    options_json: &str,
) -> Result<String, JsValue> {
    let rendered =
        crate::render_data_model(template, security_context_json, options_json).map_err(to_js)?;
    json_text(&rendered, "the rendered data model")
}
