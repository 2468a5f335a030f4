//! The byte channel of `sign` and `verify`: one buffer in wasm memory that JS
//! writes text into (`Buffer#write` on Node, `TextEncoder#encodeInto`
//! elsewhere) and reads answers from, instead of wasm-bindgen copying every
//! string in and out (`pkg-template/lib/wasm-io.mjs` is the JS half). Text
//! starts at [`TEXT_AT`]; the bytes before it hold HMAC's keyed blocks, so a
//! platform hash function reads `inner pad ‖ signing input` where it lies.
//!
//! And the platform: the JS object through which Node's crypto computes
//! signatures (`pkg-template/lib/node-crypto.mjs`), given addresses in this
//! buffer. It only computes; every check is made here before and after.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};

use wasm_bindgen::prelude::*;

use crate::crypto::hmac::HmacPads;
use crate::error::Result;
use crate::{Error, ErrorCode};

/// Room for the largest HMAC layout before the text: the inner digest and
/// inner pad of SHA-512 (64 + 128 bytes).
pub(super) const TEXT_AT: usize = 192;
const INITIAL_BYTES: usize = 16 * 1024;

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = RefCell::new(vec![0; INITIAL_BYTES]);
}

/// What JS reads after each call: the buffer's address and size (they change
/// only when it grows), the byte lengths of the answer, whether a call is in
/// progress (JS then writes nothing: the text there is in use), and whether
/// the last call failed. A static, so its own address never changes.
static REGISTERS: [AtomicU32; 6] = [const { AtomicU32::new(0) }; 6];
const ADDRESS: usize = 0;
const CAPACITY: usize = 1;
const FIRST_LENGTH: usize = 2;
const SECOND_LENGTH: usize = 3;
const BUSY: usize = 4;
const FAILED: usize = 5;

