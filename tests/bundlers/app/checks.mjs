// What every bundled app checks, whatever the bundler and target: a token signed and verified
// through the main entry, the decode-only entry giving the same answer, and one TokenError
// class shared by both entries. run() returns plain JSON-able values; the test compares them.
import { createSigner, createVerifier, decode, TokenError } from 'scopemint';
import { decode as decodeOnly, TokenError as DecodeTokenError } from 'scopemint/decode';

export const SECRET = 'bundler-secret-0123456789-abcdefghij';

export function run() {
  const out = {};
  const token = createSigner({ secret: SECRET, ttlSeconds: 600 }).sign({ sub: 'u1', workspace_id: 'w', scopes: [] });
  out.sub = createVerifier({ secret: SECRET }).verify(token).payload.sub;
  out.profile = decodeOnly(token).profile;
  // secondsLeft may tick between the two calls; every other field must be identical.
  const settled = (decoded) => JSON.stringify({ ...decoded, secondsLeft: decoded.secondsLeft > 590 });
  out.sameDecode = settled(decode(token)) === settled(decodeOnly(token));
  try {
    decodeOnly('not.a-token');
  } catch (error) {
    out.code = error.code;
    out.sharedClass = error instanceof TokenError && DecodeTokenError === TokenError;
  }
  return out;
}
