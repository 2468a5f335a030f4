// `scopemint/decode`: decode only, on the small wasm built from crates/decode (the same
// Rust code the main wasm's decode runs). The wasm has plain exports, no wasm-bindgen:
// this file copies the token in and reads the result record out (layout in
// crates/decode/src/wasm_entry.rs). Every rule is in Rust.
import { TokenError } from './errors.mjs';

const ERROR_CODES = [undefined, 'ERR_TOKEN_TOO_LARGE', 'ERR_JWT_MALFORMED', 'ERR_INVALID_OPTION'];
const PROFILES = [null, 'tinybird', 'vizzly-data', 'vizzly-dashboard', 'vizzly-query-engine', 'embeddable'];

export function createDecode(wasm) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  function optionsText(options) {
    if (options === undefined) return '';
    let text;
    try {
      // NaN and Infinity as strings, so Rust refuses them instead of reading null.
      text = JSON.stringify(options, (key, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value));
    } catch (error) {
      throw new TokenError('ERR_INVALID_OPTION', `decode: options must be JSON-serialisable (${error.message})`);
    }
    return text === undefined ? 'null' : text;
  }

  function decode(token, options) {
    if (typeof token !== 'string') {
      throw new TokenError('ERR_JWT_MALFORMED', `a token must be a string, not ${token === null ? 'null' : typeof token}`);
    }
    const tokenBytes = encoder.encode(token);
    const optionBytes = encoder.encode(optionsText(options));
    const at = wasm.input(tokenBytes.length + optionBytes.length);
    new Uint8Array(wasm.memory.buffer, at, tokenBytes.length).set(tokenBytes);
    new Uint8Array(wasm.memory.buffer, at + tokenBytes.length, optionBytes.length).set(optionBytes);
    const record = wasm.decode(tokenBytes.length, optionBytes.length, Date.now() / 1000);
    // Read after the call: the call may have grown (and so replaced) the memory buffer.
    const view = new DataView(wasm.memory.buffer);
    const u32 = (index) => view.getUint32(record + 4 * index, true);
    const text = (index) => decoder.decode(new Uint8Array(wasm.memory.buffer, u32(index), u32(index + 1)));
    const status = u32(0);
    if (status !== 0) {
      throw new TokenError(ERROR_CODES[status], text(1), u32(4) > 0 ? text(3) : undefined);
    }
    const number = (offset) => {
      const value = view.getFloat64(record + offset, true);
      return Number.isNaN(value) ? null : value;
    };
    const date = (seconds) => (seconds === null ? null : new Date(seconds * 1000));
    return {
      header: JSON.parse(text(1)),
      payload: JSON.parse(text(3)),
      issuedAt: date(number(28)),
      expiresAt: date(number(36)),
      expired: u32(6) === 1,
      secondsLeft: number(44),
      profile: PROFILES[u32(5)],
    };
  }

  return { decode, TokenError };
}
