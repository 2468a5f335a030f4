// The package through real bundlers, as users ship it: esbuild, webpack 5 and vite build the
// apps in ./app for Node (CommonJS and ESM; the output file is copied alone into an empty
// folder and run there), for browsers (run in headless Chromium), for workerd (wrangler's
// bundler, run in workerd) and for edge-light (run in the edge-runtime package with wasm
// compilation from bytes switched off, as on Vercel Edge). Needs `make pkg`.
//
// Bundler settings used here are the ones the npm README (pkg-template/README.md) gives.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve, sep } from 'node:path';
import { gzipSync, constants } from 'node:zlib';
import { bin, freePort, makeFixture, root, runChild, startChild } from '../runtimes/lib.mjs';

const appDir = new URL('./app/', import.meta.url).pathname;
const MARK = '@@RESULT@@';
const expected = { sub: 'u1', profile: 'tinybird', sameDecode: true, code: 'ERR_JWT_MALFORMED', sharedClass: true };
const expectedNode = { ...expected, filter: "org_id = 'acme' AND region = 'eu'", serverSharedClass: true };

let fixture;
const out = (...parts) => join(fixture.dir, 'out', ...parts);

before(() => {
  fixture = makeFixture();
  cpSync(appDir, fixture.dir, { recursive: true });
});
after(() => rmSync(fixture.dir, { recursive: true, force: true }));

// Copies one bundled file into a fresh empty folder and runs it there with node.
async function runAlone(file) {
  const lonely = mkdtempSync(join(tmpdir(), 'scopemint-alone-'));
  try {
    const copy = join(lonely, basename(file));
    cpSync(file, copy);
    assert.deepEqual(readdirSync(lonely), [basename(file)]);
    const result = await runChild(process.execPath, [copy], { cwd: lonely, timeoutMs: 30_000 });
    const line = result.stdout.split('\n').find((l) => l.startsWith(MARK));
    assert.ok(line, `${basename(file)} run alone: exit ${result.code}\n${result.stderr}`);
    return JSON.parse(line.slice(MARK.length));
  } finally {
    rmSync(lonely, { recursive: true, force: true });
  }
}

async function esbuild(options) {
  const { build } = await import('esbuild');
  await build({ absWorkingDir: fixture.dir, bundle: true, logLevel: 'silent', ...options });
}

async function webpack(config) {
  const { default: createCompiler } = await import('webpack');
  const stats = await new Promise((done, fail) => {
    createCompiler({ context: fixture.dir, mode: 'production', devtool: false, ...config }, (error, result) => (error ? fail(error) : done(result)));
  });
  assert.ok(!stats.hasErrors(), stats.toString({ all: false, errors: true }));
  return stats;
}

async function vite(config) {
  const { build } = await import('vite');
  await build({ root: fixture.dir, configFile: false, logLevel: 'silent', ...config });
}

describe('Node: one bundled file, copied alone, runs', () => {
  for (const format of ['cjs', 'esm']) {
    const entry = format === 'cjs' ? 'node-app.cjs' : 'node-app.mjs';
    const ext = format === 'cjs' ? 'cjs' : 'mjs';

    it(`esbuild --platform=node (${format})`, async () => {
      const file = out(`esbuild-node.${ext}`);
      await esbuild({ entryPoints: [entry], platform: 'node', format, outfile: file });
      assert.deepEqual(await runAlone(file), expectedNode);
    });

    it(`webpack 5, target node (${format})`, async () => {
      const dir = out(`webpack-node-${format}`);
      await webpack({
        entry: `./${entry}`,
        target: 'node',
        optimization: { minimize: false },
        experiments: format === 'esm' ? { outputModule: true } : {},
        output: format === 'esm'
          ? { path: dir, filename: 'app.mjs', module: true, chunkFormat: 'module', library: { type: 'module' } }
          : { path: dir, filename: 'app.cjs', library: { type: 'commonjs2' } },
      });
      assert.deepEqual(readdirSync(dir), [`app.${ext}`], 'webpack wrote only the bundle');
      assert.deepEqual(await runAlone(join(dir, `app.${ext}`)), expectedNode);
    });

    it(`vite (SSR build, everything bundled) (${format})`, async () => {
      const dir = out(`vite-node-${format}`);
      await vite({
        ssr: { noExternal: true, target: 'node' },
        build: {
          ssr: entry,
          outDir: dir,
          emptyOutDir: true,
          rollupOptions: { output: { format: format === 'cjs' ? 'cjs' : 'es', entryFileNames: `app.${ext}` } },
        },
      });
      assert.deepEqual(readdirSync(dir), [`app.${ext}`]);
      assert.deepEqual(await runAlone(join(dir, `app.${ext}`)), expectedNode);
    });
  }
});

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

