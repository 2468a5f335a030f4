// jsonwebtoken: synchronous sign/verify with KeyObjects made once, so key
// parsing is not charged to every call. The HMAC secret is a KeyObject too:
// given a string, jsonwebtoken 9 first tries it as a PEM private key and
// builds the failure's exception on every call (~50x slower, measured).
// It has no EdDSA support.
import { createPrivateKey, createPublicKey, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';

export const name = 'jsonwebtoken';
export const isAsync = false;

export function prepare({ alg, key, claims }) {
  if (alg === 'EdDSA') return null;
  const secret = alg === 'HS256' ? createSecretKey(Buffer.from(key.secret, 'utf8')) : null;
  const signKey = secret ?? createPrivateKey(key.privatePem);
  const verifyKey = secret ?? createPublicKey(key.publicPem);
  const signOptions = { algorithm: alg };
  const verifyOptions = { algorithms: [alg] };
  return {
    sign: () => jwt.sign(claims, signKey, signOptions),
    verify: (token) => jwt.verify(token, verifyKey, verifyOptions),
    verifyCached: null,
  };
}
