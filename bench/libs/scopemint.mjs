// scopemint through its Node ESM entry, the file users get from `import 'scopemint'`.
import { createSigner, createVerifier } from '../../pkg/dist/node.mjs';
import { hasExp } from '../payloads.mjs';

export const name = 'scopemint';
export const isAsync = false;

// The opt-in verify cache (`cache: true`) is newer than this harness. Probe
// for it instead of trusting the option: an older build may ignore unknown
// options, and a cache hit is recognisable as the very same result object.
export const hasVerifyCache = (() => {
  try {
    const secret = 'p'.repeat(64);
    const token = createSigner({ secret, ttlSeconds: 600 }).sign({ sub: 'probe' });
    const verifier = createVerifier({ secret, cache: true });
    return verifier.verify(token) === verifier.verify(token);
  } catch {
    return false;
  }
})();

export function prepare({ alg, key, claims }) {
  // Same claim set as the peers: what is given plus `iat`, no TTL-added `exp`.
  const allowMissingExpiry = !hasExp(claims);
  const signKey = alg === 'HS256' ? { secret: key.secret } : { privateKey: key.privatePem };
  const verifyKey = alg === 'HS256' ? { secret: key.secret } : { publicKey: key.publicPem };
  const verifierOptions = { ...verifyKey, algorithms: [alg], allowMissingExpiry };
  const signer = createSigner({ ...signKey, algorithm: alg, allowMissingExpiry });
  const verifier = createVerifier(verifierOptions);
  const cachedVerifier = hasVerifyCache ? createVerifier({ ...verifierOptions, cache: true }) : null;
  return {
    sign: () => signer.sign(claims),
    verify: (token) => verifier.verify(token).payload,
    verifyCached: cachedVerifier && ((token) => cachedVerifier.verify(token).payload),
  };
}
