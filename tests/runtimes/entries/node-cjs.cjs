// Node CommonJS user: `require('scopemint')`. The checks live in an ES module, which
// CommonJS on Node 20 can only reach through import(); the api object is the required one.
'use strict';
const api = require('scopemint');
const decodeApi = require('scopemint/decode');
const MARKER = '@@SCOPEMINT_CONFORMANCE@@';

// jose is an ES module only: import() it like the checks.
Promise.all([import('./conformance.mjs'), import('jose')]).then(async ([{ run }, jose]) => {
  const entry = require.resolve('scopemint');
  const results = await run(api, decodeApi, jose, { webCrypto: entry.endsWith('/dist/node.cjs') ? [] : ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] });
  process.stdout.write(`${MARKER}${JSON.stringify({ entry, results })}\n`);
});
