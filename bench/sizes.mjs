// Shipped wasm weight: raw bytes and gzip -9 bytes of every file that carries
// the wasm (the two bindgen builds and the base64-inlined universal build), and
// the server wasm behind `scopemint/server`.
import { readFileSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../pkg/dist/', import.meta.url));
export const shippedFiles = [
  'node/scopemint_bg.wasm', 'web/scopemint_bg.wasm', 'wasm-inline.mjs',
  'server-node/scopemint_server_bg.wasm', 'server-wasm-inline.mjs',
];

export function measureSizes() {
  return shippedFiles.map((file) => {
    const bytes = readFileSync(dist + file);
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length };
  });
}