describe('browser bundles in headless Chromium', () => {
  let browser;
  let server;
  let origin;
  before(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const served = out();
    server = createServer((request, response) => {
      const file = resolve(served, `.${decodeURIComponent(new URL(request.url, 'http://x').pathname)}`);
      if (!file.startsWith(served + sep) || !existsSync(file) || statSync(file).isDirectory()) return response.writeHead(404).end();
      // The CSP the npm README recommends: nothing but our own scripts, plus wasm compilation.
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'",
      });
      response.end(readFileSync(file));
    });
    await new Promise((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${server.address().port}`;
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  // Runs `script` (a path under out/) as a module in a fresh page; returns window.__result.
  async function inPage(script, token) {
    const dir = join(out(), script.split('/')[0]);
    writeFileSync(join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><script type="module" src="/${script}"></script>`);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const problems = [];
      page.on('pageerror', (error) => problems.push(error.message));
      if (token) await page.addInitScript((t) => { window.__token = t; }, token);
      await page.goto(`${origin}/${script.split('/')[0]}/index.html`);
      const handle = await page.waitForFunction(() => window.__result, null, { timeout: 20_000 }).catch(() => null);
      assert.ok(handle, `no result from ${script}: ${problems.join(' | ')}`);
      return await handle.jsonValue();
    } finally {
      await context.close();
    }
  }

  it('esbuild --platform=browser', async () => {
    await esbuild({ entryPoints: ['browser-app.mjs'], platform: 'browser', format: 'esm', minify: true, outfile: out('esbuild-browser', 'app.js') });
    assert.deepEqual(await inPage('esbuild-browser/app.js'), expected);
  });

  it('webpack 5, target web: no .wasm file emitted, no Node built-ins needed', async () => {
    const dir = out('webpack-browser');
    await webpack({ entry: './browser-app.mjs', target: 'web', output: { path: dir, filename: 'app.js' } });
    assert.deepEqual(readdirSync(dir), ['app.js']);
    assert.deepEqual(await inPage('webpack-browser/app.js'), expected);
  });

  it('vite build', async () => {
    const dir = out('vite-browser');
    await vite({
      build: { outDir: dir, emptyOutDir: true, lib: { entry: 'browser-app.mjs', formats: ['es'], fileName: () => 'app.js' } },
    });
    assert.deepEqual(readdirSync(dir), ['app.js']);
    assert.deepEqual(await inPage('vite-browser/app.js'), expected);
  });

  it('scopemint/decode alone: at most 15 KB gzip bundled and minified with esbuild', async () => {
    const file = out('esbuild-decode', 'app.js');
    await esbuild({ entryPoints: ['decode-app.mjs'], platform: 'browser', format: 'esm', minify: true, outfile: file });
    const gzip = gzipSync(readFileSync(file), { level: constants.Z_BEST_COMPRESSION }).length;
    assert.ok(gzip <= 15 * 1024, `decode bundle is ${gzip} bytes gzip`);
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJkYXRhU2V0SWRzIjoiKiJ9.c2ln'; // {"alg":"HS256"}.{"dataSetIds":"*"}
    assert.deepEqual(await inPage('esbuild-decode/app.js', token), { profile: 'vizzly-data' });
  });
});

