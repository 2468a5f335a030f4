// Memory of N HS256 signs in scopemint. Run before any peer library is loaded,
// so "before" is node + scopemint alone.
//
// The wasm linear memory (memory.buffer.byteLength) is not reachable: the
// wasm-bindgen glue (pkg/dist/scopemint.mjs) keeps its `wasm` instance private
// and exports only Signer, Verifier, decode and generateKeyPair. So this
// reports RSS (which includes the wasm memory) and the JS heap.
import * as glue from '../pkg/dist/scopemint.mjs';
import { createSigner } from '../pkg/dist/node.mjs';
import { payloads } from './payloads.mjs';

function reading() {
  // Twice: the first pass can leave finalizer-queued objects for the second.
  if (globalThis.gc) {
    globalThis.gc();
    globalThis.gc();
  }
  const { rss, heapUsed } = process.memoryUsage();
  const memory = glue.__wasm?.memory ?? glue.memory;
  return { rss, heapUsed, wasmMemory: memory instanceof WebAssembly.Memory ? memory.buffer.byteLength : null };
}

export function measureMemory(signs) {
  const { claims } = payloads[0]; // the tinybird payload
  const signer = createSigner({ secret: 'm'.repeat(64) });
  signer.sign(claims); // lazy one-time setup is not growth
  const before = reading();
  let bytes = 0;
  for (let i = 0; i < signs; i++) bytes += signer.sign(claims).length;
  const after = reading();
  return { signs, gcExposed: typeof globalThis.gc === 'function', wasmMemoryReachable: after.wasmMemory !== null, before, after, tokenBytes: bytes };
}
