// The throughput body every non-Node runtime runs (Deno, Bun, workerd, Chromium): scopemint
// against jose, and fast-jwt where it loads, for each algorithm, sign and verify, with the
// Node harness's method (warm-up, interleaved rounds with a rotating first cell, median).
// Web APIs only, no imports outside bench/, so the same file runs everywhere; the Node
// orchestrator (runtimes.mjs) hands in keys and claims, so every runtime signs the same input.
import { makeLoop, median } from './timer.mjs';

const hmacKey = (secret, usage) =>
  crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);

// Each library as its users would set it up: keys imported once, then one call per token.
async function prepare({ scopemint, jose, fastJwt }, { alg, key, claims }) {
  const hs = alg === 'HS256';
  const signer = scopemint.createSigner({ ...(hs ? { secret: key.secret } : { privateKey: key.privatePem }), algorithm: alg });
  const verifier = scopemint.createVerifier({ ...(hs ? { secret: key.secret } : { publicKey: key.publicPem }), algorithms: [alg] });
  const joseSignKey = hs ? await hmacKey(key.secret, 'sign') : await jose.importPKCS8(key.privatePem, alg);
  const joseVerifyKey = hs ? await hmacKey(key.secret, 'verify') : await jose.importSPKI(key.publicPem, alg);
  const header = { alg, typ: 'JWT' };
  const libs = [
    { name: 'scopemint', isAsync: false, sign: () => signer.sign(claims), verify: (token) => verifier.verify(token).payload },
  ];
  // The WebCrypto path (signAsync / verifyAsync), when this build has it.
  if (typeof signer.signAsync === 'function' && typeof verifier.verifyAsync === 'function') {
    libs.push({
      name: 'scopemint async', isAsync: true,
      sign: () => signer.signAsync(claims),
      verify: async (token) => (await verifier.verifyAsync(token)).payload,
    });
  }
  libs.push({
    name: 'jose', isAsync: true,
    // setIssuedAt: the other libraries add `iat` by default.
    sign: () => new jose.SignJWT(claims).setProtectedHeader(header).setIssuedAt().sign(joseSignKey),
    verify: async (token) => (await jose.jwtVerify(token, joseVerifyKey, { algorithms: [alg] })).payload,
  });
  if (fastJwt) {
    const fastSigner = fastJwt.createSigner({ key: hs ? key.secret : key.privatePem, algorithm: alg });
    const fastVerifier = fastJwt.createVerifier({ key: hs ? key.secret : key.publicPem, algorithms: [alg] });
    libs.push({ name: 'fast-jwt', isAsync: false, sign: () => fastSigner(claims), verify: (token) => fastVerifier(token) });
  }
  return libs;
}

const b64urlJson = (part) => JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
const sameClaims = (payload, claims) => {
  const { iat, ...rest } = payload;
  return typeof iat === 'number' && JSON.stringify(rest) === JSON.stringify(claims);
};
function tamper(token) {
  const dot = token.lastIndexOf('.');
  const at = dot + Math.floor((token.length - dot) / 2);
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
}

// The correctness gate, as bench/check.mjs does it in Node: a library that signs the wrong
// alg, drops a claim or accepts a tampered signature stops the run instead of posting a
// number. Tokens must also cross: scopemint's verify in jose and jose's in scopemint.
async function check(libs, { alg, claims }) {
  const tokens = new Map();
  for (const lib of libs) {
    const where = `${lib.name} ${alg}`;
    const token = await lib.sign();
    if (typeof token !== 'string' || token.split('.').length !== 3) throw new Error(`${where}: sign did not return a compact JWS`);
    if (b64urlJson(token.split('.')[0]).alg !== alg) throw new Error(`${where}: wrong alg in the header`);
    if (!sameClaims(await lib.verify(token), claims)) throw new Error(`${where}: verify changed the claims`);
    let rejected = false;
    try {
      await lib.verify(tamper(token));
    } catch {
      rejected = true;
    }
    if (!rejected) throw new Error(`${where}: accepted a tampered signature`);
    tokens.set(lib.name, token);
  }
  const by = (name) => libs.find((l) => l.name === name);
  if (!sameClaims(await by('jose').verify(tokens.get('scopemint')), claims)) throw new Error(`jose read other claims from scopemint's ${alg} token`);
  if (!sameClaims(await by('scopemint').verify(tokens.get('jose')), claims)) throw new Error(`scopemint read other claims from jose's ${alg} token`);
  return tokens;
}

const collect = () => {
  if (typeof globalThis.gc === 'function') globalThis.gc();
  else globalThis.Bun?.gc(true);
};

async function measureRow(cells, settings) {
  for (const cell of cells) {
    cell.loop = makeLoop(cell.isAsync);
    await cell.loop(cell.fn, cell.arg, settings.warmupMs);
    cell.samples = [];
  }
  for (let round = 0; round < settings.rounds; round++) {
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[(i + round) % cells.length];
      collect();
      cell.samples.push(await cell.loop(cell.fn, cell.arg, settings.roundMs));
    }
  }
  return Object.fromEntries(cells.map((c) => [c.lib, median(c.samples)]));
}

/**
 * `modules`: { scopemint, jose, fastJwt (or null) } as this runtime loaded them.
 * `config`: { keys, claims, algorithms, settings: { warmupMs, rounds, roundMs } } from runtimes.mjs.
 * Resolves to { libraries, rows: [{ alg, op, opsPerSec: { lib: ops/s }, ratio, asyncRatio }] }:
 * ratio is scopemint (sync) / jose, asyncRatio scopemint's async path / jose.
 */
export async function runBench(modules, { keys, claims, algorithms, settings }) {
  const rows = [];
  let libraries = [];
  for (const alg of algorithms) {
    const context = { alg, key: keys[alg], claims };
    const libs = await prepare(modules, context);
    libraries = libs.map((l) => l.name);
    const tokens = await check(libs, context);
    for (const op of ['sign', 'verify']) {
      const cells = libs.map((lib) => ({ lib: lib.name, isAsync: lib.isAsync, fn: lib[op], arg: op === 'verify' ? tokens.get(lib.name) : undefined }));
      const opsPerSec = await measureRow(cells, settings);
      const jose = opsPerSec.jose;
      rows.push({
        alg, op, opsPerSec,
        ratio: opsPerSec.scopemint / jose,
        asyncRatio: opsPerSec['scopemint async'] === undefined ? null : opsPerSec['scopemint async'] / jose,
      });
    }
  }
  return { libraries, rows };
}
