// `scopemint/decode`: only `decode`, on a wasm of a few kilobytes, for browsers. It runs the
// same Rust code as `decode` from `scopemint` (same result, same errors) and throws the same
// `TokenError` class.
export { decode, TokenError } from './index';
export type { DecodeOptions, DecodedToken, ErrorCode, JwtHeader, JwtPayload, TokenProfile } from './index';
