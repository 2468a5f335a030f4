// scopemint's signAsync / verifyAsync (WebCrypto outside Node) against jose in Deno, Bun and
// workerd: ES256, RS256, EdDSA; ops/s medians of interleaved rounds, and the ratio to jose.
//
//   make pkg && node bench/runtimes-async.mjs [--rounds N] [--turn-ms MS] [deno] [bun] [workerd]
//
// Deno loads `scopemint` by name (the universal entry); Bun twice, by name (the Node entry:
// node:crypto, signAsync wraps sign) and the universal entry by path (async on WebCrypto, sync in
// wasm); workerd its own entry,
// configured as tests/runtimes/runners.mjs does. Speed is reported, never asserted.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { bin, makeFixture, moduleClosure, resolveExport, runChild, startWorkerd } from '../tests/runtimes/lib.mjs';
import { ALGORITHMS, LIBRARIES, OPERATIONS } from './runtimes-async/body.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const at = argv.indexOf(name);
  return at < 0 ? fallback : Number(argv.splice(at, 2)[1]);
};
const rounds = option('--rounds', 5);
const turnMs = option('--turn-ms', 300);
const wanted = argv.length ? argv : ['deno', 'bun', 'workerd'];
const ENV = { DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', NO_COLOR: '1' };

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function inProcess(fixture, command, args) {
  const result = await runChild(command, args, { cwd: fixture.dir, timeoutMs: 20 * 60_000, env: ENV });
  const line = result.stdout.split('\n').find((l) => l.startsWith('@@RESULTS@@'));
  if (!line) throw new Error(`${command} failed: ${result.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return JSON.parse(line.slice('@@RESULTS@@'.length));
}

async function workerd(fixture) {
  const conditions = ['workerd', 'worker', 'browser', 'import'];
  const entry = resolveExport(fixture.manifest, conditions);
  const joseDir = join(fixture.dir, 'node_modules', 'jose');
  const joseEntry = resolveExport(JSON.parse(readFileSync(join(joseDir, 'package.json'), 'utf8')), conditions);
  const modules = [
    '(name = "worker.mjs", esModule = embed "runtimes-async/worker.mjs")',
    '(name = "body.mjs", esModule = embed "runtimes-async/body.mjs")',
    ...moduleClosure(fixture.installed, entry).map(({ path, kind }) => `(name = "scopemint/${path}", ${kind} = embed "node_modules/scopemint/${path}")`),
    ...moduleClosure(joseDir, joseEntry).map(({ path, kind }) => `(name = "jose/${path}", ${kind} = embed "node_modules/jose/${path}")`),
  ];
  for (const [name, target] of [['scopemint', `scopemint/${entry}`], ['jose', `jose/${joseEntry}`]]) {
    writeFileSync(join(fixture.dir, `${name}.alias.mjs`), `export * from "./${posix.normalize(target)}";\n`);
    modules.push(`(name = "${name}", esModule = embed "${name}.alias.mjs")`);
  }
  const { server, request, url: base } = await startWorkerd(fixture.dir, modules.map((line) => `    ${line},`), { timeoutMs: 20 * 60_000, env: ENV });
  try {
    const setup = await request({}, 15_000, '/setup');
    if (!setup.ok) throw new Error(`setup: HTTP ${setup.status} ${await setup.text()}`);
    const timed = async (query) => {
      const start = performance.now();
      const response = await fetch(`${base}/batch?${query}`);
      const text = await response.text();
      if (!response.ok) throw new Error(`${query}: HTTP ${response.status} ${text}`);
      return performance.now() - start;
    };
    // The HTTP round trip alone, taken off every batch.
    const empty = [];
    for (let i = 0; i < 20; i++) empty.push(await timed('library=jose&op=sign&alg=ES256&n=0'));
    const overhead = median(empty);
    const turn = async (library, op, alg) => {
      let n = 20;
      for (;;) {
        const ms = await timed(new URLSearchParams({ library, op, alg, n }));
        if (ms >= turnMs || n >= 100_000) return (n * 1000) / Math.max(ms - overhead, 0.001);
        n *= 2;
      }
    };
    const results = {};
    for (const alg of ALGORITHMS) {
      for (const op of OPERATIONS) {
        for (const library of LIBRARIES) await turn(library, op, alg);
        const samples = Object.fromEntries(LIBRARIES.map((library) => [library, []]));
        for (let round = 0; round < rounds; round++) {
          for (let i = 0; i < LIBRARIES.length; i++) {
            const library = LIBRARIES[(round + i) % LIBRARIES.length];
            samples[library].push(await turn(library, op, alg));
          }
        }
        results[`${alg} ${op}`] = samples;
      }
    }
    return results;
  } finally {
    await server.stop();
  }
}

const runs = {
  deno: (fx) => [['deno (universal entry)', () => inProcess(fx, bin('deno'), ['run', '--no-prompt', '--no-lock', '--allow-read=.', 'runtimes-async/child.mjs', 'scopemint', rounds, turnMs])]],
  bun: (fx) => [
    ['bun (Node entry)', () => inProcess(fx, bin('bun'), ['run', 'runtimes-async/child.mjs', 'scopemint', rounds, turnMs])],
    ['bun (universal entry)', () => inProcess(fx, bin('bun'), ['run', 'runtimes-async/child.mjs', '../node_modules/scopemint/dist/universal.mjs', rounds, turnMs])],
  ],
  workerd: (fx) => [['workerd (workerd entry)', () => workerd(fx)]],
};

const fixture = makeFixture();
cpSync(join(import.meta.dirname, 'runtimes-async'), join(fixture.dir, 'runtimes-async'), { recursive: true });
const load = () => (process.platform === 'linux' ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a');
console.log(`# signAsync / verifyAsync vs jose: ops/s, medians of ${rounds} interleaved rounds of ${turnMs} ms; load ${load()}`);
try {
  for (const name of wanted) {
    for (const [label, run] of runs[name](fixture)) {
      let results;
      try {
        results = await run();
      } catch (error) {
        console.log(`\n## ${label}: FAILED ${error.message}`);
        process.exitCode = 1;
        continue;
      }
      console.log(`\n## ${label}`);
      console.log('| operation | scopemint async | scopemint sync | jose | async / jose |');
      console.log('|---|---:|---:|---:|---:|');
      for (const [row, samples] of Object.entries(results)) {
        const m = Object.fromEntries(Object.entries(samples).map(([library, values]) => [library, median(values)]));
        const cell = (v) => Math.round(v).toLocaleString('en-US');
        console.log(`| ${row} | ${cell(m['scopemint async'])} | ${cell(m['scopemint sync'])} | ${cell(m.jose)} | ${(m['scopemint async'] / m.jose).toFixed(2)}× |`);
      }
    }
  }
} finally {
  console.log(`\nload at end ${load()}`);
  rmSync(fixture.dir, { recursive: true, force: true });
}
