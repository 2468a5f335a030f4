// One key per algorithm, generated once with node:crypto and handed to every
// library as PEM (each library then imports it its own idiomatic way).
import { generateKeyPairSync, randomBytes } from 'node:crypto';

function pemPair(type, options) {
  const { privateKey, publicKey } = generateKeyPairSync(type, options);
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }),
  };
}

export const algorithms = ['HS256', 'ES256', 'EdDSA', 'RS256'];

export function makeKeys() {
  return {
    // 64 hex chars: above the 32-byte minimum scopemint enforces for HS256.
    HS256: { secret: randomBytes(32).toString('hex') },
    ES256: pemPair('ec', { namedCurve: 'P-256' }),
    EdDSA: pemPair('ed25519'),
    RS256: pemPair('rsa', { modulusLength: 2048 }),
  };
}
