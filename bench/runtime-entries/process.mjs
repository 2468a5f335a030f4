// Deno and Bun entry of the cross-runtime benchmark, run from the repository root so
// `scopemint` resolves through the package's exports map (pkg/, via node_modules) the way
// each runtime resolves it for users. The config arrives in SCOPEMINT_BENCH_CONFIG; the
// result is the one stdout line that starts with the marker.
import * as scopemint from 'scopemint';
import * as jose from 'jose';
import { runBench } from '../runtime-bench.mjs';

const MARKER = '@@SCOPEMINT_BENCH@@';
const config = JSON.parse(globalThis.Deno ? Deno.env.get('SCOPEMINT_BENCH_CONFIG') : process.env.SCOPEMINT_BENCH_CONFIG);
let fastJwt = null;
let fastJwtError = null;
try {
  fastJwt = await import('fast-jwt');
} catch (error) {
  fastJwtError = String(error?.message ?? error).split('\n')[0];
}
const result = await runBench({ scopemint, jose, fastJwt }, config);
console.log(`${MARKER}${JSON.stringify({ entry: import.meta.resolve('scopemint'), fastJwtError, ...result })}`);
