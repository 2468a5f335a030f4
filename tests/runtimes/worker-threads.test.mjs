// Concurrency: many worker_threads, each with its own scopemint instance, signer and
// verifier, all signing and verifying at the same moment. Every thread has its own
// wasm memory; this proves nothing leaks between them (keys, RNG state, results).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createVerifier } from 'scopemint';

const WORKERS = 12;
const ITERATIONS = 200;
const ALGORITHMS = ['HS256', 'ES256', 'EdDSA'];

async function storm() {
  const startFlag = new SharedArrayBuffer(4);
  const workers = [];
  const ready = [];
  const done = [];
  for (let id = 0; id < WORKERS; id += 1) {
    const worker = new Worker(new URL('./worker-threads.worker.mjs', import.meta.url), {
      workerData: { id, algorithm: ALGORITHMS[id % ALGORITHMS.length], iterations: ITERATIONS, startFlag },
    });
    workers.push(worker);
    const messages = { ready: null, done: null };
    ready.push(new Promise((resolve, reject) => {
      messages.ready = resolve;
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`worker ${id} exited with ${code} before starting`)));
    }));
    done.push(new Promise((resolve, reject) => {
      messages.done = resolve;
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`worker ${id} exited with ${code} before reporting`)));
    }));
    worker.on('message', (message) => messages[message.type]?.(message));
  }
  try {
    await Promise.all(ready);
    // Release everyone at once so signing really overlaps.
    const flag = new Int32Array(startFlag);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    return await Promise.all(done);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

test(`${WORKERS} worker_threads sign and verify ${ITERATIONS} tokens each at once`, { timeout: 120_000 }, async (t) => {
  const reports = await storm();

  await t.test('every worker signed and verified every token correctly', () => {
    assert.equal(reports.length, WORKERS);
    for (const report of reports) {
      assert.deepEqual(report.errors, [], `worker ${report.id} (${report.algorithm})`);
      assert.equal(report.count, ITERATIONS);
      assert.equal(report.jtis.length, ITERATIONS);
    }
  });

  await t.test('the workers really ran at the same time', () => {
    // Each worker's span must overlap most others'; a serialised run would overlap none.
    const spans = reports.map((r) => [r.startedAt, r.finishedAt]);
    const overlapping = spans.filter(([s, e]) => spans.some(([s2, e2]) => (s2 !== s || e2 !== e) && s2 < e && s < e2)).length;
    t.diagnostic(`spans ms: ${spans.map(([s, e]) => Math.round(e - s)).join(', ')}; overlapping ${overlapping}/${spans.length}`);
    assert.ok(overlapping >= spans.length / 2, `only ${overlapping} of ${spans.length} workers overlapped another`);
  });

  await t.test('random jti values are unique across all threads', () => {
    const all = reports.flatMap((r) => r.jtis);
    assert.equal(new Set(all).size, all.length, 'duplicate jti: RNG state shared or reseeded identically');
  });

  await t.test("the main thread verifies each worker's tokens with that worker's key only", () => {
    for (const report of reports) {
      const own = createVerifier({ ...report.publicMaterial, issuer: `worker-${report.id}` });
      const neighbour = reports.find((r) => r.id !== report.id && r.algorithm === report.algorithm);
      const other = createVerifier({ ...neighbour.publicMaterial, issuer: `worker-${report.id}` });
      for (const token of report.samples) {
        assert.equal(own.verify(token).payload.worker, report.id);
        assert.throws(() => other.verify(token), { code: 'ERR_JWS_SIGNATURE_INVALID' });
      }
    }
  });
});
