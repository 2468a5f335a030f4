//! parse_scope: no panics, and a parsed scope formats back to a string that
//! parses to the same scope.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scopemint::{format_scope, parse_scope, ErrorCode};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_scope(text) {
        Ok(scope) => {
            let formatted = format_scope(&scope).expect("a parsed scope must format");
            let again = parse_scope(&formatted).expect("a formatted scope must parse");
            assert_eq!(scope, again);
        }
        Err(error) => assert_eq!(error.code, ErrorCode::ScopeInvalid),
    }
});
