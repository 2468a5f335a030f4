// workerd entry of the cross-runtime benchmark: POST the config, get the figures as JSON.
// `scopemint` and `jose` are the names the config (written by runtimes.mjs) gives the
// packages' workerd/browser entries. fast-jwt needs node:crypto, which workerd lacks.
import * as scopemint from 'scopemint';
import * as jose from 'jose';
import { runBench } from '../runtime-bench.mjs';

export default {
  async fetch(request) {
    try {
      const result = await runBench({ scopemint, jose, fastJwt: null }, await request.json());
      return Response.json({ entry: 'workerd', fastJwtError: 'not loaded: fast-jwt needs node:crypto', ...result });
    } catch (error) {
      return new Response(String(error?.stack ?? error), { status: 500 });
    }
  },
};
