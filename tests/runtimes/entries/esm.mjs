// ES module user of Node, Deno and Bun: a plain `import ... from 'scopemint'`, resolved
// by the runtime itself through the package's exports map.
import * as api from 'scopemint';
import * as decodeApi from 'scopemint/decode';
import * as jose from 'jose';
import { run } from './conformance.mjs';

const MARKER = '@@SCOPEMINT_CONFORMANCE@@';
// import.meta.resolve is synchronous in Node 20.6+, Deno and Bun: it names the entry each picked.
const entry = import.meta.resolve('scopemint');
// The Node entry (Node, and Bun) signs with node:crypto; the others on WebCrypto.
const webCrypto = entry.endsWith('/dist/node.mjs') ? [] : ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
const results = await run(api, decodeApi, jose, { webCrypto });
console.log(`${MARKER}${JSON.stringify({ entry, results })}`);
