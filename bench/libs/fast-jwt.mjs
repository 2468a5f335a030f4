// fast-jwt: signer and verifiers are factories, built once per row.
import { createSigner, createVerifier } from 'fast-jwt';

export const name = 'fast-jwt';
export const isAsync = false;

export function prepare({ alg, key, claims }) {
  const signKey = alg === 'HS256' ? key.secret : key.privatePem;
  const verifyKey = alg === 'HS256' ? key.secret : key.publicPem;
  const signer = createSigner({ key: signKey, algorithm: alg });
  const verifier = createVerifier({ key: verifyKey, algorithms: [alg] });
  const cachedVerifier = createVerifier({ key: verifyKey, algorithms: [alg], cache: true });
  return {
    sign: () => signer(claims),
    verify: (token) => verifier(token),
    verifyCached: (token) => cachedVerifier(token),
  };
}
