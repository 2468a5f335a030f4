// Cloudflare workerd module worker. The config (written by runners.mjs) maps the bare
// name `scopemint` to the package's workerd entry and lists its glue and .wasm modules.
import * as api from 'scopemint';
import * as decodeApi from 'scopemint/decode';
import * as jose from 'jose';
import { run } from './conformance.mjs';

export default {
  // Checks run per request, not at startup: workerd forbids randomness at global scope.
  async fetch() {
    const results = await run(api, decodeApi, jose, { webCrypto: ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] });
    return new Response(JSON.stringify({ results }), { headers: { 'content-type': 'application/json' } });
  },
};
