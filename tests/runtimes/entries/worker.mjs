// Cloudflare workerd module worker. The config (written by runners.mjs) maps the bare
// name `scopemint` to the package's workerd entry and lists its glue and .wasm modules.
import * as api from 'scopemint';
import * as decodeApi from 'scopemint/decode';
import { run } from './conformance.mjs';

export default {
  // Checks run per request, not at startup: workerd forbids randomness at global scope.
  fetch() {
    return new Response(JSON.stringify({ results: run(api, decodeApi) }), { headers: { 'content-type': 'application/json' } });
  },
};
