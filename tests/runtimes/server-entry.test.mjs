// `scopemint/server` outside Node: Deno (no permissions, the inline-wasm entry) and
// Bun load the subpath by name from an npm-style install and run its SQL checks.
// workerd and Chromium are not covered here (see tests/runtimes/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, makeFixture, parseMarked, runChild, MARKER } from './lib.mjs';

const script = `import * as server from 'scopemint/server';
const out = {};
out.filter = server.normalizeSqlFilter("org_id='acme'  and(region in ('eu','us'))");
try { server.normalizeSqlFilter("1=1; DROP TABLE t"); } catch (e) { out.refused = e.code; }
out.model = server.renderDataModel("WHERE u = {{ securityContext.u }} AND r IN {{ list(securityContext.r) }}", { u: "x' OR 1=1", r: [1, 2] }, { dialect: 'postgres' });
const signer = server.createSigner({ secret: 'server-entry-secret-0123456789abcdef', ttlSeconds: 60 });
out.sub = server.createVerifier({ secret: 'server-entry-secret-0123456789abcdef' }).verify(signer.sign({ sub: 'u1' })).payload.sub;
console.log('${MARKER}' + JSON.stringify({ entry: import.meta.resolve('scopemint/server'), results: out }));
`;

const expected = {
  filter: "org_id = 'acme' AND (region IN ('eu', 'us'))",
  refused: 'ERR_FILTER_INVALID',
  model: { sql: 'WHERE u = $1 AND r IN ($2, $3)', params: ["x' OR 1=1", 1, 2] },
  sub: 'u1',
};

for (const [runtime, args, entry] of [
  ['deno', ['run', '--no-prompt', '--no-lock', 'server.mjs'], 'dist/server-universal.mjs'],
  ['bun', ['run', 'server.mjs'], 'dist/server-node.mjs'],
]) {
  test(`scopemint/server in ${runtime}`, async () => {
    const fixture = makeFixture();
    try {
      writeFileSync(join(fixture.dir, 'server.mjs'), script);
      const result = await runChild(bin(runtime), args, { cwd: fixture.dir, timeoutMs: 60_000, env: { ...process.env, NO_COLOR: '1' } });
      const marked = parseMarked(result.stdout);
      assert.ok(marked, `${runtime} exited ${result.code}: ${result.stderr}`);
      assert.ok(marked.entry.endsWith(entry), `${runtime} loaded ${marked.entry}`);
      assert.deepEqual(marked.results, expected);
    } finally {
      rmSync(fixture.dir, { recursive: true, force: true });
    }
  });
}
