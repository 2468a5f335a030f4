// Plain arguments (tokens, SQL text) on their way into wasm, and instants on their way out.
import { TokenError } from './errors.mjs';

// Longer than the limit in UTF-16 units means longer in UTF-8 bytes too, so
// this refuses before the token is copied into wasm; Rust checks exact bytes.
export function checkTokenLength(token, maxTokenBytes) {
  if (typeof token === 'string' && token.length > maxTokenBytes) {
    throw new TokenError(
      'ERR_TOKEN_TOO_LARGE',
      `token is at least ${token.length} bytes; the limit (maxTokenBytes) is ${maxTokenBytes}`,
    );
  }
}

// A token that is not text is malformed (refused before anything reaches wasm).
export function tokenText(token) {
  if (typeof token !== 'string') {
    throw new TokenError('ERR_JWT_MALFORMED', `a token must be a string, not ${token === null ? 'null' : typeof token}`);
  }
  return token;
}

export function textArgument(value, name) {
  if (typeof value !== 'string') {
    throw new TokenError('ERR_INVALID_OPTION', `${name}: must be a string, not ${value === null ? 'null' : typeof value}`, name);
  }
  return value;
}

// Unix seconds from Rust (or null) as a Date.
export function toDate(seconds) {
  return seconds === null ? null : new Date(seconds * 1000);
}
