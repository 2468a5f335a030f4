// One worker of worker-threads.test.mjs: builds its own signer and verifier once, waits
// at the shared start line, then signs and verifies `iterations` tokens back to back.
import { parentPort, workerData } from 'node:worker_threads';
import { createSigner, createVerifier, decode, generateKeyPair, TokenError } from 'scopemint';

const { id, algorithm, iterations, startFlag } = workerData;

let signerOptions;
let verifierOptions;
let publicMaterial;
if (algorithm === 'HS256') {
  // Distinct per worker, so a token verified by the wrong worker's key would be caught.
  const secret = `worker-${id}-secret-`.padEnd(40, 'x');
  signerOptions = { secret };
  verifierOptions = { secret };
  publicMaterial = { secret };
} else {
  const pair = generateKeyPair(algorithm);
  signerOptions = { privateKey: pair.privateKey };
  verifierOptions = { publicKey: pair.publicKey };
  publicMaterial = { publicKey: pair.publicKey };
}
const signer = createSigner({ ...signerOptions, ttlSeconds: 300, issuer: `worker-${id}` });
const verifier = createVerifier({ ...verifierOptions, issuer: `worker-${id}` });

parentPort.postMessage({ type: 'ready' });
// Block until the main thread releases every worker at once.
Atomics.wait(new Int32Array(startFlag), 0, 0);
const startedAt = performance.timeOrigin + performance.now();

const errors = [];
const jtis = [];
const samples = [];
for (let i = 0; i < iterations; i += 1) {
  const claims = { worker: id, i, data: `w${id}-i${i}` };
  try {
    const token = signer.sign(claims, { jti: true });
    const { header, payload } = verifier.verify(token);
    if (header.alg !== algorithm) errors.push(`#${i}: header.alg ${header.alg}`);
    if (payload.worker !== id || payload.i !== i || payload.data !== claims.data || payload.iss !== `worker-${id}`) {
      errors.push(`#${i}: payload ${JSON.stringify(payload)}`);
    }
    if (decode(token).payload.jti !== payload.jti) errors.push(`#${i}: decode disagrees with verify`);
    jtis.push(payload.jti);
    if (i % Math.ceil(iterations / 5) === 0) samples.push(token);
    // Every tenth round, a forged payload must still be refused mid-storm.
    if (i % 10 === 0) {
      const [h, , s] = token.split('.');
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, worker: -1 })).toString('base64url')}.${s}`;
      try {
        verifier.verify(forged);
        errors.push(`#${i}: forged token verified`);
      } catch (error) {
        if (!(error instanceof TokenError) || error.code !== 'ERR_JWS_SIGNATURE_INVALID') {
          errors.push(`#${i}: forged token gave ${error.code ?? error.message}`);
        }
      }
    }
  } catch (error) {
    errors.push(`#${i}: ${error.code ?? ''} ${error.message}`);
  }
}

const finishedAt = performance.timeOrigin + performance.now();
parentPort.postMessage({ type: 'done', id, algorithm, count: iterations, startedAt, finishedAt, errors: errors.slice(0, 20), jtis, samples, publicMaterial });
