// Node CommonJS user: `require('scopemint')`. The checks live in an ES module, which
// CommonJS on Node 20 can only reach through import(); the api object is the required one.
'use strict';
const api = require('scopemint');
const decodeApi = require('scopemint/decode');
const MARKER = '@@SCOPEMINT_CONFORMANCE@@';

import('./conformance.mjs').then(({ run }) => {
  const results = run(api, decodeApi);
  process.stdout.write(`${MARKER}${JSON.stringify({ entry: require.resolve('scopemint'), results })}\n`);
});
