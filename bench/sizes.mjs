// Shipped wasm weight: raw bytes and gzip -9 bytes of every file that carries a wasm.
// Each wasm ships once as a file (the workerd and edge-light entries import it) and once as
// base64 (the Node and universal entries compile it); the server wasm is in its own
// package, @scopemint/server-wasm (pkg-server/), loaded by `scopemint/server`.
import { readFileSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const shippedFiles = [
  'pkg/dist/scopemint.wasm', 'pkg/dist/scopemint.base64.mjs',
  'pkg/dist/scopemint_decode.wasm', 'pkg/dist/scopemint_decode.hex.mjs',
  'pkg-server/scopemint_server.wasm', 'pkg-server/scopemint_server.base64.mjs',
];

export function measureSizes() {
  return shippedFiles.map((file) => {
    const bytes = readFileSync(root + file);
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length };
  });
}
