//! decode(): arbitrary text must give a result or a coded error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scopemint::{decode, DecodeOptions, ErrorCode};


fuzz_target!(|data: &[u8]| {
    // Tokens arrive as JS strings, so only UTF-8 reaches the core.
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    // A small limit too, so the size check is exercised at its boundary.
    for max in [None, Some(64)] {
        let options = DecodeOptions {
            max_token_bytes: max,
        };
        match decode(token, &options) {
            Ok(decoded) => {
                // What decode accepts must be JSON objects.
                for json in [&decoded.header_json, &decoded.payload_json] {
                    match serde_json::from_str::<serde_json::Value>(json) {
                        Ok(value) => assert!(value.is_object()),
                        Err(e) => panic!("decode accepted non-JSON {json:?}: {e}"),
                    }
                }
                let _ = decoded.expired();
                let _ = decoded.seconds_left();
            }
            Err(error) => assert!(ErrorCode::ALL.contains(&error.code)),
        }
    }
});
