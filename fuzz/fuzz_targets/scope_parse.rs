//! parse_scope: no panics, and a parsed scope formats back to a string that
//! parses to the same scope (or, with a SQL filter, is refused by its check).
#![no_main]

use libfuzzer_sys::fuzz_target;
use scopemint::{format_scope, parse_scope, ErrorCode};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_scope(text) {
        Ok(scope) => match format_scope(&scope) {
            Ok(formatted) => {
                let again = parse_scope(&formatted).expect("a formatted scope must parse");
                assert_eq!(scope, again);
            }
            // parse_scope only splits the text; format_scope also checks the filter.
            Err(error) => {
                assert!(scope.filter.is_some(), "{text:?}: {error}");
                assert_eq!(error.code, ErrorCode::FilterInvalid);
            }
        },
        Err(error) => assert_eq!(error.code, ErrorCode::ScopeInvalid),
    }
});
