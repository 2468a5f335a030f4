// ES module user of Node, Deno and Bun: a plain `import ... from 'scopemint'`, resolved
// by the runtime itself through the package's exports map.
import * as api from 'scopemint';
import * as decodeApi from 'scopemint/decode';
import * as jose from 'jose';
import { run } from './conformance.mjs';

const MARKER = '@@SCOPEMINT_CONFORMANCE@@';
// import.meta.resolve is synchronous in Node 20.6+, Deno and Bun: it names the entry each picked.
const entry = import.meta.resolve('scopemint');
// Bun loads the Node entry, but its WebCrypto is the faster one there.
const results = await run(api, decodeApi, jose, { webCrypto: !entry.endsWith('/dist/node.mjs') || 'Bun' in globalThis });
console.log(`${MARKER}${JSON.stringify({ entry, results })}`);
