// The JS half of src/wasm/io.rs: sign and verify move their text as bytes through one
// buffer in wasm memory instead of wasm-bindgen's string copies. Text goes in at TEXT_AT
// (encoded in place), answers come out of the same buffer; six u32 registers say where
// the buffer is, how long the answer's parts are, whether a call is in progress and
// whether the last one failed. Nothing here decides anything.
const TEXT_AT = 192; // src/wasm/io.rs TEXT_AT
const ADDRESS = 0;
const CAPACITY = 1;
const FIRST_LENGTH = 2;
const SECOND_LENGTH = 3;
const BUSY = 4;
const FAILED = 5;

// Text codecs: Buffer's on Node (node-crypto.mjs passes them), TextEncoder/TextDecoder elsewhere.
export function webCodec() {
  const encoder = new TextEncoder();
  const utf8 = new TextDecoder();
  return {
    view: (memory) => new Uint8Array(memory.buffer),
    write: (bytes, text, at, room) => encoder.encodeInto(text, bytes.subarray(at, at + room)).written,
    utf8: (bytes, start, end) => utf8.decode(bytes.subarray(start, end)),
    // Tokens are ASCII; a TextDecoder reads them as fast as any.
    ascii: (bytes, start, end) => utf8.decode(bytes.subarray(start, end)),
  };
}

// A copy of bytes[start, end): new + set is a plain memory copy in every engine (the typed
// array constructor is not, in V8; a Buffer's slice is a view, not a copy).
function copyOf(bytes, start, end) {
  const copy = new Uint8Array(end - start);
  copy.set(bytes.subarray(start, end));
  return copy;
}

export function createWasmIo(wasm, codec = webCodec()) {
  const memory = wasm.wasmMemory();
  const registersAt = wasm.ioRegisters();
  let bytes;
  let registers;

  // Views go stale (byteLength 0) whenever wasm memory grows.
  function refresh() {
    if (bytes === undefined || bytes.byteLength === 0) {
      bytes = codec.view(memory);
      registers = new Uint32Array(memory.buffer, registersAt, 6);
    }
  }
  wasm.ioReserve(0);

  return {
    // The current view of wasm memory (for the platform's hash, sign and verify calls).
    bytes() {
      refresh();
      return bytes;
    },

    // Encodes `text` at TEXT_AT; returns its length in bytes. UTF-16 to UTF-8 at most
    // triples the size, so that much room is made first. During a call (a platform
    // callback re-entering) the text there is in use: nothing is written, and the call
    // that follows gets Rust's error.
    write(text) {
      refresh();
      if (registers[BUSY] !== 0) return 0;
      const room = text.length * 3;
      if (TEXT_AT + room > registers[CAPACITY]) {
        wasm.ioReserve(room);
        refresh();
      }
      return codec.write(bytes, text, registers[ADDRESS] + TEXT_AT, room);
    },

    // An io call's answer, or its error thrown: io calls return one plain number and
    // flag a failure in a register (src/wasm/io.rs, `answer`).
    check(answer) {
      refresh();
      if (registers[FAILED] !== 0) throw wasm.takeIoError();
      return answer;
    },

    // The token a sign call left (ASCII, `length` bytes).
    token(length) {
      refresh();
      const at = registers[ADDRESS] + TEXT_AT;
      return codec.ascii(bytes, at, at + length);
    },

    // Copies of the first `length` bytes of text, and of the last answer's two parts as
    // bytes: for WebCrypto, which works on them while later calls reuse the buffer.
    textBytes(length) {
      refresh();
      const at = registers[ADDRESS] + TEXT_AT;
      return copyOf(bytes, at, at + length);
    },

    byteParts() {
      refresh();
      const at = registers[ADDRESS] + TEXT_AT;
      const first = registers[FIRST_LENGTH];
      const copy = copyOf(bytes, at, at + first + registers[SECOND_LENGTH]);
      return [copy.subarray(0, first), copy.subarray(first)];
    },

    // The two parts of the last answer as text (UTF-8).
    parts() {
      refresh();
      const at = registers[ADDRESS] + TEXT_AT;
      const split = at + registers[FIRST_LENGTH];
      return [codec.utf8(bytes, at, split), codec.utf8(bytes, split, split + registers[SECOND_LENGTH])];
    },
  };
}
