// Helpers for the runtime runners (and bench/runtimes.mjs): the package fixture, exports-map
// resolution, child processes with hard timeouts, free ports, workerd from a generated config,
// a static file server for Chromium. Node-only (the runners run in Node).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, posix, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const pkgDir = join(root, 'pkg');
export const serverPkgDir = join(root, 'pkg-server');
export const bin = (name) => join(root, 'node_modules', '.bin', name);

// Marks the one line of child output that carries the results, so stray logs don't matter.
export const MARKER = '@@SCOPEMINT_CONFORMANCE@@';

// A throwaway project that has scopemint installed the way npm would install it:
// a real copy (not a symlink) of package.json plus the `files` it publishes. A copy also
// keeps the run stable if someone runs `make pkg` (which deletes pkg/) meanwhile.
export function makeFixture() {
  const manifestPath = join(pkgDir, 'package.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run \`make pkg\` first`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'scopemint-runtimes-'));
  const installed = join(dir, 'node_modules', manifest.name);
  mkdirSync(installed, { recursive: true });
  for (const entry of ['package.json', ...(manifest.files ?? [])]) {
    if (existsSync(join(pkgDir, entry))) cpSync(join(pkgDir, entry), join(installed, entry), { recursive: true, dereference: true });
  }
  // `scopemint/server` loads its wasm from the optional package @scopemint/server-wasm (pkg-server/).
  const serverManifest = JSON.parse(readFileSync(join(serverPkgDir, 'package.json'), 'utf8'));
  const serverInstalled = join(dir, 'node_modules', serverManifest.name);
  mkdirSync(serverInstalled, { recursive: true });
  for (const entry of ['package.json', ...serverManifest.files]) {
    cpSync(join(serverPkgDir, entry), join(serverInstalled, entry), { dereference: true });
  }
  // jose, the independent implementation the async checks compare with, installed beside it.
  const jose = join(root, 'node_modules', 'jose');
  for (const entry of ['package.json', 'dist/webapi']) cpSync(join(jose, entry), join(dir, 'node_modules', 'jose', entry), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scopemint-runtime-fixture', private: true, type: 'module' }, null, 2));
  // The shared check body sits next to each runtime's entry file.
  cpSync(join(here, 'conformance.mjs'), join(dir, 'conformance.mjs'));
  for (const file of ['node-cjs.cjs', 'esm.mjs', 'worker.mjs', 'page.html']) cpSync(join(here, 'entries', file), join(dir, file));
  return { dir, manifest, installed };
}

// Resolves `exports["."]` for an ordered condition set, the way Node's algorithm does
// (object key order decides, first matching condition wins). Used to pick the entry
// for runtimes that have no resolver of their own (workerd config, browser import map)
// and to state which entry each runtime is expected to load.
export function resolveExport(manifest, conditions, subpath = '.') {
  const walk = (target) => {
    if (typeof target === 'string') return target;
    if (target === null || typeof target !== 'object') return undefined;
    for (const [key, value] of Object.entries(target)) {
      if (key === 'default' || conditions.includes(key)) {
        const found = walk(value);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  const exportsField = manifest.exports;
  const target = typeof exportsField === 'string' || !exportsField || !Object.keys(exportsField).some((k) => k.startsWith('.'))
    ? (subpath === '.' ? exportsField : undefined)
    : exportsField[subpath];
  const found = walk(target);
  return found === undefined ? undefined : posix.normalize(found);
}

// Static import/export-from specifiers of an ES module (enough for generated glue code).
export function staticImports(source) {
  const specifiers = new Set();
  const pattern = /(?:^|[;\n])\s*(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?['"]([^'"]+)['"]/g;
  for (const match of source.matchAll(pattern)) specifiers.add(match[1]);
  return [...specifiers];
}

// The relative-import closure of a package entry: [{ path, kind }], paths relative to the package root.
export function moduleClosure(packageDir, entry) {
  const seen = new Map();
  const visit = (path) => {
    if (seen.has(path)) return;
    const kind = path.endsWith('.wasm') ? 'wasm' : path.endsWith('.json') ? 'json' : path.endsWith('.cjs') ? 'commonJs' : 'esModule';
    seen.set(path, kind);
    if (kind !== 'esModule') return;
    for (const spec of staticImports(readFileSync(join(packageDir, path), 'utf8'))) {
      if (!spec.startsWith('.')) throw new Error(`${path} imports bare specifier ${spec}, which a workerd config cannot list`);
      visit(posix.normalize(posix.join(posix.dirname(path), spec)));
    }
  };
  visit(posix.normalize(entry));
  return [...seen].map(([path, kind]) => ({ path, kind }));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Kills a detached child's whole process group (workerd and deno spawn helpers),
// and only that group.
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try { child.kill(signal); } catch { /* already gone */ }
  }
}

// Starts a child in its own process group. `done` resolves with { code, signal, stdout,
// stderr, timedOut, spawnError } and never rejects; after timeoutMs the group is killed.
export function startChild(command, args, { cwd, timeoutMs, env } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const timer = setTimeout(() => { timedOut = true; killGroup(child, 'SIGKILL'); }, timeoutMs ?? 60_000);
  const done = new Promise((resolve) => {
    let spawnError;
    child.on('error', (error) => { spawnError = error; });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, spawnError });
    });
  });
  const stop = async (graceMs = 3000) => {
    if (child.exitCode !== null || child.signalCode !== null) return done;
    killGroup(child, 'SIGTERM');
    const late = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    const result = await done;
    clearTimeout(late);
    return result;
  };
  return { child, done, stop, output: () => ({ stdout, stderr }) };
}

export function runChild(command, args, options) {
  return startChild(command, args, options).done;
}

// Why a child did not produce results, in one line: the failure text the report needs.
export function describeFailure(result) {
  if (result.spawnError) return `could not spawn: ${result.spawnError.message}`;
  const how = result.timedOut ? 'timed out and was killed' : `exited with ${result.signal ?? `code ${result.code}`}`;
  // Stack frames crowd out the message; keep only the first frame of each trace.
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trimEnd()).filter(Boolean);
  const kept = lines.filter((l, i) => !/^\s*at /.test(l) || (i > 0 && !/^\s*at /.test(lines[i - 1])));
  const text = kept.slice(-12).join(' | ');
  return `${how}${text ? `: ${text}` : ' with no output'}`;
}

