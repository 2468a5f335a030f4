// Throughput outside Node: Deno, Bun, workerd and headless Chromium each run
// runtime-bench.mjs (scopemint against jose, and fast-jwt where it loads) and hand back
// their figures. Each runtime is started the way tests/runtimes/ starts it, with that
// file's helpers: deno and bun from node_modules/.bin (from the repository root, so
// `scopemint` resolves through the package's exports map), workerd from a generated config
// whose modules are the installed package files, Chromium through playwright-core.
//
//   node bench/runtimes.mjs [--quick] [deno bun workerd chromium]
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bin, makeFixture, moduleClosure, resolveExport, runChild, startWorkerd, staticServer,
} from '../tests/runtimes/lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const MARKER = '@@SCOPEMINT_BENCH@@';
const QUIET_ENV = { DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', NO_COLOR: '1' };
// Files of bench/ that runtime-bench.mjs needs, copied with their relative layout.
const BENCH_FILES = ['bench/runtime-bench.mjs', 'bench/timer.mjs'];

async function versionOf(command, args) {
  const result = await runChild(command, args, { timeoutMs: 15_000, env: QUIET_ENV });
  return result.code === 0 ? result.stdout.trim().split('\n')[0] : 'version unknown';
}

async function processRuntime(command, args, config, timeoutMs) {
  const result = await runChild(command, [...args, 'bench/runtime-entries/process.mjs'], {
    cwd: root, timeoutMs, env: { ...QUIET_ENV, SCOPEMINT_BENCH_CONFIG: JSON.stringify(config) },
  });
  const line = result.stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (result.code !== 0 || !line) throw new Error(describeFailure(result));
  const outcome = JSON.parse(line.slice(MARKER.length));
  return { ...outcome, entry: relativeEntry(outcome.entry) };
}

// "dist/universal.mjs" from the URL the runtime resolved `scopemint` to.
function relativeEntry(url) {
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  const at = path.lastIndexOf(`${sep}dist${sep}`);
  return at < 0 ? path : path.slice(at + 1).split(sep).join('/');
}

// A throwaway project with scopemint installed as npm would (tests/runtimes' fixture),
// plus jose and the bench files.
function benchFixture() {
  const fixture = makeFixture();
  cpSync(join(root, 'node_modules', 'jose'), join(fixture.dir, 'node_modules', 'jose'), { recursive: true, dereference: true });
  for (const file of [...BENCH_FILES, 'bench/runtime-entries/worker.mjs', 'bench/runtime-entries/page.html']) {
    mkdirSync(join(fixture.dir, posix.dirname(file)), { recursive: true });
    cpSync(join(root, file), join(fixture.dir, file));
  }
  fixture.jose = JSON.parse(readFileSync(join(root, 'node_modules', 'jose', 'package.json'), 'utf8'));
  return fixture;
}

async function workerd(config, timeoutMs) {
  const fixture = benchFixture();
  try {
    const conditions = ['workerd', 'worker', 'browser', 'import'];
    const entries = {
      scopemint: `node_modules/scopemint/${resolveExport(fixture.manifest, conditions)}`,
      jose: `node_modules/jose/${resolveExport(fixture.jose, conditions)}`,
    };
    // Each file is a module named by its path in the fixture, so relative imports resolve;
    // `scopemint` and `jose` are one-line modules re-exporting their entries.
    // The worker imports the two bare names, so its own closure is walked from runtime-bench.mjs.
    const files = new Map([['bench/runtime-entries/worker.mjs', 'esModule']]);
    for (const start of [...Object.values(entries), BENCH_FILES[0]]) {
      for (const { path, kind } of moduleClosure(fixture.dir, start)) files.set(path, kind);
    }
    const modules = [...files].map(([path, kind]) => `    (name = "${path}", ${kind} = embed "${path}"),`);
    // workerd resolves a bare name against the importing module's name, like a path.
    for (const [name, target] of Object.entries(entries)) {
      writeFileSync(join(fixture.dir, `${name}.alias.mjs`), `export * from "${posix.relative('bench/runtime-entries', target)}";\n`);
      modules.push(`    (name = "bench/runtime-entries/${name}", esModule = embed "${name}.alias.mjs"),`);
    }
    const { server, request } = await startWorkerd(fixture.dir, modules, { timeoutMs, env: QUIET_ENV });
    try {
      const response = await request({ method: 'POST', body: JSON.stringify(config) }, timeoutMs);
      const body = await response.text();
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${body.trim().split('\n').slice(0, 4).join(' | ')}`);
      return { ...JSON.parse(body), entry: resolveExport(fixture.manifest, conditions) };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(fixture.dir, { recursive: true, force: true });
  }
}

async function chromium(config, timeoutMs) {
  const fixture = benchFixture();
  const conditions = ['browser', 'import'];
  const entry = resolveExport(fixture.manifest, conditions);
  const importMap = { imports: { scopemint: `/node_modules/scopemint/${entry}`, jose: `/node_modules/jose/${resolveExport(fixture.jose, conditions)}` } };
  const page = readFileSync(join(fixture.dir, 'bench/runtime-entries/page.html'), 'utf8').replace('__IMPORT_MAP__', JSON.stringify(importMap));
  writeFileSync(join(fixture.dir, 'index.html'), page);
  const server = await staticServer(fixture.dir);
  const { chromium: launcher } = await import('playwright-core');
  let browser;
  try {
    browser = await launcher.launch({
      executablePath: '/usr/bin/chromium',
      timeout: 30_000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--js-flags=--expose-gc'],
    });
    const tab = await browser.newPage();
    const problems = [];
    tab.on('pageerror', (error) => problems.push(error.message));
    await tab.goto(`http://127.0.0.1:${server.address().port}/index.html`, { timeout: 20_000 });
    const run = tab.evaluate(async (benchConfig) => {
      const [scopemint, jose, { runBench }] = await Promise.all([import('scopemint'), import('jose'), import('/bench/runtime-bench.mjs')]);
      return runBench({ scopemint, jose, fastJwt: null }, benchConfig);
    }, config);
    let timer;
    const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no result within ${timeoutMs} ms`)), timeoutMs); });
    try {
      const result = await Promise.race([run, timeout]);
      return { entry, version: `Chromium ${browser.version()}`, fastJwtError: 'not loaded: fast-jwt needs node:crypto', ...result };
    } catch (error) {
      throw new Error(`${error.message.split('\n')[0]}${problems.length ? ` | ${problems.join(' | ')}` : ''}`);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await browser?.close();
    server.close();
    rmSync(fixture.dir, { recursive: true, force: true });
  }
}

export const runtimeNames = ['deno', 'bun', 'workerd', 'chromium'];

const runners = {
  deno: {
    version: () => versionOf(bin('deno'), ['--version']),
    // Env for the config, read for fast-jwt's CommonJS files; nothing else.
    run: (config, ms) => processRuntime(bin('deno'), ['run', '--no-prompt', '--no-lock', '--allow-env=SCOPEMINT_BENCH_CONFIG', '--allow-read', '--v8-flags=--expose-gc'], config, ms),
  },
  bun: { version: async () => `bun ${await versionOf(bin('bun'), ['--version'])}`, run: (config, ms) => processRuntime(bin('bun'), ['run'], config, ms) },
  workerd: { version: () => versionOf(bin('workerd'), ['--version']), run: workerd },
  chromium: { version: () => versionOf('/usr/bin/chromium', ['--version']), run: chromium },
};

/**
 * { [runtime]: { version, entry, libraries, rows, fastJwtError } or { version, error } }.
 * A runtime that cannot start or fails the correctness gate gets `error`, never figures.
 */
export async function measureRuntimes({ keys, claims, algorithms, settings, only = runtimeNames, log = () => {} }) {
  const config = { keys, claims, algorithms, settings };
  const timeoutMs = 120_000 + algorithms.length * 2 * 4 * (settings.warmupMs + settings.rounds * settings.roundMs) * 3;
  const results = {};
  for (const name of only) {
    log(`runtime ${name}`);
    const version = await runners[name].version();
    try {
      results[name] = { version, ...(await runners[name].run(config, timeoutMs)) };
    } catch (error) {
      results[name] = { version, error: error.message };
    }
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.filter((a) => !a.startsWith('--'));
  const { makeKeys, algorithms } = await import('./keys.mjs');
  const { payloads } = await import('./payloads.mjs');
  const { runtimesTable } = await import('./table.mjs');
  const settings = quick ? { warmupMs: 30, rounds: 1, roundMs: 60 } : { warmupMs: 200, rounds: 5, roundMs: 200 };
  const results = await measureRuntimes({
    keys: makeKeys(), claims: payloads[0].claims, algorithms, settings,
    only: only.length ? only : runtimeNames, log: (t) => process.stderr.write(`${t}\n`),
  });
  console.log(runtimesTable(results));
  process.exitCode = Object.values(results).some((r) => r.error) ? 1 : 0;
}
