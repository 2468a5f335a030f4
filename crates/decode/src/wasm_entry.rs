//! The standalone decode wasm behind `scopemint/decode`: plain exports instead of
//! wasm-bindgen, and a bump allocator that starts over on every call (a call
//! allocates a few copies of one token, then everything is dropped).
//!
//! Calling convention (pkg-template/decode.js is the other side): `input(n)` frees
//! everything and returns a buffer for the options JSON; `check` reads the options
//! and refuses an oversized token from its length alone, before it is copied in (so
//! a huge token never grows the memory); `more(n)` returns a buffer for the token;
//! `decode` checks the exact byte length again and reads the token;
//! `decode` returns a pointer to a result record laid out in [`write_result`].

use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::{Decoded, Error, ErrorKind};

extern "C" {
    static __heap_base: u8;
}

/// Next free address; 0 until the first allocation.
static NEXT: AtomicUsize = AtomicUsize::new(0);

fn heap_start() -> usize {
    // Only the address of the linker-provided symbol is taken (no read).
    core::ptr::addr_of!(__heap_base) as usize
}

struct Bump;

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut next = NEXT.load(Ordering::Relaxed);
        if next == 0 {
            next = heap_start();
        }
        let start = (next + layout.align() - 1) & !(layout.align() - 1);
        let Some(end) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        let available = core::arch::wasm32::memory_size(0) * 65536;
        if end > available {
            let pages = (end - available).div_ceil(65536);
            if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                return core::ptr::null_mut();
            }
        }
        NEXT.store(end, Ordering::Relaxed);
        start as *mut u8
    }

    unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
}

#[global_allocator]
static ALLOCATOR: Bump = Bump;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

fn buffer(len: usize) -> *mut u8 {
    let mut buffer = Vec::<u8>::with_capacity(len);
    let pointer = buffer.as_mut_ptr();
    core::mem::forget(buffer);
    pointer
}

/// Frees everything from the previous call; a buffer of `len` bytes for the options.
#[no_mangle]
pub extern "C" fn input(len: usize) -> *mut u8 {
    NEXT.store(heap_start(), Ordering::Relaxed);
    buffer(len)
}

/// Another buffer of `len` bytes (for the token), keeping what `input` gave.
#[no_mangle]
pub extern "C" fn more(len: usize) -> *mut u8 {
    buffer(len)
}

/// # Safety
/// `ptr..ptr+len` must be a buffer this module returned and the caller filled.
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 {
        &[]
    } else {
        core::slice::from_raw_parts(ptr, len)
    }
}

fn options(raw: &[u8]) -> Result<Option<&str>, Error> {
    if raw.is_empty() {
        return Ok(None);
    }
    core::str::from_utf8(raw).map(Some).map_err(|_| Error {
        kind: ErrorKind::InvalidOption,
        message: "decode options: not valid UTF-8".into(),
        claim: None,
    })
}

/// The options' limit against the token's length in UTF-16 units (a lower bound of
/// its UTF-8 bytes): null if the token may be copied in, else an error record. The
/// main entry makes the same check in JS, with the same words, before its copy.
/// `options_len == 0`: no options.
///
/// # Safety
/// The options buffer must come from `input` and be filled.
#[no_mangle]
pub unsafe extern "C" fn check(
    options_ptr: *const u8,
    options_len: usize,
    token_units: usize,
) -> *const u8 {
    let outcome = options(bytes(options_ptr, options_len))
        .and_then(crate::max_token_bytes)
        .and_then(|max| {
            if token_units > max {
                Err(Error {
                    kind: ErrorKind::TokenTooLarge,
                    message: [
                        "token is at least ",
                        &crate::decimal(token_units),
                        " bytes; the limit (maxTokenBytes) is ",
                        &crate::decimal(max),
                    ]
                    .concat(),
                    claim: None,
                })
            } else {
                Ok(())
            }
        });
    match outcome {
        Ok(()) => core::ptr::null(),
        Err(error) => write_result(Err(error)),
    }
}

/// Decodes the token.
///
/// # Safety
/// Both buffers must come from `input` / `more` and be filled.
#[no_mangle]
pub unsafe extern "C" fn decode(
    options_ptr: *const u8,
    options_len: usize,
    token_ptr: *const u8,
    token_len: usize,
    now: f64,
) -> *const u8 {
    let result = options(bytes(options_ptr, options_len))
        .and_then(crate::max_token_bytes)
        .and_then(|max| {
            // TextEncoder always writes UTF-8, so this only guards the calling convention.
            let token = core::str::from_utf8(bytes(token_ptr, token_len)).map_err(|_| Error {
                kind: ErrorKind::Malformed,
                message: "a token must be UTF-8 text".into(),
                claim: None,
            })?;
            crate::decode(token, max, now)
        });
    write_result(result)
}

/// Record: u32 status (0 ok, 1 error), then for ok: u32 header ptr, u32 header
/// len, u32 payload ptr, u32 payload len, u32 profile ptr, u32 profile len (0:
/// none), u32 expired, u32 profileInfo ptr, u32 profileInfo len (JSON text; 0:
/// none), f64 issuedAt, f64 expiresAt, f64 secondsLeft (NaN: none); for an
/// error: u32 message ptr, u32 message len, u32 claim ptr, u32 claim len (0: no
/// claim), u32 code ptr, u32 code len. Profile names and error codes are the
/// Rust strings themselves, so the JS side holds no list of either.
fn write_result(result: Result<Decoded, Error>) -> *const u8 {
    let mut record = Vec::<u8>::with_capacity(64);
    let push32 =
        |record: &mut Vec<u8>, n: usize| record.extend_from_slice(&(n as u32).to_le_bytes());
    match result {
        Ok(decoded) => {
            push32(&mut record, 0);
            for text in [&decoded.header_json, &decoded.payload_json] {
                push32(&mut record, text.as_ptr() as usize);
                push32(&mut record, text.len());
            }
            let profile = decoded.profile.unwrap_or("");
            push32(&mut record, profile.as_ptr() as usize);
            push32(&mut record, profile.len());
            push32(&mut record, usize::from(decoded.expired()));
            let info = decoded
                .secure_filters_in_words
                .as_deref()
                .map(crate::filter_words::profile_info_json)
                .unwrap_or_default();
            push32(&mut record, info.as_ptr() as usize);
            push32(&mut record, info.len());
            core::mem::forget(info);
            for value in [
                decoded.issued_at,
                decoded.expires_at,
                decoded.seconds_left(),
            ] {
                record.extend_from_slice(&value.unwrap_or(f64::NAN).to_le_bytes());
            }
            // The strings live in the bump heap until the next call.
            core::mem::forget(decoded);
        }
        Err(error) => {
            push32(&mut record, 1);
            push32(&mut record, error.message.as_ptr() as usize);
            push32(&mut record, error.message.len());
            let claim = error.claim.as_deref().unwrap_or("");
            push32(&mut record, claim.as_ptr() as usize);
            push32(&mut record, claim.len());
            let code = error.kind.code();
            push32(&mut record, code.as_ptr() as usize);
            push32(&mut record, code.len());
            core::mem::forget(error);
        }
    }
    let pointer = record.as_ptr();
    core::mem::forget(record);
    pointer
}