thread_local! {
    /// The error of the io call that just failed, until JS takes it.
    static FAILURE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// An io call's answer as one plain number: an error is kept for
/// [`take_io_error`] and flagged in the FAILED register, and `failed` is
/// returned. A `Result` return would make wasm-bindgen's glue allocate a JS
/// array on every call.
pub(super) fn answer<T>(result: std::result::Result<T, JsValue>, failed: T) -> T {
    result.unwrap_or_else(|error| {
        FAILURE.with(|slot| *slot.borrow_mut() = Some(error));
        REGISTERS[FAILED].store(1, Ordering::Relaxed);
        failed
    })
}

/// The error of the io call that just failed (JS calls this when the FAILED
/// register is set), clearing the register.
#[wasm_bindgen(js_name = takeIoError)]
pub fn take_io_error() -> JsValue {
    REGISTERS[FAILED].store(0, Ordering::Relaxed);
    FAILURE
        .with(|slot| slot.borrow_mut().take())
        .unwrap_or_else(|| {
            super::to_js(Error::new(
                ErrorCode::InvalidOption,
                "no io call has failed",
            ))
        })
}

/// The wasm instance's memory, for the JS half's views.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// The address of the six registers (u32 each).
#[wasm_bindgen(js_name = ioRegisters)]
pub fn io_registers() -> usize {
    REGISTERS.as_ptr() as usize
}

/// Makes room for `text_bytes` bytes of text and publishes the buffer's
/// address and capacity in the registers.
#[wasm_bindgen(js_name = ioReserve)]
pub fn io_reserve(text_bytes: usize) -> std::result::Result<(), JsValue> {
    with_buffer(|buffer| {
        ensure_text_room(buffer, text_bytes);
        Ok(())
    })
    .map_err(super::to_js)
}

fn ensure_text_room(buffer: &mut Vec<u8>, text_bytes: usize) {
    let needed = TEXT_AT + text_bytes;
    if buffer.len() < needed {
        buffer.resize(needed.next_power_of_two(), 0);
    }
}

fn publish(buffer: &[u8]) {
    // Addresses and sizes fit in u32 on wasm32, the only target that runs this.
    REGISTERS[ADDRESS].store(buffer.as_ptr() as usize as u32, Ordering::Relaxed);
    REGISTERS[CAPACITY].store(buffer.len() as u32, Ordering::Relaxed);
}

/// Runs `f` on the buffer, then publishes where it is (it may have grown).
pub(super) fn with_buffer<R>(f: impl FnOnce(&mut Vec<u8>) -> Result<R>) -> Result<R> {
    BUFFER.with(|cell| {
        // Only a platform callback calling back into sign/verify could find it
        // busy (JS wrote nothing then); ours never do, but that must fail, not
        // corrupt the text in use.
        let mut buffer = cell.try_borrow_mut().map_err(|_| {
            Error::new(
                ErrorCode::InvalidOption,
                "sign/verify was called from inside a signature computation",
            )
        })?;
        REGISTERS[BUSY].store(1, Ordering::Relaxed);
        let result = f(&mut buffer);
        REGISTERS[BUSY].store(0, Ordering::Relaxed);
        publish(&buffer);
        result
    })
}

/// The buffer as the bytes before [`TEXT_AT`] (HMAC layouts) and the text area.
pub(super) fn split(buffer: &mut [u8]) -> (&mut [u8], &[u8]) {
    let (head, text) = buffer.split_at_mut(TEXT_AT);
    (head, text)
}

/// The `length` bytes of text JS wrote into the text area.
pub(super) fn text(text_area: &[u8], length: usize) -> Result<&str> {
    let bytes = text_area
        .get(..length)
        .ok_or_else(|| Error::new(ErrorCode::InvalidOption, "the text overflows the buffer"))?;
    // JS's UTF-8 encoders never produce invalid UTF-8 (lone surrogates become
    // U+FFFD, as with wasm-bindgen's strings), so this is only a guard.
    std::str::from_utf8(bytes)
        .map_err(|_| Error::new(ErrorCode::InvalidOption, "the text is not valid UTF-8"))
}

/// Writes `first` then `second` at [`TEXT_AT`] (growing the buffer if
/// needed), their lengths in the registers: the answer JS reads, or a
/// signing input for the platform.
pub(super) fn put_text(buffer: &mut Vec<u8>, first: &[u8], second: &[u8]) {
    ensure_text_room(buffer, first.len() + second.len());
    let second_at = TEXT_AT + first.len();
    buffer[TEXT_AT..second_at].copy_from_slice(first);
    buffer[second_at..second_at + second.len()].copy_from_slice(second);
    REGISTERS[FIRST_LENGTH].store(first.len() as u32, Ordering::Relaxed);
    REGISTERS[SECOND_LENGTH].store(second.len() as u32, Ordering::Relaxed);
}

/// Keeps the first `kept` bytes of text where they are and writes `second`
/// right after them, the lengths in the registers: a signing input that is
/// the start of the token JS wrote, with the decoded signature behind it.
pub(super) fn put_after(buffer: &mut Vec<u8>, kept: usize, second: &[u8]) {
    ensure_text_room(buffer, kept + second.len());
    let second_at = TEXT_AT + kept;
    buffer[second_at..second_at + second.len()].copy_from_slice(second);
    REGISTERS[FIRST_LENGTH].store(kept as u32, Ordering::Relaxed);
    REGISTERS[SECOND_LENGTH].store(second.len() as u32, Ordering::Relaxed);
}

#[wasm_bindgen]
extern "C" {
    /// Node's crypto, seen from here (`pkg-template/lib/node-crypto.mjs`).
    pub type Platform;

    /// Hashes `inner pad ‖ message` (from `inner_at` to `message_end`) into
    /// the digest slot at `digest_at`; returns how many bytes it wrote.
    #[wasm_bindgen(method, catch)]
    fn hmac(
        this: &Platform,
        digest_bytes: usize,
        digest_at: usize,
        inner_at: usize,
        message_end: usize,
    ) -> std::result::Result<usize, JsValue>;

    /// The signature of `input_length` bytes at `input_at`, with the signer's key.
    #[wasm_bindgen(method, catch)]
    fn sign(
        this: &Platform,
        input_at: usize,
        input_length: usize,
    ) -> std::result::Result<js_sys::Uint8Array, JsValue>;

    /// Whether the signature at `signature_at` fits the input at `input_at`
    /// under the verifier's key `key_index`.
    #[wasm_bindgen(method, catch)]
    fn verify(
        this: &Platform,
        key_index: usize,
        input_at: usize,
        input_length: usize,
        signature_at: usize,
        signature_length: usize,
    ) -> std::result::Result<bool, JsValue>;
}

/// A platform that threw is a bug, not a verdict on the token: it surfaces
/// as a TokenError naming the platform, never as "valid".
fn platform_failed(error: JsValue) -> Error {
    let why = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_default();
    Error::new(
        ErrorCode::KeyInvalid,
        format!("node:crypto failed to compute a signature: {why}"),
    )
}

/// HMAC of the `message_length` bytes at [`TEXT_AT`]. `head`, the buffer's
/// first [`TEXT_AT`] bytes, gets the layout `[digest slot][inner pad]` right
/// before the message; the platform's hash function writes H(inner pad ‖
/// message) into the slot, and Rust finishes with the outer hash.
pub(super) fn platform_hmac(
    platform: &Platform,
    head: &mut [u8],
    pads: &HmacPads,
    message_length: usize,
) -> Result<Vec<u8>> {
    let (block, digest) = (pads.block_bytes(), pads.digest_bytes());
    let inner_at = TEXT_AT - block;
    let digest_at = inner_at - digest;
    head[inner_at..TEXT_AT].copy_from_slice(pads.inner());
    let base = head.as_ptr() as usize;
    let written = platform
        .hmac(
            digest,
            base + digest_at,
            base + inner_at,
            base + TEXT_AT + message_length,
        )
        .map_err(platform_failed)?;
    // The platform wrote through the address it was given; read it back only now.
    let inner_digest = &head[digest_at..inner_at];
    match pads.tag(inner_digest) {
        Some(tag) if written == digest => Ok(tag),
        _ => Err(platform_failed(JsValue::from_str(
            "the hash has the wrong length",
        ))),
    }
}

/// The platform's signature of `input` (anywhere in wasm memory).
pub(super) fn platform_sign(platform: &Platform, input: &[u8]) -> Result<Vec<u8>> {
    platform
        .sign(input.as_ptr() as usize, input.len())
        .map(|signature| signature.to_vec())
        .map_err(platform_failed)
}

/// The platform's verdict on `signature` (anywhere in wasm memory) over
/// `input` (anywhere in wasm memory).
pub(super) fn platform_verify(
    platform: &Platform,
    key_index: usize,
    input: &[u8],
    signature: &[u8],
) -> Result<bool> {
    platform
        .verify(
            key_index,
            input.as_ptr() as usize,
            input.len(),
            signature.as_ptr() as usize,
            signature.len(),
        )
        .map_err(platform_failed)
}
