// ES module user of Node, Deno and Bun: a plain `import ... from 'scopemint'`, resolved
// by the runtime itself through the package's exports map.
import * as api from 'scopemint';
import * as decodeApi from 'scopemint/decode';
import { run } from './conformance.mjs';

const MARKER = '@@SCOPEMINT_CONFORMANCE@@';
const results = run(api, decodeApi);
// import.meta.resolve is synchronous in Node 20.6+, Deno and Bun: it names the entry each picked.
console.log(`${MARKER}${JSON.stringify({ entry: import.meta.resolve('scopemint'), results })}`);
