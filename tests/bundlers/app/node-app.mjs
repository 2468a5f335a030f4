// A Node server's code, ES module flavour, plus scopemint/server (its wasm comes from
// @scopemint/server-wasm). Bundled into one file, copied alone, then run.
import { normalizeSqlFilter, TokenError as ServerTokenError } from 'scopemint/server';
import { TokenError } from 'scopemint';
import { run } from './checks.mjs';

const out = run();
out.filter = normalizeSqlFilter("org_id='acme'  and region='eu'");
out.serverSharedClass = ServerTokenError === TokenError;
console.log(`@@RESULT@@${JSON.stringify(out)}`);