// Finds the MARKER line in child output: { entry, results } or undefined.
export function parseMarked(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  return line === undefined ? undefined : JSON.parse(line.slice(MARKER.length));
}

// workerd serving one worker whose modules are `moduleLines` (capnp lines
// `(name = …, esModule = embed "…")`, paths relative to `dir`) on a free loopback port.
// `request(init, requestTimeoutMs, path)` is the first response once workerd listens (it takes
// a moment); it throws if workerd exits or does not answer within 20 s. `url` is where it
// listens. Stop it with `server.stop()`.
export async function startWorkerd(dir, moduleLines, { timeoutMs, env }) {
  const port = await freePort();
  writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [
${moduleLines.join('\n')}
  ],
  compatibilityDate = "2025-06-01",
);
`);
  const server = startChild(bin('workerd'), ['serve', 'config.capnp'], { cwd: dir, timeoutMs, env });
  let exited;
  server.done.then((result) => { exited = result; });
  const url = `http://127.0.0.1:${port}`;
  async function request(init, requestTimeoutMs, path = '/') {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (exited) throw new Error(`workerd ${describeFailure(exited)}`);
      try {
        return await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) });
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`workerd did not answer on ${url} within 20 s: ${error.message} | ${server.output().stderr.trim()}`);
        }
        await new Promise((r) => setTimeout(r, 100)); // not listening yet
      }
    }
  }
  return { server, request, url };
}

const CONTENT_TYPES = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };

// Serves `dir` read-only on 127.0.0.1 (a free port: `server.address().port`).
export function staticServer(dir) {
  const server = createHttpServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://127.0.0.1').pathname);
    if (path === '/favicon.ico') return response.writeHead(204).end();
    const file = resolve(dir, `.${path}`);
    if (request.method !== 'GET' || (file !== dir && !file.startsWith(dir + sep))) return response.writeHead(403).end();
    let data;
    try {
      data = readFileSync(file);
    } catch {
      return response.writeHead(404).end();
    }
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    response.end(data);
  });
  return new Promise((done, fail) => {
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => done(server));
  });
}
