// ES module user of Node, Deno and Bun: a plain `import ... from 'scopemint'`, resolved
// by the runtime itself through the package's exports map.
import * as api from 'scopemint';
import * as decodeApi from 'scopemint/decode';
import * as jose from 'jose';
import { run } from './conformance.mjs';

const MARKER = '@@SCOPEMINT_CONFORMANCE@@';
// import.meta.resolve is synchronous in Node 20.6+, Deno and Bun: it names the entry each picked.
const entry = import.meta.resolve('scopemint');
// Bun loads the Node entry, whose async path uses Bun's WebCrypto for ECDSA (faster there).
const nodeEntry = entry.endsWith('/dist/node.mjs');
const webCrypto = !nodeEntry ? ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] : 'Bun' in globalThis ? ['ES256', 'ES384'] : [];
const results = await run(api, decodeApi, jose, { webCrypto });
console.log(`${MARKER}${JSON.stringify({ entry, results })}`);
