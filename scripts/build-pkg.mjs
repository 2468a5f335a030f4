// Assembles the npm package in pkg/ from the wasm-bindgen output (target/bindgen/{,server-}{node,web})
// and pkg-template/. Run by `make pkg`; it does no compiling itself.
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync, readdirSync, symlinkSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bindgen = join(root, 'target', 'bindgen');
const template = join(root, 'pkg-template');
const pkg = join(root, 'pkg');
const dist = join(pkg, 'dist');

rmSync(pkg, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// Two builds of one crate: the main wasm, and the server wasm (`--features
// server`: SQL parser and template engine) behind `scopemint/server`.
const variants = [
  { prefix: '', glue: 'scopemint', extra: [] },
  { prefix: 'server-', glue: 'scopemint_server', extra: ['normalizeSqlFilter', 'renderDataModel'] },
];

for (const { prefix } of variants) {
  for (const target of ['node', 'web']) {
    const from = join(bindgen, prefix + target);
    mkdirSync(join(dist, prefix + target), { recursive: true });
    for (const file of readdirSync(from)) {
      if (file.endsWith('.js') || file.endsWith('.wasm')) copyFileSync(join(from, file), join(dist, prefix + target, file));
    }
  }
  // The web glue is ES module syntax in a .js file: say so, or Node warns and reparses.
  writeFileSync(join(dist, `${prefix}web`, 'package.json'), '{ "type": "module" }\n');
}

const api = readFileSync(join(template, 'api.js'), 'utf8');
const names = [
  'createSigner', 'createVerifier', 'createRateLimiter', 'decode', 'decodeProtectedHeader', 'generateKeyPair', 'parseScope', 'formatScope',
  'embeddableTokenRequest', 'compileSecureFilters', 'vizzly', 'TokenError',
];

writeFileSync(join(dist, 'api.cjs'), `'use strict';\n${api}\nmodule.exports = { createApi };\n`);
writeFileSync(join(dist, 'api.mjs'), `${api}\nexport { createApi };\n`);
const nodeCrypto = readFileSync(join(template, 'node-crypto.js'), 'utf8');
writeFileSync(join(dist, 'node-crypto.cjs'), `'use strict';\n${nodeCrypto}\nmodule.exports = { createNodeCrypto };\n`);

for (const { prefix, glue, extra } of variants) {
  const esmExports = `export const { ${[...names, ...extra].join(', ')} } = api;\n`;

  // Node: the nodejs glue reads the wasm synchronously with fs; ESM re-exports the
  // same CommonJS instance so `instanceof TokenError` holds across both.
  writeFileSync(
    join(dist, `${prefix}node.cjs`),
    `'use strict';\nconst native = require('./node-crypto.cjs').createNodeCrypto(require('node:crypto'));\n` +
      `module.exports = require('./api.cjs').createApi(require('./${prefix}node/${glue}.js'), native);\n`,
  );
  writeFileSync(join(dist, `${prefix}node.mjs`), `import api from './${prefix}node.cjs';\n${esmExports}`);

  // Cloudflare workerd: wasm arrives as a compiled WebAssembly.Module import.
  writeFileSync(
    join(dist, `${prefix}workerd.mjs`),
    `import * as glue from './${prefix}web/${glue}.js';\nimport wasmModule from './${prefix}web/${glue}_bg.wasm';\n` +
      `import { createApi } from './api.mjs';\nglue.initSync({ module: wasmModule });\nconst api = createApi(glue);\n${esmExports}`,
  );

  // Everywhere else (browsers, Deno, Bun, bundlers): the wasm travels inside the
  // module as base64 and is compiled synchronously, so no fetch and no bundler plugin.
  const wasmBase64 = readFileSync(join(dist, `${prefix}web`, `${glue}_bg.wasm`)).toString('base64');
  writeFileSync(join(dist, `${prefix}wasm-inline.mjs`), `export const wasmBase64 = '${wasmBase64}';\n`);
  writeFileSync(
    join(dist, `${prefix}universal.mjs`),
    `import * as glue from './${prefix}web/${glue}.js';\nimport { wasmBase64 } from './${prefix}wasm-inline.mjs';\n` +
      `import { createApi } from './api.mjs';\n` +
      `const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));\n` +
      `glue.initSync({ module: new WebAssembly.Module(bytes) });\nconst api = createApi(glue);\n${esmExports}`,
  );
}

// `scopemint/vizzly`: one thin re-export per runtime entry, so it shares that entry's wasm instance.
for (const entry of ['node.mjs', 'workerd.mjs', 'universal.mjs']) {
  writeFileSync(join(dist, `vizzly-${entry}`), `import { vizzly } from './${entry}';\nexport const { createSigner } = vizzly;\n`);
}
writeFileSync(join(dist, 'vizzly-node.cjs'), `'use strict';\nmodule.exports = require('./node.cjs').vizzly;\n`);

// The CLI, if present (pkg-template/bin/*.mjs), runs on the Node entry.
mkdirSync(join(pkg, 'bin'), { recursive: true });
for (const file of readdirSync(join(template, 'bin')).filter((f) => f.endsWith('.mjs'))) {
  copyFileSync(join(template, 'bin', file), join(pkg, 'bin', file));
  chmodSync(join(pkg, 'bin', file), 0o755);
}

for (const file of ['package.json', 'index.d.ts', 'vizzly.d.ts', 'server.d.ts']) copyFileSync(join(template, file), join(pkg, file));
copyFileSync(join(root, 'README.md'), join(pkg, 'README.md'));
// Examples and tests import the package by name, exactly as users do.
rmSync(join(root, 'node_modules', 'scopemint'), { recursive: true, force: true });
mkdirSync(join(root, 'node_modules'), { recursive: true });
symlinkSync('../pkg', join(root, 'node_modules', 'scopemint'), 'dir');

const manifest = JSON.parse(readFileSync(join(root, 'pkg-template', 'package.json'), 'utf8'));
console.log(`built ${manifest.name}@${manifest.version} in pkg/`);
