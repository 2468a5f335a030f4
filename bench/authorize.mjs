// `node bench/authorize.mjs [--quick]` (after `make pkg`): µs per `verify` and per `authorize`
// of the Tinybird payload for each algorithm, on the Node entry (node:crypto checks the
// signature) and on the universal entry (the wasm core does), interleaved in one process,
// medians of process CPU time so a busy machine slows nothing but the wall clock. Printed,
// never asserted. authorize has no peer library: it is verify plus scopemint's scope match.
import { makeKeys, algorithms } from './keys.mjs';
import { payloads } from './payloads.mjs';
import * as nodeEntry from '../pkg/dist/node.mjs';
import * as wasmEntry from '../pkg/dist/universal.mjs';

const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 11;
const keys = makeKeys();
const { claims } = payloads.find((p) => p.name === 'tinybird');
const request = { type: 'PIPES:READ', resource: 'user_analytics', params: { user_id: 123, org_id: 'acme' } };

/** Mean CPU µs per call of `run` over a batch sized to take about 20 ms. */
function cpuMicroseconds(run) {
  let calls = 1;
  for (;;) {
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) run();
    const used = process.cpuUsage(start);
    const micros = used.user + used.system;
    if (micros >= 20_000) return micros / calls;
    calls *= 2;
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

console.log(`${'algorithm'.padEnd(10)} ${'verify (node)'.padStart(14)} ${'authorize (node)'.padStart(17)} ${'authorize (wasm)'.padStart(17)}   µs per call, median of ${rounds}`);
for (const alg of algorithms) {
  const key = keys[alg];
  const cells = [
    ['verify (node)', nodeEntry, 'verify'],
    ['authorize (node)', nodeEntry, 'authorize'],
    ['authorize (wasm)', wasmEntry, 'authorize'],
  ].map(([label, entry, op]) => {
    const signer = entry.createSigner(key.secret ? { secret: key.secret } : { algorithm: alg, privateKey: key.privatePem });
    const verifier = entry.createVerifier(key.secret ? { secret: key.secret, algorithms: [alg] } : { algorithms: [alg], publicKey: key.publicPem });
    const token = signer.sign(claims);
    const run = op === 'verify' ? () => verifier.verify(token) : () => verifier.authorize(token, request);
    if (op === 'authorize' && run().resource !== request.resource) throw new Error(`${label} ${alg}: wrong grant`);
    return { label, run, samples: [] };
  });
  for (let round = 0; round < rounds; round++) {
    for (const cell of cells) cell.samples.push(cpuMicroseconds(cell.run));
  }
  const [verify, authorizeNode, authorizeWasm] = cells.map((cell) => median(cell.samples).toFixed(1));
  console.log(`${alg.padEnd(10)} ${verify.padStart(14)} ${authorizeNode.padStart(17)} ${authorizeWasm.padStart(17)}`);
}
