// `scopemint/decode`: decode only, on the small wasm built from crates/decode (the same
// Rust code the main wasm's decode runs). The wasm has plain exports, no wasm-bindgen:
// this file copies the token in and reads the result record out (layout in
// crates/decode/src/wasm_entry.rs). Every rule is in Rust, and so are the error codes
// and profile names: the record carries them as text.
import { TokenError } from './errors.mjs';
import { toJson } from './serialise.mjs';

export function createDecode(wasm) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  // Reads a result record; call after the wasm call, which may have replaced the memory buffer.
  function reader(record) {
    const view = new DataView(wasm.memory.buffer);
    const u32 = (index) => view.getUint32(record + 4 * index, true);
    const text = (index) => decoder.decode(new Uint8Array(wasm.memory.buffer, u32(index), u32(index + 1)));
    return { view, u32, text };
  }

  function errorFrom(record) {
    const { u32, text } = reader(record);
    return new TokenError(text(5), text(1), u32(4) > 0 ? text(3) : undefined);
  }

  // The same steps, in the same order, as decode in the main entry (api.mjs): options,
  // the size from the length alone (before any copy), the type, then Rust's exact check.
  function decode(token, options) {
    const optionBytes = encoder.encode(options === undefined ? '' : toJson(options, 'decode'));
    const optionsAt = wasm.input(optionBytes.length);
    new Uint8Array(wasm.memory.buffer, optionsAt, optionBytes.length).set(optionBytes);
    const refused = wasm.check(optionsAt, optionBytes.length, typeof token === 'string' ? token.length : 0);
    if (refused !== 0) throw errorFrom(refused);
    if (typeof token !== 'string') {
      throw new TokenError('ERR_JWT_MALFORMED', `a token must be a string, not ${token === null ? 'null' : typeof token}`);
    }
    const tokenBytes = encoder.encode(token);
    const tokenAt = wasm.more(tokenBytes.length);
    new Uint8Array(wasm.memory.buffer, tokenAt, tokenBytes.length).set(tokenBytes);
    const record = wasm.decode(optionsAt, optionBytes.length, tokenAt, tokenBytes.length, Date.now() / 1000);
    const { view, u32, text } = reader(record);
    if (u32(0) !== 0) throw errorFrom(record);
    const number = (offset) => {
      const value = view.getFloat64(record + offset, true);
      return Number.isNaN(value) ? null : value;
    };
    const date = (seconds) => (seconds === null ? null : new Date(seconds * 1000));
    return {
      header: JSON.parse(text(1)),
      payload: JSON.parse(text(3)),
      issuedAt: date(number(40)),
      expiresAt: date(number(48)),
      expired: u32(7) === 1,
      secondsLeft: number(56),
      profile: u32(6) > 0 ? text(5) : null,
      profileInfo: u32(9) > 0 ? JSON.parse(text(8)) : null,
    };
  }

  return { decode, TokenError };
}
