// One runner per runtime. Each loads `scopemint` the way a user of that runtime would
// and runs tests/runtimes/conformance.mjs inside it. A runner resolves to
// { entry, results } (entry relative to the installed package) or throws an Error whose
// message says why the runtime could not start or answer: run-all counts that as a failure.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bin, describeFailure, moduleClosure, parseMarked, resolveExport, root, runChild, startWorkerd, staticServer,
} from './lib.mjs';

const CHILD_TIMEOUT_MS = 60_000;
// No update checks or telemetry from the runtimes: the test machine has no general network.
const QUIET_ENV = { DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', NO_COLOR: '1' };

// Entry as a path inside the installed package ("dist/node.mjs"), from a path or URL.
function packageRelative(fixture, entry) {
  if (typeof entry !== 'string') return String(entry);
  const file = entry.startsWith('file:') ? fileURLToPath(entry) : entry;
  const rel = relative(realpathSync(fixture.installed), realpathSync(file));
  return rel.split(sep).join('/');
}

async function processRunner(fixture, command, args) {
  const result = await runChild(command, args, { cwd: fixture.dir, timeoutMs: CHILD_TIMEOUT_MS, env: QUIET_ENV });
  const marked = result.code === 0 ? parseMarked(result.stdout) : undefined;
  if (!marked) throw new Error(describeFailure(result));
  return { entry: packageRelative(fixture, marked.entry), results: marked.results, stderr: result.stderr.trim() };
}

async function workerdRunner(fixture) {
  const conditions = ['workerd', 'worker', 'browser', 'import'];
  const entry = resolveExport(fixture.manifest, conditions);
  if (!entry) throw new Error(`exports["."] has no entry for conditions ${conditions.join(', ')}`);
  // Every package file is a module named `scopemint/<path>`, so relative imports between them
  // resolve to one module each (one TokenError class); the names the worker imports by
  // (`scopemint`, `scopemint/decode`) are one-line modules re-exporting their entry.
  const decodeEntry = resolveExport(fixture.manifest, conditions, './decode');
  if (!decodeEntry) throw new Error(`exports["./decode"] has no entry for conditions ${conditions.join(', ')}`);
  const files = new Map();
  for (const start of [entry, decodeEntry]) {
    for (const { path, kind } of moduleClosure(fixture.installed, start)) files.set(path, kind);
  }
  const modules = [...files].map(([path, kind]) =>
    `    (name = "scopemint/${path}", ${kind} = embed "node_modules/${fixture.manifest.name}/${path}"),`);
  // jose (the async checks' reference) the same way, as modules named `jose/<path>`.
  const joseDir = join(fixture.dir, 'node_modules', 'jose');
  const joseEntry = resolveExport(JSON.parse(readFileSync(join(joseDir, 'package.json'), 'utf8')), conditions);
  for (const { path, kind } of moduleClosure(joseDir, joseEntry)) {
    modules.push(`    (name = "jose/${path}", ${kind} = embed "node_modules/jose/${path}"),`);
  }
  for (const [name, target] of [['scopemint', `scopemint/${entry}`], ['scopemint/decode', `scopemint/${decodeEntry}`], ['jose', `jose/${joseEntry}`]]) {
    const file = `${name.replace('/', '-')}.alias.mjs`;
    // workerd resolves every specifier against the importing module's name, like a path.
    const from = posix.relative(posix.dirname(name), target);
    writeFileSync(join(fixture.dir, file), `export * from "./${from}";\n`);
    modules.push(`    (name = "${name}", esModule = embed "${file}"),`);
  }
  const { server, request } = await startWorkerd(fixture.dir, [
    '    (name = "worker.mjs", esModule = embed "worker.mjs"),',
    '    (name = "conformance.mjs", esModule = embed "conformance.mjs"),',
    ...modules,
  ], { timeoutMs: CHILD_TIMEOUT_MS, env: QUIET_ENV });
  try {
    const response = await request({}, 15_000);
    const body = await response.text();
    if (!response.ok) {
      await new Promise((r) => setTimeout(r, 200)); // let workerd flush the exception to stderr
      throw new Error(`HTTP ${response.status} ${body.trim()} | ${server.output().stderr.trim().split('\n').slice(-12).join(' | ')}`);
    }
    return { entry, results: JSON.parse(body).results, stderr: server.output().stderr.trim() };
  } finally {
    await server.stop();
  }
}

async function chromiumRunner(fixture) {
  const executablePath = '/usr/bin/chromium';
  const conditions = ['browser', 'import'];
  const entry = resolveExport(fixture.manifest, conditions);
  if (!entry) throw new Error(`exports["."] has no entry for conditions ${conditions.join(', ')}`);
  const decodeEntry = resolveExport(fixture.manifest, conditions, './decode');
  const joseEntry = resolveExport(JSON.parse(readFileSync(join(fixture.dir, 'node_modules', 'jose', 'package.json'), 'utf8')), conditions);
  const importMap = {
    imports: {
      [fixture.manifest.name]: `/node_modules/${fixture.manifest.name}/${entry}`,
      [`${fixture.manifest.name}/decode`]: `/node_modules/${fixture.manifest.name}/${decodeEntry}`,
      jose: `/node_modules/jose/${joseEntry}`,
    },
  };
  const page = readFileSync(join(fixture.dir, 'page.html'), 'utf8').replace('__IMPORT_MAP__', JSON.stringify(importMap));
  writeFileSync(join(fixture.dir, 'index.html'), page);

  const { chromium } = await import('playwright-core');
  const server = await staticServer(fixture.dir);
  const userDataDir = mkdtempSync(join(tmpdir(), 'scopemint-chromium-'));
  let context;
  const timer = setTimeout(() => { context?.close().catch(() => {}); }, CHILD_TIMEOUT_MS);
  try {
    // launchPersistentContext is how playwright takes a user data dir (it rejects the flag in args).
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      timeout: 30_000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const tab = context.pages()[0] ?? (await context.newPage());
    const problems = [];
    tab.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    tab.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
    await tab.goto(`http://127.0.0.1:${server.address().port}/index.html`, { timeout: 20_000 });
    let outcome;
    try {
      const handle = await tab.waitForFunction(() => window.__results ?? (window.__loadError && { loadError: window.__loadError }), null, { timeout: 20_000 });
      outcome = await handle.jsonValue();
    } catch (error) {
      outcome = { loadError: `no results within 20 s (${error.message.split('\n')[0]})` };
    }
    const shot = join(root, 'test-output', 'runtimes', 'chromium.png');
    mkdirSync(join(root, 'test-output', 'runtimes'), { recursive: true });
    await tab.screenshot({ path: shot, fullPage: true });
    if (outcome.loadError) throw new Error(`${outcome.loadError}${problems.length ? ` | ${problems.join(' | ')}` : ''}`);
    const version = context.browser()?.version() ?? 'unknown version';
    return {
      entry: outcome.entry.replace(`/node_modules/${fixture.manifest.name}/`, ''),
      results: outcome.results,
      stderr: [`Chromium ${version}, screenshot ${relative(root, shot)}`, ...problems].join('\n'),
    };
  } finally {
    clearTimeout(timer);
    await context?.close().catch(() => {});
    server.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

// `conditions` is what that runtime matches, in its own order of preference, so the
// runner can say which entry it should have loaded; key order in the exports map decides.
export const runners = [
  { name: 'node-cjs', conditions: ['node', 'require'],
    run: (fx) => processRunner(fx, process.execPath, ['node-cjs.cjs']) },
  { name: 'node-esm', conditions: ['node', 'import'],
    run: (fx) => processRunner(fx, process.execPath, ['esm.mjs']) },
  // Deno reads node_modules/ directly when the project has a package.json (no npm: specifiers,
  // no registry). No permissions at all: module loading needs none, and the `deno` entry
  // (inline wasm) must not read files. If the `deno` condition went missing, Deno would pick
  // dist/node.mjs, which fails here with NotCapable (read access to the .wasm).
  { name: 'deno', conditions: ['deno', 'node', 'import'],
    run: (fx) => processRunner(fx, bin('deno'), ['run', '--no-prompt', '--no-lock', 'esm.mjs']) },
  { name: 'bun', conditions: ['bun', 'node', 'import'],
    run: (fx) => processRunner(fx, bin('bun'), ['run', 'esm.mjs']) },
  { name: 'workerd', conditions: ['workerd', 'worker', 'browser', 'import'], run: workerdRunner },
  { name: 'chromium', conditions: ['browser', 'import'], run: chromiumRunner },
];
