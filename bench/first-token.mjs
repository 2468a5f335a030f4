// First-token latency of the universal entry (dist/universal.mjs: inline base64 wasm) in
// Node, Deno, Bun and headless Chromium: from the dynamic import() of the entry to the first
// signed HS256 token, in a fresh process (a fresh browser context) each run. It measures the
// bootstrap (base64 -> bytes -> WebAssembly.Module -> instance) plus one sign; runtime start
// is not included. Node's own entry (dist/node.mjs, Buffer decoding) is measured too.
//
//   node bench/first-token.mjs [--runs N] [--pkg DIR]
//
// --pkg points at another build of the package (e.g. an older one, to compare bootstraps).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './timer.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);

function parseArgs(list) {
  const options = { runs: 7, pkg: join(root, 'pkg') };
  for (let i = 0; i < list.length; i++) {
    if (list[i] === '--runs') options.runs = Number(list[++i]);
    else if (list[i] === '--pkg') options.pkg = resolve(list[++i]);
    else throw new Error(`unknown argument ${list[i]}; usage: node bench/first-token.mjs [--runs N] [--pkg DIR]`);
  }
  return options;
}

// The body each runtime runs; ENTRY is replaced by the entry's URL.
const body = (entry) => `const start = performance.now();
const { createSigner } = await import(${JSON.stringify(entry)});
const token = createSigner({ secret: 'c'.repeat(64), ttlSeconds: 3600 }).sign({ sub: 'user_1' });
const ms = performance.now() - start;
if (token.split('.').length !== 3) throw new Error('no token');
`;

function processRun(command, args, script, dir) {
  const file = join(dir, `first-token-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, `${script}console.log(JSON.stringify({ ms }));\n`);
  try {
    const child = spawnSync(command, [...args, file], { encoding: 'utf8', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
    const line = child.stdout.trim().split('\n').pop();
    if (child.status !== 0 || !line?.startsWith('{')) throw new Error(`${command} failed: ${child.stderr || child.stdout}`);
    return JSON.parse(line).ms;
  } finally {
    rmSync(file, { force: true });
  }
}

const TYPES = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };

async function chromiumRuns(pkg, runs) {
  const { chromium } = await import('playwright-core');
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (path === '/') return response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>first token</title>');
    const file = resolve(pkg, `.${path}`);
    if (!file.startsWith(pkg + sep) || !existsSync(file)) return response.writeHead(404).end();
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    response.end(readFileSync(file));
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext(); // no HTTP or code cache from the previous run
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      times.push(await page.evaluate(`(async () => { ${body(`${origin}/dist/universal.mjs`)} return ms; })()`));
      await context.close();
    }
    return times;
  } finally {
    await browser.close();
    server.close();
  }
}

export async function measureFirstToken({ runs = 7, pkg = join(root, 'pkg') } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'scopemint-first-token-'));
  const universal = pathToFileURL(join(pkg, 'dist', 'universal.mjs')).href;
  const node = pathToFileURL(join(pkg, 'dist', 'node.mjs')).href;
  const rows = {
    'node (universal entry)': () => processRun(process.execPath, [], body(universal), dir),
    'node (node entry)': () => processRun(process.execPath, [], body(node), dir),
    'deno (universal entry)': () => processRun(bin('deno'), ['run', '-A', '--no-lock'], body(universal), dir),
    'bun (universal entry)': () => processRun(bin('bun'), ['run'], body(universal), dir),
  };
  try {
    const result = {};
    for (const [name, run] of Object.entries(rows)) {
      const times = [];
      for (let i = 0; i < runs; i++) times.push(run());
      result[name] = median(times);
    }
    result['chromium (universal entry)'] = median(await chromiumRuns(pkg, runs));
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function firstTokenTable(result, runs) {
  const lines = [`First token: ms from import() of the entry to the first signed HS256 token, median of ${runs} fresh processes (browser contexts)`];
  for (const [name, ms] of Object.entries(result)) lines.push(`  ${name.padEnd(28)} ${ms.toFixed(1)} ms`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2));
  console.log(`package: ${options.pkg}`);
  console.log(firstTokenTable(await measureFirstToken(options), options.runs));
}
