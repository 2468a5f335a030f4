// `make soak`: 1,000,000 sign+verify cycles (HS256 on the wasm path, with
// every 100th cycle ES256 on the native path) and memory readings along the
// way. Exits non-zero if RSS keeps growing after warm-up: the signature of a
// leak across the JS/wasm boundary. Not part of `make test` (it takes minutes).
import { createSigner, createVerifier, generateKeyPair } from 'scopemint';

const CYCLES = Number(process.argv[2] ?? 1_000_000);
const secret = 'soak-secret-0123456789abcdef-0123456789';
const hs = { signer: createSigner({ secret, ttlSeconds: 600 }), verifier: createVerifier({ secret }) };
const keys = generateKeyPair('ES256');
const es = { signer: createSigner({ privateKey: keys.privateKey, ttlSeconds: 600 }), verifier: createVerifier({ publicKey: keys.publicKey }) };

const mib = (bytes) => (bytes / 1048576).toFixed(1);
const readings = [];
const started = performance.now();
for (let i = 1; i <= CYCLES; i++) {
  const pair = i % 100 === 0 ? es : hs;
  const token = pair.signer.sign({ sub: `user_${i}`, scopes: [{ type: 'PIPES:READ', resource: 'orders', fixed_params: { n: i } }] });
  if (pair.verifier.verify(token).payload.sub !== `user_${i}`) throw new Error(`cycle ${i}: wrong payload`);
  if (i % (CYCLES / 10) === 0) {
    globalThis.gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    readings.push(rss);
    console.log(`${String(i).padStart(9)} cycles  rss ${mib(rss)} MiB  heap ${mib(heapUsed)} MiB  ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
}
// Compare the last reading with the one after the first tenth (warm-up done).
const growth = readings.at(-1) - readings[0];
console.log(`RSS growth after warm-up: ${mib(growth)} MiB`);
if (growth > 32 * 1048576) {
  console.error('soak FAILED: memory keeps growing');
  process.exit(1);
}
console.log('soak OK');
