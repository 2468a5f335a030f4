// `node bench/wasm-opt-server.mjs NAME=FILE.wasm NAME=FILE.wasm … [--rounds N] [--only TEXT]` (after `make pkg`):
// compares builds of the server wasm (`scopemint/server`), e.g. wasm-bindgen's output as is and
// after `wasm-opt -Os` / `-O3` / `-Oz`. Each build gets its own copy of pkg/ and pkg-server/
// (in a temporary node_modules, so `@scopemint/server-wasm` resolves to that build's wasm), and
// all builds are loaded into this one process and timed in turns, round by round, starting with
// a different build each round. Prints shipped size (raw, gzip -9), the median ops/s of the
// server entry's hot calls (Node entry; universal entry for ES256, where P-256 runs in wasm), and
// the median wasm compile time in fresh processes. The builds must give the same answers: the
// script checks the outputs agree before timing.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import { makeLoop, median } from './timer.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const rounds = Number(option('--rounds') ?? 9);
// `--only TEXT`: time only the operations whose label contains TEXT.
const only = option('--only') ?? '';
const builds = args.filter((arg) => /^[\w-]+=/.test(arg)).map((arg) => {
  const [name, file] = arg.split('=');
  return { name, file };
});
if (builds.length < 2 || !(rounds >= 1)) {
  console.error('usage: node bench/wasm-opt-server.mjs NAME=FILE.wasm NAME=FILE.wasm … [--rounds N] [--only TEXT]');
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'scopemint-wasm-opt-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

for (const build of builds) {
  const bytes = readFileSync(build.file);
  const modules = join(scratch, build.name, 'node_modules');
  cpSync(join(root, 'pkg'), join(modules, 'scopemint'), { recursive: true });
  const serverPkg = join(modules, '@scopemint', 'server-wasm');
  cpSync(join(root, 'pkg-server'), serverPkg, { recursive: true });
  writeFileSync(join(serverPkg, 'scopemint_server.wasm'), bytes);
  const base64 = `export const wasmBase64 = '${bytes.toString('base64')}';\n`;
  writeFileSync(join(serverPkg, 'scopemint_server.base64.mjs'), base64);
  const gzip = (data) => gzipSync(data, { level: constants.Z_BEST_COMPRESSION }).length;
  Object.assign(build, {
    dist: join(modules, 'scopemint', 'dist'),
    raw: bytes.length, gzip: gzip(bytes), base64Raw: base64.length, base64Gzip: gzip(Buffer.from(base64)),
  });
  build.node = await import(pathToFileURL(join(build.dist, 'server-node.mjs')).href);
  build.universal = await import(pathToFileURL(join(build.dist, 'server-universal.mjs')).href);
}

const secret = 'c'.repeat(64);
const exp = Math.floor(Date.now() / 1000) + 3600;
const tinybird = {
  workspace_id: '5f8a1c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b', name: 'user_analytics_frontend', exp,
  scopes: [
    { type: 'PIPES:READ', resource: 'user_analytics', fixed_params: { user_id: 123, org_id: 'acme' } },
    { type: 'DATASOURCES:READ', resource: 'events', filter: "org_id = 'acme' AND region IN ('eu', 'us')" },
  ],
  limits: { rps: 10 },
};
const filter = "  org_id='acme' and (region in ('eu','us') or amount::int > 3) and deleted is false ";
const model = `SELECT user_id, region, amount FROM orders
WHERE user_id = {{ COMPILE_CONTEXT.securityContext.userId }}
{% if COMPILE_CONTEXT.securityContext.regions %} AND region IN {{ list(COMPILE_CONTEXT.securityContext.regions) }} {% endif %}
ORDER BY amount`;
const context = { userId: 'u1', regions: ['eu', 'us', 'apac'] };
const request = { type: 'DATASOURCES:READ', resource: 'events' };
const { privateKey, publicKey } = await import('node:crypto').then((c) => c.generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const pem = {
  privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
  publicKey: publicKey.export({ type: 'spki', format: 'pem' }),
};

// Each operation as a function of a build: the closure it times, built outside the timed loop.
const operations = {
  'HS256 sign': ({ node }) => { const s = node.createSigner({ secret }); return () => s.sign(tinybird); },
  'HS256 verify': ({ node }) => {
    const token = node.createSigner({ secret }).sign(tinybird);
    const v = node.createVerifier({ secret, algorithms: ['HS256'] });
    return () => v.verify(token);
  },
  'authorize (SQL filter)': ({ node }) => {
    const token = node.createSigner({ secret }).sign(tinybird);
    const v = node.createVerifier({ secret, algorithms: ['HS256'] });
    return () => v.authorize(token, request);
  },
  normalizeSqlFilter: ({ node }) => () => node.normalizeSqlFilter(filter, { dialect: 'postgres' }),
  renderDataModel: ({ node }) => () => node.renderDataModel(model, context, { dialect: 'postgres' }),
  'ES256 sign (universal)': ({ universal }) => {
    const s = universal.createSigner({ privateKey: pem.privateKey, algorithm: 'ES256' });
    return () => s.sign(tinybird);
  },
  'ES256 verify (universal)': ({ universal }) => {
    const token = universal.createSigner({ privateKey: pem.privateKey, algorithm: 'ES256' }).sign(tinybird);
    const v = universal.createVerifier({ publicKey: pem.publicKey, algorithms: ['ES256'] });
    return () => v.verify(token);
  },
};

// The same answers from every build, for the same inputs (one token each, signed by the first build).
const hsToken = builds[0].node.createSigner({ secret }).sign(tinybird);
const esToken = builds[0].universal.createSigner({ privateKey: pem.privateKey, algorithm: 'ES256' }).sign(tinybird);
const answers = ({ node, universal }) => JSON.stringify([
  node.normalizeSqlFilter(filter, { dialect: 'postgres' }),
  node.renderDataModel(model, context, { dialect: 'postgres' }),
  node.createVerifier({ secret, algorithms: ['HS256'] }).authorize(hsToken, request),
  universal.createVerifier({ publicKey: pem.publicKey, algorithms: ['ES256'] }).verify(esToken),
]);
const expected = answers(builds[0]);
for (const build of builds.slice(1)) {
  const got = answers(build);
  if (got !== expected) throw new Error(`${build.name} answers differently from ${builds[0].name}:\n${got}\n${expected}`);
}

const ms = 150;
console.log(`server wasm builds: ${builds.map((b) => b.name).join(', ')}; ${rounds} rounds of ${ms} ms, interleaved; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('\nshipped size (gzip: node:zlib level 9)');
for (const b of builds) {
  console.log(`  ${b.name.padEnd(6)} wasm ${String(b.raw).padStart(9)} raw ${String(b.gzip).padStart(9)} gzip   base64.mjs ${String(b.base64Raw).padStart(9)} raw ${String(b.base64Gzip).padStart(9)} gzip`);
}

console.log('\nops/s, median [min-max]');
for (const [label, make] of Object.entries(operations).filter(([label]) => label.includes(only))) {
  const timed = builds.map((build) => ({ build, fn: make(build), loop: makeLoop(false), samples: [] }));
  for (const t of timed) t.loop(t.fn, undefined, 50); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < timed.length; i++) {
      const t = timed[(i + round) % timed.length];
      globalThis.gc?.();
      t.samples.push(t.loop(t.fn, undefined, ms));
    }
  }
  const cells = timed.map(({ build, samples }) =>
    `${build.name} ${Math.round(median(samples)).toLocaleString('en-US')} [${Math.round(Math.min(...samples)).toLocaleString('en-US')}-${Math.round(Math.max(...samples)).toLocaleString('en-US')}]`);
  // Each round's ratio to the first build, then their median: load that drifts between rounds
  // moves both builds of a round alike.
  const ratios = timed.slice(1).map(({ build, samples }) =>
    `${build.name} ${median(samples.map((x, round) => x / timed[0].samples[round])).toFixed(2)}x`);
  console.log(`  ${label.padEnd(26)} ${cells.join('   ')}   per-round ratio to ${builds[0].name}: ${ratios.join(' ')}`);
}

// Compile time in fresh processes (V8 caches a module compiled earlier in the same process).
const compileScript = (file) => `const bytes = require('node:fs').readFileSync(${JSON.stringify(file)});
  const start = performance.now(); new WebAssembly.Module(bytes); console.log(performance.now() - start);`;
const compile = Object.fromEntries(builds.map((b) => [b.name, []]));
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < builds.length; i++) {
    const b = builds[(i + round) % builds.length];
    const child = spawnSync(process.execPath, ['-e', compileScript(b.file)], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(child.stderr);
    compile[b.name].push(Number(child.stdout));
  }
}
console.log(`\nwasm compile in a fresh process, ms, median of ${rounds}: ${builds.map((b) => `${b.name} ${median(compile[b.name]).toFixed(1)}`).join(', ')}`);
