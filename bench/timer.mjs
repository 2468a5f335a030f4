// Times one operation for a fixed wall-clock budget and returns ops/s.
//
// The loop is compiled afresh for every call site (new Function) so V8's
// inline caches only ever see one library's closure: a shared loop would go
// megamorphic after the first few libraries and tax the later ones unevenly.
// Where code generation from strings is forbidden (workerd), a closure with
// the same body is the fallback. No imports: every runtime loads this file.
// The clock is read once per batch; batches double until they take >= 2 ms so
// performance.now() is a negligible share of fast operations.

const AsyncFunction = (async () => {}).constructor;

const body = (awaitKw) => `
  let ops = 0, batch = 1, sink = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    const batchStart = now;
    for (let i = 0; i < batch; i++) {
      const r = ${awaitKw} fn(arg);
      sink += r === undefined ? 0 : 1; // use the result so nothing is dead code
    }
    ops += batch;
    now = performance.now();
    if (now - batchStart < 2) batch *= 2;
  }
  if (sink !== ops) throw new Error('operation returned undefined');
  return ops / ((now - start) / 1000);
`;

/** A fresh timing loop: (fn, arg, ms) => ops/s (a Promise of it when isAsync). */
export function makeLoop(isAsync) {
  try {
    return isAsync ? new AsyncFunction('fn', 'arg', 'ms', body('await')) : new Function('fn', 'arg', 'ms', body(''));
  } catch {
    return isAsync ? closureLoopAsync : closureLoop;
  }
}

function closureLoop(fn, arg, ms) {
  let ops = 0, batch = 1, sink = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    const batchStart = now;
    for (let i = 0; i < batch; i++) sink += fn(arg) === undefined ? 0 : 1;
    ops += batch;
    now = performance.now();
    if (now - batchStart < 2) batch *= 2;
  }
  if (sink !== ops) throw new Error('operation returned undefined');
  return ops / ((now - start) / 1000);
}

async function closureLoopAsync(fn, arg, ms) {
  let ops = 0, batch = 1, sink = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    const batchStart = now;
    for (let i = 0; i < batch; i++) sink += (await fn(arg)) === undefined ? 0 : 1;
    ops += batch;
    now = performance.now();
    if (now - batchStart < 2) batch *= 2;
  }
  if (sink !== ops) throw new Error('operation returned undefined');
  return ops / ((now - start) / 1000);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
