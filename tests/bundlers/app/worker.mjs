// A Cloudflare Worker (workerd). Checks run per request: workerd forbids randomness at startup.
import { run } from './checks.mjs';

export default {
  fetch() {
    return new Response(JSON.stringify(run()), { headers: { 'content-type': 'application/json' } });
  },
};
