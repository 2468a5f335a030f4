// Cold start: wall time of a fresh `node` process that imports a library,
// builds an HS256 signer and signs one token. A bare `node` row shows the
// floor every library pays; processes run round-robin so load spikes on the
// shared machine hit every library alike.
import { spawnSync } from 'node:child_process';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { median } from './timer.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const scopemintUrl = pathToFileURL(`${root}pkg/dist/node.mjs`).href;
const serverUrl = pathToFileURL(`${root}pkg/dist/server-node.mjs`).href;
const secret = 'c'.repeat(64);
const claims = `{ sub: 'user_1' }`;

// Each script prints the token so the parent can check a sign really happened.
export const scripts = {
  'node (no library)': `console.log('a.b.c')`,
  scopemint: `import { createSigner } from '${scopemintUrl}';
    console.log(createSigner({ secret: '${secret}', ttlSeconds: 3600 }).sign(${claims}));`,
  // The larger wasm behind `scopemint/server` (SQL parser, template engine).
  'scopemint/server': `import { createSigner } from '${serverUrl}';
    console.log(createSigner({ secret: '${secret}', ttlSeconds: 3600 }).sign(${claims}));`,
  'fast-jwt': `import { createSigner } from 'fast-jwt';
    console.log(createSigner({ key: '${secret}', algorithm: 'HS256', expiresIn: 3600000 })(${claims}));`,
  jose: `import { SignJWT } from 'jose';
    const key = new TextEncoder().encode('${secret}');
    console.log(await new SignJWT(${claims}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(key));`,
  jsonwebtoken: `import jwt from 'jsonwebtoken';
    console.log(jwt.sign(${claims}, '${secret}', { algorithm: 'HS256', expiresIn: 3600 }));`,
};

function runOnce(script) {
  const start = process.hrtime.bigint();
  // cwd = repo root so bare specifiers resolve from /work/main/node_modules.
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0 || child.stdout.trim().split('.').length !== 3) {
    throw new Error(`cold start script failed (${child.status}): ${child.stderr || child.stdout}`);
  }
  return ms;
}

/** { name: median ms } over `runs` fresh processes per library. */
export function measureColdStart(runs = 10) {
  const times = Object.fromEntries(Object.keys(scripts).map((name) => [name, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, script] of Object.entries(scripts)) times[name].push(runOnce(script));
  }
  return Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
}
