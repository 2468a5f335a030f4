// A Node server's code, CommonJS flavour (require), bundled into one file, copied alone, run.
'use strict';
const { createSigner, createVerifier, decode, TokenError } = require('scopemint');
const decodeOnly = require('scopemint/decode');
const server = require('scopemint/server');

function settled(decoded) {
  return JSON.stringify({ ...decoded, secondsLeft: decoded.secondsLeft > 590 });
}

const secret = 'bundler-secret-0123456789-abcdefghij';
const token = createSigner({ secret, ttlSeconds: 600 }).sign({ sub: 'u1', workspace_id: 'w', scopes: [] });
const out = {
  sub: createVerifier({ secret }).verify(token).payload.sub,
  profile: decodeOnly.decode(token).profile,
  // secondsLeft may tick between the two calls; every other field must be identical.
  sameDecode: settled(decode(token)) === settled(decodeOnly.decode(token)),
};
try {
  decodeOnly.decode('not.a-token');
} catch (error) {
  out.code = error.code;
  out.sharedClass = error instanceof TokenError && decodeOnly.TokenError === TokenError;
}
out.filter = server.normalizeSqlFilter("org_id='acme'  and region='eu'");
out.serverSharedClass = server.TokenError === TokenError;
console.log(`@@RESULT@@${JSON.stringify(out)}`);
