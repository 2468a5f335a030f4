// Plain-text rendering of the figures run.mjs collects (the JSON is the same data).

const fmtOps = (v) => (v == null ? 'n/a' : Math.round(v).toLocaleString('en-US'));
const fmtKiB = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const fmtMiB = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

function grid(header, rows, textColumns) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  // Text columns left-aligned, numbers right-aligned.
  const line = (cells) => cells.map((c, i) => (i < textColumns ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function throughputTable(rows, libraryNames) {
  const header = ['payload', 'alg', 'op', ...libraryNames.map((n) => `${n} ops/s`), 'vs best peer'];
  const cell = (r, n) => fmtOps(r.opsPerSec[n]) + (r.notCached?.includes(n) ? '*' : '');
  const table = grid(header, rows.map((r) => [r.payload, r.alg, r.op, ...libraryNames.map((n) => cell(r, n)), r.ratio == null ? 'n/a' : `${r.ratio.toFixed(2)}x`]), 3);
  const starred = rows.some((r) => r.notCached?.length);
  return starred ? `${table}\n* cache on, but this library did not cache the token (a repeat verify was not a hit), so this is uncached verify` : table;
}

export function coldStartTable(coldStart, runs) {
  return `Cold start (median of ${runs} fresh processes: import + HS256 signer + 1 sign)\n` +
    grid(['library', 'wall ms'], Object.entries(coldStart).map(([name, ms]) => [name, ms.toFixed(1)]), 1);
}

export function sizesTable(sizes) {
  return 'Shipped wasm size (gzip: node:zlib level 9)\n' +
    grid(['file', 'raw bytes', 'raw', 'gzip bytes', 'gzip'], sizes.map((s) => [s.file, s.raw, fmtKiB(s.raw), s.gzip, fmtKiB(s.gzip)]), 1);
}

export function memoryText(m) {
  const rows = [
    ['RSS', fmtMiB(m.before.rss), fmtMiB(m.after.rss), fmtMiB(m.after.rss - m.before.rss)],
    ['JS heap used', fmtMiB(m.before.heapUsed), fmtMiB(m.after.heapUsed), fmtMiB(m.after.heapUsed - m.before.heapUsed)],
  ];
  if (m.wasmMemoryReachable) rows.push(['wasm memory', fmtMiB(m.before.wasmMemory), fmtMiB(m.after.wasmMemory), fmtMiB(m.after.wasmMemory - m.before.wasmMemory)]);
  const notes = [
    m.gcExposed ? 'gc() run before each reading.' : 'WARNING: no --expose-gc, readings include garbage.',
    m.wasmMemoryReachable ? '' : 'wasm memory: not reachable (pkg/dist/scopemint.mjs does not export the instance or its memory); RSS includes it.',
  ].filter(Boolean);
  const width = Math.max(...rows.map((r) => r[0].length));
  return `Memory: scopemint, ${m.signs.toLocaleString('en-US')} HS256 signs of the tinybird payload\n` +
    `${''.padEnd(width)}  ${'before'.padStart(10)}  ${'after'.padStart(10)}  ${'delta'.padStart(10)}\n` +
    rows.map((r) => `${r[0].padEnd(width)}  ${r.slice(1).map((c) => c.padStart(10)).join('  ')}`).join('\n') + '\n' + notes.join('\n');
}

const fmtRatio = (v) => (v == null ? 'n/a' : `${v.toFixed(2)}x`);

/** The cross-runtime figures (runtimes.mjs): one row per runtime, algorithm and operation. */
export function runtimesTable(results) {
  const columns = ['scopemint', 'scopemint async', 'jose', 'fast-jwt'];
  const rows = [];
  const notes = [];
  for (const [runtime, result] of Object.entries(results)) {
    notes.push(`  ${runtime}: ${result.version}${result.entry ? `, scopemint entry ${result.entry}` : ''}` +
      `${result.fastJwtError ? `; fast-jwt ${result.fastJwtError.startsWith('not loaded') ? result.fastJwtError : `did not load (${result.fastJwtError})`}` : ''}`);
    if (result.error) {
      notes.push(`  ${runtime}: FAILED: ${result.error}`);
      continue;
    }
    for (const r of result.rows) {
      rows.push([runtime, r.alg, r.op, ...columns.map((c) => fmtOps(r.opsPerSec[c])), fmtRatio(r.ratio), fmtRatio(r.asyncRatio)]);
    }
  }
  const header = ['runtime', 'alg', 'op', ...columns.map((c) => `${c} ops/s`), 'vs jose', 'async vs jose'];
  return `Other runtimes (tinybird payload; "scopemint async" = signAsync / verifyAsync; vs jose = scopemint / jose ops/s)\n` +
    `${notes.join('\n')}\n${rows.length ? grid(header, rows, 3) : '(no figures)'}`;
}
