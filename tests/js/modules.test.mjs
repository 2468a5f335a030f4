// The package loads as CommonJS and as ESM, exposes one API (one wasm
// instance, one TokenError class), and resolves by name through `exports`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = fileURLToPath(new URL('../../pkg', import.meta.url));
const require = createRequire(import.meta.url);
const CORE = ['createSigner', 'createVerifier', 'decode', 'generateKeyPair', 'TokenError'];
const SECRET = 'x'.repeat(32);

describe('CommonJS and ESM entries', () => {
  let cjs;
  let esm;
  before(async () => {
    cjs = require(pkgDir); // resolved through pkg/package.json
    esm = await import(new URL('../../pkg/dist/node.mjs', import.meta.url).href);
  });

  it('runs on Node 20 or later', () => {
    assert.ok(Number(process.versions.node.split('.')[0]) >= 20, process.version);
  });

  it('require() of the package directory gives the CommonJS entry', () => {
    assert.equal(require.resolve(pkgDir), join(realpathSync(pkgDir), 'dist', 'node.cjs'));
    for (const name of CORE) assert.equal(typeof cjs[name], 'function', name);
  });

  it('both expose the same names', () => {
    const esmNames = Object.keys(esm).filter((n) => n !== 'default').sort();
    assert.deepEqual(esmNames, Object.keys(cjs).sort());
    for (const name of CORE) assert.ok(esmNames.includes(name), name);
  });

  it('both are the same instance: identical functions and one TokenError class', () => {
    for (const name of CORE) assert.equal(esm[name], cjs[name], name);
    assert.equal(esm.TokenError, cjs.TokenError);
    try {
      esm.createVerifier({ secret: SECRET }).verify('nope');
      assert.fail('should have thrown');
    } catch (error) {
      assert.ok(error instanceof cjs.TokenError);
      assert.ok(error instanceof esm.TokenError);
      assert.equal(error.code, 'ERR_JWT_MALFORMED');
    }
  });

  it('a token signed through one entry verifies through the other', () => {
    const token = cjs.createSigner({ secret: SECRET, ttlSeconds: 60 }).sign({ sub: 'cjs' });
    assert.equal(esm.createVerifier({ secret: SECRET }).verify(token).payload.sub, 'cjs');
    const back = esm.createSigner({ secret: SECRET, ttlSeconds: 60 }).sign({ sub: 'esm' });
    assert.equal(cjs.createVerifier({ secret: SECRET }).verify(back).payload.sub, 'esm');
  });
});

describe('resolution by package name through the exports map', () => {
  let dir;
  const node = (args) => execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  before(() => {
    // A consumer project whose node_modules/scopemint is the built package.
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'scopemint-consumer-')));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(pkgDir, join(dir, 'node_modules', 'scopemint'), 'dir');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('require("scopemint") picks dist/node.cjs and works', () => {
    const out = node(['-e', `
      const sm = require('scopemint');
      const token = sm.createSigner({ secret: '${SECRET}', ttlSeconds: 60 }).sign({ sub: 'r' });
      let code;
      try { sm.createVerifier({ secret: '${SECRET}' }).verify(token + 'x'); } catch (e) { code = e instanceof sm.TokenError && e.code; }
      console.log(JSON.stringify({
        resolved: require.resolve('scopemint'),
        sub: sm.createVerifier({ secret: '${SECRET}' }).verify(token).payload.sub,
        code,
        name: require('scopemint/package.json').name,
      }));
    `]);
    const result = JSON.parse(out);
    assert.match(result.resolved, /[\\/]dist[\\/]node\.cjs$/);
    assert.equal(result.sub, 'r');
    assert.equal(result.code, 'ERR_JWS_SIGNATURE_INVALID');
    assert.equal(result.name, 'scopemint');
  });

  it('import "scopemint" picks dist/node.mjs and works', () => {
    const out = node(['--input-type=module', '-e', `
      import { createSigner, createVerifier, TokenError } from 'scopemint';
      import * as all from 'scopemint';
      import { createRequire } from 'node:module';
      const required = createRequire(import.meta.url)('scopemint');
      const token = createSigner({ secret: '${SECRET}', ttlSeconds: 60 }).sign({ sub: 'i' });
      console.log(JSON.stringify({
        resolved: import.meta.resolve('scopemint'),
        sub: createVerifier({ secret: '${SECRET}' }).verify(token).payload.sub,
        sameClass: required.TokenError === TokenError,
        sameFunction: required.createSigner === createSigner,
        names: Object.keys(all).sort(),
        requiredNames: Object.keys(required).sort(),
      }));
    `]);
    const result = JSON.parse(out);
    assert.match(result.resolved, /[\\/]dist[\\/]node\.mjs$/);
    assert.equal(result.sub, 'i');
    assert.equal(result.sameClass, true);
    assert.equal(result.sameFunction, true);
    assert.deepEqual(result.names, result.requiredNames);
  });

  it('internal files are not reachable through the exports map', () => {
    for (const [flag, code] of [
      ['-e', "try { require('scopemint/dist/api.cjs'); console.log('loaded') } catch (e) { console.log(e.code) }"],
      ['--input-type=module', "import('scopemint/dist/node.mjs').then(() => console.log('loaded'), (e) => console.log(e.code))"],
    ]) {
      const args = flag === '-e' ? ['-e', code] : [flag, '-e', code];
      assert.equal(node(args).trim(), 'ERR_PACKAGE_PATH_NOT_EXPORTED');
    }
  });
});