describe('workerd', () => {
  it("wrangler's bundler (wrangler deploy --dry-run), run in workerd", async () => {
    const dir = out('wrangler');
    writeFileSync(join(fixture.dir, 'wrangler.toml'), 'name = "scopemint-bundler-test"\nmain = "worker.mjs"\ncompatibility_date = "2025-06-01"\n');
    const built = await runChild(bin('wrangler'), ['deploy', '--dry-run', '--outdir', dir], {
      cwd: fixture.dir,
      timeoutMs: 90_000,
      env: { WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', XDG_CONFIG_HOME: join(fixture.dir, '.config') },
    });
    assert.equal(built.code, 0, `wrangler: ${built.stderr}\n${built.stdout}`);
    // wrangler writes the worker plus each .wasm it found as a separate module.
    const modules = readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.mjs') || f.endsWith('.wasm'));
    assert.ok(modules.some((f) => f.endsWith('.wasm')), `wrangler kept the wasm as a module: ${modules}`);
    const main = modules.find((f) => f === 'worker.js') ?? modules.find((f) => !f.endsWith('.wasm'));
    const port = await freePort();
    const list = modules.map((f) => `(name = "${f}", ${f === main ? 'esModule' : f.endsWith('.wasm') ? 'wasm' : 'esModule'} = embed "${f}")`);
    // The main module first: workerd treats the first module as the entry point.
    list.sort((a) => (a.includes(`"${main}"`) ? -1 : 1));
    writeFileSync(join(dir, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${list.join(', ')}],
  compatibilityDate = "2025-06-01",
);
`);
    const server = startChild(bin('workerd'), ['serve', 'config.capnp'], { cwd: dir, timeoutMs: 60_000 });
    try {
      let body;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/`);
          body = await response.text();
          assert.equal(response.status, 200, `${body} ${server.output().stderr}`);
          break;
        } catch (error) {
          if (error.code === 'ERR_ASSERTION') throw error;
          await new Promise((r) => setTimeout(r, 150));
        }
      }
      assert.ok(body, `workerd did not answer: ${server.output().stderr}`);
      assert.deepEqual(JSON.parse(body), expected);
    } finally {
      await server.stop();
    }
  });
});

describe('edge-light', () => {
  it('esbuild with the edge-light condition, run in edge-runtime without wasm compilation from bytes', async () => {
    const file = out('edge', 'function.js');
    // What Next.js / Vercel do with `import x from './file.wasm?module'`: the platform compiles
    // the file at deploy time and hands the function a WebAssembly.Module binding.
    const bindings = {};
    const wasmModules = {
      name: 'wasm-module-bindings',
      setup(build) {
        build.onResolve({ filter: /\.wasm\?module$/ }, async (args) => {
          const resolved = await build.resolve(args.path.replace(/\?module$/, ''), { kind: args.kind, resolveDir: args.resolveDir });
          const name = `__wasm_${basename(resolved.path, '.wasm')}`;
          bindings[name] = resolved.path;
          return { path: name, namespace: 'wasm-binding' };
        });
        build.onLoad({ filter: /.*/, namespace: 'wasm-binding' }, (args) => ({ contents: `export default globalThis.${args.path};`, loader: 'js' }));
      },
    };
    await esbuild({
      entryPoints: ['edge.mjs'],
      platform: 'neutral',
      conditions: ['edge-light', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      format: 'iife',
      outfile: file,
      plugins: [wasmModules],
    });
    assert.ok(Object.keys(bindings).length > 0, 'the edge-light entry imports its wasm with ?module');
    const { EdgeRuntime } = await import('edge-runtime');
    const runtime = new EdgeRuntime({
      codeGeneration: { strings: false, wasm: false },
      extend: (context) => {
        for (const [name, path] of Object.entries(bindings)) context[name] = new WebAssembly.Module(readFileSync(path));
        return context;
      },
    });
    assert.throws(() => runtime.evaluate('new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))'), /disallowed/);
    runtime.evaluate(readFileSync(file, 'utf8'));
    assert.deepEqual(JSON.parse(runtime.evaluate('JSON.stringify(globalThis.__result)')), expected);
  });
});
