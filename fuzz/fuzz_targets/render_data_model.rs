//! renderDataModel (server build): whatever the template and context, no
//! panic and no trap, a coded error or SQL in which every value is bound: no
//! placeholder of either brace form left, no marker, within every bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scopemint::{
    render_data_model_value, Dialect, ErrorCode, RenderOptions, MAX_BOUND_VALUES,
    MAX_RENDERED_BYTES,
};
use serde_json::{json, Value};

const DIALECTS: [Dialect; 4] = [
    Dialect::Postgres,
    Dialect::Mysql,
    Dialect::Sqlite,
    Dialect::Clickhouse,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // `template \0 context-json`; a context that is not a JSON object becomes
    // the value of `v`, so hostile strings reach the values too.
    let (template, context) = text.split_once('\0').unwrap_or((text, ""));
    let context = match serde_json::from_str::<Value>(context) {
        Ok(object @ Value::Object(_)) => object,
        _ => json!({ "v": context, "n": 7, "list": ["a", context], "schema": "tenant_a" }),
    };
    let options = RenderOptions {
        dialect: DIALECTS[usize::from(selector) % DIALECTS.len()],
        param_offset: usize::from(selector >> 4),
        allowed_identifiers: (selector & 0x08 != 0).then(|| vec!["tenant_a".to_string()]),
    };
    match render_data_model_value(template, &context, &options) {
        Ok(bound) => {
            assert!(!bound.sql.contains("COMPILE_CONTEXT"), "{:?}", bound.sql);
            assert!(
                !bound.sql.contains("{{") && !bound.sql.contains("{%"),
                "{:?}",
                bound.sql
            );
            assert!(!bound.sql.contains(['\u{1}', '\u{2}']), "{:?}", bound.sql);
            assert!(bound.params.len() <= MAX_BOUND_VALUES);
            assert!(bound.sql.len() <= 4 * MAX_RENDERED_BYTES);
        }
        Err(error) => assert!(
            matches!(
                error.code,
                ErrorCode::TemplateInvalid | ErrorCode::InvalidOption
            ),
            "{error}"
        ),
    }
});
