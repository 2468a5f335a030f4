// Assembles the npm packages from the wasm-bindgen output (target/bindgen/{web,server-web}),
// the decode-only wasm (target/wasm32-unknown-unknown/decode/scopemint_decode.wasm) and
// pkg-template/. Run by `make pkg`; it does no compiling itself.
//
//   pkg/         `scopemint`: every entry's JS and types, the main wasm, the decode wasm.
//   pkg-server/  `@scopemint/server-wasm`: only the server wasm (SQL parser, template engine)
//                and its glue, loaded by `scopemint/server` (docs/decisions.md says why).
//
// Each wasm is in its package once as a `.wasm` file (read by the workerd and edge-light
// entries, which may only import compiled modules) and once as base64 in an ES module
// (read by the Node and universal entries, which must work bundled into one file).
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bindgen = join(root, 'target', 'bindgen');
const template = join(root, 'pkg-template');
const pkg = join(root, 'pkg');
const dist = join(pkg, 'dist');
const serverPkg = join(root, 'pkg-server');
export const SERVER_WASM_PACKAGE = '@scopemint/server-wasm';

for (const dir of [pkg, serverPkg]) rmSync(dir, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
mkdirSync(serverPkg, { recursive: true });

const manifest = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
const write = (path, text) => writeFileSync(path, text);

// The web glue without its async loader: that loader's default `new URL('…_bg.wasm',
// import.meta.url)` makes webpack and vite emit a second copy of the wasm that nothing reads.
function syncGlue(file) {
  const source = readFileSync(file, 'utf8');
  const cut = (text, from, to) => {
    const start = text.indexOf(from);
    const end = to === null ? text.length : text.indexOf(to, start);
    if (start < 0 || end < 0) throw new Error(`${file}: wasm-bindgen glue changed shape (no "${from}")`);
    return text.slice(0, start) + text.slice(end);
  };
  let glue = cut(source, 'async function __wbg_load(', 'function initSync(');
  glue = cut(glue, 'let __wbg_init_promise;', null);
  if (glue.includes('import.meta')) throw new Error(`${file}: glue still refers to import.meta`);
  // A module compiled in another realm (edge-runtime and Next.js hand wasm bindings into a vm
  // context) fails `instanceof`; the brand check holds in every realm.
  const check = '!(module instanceof WebAssembly.Module)';
  if (!glue.includes(check)) throw new Error(`${file}: wasm-bindgen glue changed shape (no module check)`);
  glue = glue.replace(check, "Object.prototype.toString.call(module) !== '[object WebAssembly.Module]'");
  return `${glue}export { initSync };\n`;
}

// One wasm build: its glue, its .wasm file and its base64 module, written into `dir`.
function emitWasm(dir, { glueFile, wasmFile, name }) {
  write(join(dir, `${name}.mjs`), syncGlue(glueFile));
  copyFileSync(wasmFile, join(dir, `${name}.wasm`));
  write(join(dir, `${name}.base64.mjs`), `export const wasmBase64 = '${readFileSync(wasmFile).toString('base64')}';\n`);
}

emitWasm(dist, { glueFile: join(bindgen, 'web', 'scopemint.js'), wasmFile: join(bindgen, 'web', 'scopemint_bg.wasm'), name: 'scopemint' });
emitWasm(serverPkg, {
  glueFile: join(bindgen, 'server-web', 'scopemint_server.js'),
  wasmFile: join(bindgen, 'server-web', 'scopemint_server_bg.wasm'),
  name: 'scopemint_server',
});
const decodeWasm = join(root, 'target', 'wasm32-unknown-unknown', 'decode', 'scopemint_decode.wasm');
copyFileSync(decodeWasm, join(dist, 'scopemint_decode.wasm'));
// Hex, not base64, for the decode wasm: it gzips smaller, and a browser bundle carries it.
write(join(dist, 'scopemint_decode.hex.mjs'), `export const wasmHex = '${readFileSync(decodeWasm).toString('hex')}';\n`);

// The JS layer (pkg-template/lib/*.mjs, one module per concern, api.mjs assembles them)
// goes into dist/ as it is, next to the entries below that import it: one errors.mjs, so
// one TokenError class for every entry.
for (const file of readdirSync(join(template, 'lib')).filter((f) => f.endsWith('.mjs'))) {
  copyFileSync(join(template, 'lib', file), join(dist, file));
}

const names = [
  'createSigner', 'createVerifier', 'createRateLimiter', 'decode', 'decodeProtectedHeader', 'generateKeyPair', 'parseScope', 'formatScope',
  'embeddableTokenRequest', 'requestEmbeddableToken', 'compileSecureFilters', 'vizzly', 'tinybird', 'TokenError',
];

// How each runtime gets a compiled module. `wasm` is the import path of the build's files
// without extension. Node and the universal entry compile from the base64 copy (it survives
// bundling into one file); workerd and edge-light import the .wasm, as those platforms require.
const loaders = {
  node: (wasm) =>
    `import { Buffer } from 'node:buffer';\nimport { wasmBase64 } from '${wasm}.base64.mjs';\n` +
    `const wasmModule = new WebAssembly.Module(Buffer.from(wasmBase64, 'base64'));\n`,
  universal: (wasm) =>
    `import { bytesFromBase64 } from './base64.mjs';\nimport { wasmBase64 } from '${wasm}.base64.mjs';\n` +
    `const wasmModule = new WebAssembly.Module(bytesFromBase64(wasmBase64));\n`,
  workerd: (wasm) => `import wasmModule from '${wasm}.wasm';\n`,
  // Next.js and Vercel's edge bundler turn `?module` imports into precompiled modules.
  'edge-light': (wasm) => `import wasmModule from '${wasm}.wasm?module';\n`,
};
const runtimes = Object.keys(loaders);
const hexLoader = (wasm) =>
  `import { bytesFromHex } from './base64.mjs';\nimport { wasmHex } from '${wasm}.hex.mjs';\n` +
  `const wasmModule = new WebAssembly.Module(bytesFromHex(wasmHex));\n`;
const hexLoaders = { node: hexLoader, universal: hexLoader };

// Asymmetric signatures: node:crypto in the Node entry (Bun runs it too; its node:crypto path
// is faster there than its WebCrypto: bench/runtimes-async.mjs); WebCrypto for signAsync /
// verifyAsync in every other entry.
function apiEntry(runtime, { glue, wasm, extra = [] }) {
  const platform = runtime === 'node'
    ? `import * as nodeCrypto from 'node:crypto';\nimport { createNodeCrypto } from './node-crypto.mjs';\n`
    : `import { createWebCrypto } from './web-crypto.mjs';\n`;
  const platformArguments = runtime === 'node' ? ', createNodeCrypto(nodeCrypto)' : ', undefined, createWebCrypto(globalThis.crypto)';
  return `import * as glue from '${glue}';\n${loaders[runtime](wasm)}import { createApi } from './api.mjs';\n${platform}` +
    `glue.initSync({ module: wasmModule });\n` +
    `const api = createApi(glue${platformArguments});\n` +
    `export const { ${[...names, ...extra].join(', ')} } = api;\n`;
}

const serverWasm = `${SERVER_WASM_PACKAGE}/scopemint_server`;
const entryFiles = {
  '.': (runtime) => apiEntry(runtime, { glue: './scopemint.mjs', wasm: './scopemint' }),
  './server': (runtime) =>
    apiEntry(runtime, { glue: `${serverWasm}.mjs`, wasm: serverWasm, extra: ['normalizeSqlFilter', 'renderDataModel'] }),
  // `scopemint/vizzly` shares the main entry's wasm instance.
  './vizzly': (runtime) => `import { vizzly } from './${runtime}.mjs';\nexport const { createSigner } = vizzly;\n`,
  // `scopemint/tinybird` (a drop-in for @tinybirdco/sdk's createClient) too.
  './tinybird': (runtime) =>
    `import { tinybird, TokenError } from './${runtime}.mjs';\nexport const { createClient } = tinybird;\nexport { TokenError };\n`,
  './decode': (runtime) =>
    `import { createDecode } from './decode-api.mjs';\n${(hexLoaders[runtime] ?? loaders[runtime])('./scopemint_decode')}` +
    `export const { decode, TokenError } = createDecode(new WebAssembly.Instance(wasmModule).exports);\n`,
};
const entryTypes = { '.': 'index', './server': 'server', './vizzly': 'vizzly', './tinybird': 'tinybird', './decode': 'decode' };
const filePrefix = (subpath) => (subpath === '.' ? '' : `${subpath.slice(2)}-`);

const exportsMap = {};
for (const [subpath, source] of Object.entries(entryFiles)) {
  const prefix = filePrefix(subpath);
  for (const runtime of runtimes) {
    write(join(dist, `${prefix}${runtime}.mjs`), source(runtime));
    // CommonJS callers get the very same ES module (require of ESM, Node >= 20.19 and
    // every bundler), so CJS and ESM share one wasm instance and one TokenError.
    write(join(dist, `${prefix}${runtime}.cjs`), `'use strict';\nmodule.exports = require('./${prefix}${runtime}.mjs');\n`);
  }
  const types = entryTypes[subpath];
  const branch = (ext, typesExt) => ({
    types: `./${types}.${typesExt}`,
    workerd: `./dist/${prefix}workerd.${ext}`,
    'edge-light': `./dist/${prefix}edge-light.${ext}`,
    browser: `./dist/${prefix}universal.${ext}`,
    deno: `./dist/${prefix}universal.${ext}`,
    node: `./dist/${prefix}node.${ext}`,
    default: `./dist/${prefix}universal.${ext}`,
  });
  exportsMap[subpath] = { import: branch('mjs', 'd.ts'), require: branch('cjs', 'd.cts') };
}
exportsMap['./package.json'] = './package.json';

// Types: the hand-written .d.ts files are ES module declarations ("type": "module"); each
// gets a .d.cts twin for `require`, whose relative imports point at the other twins.
const typeFiles = Object.values(entryTypes).map((t) => `${t}.d.ts`);
for (const file of typeFiles) {
  const text = readFileSync(join(template, file), 'utf8');
  // Relative imports need an extension under node16 resolution: `.js` finds the .d.ts twin.
  const withExtension = (ext) => text.replace(/(from\s+|import\()'\.\/(\w+)'/g, `$1'./$2.${ext}'`);
  write(join(pkg, file), withExtension('js'));
  write(join(pkg, file.replace(/\.d\.ts$/, '.d.cts')), withExtension('cjs'));
}
// TypeScript's old `node10` resolution ignores `exports`: a folder per subpath points it
// (and old bundlers) at the CommonJS entry and its types.
const subpathDirs = Object.keys(entryFiles).filter((s) => s !== '.').map((s) => s.slice(2));
for (const name of subpathDirs) {
  mkdirSync(join(pkg, name));
  write(join(pkg, name, 'package.json'), `${JSON.stringify({ main: `../dist/${name}-node.cjs`, types: `../${name}.d.cts` }, null, 2)}\n`);
}

// The CLI: pkg-template/bin (the dispatcher named in `bin`, its commands/ and shared
// modules) runs on the Node entry; only the dispatcher is executable.
cpSync(join(template, 'bin'), join(pkg, 'bin'), { recursive: true });
for (const file of Object.values(manifest.bin)) chmodSync(join(pkg, file), 0o755);

const published = {
  ...manifest,
  type: 'module',
  main: './dist/node.cjs',
  types: './index.d.cts',
  exports: exportsMap,
  files: ['dist', 'bin', ...typeFiles, ...typeFiles.map((f) => f.replace(/\.d\.ts$/, '.d.cts')), ...subpathDirs, 'README.md'],
  peerDependencies: { [SERVER_WASM_PACKAGE]: manifest.version },
  peerDependenciesMeta: { [SERVER_WASM_PACKAGE]: { optional: true } },
};
write(join(pkg, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
copyFileSync(join(template, 'README.md'), join(pkg, 'README.md'));

// @scopemint/server-wasm: files only; `scopemint/server` holds the code that uses them.
const serverManifest = {
  name: SERVER_WASM_PACKAGE,
  version: manifest.version,
  description: 'The SQL-parser and template build of scopemint\'s WebAssembly core, loaded by `scopemint/server`. Install it next to scopemint; import scopemint/server, not this package.',
  license: manifest.license,
  repository: manifest.repository,
  homepage: manifest.homepage,
  bugs: manifest.bugs,
  type: 'module',
  sideEffects: false,
  exports: {
    './scopemint_server.mjs': './scopemint_server.mjs',
    './scopemint_server.base64.mjs': './scopemint_server.base64.mjs',
    './scopemint_server.wasm': './scopemint_server.wasm',
    './package.json': './package.json',
  },
  files: ['scopemint_server.mjs', 'scopemint_server.base64.mjs', 'scopemint_server.wasm', 'README.md'],
  peerDependencies: { scopemint: manifest.version },
};
write(join(serverPkg, 'package.json'), `${JSON.stringify(serverManifest, null, 2)}\n`);
write(join(serverPkg, 'README.md'), `# ${SERVER_WASM_PACKAGE}\n\nThe WebAssembly build behind \`scopemint/server\` (SQL filter parser, data-model templates).\n` +
  `Install it next to \`scopemint\` (same version) and import \`scopemint/server\`:\n\n` +
  `\`\`\`sh\nnpm install scopemint ${SERVER_WASM_PACKAGE}\n\`\`\`\n\nIt has no API of its own.\n`);

// Examples and tests import both packages by name, exactly as users do.
const link = (target, name) => {
  const at = join(root, 'node_modules', name);
  rmSync(at, { recursive: true, force: true });
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(target, at, 'dir');
};
link('../pkg', 'scopemint');
link('../../pkg-server', SERVER_WASM_PACKAGE);

console.log(`built ${manifest.name}@${manifest.version} in pkg/ and ${SERVER_WASM_PACKAGE} in pkg-server/`);
