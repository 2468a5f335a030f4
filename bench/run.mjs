// scopemint benchmark harness. Usage: node bench/run.mjs [--quick] [--json FILE] [--chart FILE.svg]
// See bench/README.md for what each figure means.
import { spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--'); // tolerate `npm/make ... -- --quick`

// gc() between measurements keeps one library's garbage from being collected
// on the next one's clock, and the memory readings need it too.
if (typeof globalThis.gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

function parseArgs(list) {
  const options = { quick: false, json: null, chart: null };
  for (let i = 0; i < list.length; i++) {
    if (list[i] === '--quick') options.quick = true;
    else if ((list[i] === '--json' || list[i] === '--chart') && list[i + 1]) options[list[i].slice(2)] = list[++i];
    else if (list[i].startsWith('--json=')) options.json = list[i].slice('--json='.length);
    else if (list[i].startsWith('--chart=')) options.chart = list[i].slice('--chart='.length);
    else {
      console.error(`unknown argument ${list[i]}\nusage: node bench/run.mjs [--quick] [--json FILE] [--chart FILE.svg]`);
      process.exit(2);
    }
  }
  return options;
}

const options = parseArgs(args);
const settings = options.quick
  ? { warmupMs: 50, rounds: 1, roundMs: 100, memorySigns: 50_000, coldStartRuns: 10, runtimes: { warmupMs: 30, rounds: 1, roundMs: 60 } }
  : { warmupMs: 300, rounds: 5, roundMs: 500, memorySigns: 1_000_000, coldStartRuns: 10, runtimes: { warmupMs: 200, rounds: 5, roundMs: 200 } };
const log = (text) => process.stderr.write(`${text}\n`); // progress; stdout is the report

function git(...gitArgs) {
  try {
    return execFileSync('git', gitArgs, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const versionOf = (name) => JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')).version;
const wasmSha = createHash('sha256').update(readFileSync(`${root}pkg/dist/scopemint.wasm`)).digest('hex').slice(0, 12);

const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
  loadavgStart: loadavg().map((l) => +l.toFixed(2)),
  commit: git('rev-parse', '--short', 'HEAD'),
  // The package is built from the working tree, which may differ from HEAD.
  uncommittedSrc: (git('status', '--porcelain', '--', 'src', 'pkg-template', 'Cargo.toml') ?? '') !== '',
  wasmSha256: wasmSha,
  versions: { scopemint: versionOf('scopemint'), 'fast-jwt': versionOf('fast-jwt'), jose: versionOf('jose'), jsonwebtoken: versionOf('jsonwebtoken') },
  mode: options.quick ? 'quick' : 'full',
  settings,
};

// 1. Memory first, while scopemint is the only library loaded.
log(`memory: ${settings.memorySigns} scopemint HS256 signs`);
const { measureMemory } = await import('./memory.mjs');
const memory = measureMemory(settings.memorySigns);

// 2. Throughput.
const { libraries, jose } = await import('./libs/index.mjs');
const { payloads } = await import('./payloads.mjs');
const { algorithms, makeKeys } = await import('./keys.mjs');
const { checkLibrary } = await import('./check.mjs');
const { makeLoop, median } = await import('./timer.mjs');
const keys = makeKeys();
const names = libraries.map((lib) => lib.name);

const freshCopy = (verify) => verify && ((bytes) => verify(bytes.toString('latin1')));

async function measureRow(cells) {
  const live = cells.filter((c) => c.fn);
  for (const cell of live) {
    cell.loop = makeLoop(cell.isAsync);
    await cell.loop(cell.fn, cell.arg, settings.warmupMs);
    cell.samples = [];
  }
  for (let round = 0; round < settings.rounds; round++) {
    // Rotate who goes first so no library always runs right after a warm-up or a GC.
    for (let i = 0; i < live.length; i++) {
      const cell = live[(i + round) % live.length];
      globalThis.gc();
      cell.samples.push(await cell.loop(cell.fn, cell.arg, settings.roundMs));
    }
  }
  return Object.fromEntries(cells.map((c) => [c.lib, c.fn ? median(c.samples) : null]));
}

const rows = [];
for (const { name: payloadName, claims } of payloads) {
  for (const alg of algorithms) {
    const context = { alg, key: keys[alg], claims };
    const prepared = [];
    for (const lib of libraries) {
      const ops = await lib.prepare(context);
      const token = ops ? await checkLibrary(lib.name, ops, context) : null;
      prepared.push({ lib, ops, token });
    }
    // A cache may decline a token (scopemint caches only tokens with `exp`):
    // then the cached row measures plain verify and must say so. A hit returns
    // the very same result object.
    for (const p of prepared) {
      const cached = p.ops?.verifyCached;
      p.cacheMiss = cached ? (await cached(p.token)) !== (await cached(p.token)) : false;
    }
    // scopemint's tokens must be standard JWTs, not just self-consistent.
    const ownToken = prepared[0].token;
    const { iat, ...rest } = await jose.verifyForeign(ownToken, context);
    if (typeof iat !== 'number' || JSON.stringify(rest) !== JSON.stringify(claims)) throw new Error(`jose read different claims from scopemint's ${alg} token`);

    const rowOps = [
      ['sign', (p) => p.ops?.sign, () => undefined],
      ['verify', (p) => p.ops?.verify, (p) => p.token],
      // Each cached verify gets a new copy of the token, as a server does per
      // request: reusing one string lets V8 keep its hash, so a Map-keyed cache
      // looked ~10x faster than it is. The copy (~0.2 us) is paid by every library.
      ['verify (cached)', (p) => freshCopy(p.ops?.verifyCached), (p) => p.token && Buffer.from(p.token, 'latin1')],
    ];
    for (const [op, pick, argOf] of rowOps) {
      log(`${payloadName} ${alg} ${op}`);
      const cells = prepared.map((p) => ({ lib: p.lib.name, fn: pick(p) ?? null, arg: argOf(p), isAsync: p.lib.isAsync }));
      if (op === 'verify (cached)' && !cells.some((c) => c.fn)) continue;
      const opsPerSec = await measureRow(cells);
      const peerBest = Math.max(...names.slice(1).map((n) => opsPerSec[n] ?? 0));
      const ratio = opsPerSec.scopemint == null ? null : opsPerSec.scopemint / peerBest;
      const notCached = op === 'verify (cached)' ? prepared.filter((p) => p.cacheMiss).map((p) => p.lib.name) : [];
      rows.push({ payload: payloadName, alg, op, opsPerSec, ratio, notCached, payloadBytes: Buffer.byteLength(JSON.stringify(claims)) });
    }
  }
}

// 3. The other runtimes, each in its own process (browser), the tinybird payload.
log('other runtimes: Deno, Bun, workerd, Chromium');
const { measureRuntimes, runtimeNames } = await import('./runtimes.mjs');
const runtimes = await measureRuntimes({ keys, claims: payloads[0].claims, algorithms, settings: settings.runtimes, log });

// 4. Cold start and size: separate processes and files, so order does not matter.
log(`cold start: ${settings.coldStartRuns} processes per library`);
const { measureColdStart } = await import('./coldstart.mjs');
const coldStart = measureColdStart(settings.coldStartRuns);
const firstTokenRuns = options.quick ? 3 : 7;
log(`first token: ${firstTokenRuns} runs per runtime (Node, Deno, Bun, Chromium)`);
const { measureFirstToken, firstTokenTable } = await import('./first-token.mjs');
const firstToken = await measureFirstToken({ runs: firstTokenRuns });
const { measureSizes } = await import('./sizes.mjs');
const sizes = measureSizes();
meta.loadavgEnd = loadavg().map((l) => +l.toFixed(2));

// 5. Report.
const { throughputTable, runtimesTable, coldStartTable, sizesTable, memoryText } = await import('./table.mjs');
const payloadSizes = payloads.map((p) => `${p.name} ${Buffer.byteLength(JSON.stringify(p.claims))} B`).join(', ');
console.log(`scopemint ${meta.versions.scopemint} (wasm ${meta.wasmSha256}, commit ${meta.commit}${meta.uncommittedSrc ? ' + uncommitted src changes' : ''})` +
  ` vs fast-jwt ${meta.versions['fast-jwt']}, jose ${meta.versions.jose}, jsonwebtoken ${meta.versions.jsonwebtoken}`);
console.log(`node ${meta.node}, ${meta.cpus}, load ${meta.loadavgStart.join(' ')} -> ${meta.loadavgEnd.join(' ')}, ${meta.date}`);
console.log(`mode ${meta.mode}: median of ${settings.rounds} round(s) x ${settings.roundMs} ms after ${settings.warmupMs} ms warm-up; payload JSON: ${payloadSizes}`);
console.log('');
console.log(throughputTable(rows, names));
console.log('');
console.log(runtimesTable(runtimes));
console.log('');
console.log(coldStartTable(coldStart, settings.coldStartRuns));
console.log('');
console.log(firstTokenTable(firstToken, firstTokenRuns));
console.log('');
console.log(sizesTable(sizes));
console.log('');
console.log(memoryText(memory));

const result = { meta, throughput: rows, runtimes, coldStartMs: coldStart, firstTokenMs: firstToken, sizes, memory };
if (options.json) {
  writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${options.json}`);
}
if (options.chart) {
  // The same drawing as `node bench/chart.mjs FILE.json OUT.svg` makes from the JSON.
  const { chartSvg } = await import('./chart.mjs');
  writeFileSync(options.chart, chartSvg(JSON.parse(JSON.stringify(result))));
  log(`wrote ${options.chart}`);
}

// Every runtime must have produced a figure for every algorithm and operation (speed is
// never judged here): a runtime that could not start or failed the gate fails the run.
const missing = runtimeNames.flatMap((name) => {
  const result = runtimes[name];
  if (!result || result.error) return [`${name}: ${result?.error ?? 'not run'}`];
  return algorithms.flatMap((alg) => ['sign', 'verify'].flatMap((op) => {
    const row = result.rows.find((r) => r.alg === alg && r.op === op);
    const bad = ['scopemint', 'jose'].filter((lib) => !(row?.opsPerSec[lib] > 0));
    return bad.length ? [`${name} ${alg} ${op}: no figure for ${bad.join(', ')}`] : [];
  }));
});
if (missing.length) {
  console.error(`runtimes without figures:\n  ${missing.join('\n  ')}`);
  process.exitCode = 1;
}
