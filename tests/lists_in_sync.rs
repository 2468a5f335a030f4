//! The closed sets the TypeScript types spell out are Rust's: `ErrorCode` in
//! index.d.ts lists exactly `ErrorCode::ALL`, and `TokenProfile` exactly the
//! profiles decode can name (the wasm builds hand both to JS as Rust's text).

use std::collections::BTreeSet;

use scopemint::ErrorCode;

const INDEX_D_TS: &str = include_str!("../pkg-template/index.d.ts");

/// The quoted members of `export type NAME = 'a' | 'b' …;`.
fn union_members(name: &str) -> BTreeSet<String> {
    let start = INDEX_D_TS
        .find(&format!("export type {name} ="))
        .unwrap_or_else(|| panic!("index.d.ts has no type {name}"));
    let body = &INDEX_D_TS[start..];
    let body = &body[..body.find(';').expect("the type ends with ;")];
    body.split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn index_d_ts_error_codes_are_error_code_all() {
    let rust: BTreeSet<String> = ErrorCode::ALL
        .iter()
        .map(|code| code.as_str().to_string())
        .collect();
    assert_eq!(union_members("ErrorCode"), rust);
}

#[test]
fn index_d_ts_token_profiles_are_the_decode_profiles() {
    let rust: BTreeSet<String> = scopemint_decode::PROFILES
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(union_members("TokenProfile"), rust);
}
