// scopemint through its Node ESM entry, the file users get from `import 'scopemint'`.
import { createSigner, createVerifier } from '../../pkg/dist/node.mjs';
import { hasExp } from '../payloads.mjs';

export const name = 'scopemint';
export const isAsync = false;

export function prepare({ alg, key, claims }) {
  // Same claim set as the peers: what is given plus `iat`, no TTL-added `exp`.
  const allowMissingExpiry = !hasExp(claims);
  const signKey = alg === 'HS256' ? { secret: key.secret } : { privateKey: key.privatePem };
  const verifyKey = alg === 'HS256' ? { secret: key.secret } : { publicKey: key.publicPem };
  const signer = createSigner({ ...signKey, algorithm: alg, allowMissingExpiry });
  const verifier = createVerifier({ ...verifyKey, algorithms: [alg], allowMissingExpiry });
  return {
    sign: () => signer.sign(claims),
    verify: (token) => verifier.verify(token).payload,
    verifyCached: null, // no verify cache yet
  };
}
