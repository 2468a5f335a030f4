// jose v6 as documented: keys imported once (CryptoKey), every sign/verify
// awaited. Its API is async only, so that cost is part of what users pay.
// The HMAC secret is imported once too: passed as raw bytes, jose re-imports
// it into WebCrypto on every call, which measured ~3x slower.
import { SignJWT, jwtVerify, importPKCS8, importSPKI } from 'jose';

export const name = 'jose';
export const isAsync = true;

export async function prepare({ alg, key, claims }) {
  const hmac = (usage) => crypto.subtle.importKey('raw', new TextEncoder().encode(key.secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
  const signKey = alg === 'HS256' ? await hmac('sign') : await importPKCS8(key.privatePem, alg);
  const verifyKey = alg === 'HS256' ? await hmac('verify') : await importSPKI(key.publicPem, alg);
  const header = { alg, typ: 'JWT' };
  const options = { algorithms: [alg] };
  return {
    // setIssuedAt: the other libraries add `iat` by default.
    sign: () => new SignJWT(claims).setProtectedHeader(header).setIssuedAt().sign(signKey),
    verify: async (token) => (await jwtVerify(token, verifyKey, options)).payload,
    verifyCached: null,
  };
}

// Used once to check scopemint's tokens are standard JWTs, not just self-consistent.
export async function verifyForeign(token, { alg, key }) {
  const verifyKey = alg === 'HS256' ? new TextEncoder().encode(key.secret) : await importSPKI(key.publicPem, alg);
  return (await jwtVerify(token, verifyKey, { algorithms: [alg] })).payload;
}
