// Correctness gate run before any timing: a misconfigured library (wrong alg,
// a verifier that does not check signatures, a dropped claim) must fail loudly
// instead of posting a fast, wrong number.
import { isDeepStrictEqual } from 'node:util';

function headerOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

// Flip a character in the middle of the signature: the last base64url
// character can carry only padding bits, so changing it may change nothing.
function tamper(token) {
  const dot = token.lastIndexOf('.');
  const at = dot + Math.floor((token.length - dot) / 2);
  const swapped = token[at] === 'A' ? 'B' : 'A';
  return token.slice(0, at) + swapped + token.slice(at + 1);
}

async function rejects(verify, token) {
  try {
    await verify(token);
    return false;
  } catch {
    return true;
  }
}

/** Throws unless `ops` signs a token for `alg` that its own verifiers accept with the same claims and reject when tampered. */
export async function checkLibrary(libName, ops, { alg, claims }) {
  const where = `${libName} ${alg}`;
  const token = await ops.sign();
  if (typeof token !== 'string' || token.split('.').length !== 3) throw new Error(`${where}: sign did not return a compact JWS`);
  const header = headerOf(token);
  if (header.alg !== alg) throw new Error(`${where}: token header alg is ${header.alg}`);
  const verifiers = [['verify', ops.verify], ['verifyCached', ops.verifyCached]].filter(([, fn]) => fn);
  for (const [label, verify] of verifiers) {
    const payload = await verify(token);
    const { iat, ...rest } = payload;
    if (typeof iat !== 'number') throw new Error(`${where} ${label}: no numeric iat`);
    if (!isDeepStrictEqual(rest, claims)) throw new Error(`${where} ${label}: claims changed: ${JSON.stringify(rest)}`);
    if (!(await rejects(verify, tamper(token)))) throw new Error(`${where} ${label}: accepted a tampered signature`);
  }
  return token;
}
