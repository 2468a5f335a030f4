// Deno / Bun: times batches in-process. argv: entry specifier, rounds, milliseconds per turn.
import * as jose from 'jose';
import { ALGORITHMS, LIBRARIES, OPERATIONS, batch, setup } from './body.mjs';

const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const [specifier, rounds, turnMs] = [args[0], Number(args[1]), Number(args[2])];
const api = await import(specifier);
const state = await setup(api, jose);

// Operations per second of one turn: batches of 20 until turnMs has passed.
async function turn(library, op, alg) {
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < turnMs) {
    await batch(jose, state, library, op, alg, 20);
    done += 20;
    elapsed = performance.now() - start;
  }
  return (done * 1000) / elapsed;
}

const results = {};
for (const alg of ALGORITHMS) {
  for (const op of OPERATIONS) {
    for (const library of LIBRARIES) await turn(library, op, alg); // warm-up
    const samples = Object.fromEntries(LIBRARIES.map((library) => [library, []]));
    for (let round = 0; round < rounds; round++) {
      // Take turns, starting with a different library each round.
      for (let i = 0; i < LIBRARIES.length; i++) {
        const library = LIBRARIES[(round + i) % LIBRARIES.length];
        samples[library].push(await turn(library, op, alg));
      }
    }
    results[`${alg} ${op}`] = samples;
  }
}
console.log(`@@RESULTS@@${JSON.stringify(results)}`);
