// A tour of the core: make a key pair, mint a token, verify it, decode it for
// display, and watch a tampered token get refused. Run with `node examples-node/quickstart.mjs` (after `make pkg`).
import { createSigner, createVerifier, decode, generateKeyPair, TokenError } from 'scopemint';

const step = (text) => console.log(`\n== ${text}`);

step('generate an ES256 key pair');
const { privateKey, publicKey, publicJwk } = generateKeyPair('ES256');
console.log(privateKey.split('\n')[0], '…');
console.log('public JWK:', JSON.stringify(publicJwk));

step('mint a token for user_123 (signer built once, sign is synchronous)');
const signer = createSigner({ privateKey, ttlInMinutes: 60, keyId: 'k1', issuer: 'https://app.example' });
const token = signer.sign({ sub: 'user_123', org: 'acme' }, { jti: true });
console.log(token);

step('verify it');
const verifier = createVerifier({ publicKey, issuer: 'https://app.example' });
const { header, payload } = verifier.verify(token);
console.log('header: ', header);
console.log('payload:', payload);

step('decode it for display (no key, no verification)');
const shown = decode(token);
console.log(`expires ${shown.expiresAt.toISOString()}, ${shown.secondsLeft}s left, expired: ${shown.expired}`);

step('tamper with the payload: org "acme" -> "evil"');
const [h, p, s] = token.split('.');
const forged = JSON.parse(Buffer.from(p, 'base64url').toString());
forged.org = 'evil';
const tampered = [h, Buffer.from(JSON.stringify(forged)).toString('base64url'), s].join('.');
let refused = false;
try {
  verifier.verify(tampered);
} catch (error) {
  refused = error instanceof TokenError && error.code === 'ERR_JWS_SIGNATURE_INVALID';
  console.log(`refused: ${error.code} (${error.message})`);
}

step('verify with a clock two hours ahead');
let expired = false;
try {
  createVerifier({ publicKey, currentTime: new Date(Date.now() + 2 * 3600e3) }).verify(token);
} catch (error) {
  expired = error.code === 'ERR_JWT_EXPIRED';
  console.log(`refused: ${error.code} (${error.message})`);
}

if (!refused || !expired) {
  console.error('\ndemo FAILED: a bad token was not refused as expected');
  process.exit(1);
}
console.log('\ndemo OK');
