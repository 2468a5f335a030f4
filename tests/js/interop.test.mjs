// Interoperability with jose (an independent JOSE implementation on WebCrypto)
// for all 12 algorithms, in both directions, plus tampering on both sides.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import * as jose from 'jose';
import {
  ALGORITHMS, b64url, createSigner, createVerifier, flipChar, generateKeyPair, hmacSecret, pem, rsaKeys,
  throwsCode, unb64url,
} from './helpers.mjs';

const CLAIMS = { sub: 'user_123', org: 'acme', scopes: ['read:a', 'write:b'], n: 42, nested: { ok: true } };

/**
 * Key material for one algorithm, from one source. Every entry gives:
 * ours (createSigner key option), oursVerify (createVerifier key options made
 * from the *other* library's export), joseSign / joseVerify keys.
 */
function keySources(alg) {
  if (alg.startsWith('HS')) {
    const secret = hmacSecret(alg);
    return [{ source: 'random bytes', signer: { secret }, verifier: { secret }, joseSign: secret, joseVerify: async () => secret }];
  }
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    // scopemint cannot generate RSA keys by design, so node:crypto makes them.
    const { privateKey, publicKey } = rsaKeys();
    return [{
      source: 'node:crypto RSA 2048',
      signer: { privateKey: pem(privateKey, 'pkcs8') },
      verifier: { publicKey: pem(publicKey, 'spki') },
      joseSign: privateKey,
    }];
  }
  const ours = generateKeyPair(alg);
  const node = alg === 'EdDSA'
    ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-384' });
  return [
    {
      source: 'scopemint generateKeyPair',
      signer: { privateKey: ours.privateKey },
      verifier: { publicKey: ours.publicKey },
      // jose must accept our PKCS#8 output too.
      joseSign: () => jose.importPKCS8(ours.privateKey, alg),
    },
    {
      source: 'node:crypto',
      signer: { privateKey: pem(node.privateKey, 'pkcs8') },
      verifier: { publicKey: pem(node.publicKey, 'spki') },
      joseSign: node.privateKey,
    },
  ];
}

async function joseKey(value) {
  return typeof value === 'function' ? value() : value;
}

const LENIENT_IN_JOSE = true;

/** The ways a token can be tampered with, and what our verifier must say. */
function tamperings(token) {
  const [h, p, s] = token.split('.');
  const header = unb64url(h);
  const payload = unb64url(p);
  return [
    ['header member added', `${b64url({ ...header, x: 1 })}.${p}.${s}`, 'ERR_JWS_SIGNATURE_INVALID'],
    ['header typ changed', `${b64url({ ...header, typ: 'at+jwt' })}.${p}.${s}`, 'ERR_JWS_SIGNATURE_INVALID'],
    ['payload claim changed', `${h}.${b64url({ ...payload, sub: 'admin' })}.${s}`, 'ERR_JWS_SIGNATURE_INVALID'],
    ['payload exp extended', `${h}.${b64url({ ...payload, exp: payload.exp + 3600 })}.${s}`, 'ERR_JWS_SIGNATURE_INVALID'],
    ['signature char flipped', `${h}.${p}.${flipChar(s)}`, 'ERR_JWS_SIGNATURE_INVALID'],
    // Truncated at the byte level so the segment stays canonical base64url.
    ['signature truncated', `${h}.${p}.${Buffer.from(s, 'base64url').subarray(0, -3).toString('base64url')}`, 'ERR_JWS_SIGNATURE_INVALID'],
    ['signature removed', `${h}.${p}.`, 'ERR_JWS_SIGNATURE_INVALID'],
    ['header not base64url', `${h.slice(0, 4)}!${h.slice(5)}.${p}.${s}`, 'ERR_JWT_MALFORMED'],
    ['header padded', `${h}==.${p}.${s}`, 'ERR_JWT_MALFORMED'],
    ['header not JSON', `${b64url('{"alg":')}.${p}.${s}`, 'ERR_JWT_MALFORMED'],
    ['signature not base64url', `${h}.${p}.${s.slice(0, 3)}*${s.slice(4)}`, 'ERR_JWT_MALFORMED'],
    // jose decodes these leniently to the same signature bytes, so only we are asserted strict on them.
    ['signature padded', `${h}.${p}.${s}=`, 'ERR_JWT_MALFORMED', LENIENT_IN_JOSE],
    // The signature is checked before the payload is parsed (README), so a
    // payload that no longer decodes fails the signature, never reaching JSON.
    ['payload not base64url', `${h}.${p.slice(0, 4)}!${p.slice(5)}.${s}`, 'ERR_JWS_SIGNATURE_INVALID'],
    ['segment dropped', `${h}.${s}`, 'ERR_JWT_MALFORMED'],
    // Same bytes, non-canonical spelling: only possible when the last character carries spare bits.
    ...(s.length % 4 === 0 ? [] : [['signature trailing bits set', `${h}.${p}.${setTrailingBit(s)}`, 'ERR_JWT_MALFORMED', LENIENT_IN_JOSE]]),
  ];
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function setTrailingBit(segment) {
  const last = B64URL[B64URL.indexOf(segment.at(-1)) | 1];
  return segment.slice(0, -1) + last;
}

/** CLAIMS signed by jose for our issuer, valid five minutes; `extra` adds to the builder. */
async function joseSigned(alg, keys, extra = (jwt) => jwt) {
  const jwt = new jose.SignJWT(CLAIMS)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setIssuer('https://issuer.example')
    .setIssuedAt()
    .setExpirationTime('5m');
  return extra(jwt).sign(await joseKey(keys.joseSign));
}

for (const alg of ALGORITHMS) {
  describe(`interop ${alg}`, () => {
    for (const keys of keySources(alg)) {
      describe(keys.source, () => {
        let signer;
        let verifier;
        before(() => {
          signer = createSigner({ ...keys.signer, algorithm: alg, ttlSeconds: 300, issuer: 'https://issuer.example', keyId: 'k1' });
          verifier = createVerifier({ ...keys.verifier, algorithms: [alg], issuer: 'https://issuer.example' });
        });

        it('scopemint signs, jose verifies (key from our PEM and from our JWK)', async () => {
          const token = signer.sign(CLAIMS, { audience: 'dashboard' });
          const candidates = alg.startsWith('HS')
            ? [['secret', keys.joseSign]]
            : [
                ['publicKey() PEM', await jose.importSPKI(signer.publicKey(), alg)],
                ['publicJwk()', await jose.importJWK(signer.publicJwk(), alg)],
                ['jwks()', jose.createLocalJWKSet(signer.jwks())],
              ];
          for (const [label, key] of candidates) {
            const { payload, protectedHeader } = await jose.jwtVerify(token, key, {
              algorithms: [alg], issuer: 'https://issuer.example', audience: 'dashboard',
            });
            assert.deepEqual(protectedHeader, { alg, typ: 'JWT', kid: 'k1' }, label);
            assert.equal(payload.sub, CLAIMS.sub, label);
            assert.deepEqual(payload.scopes, CLAIMS.scopes, label);
            assert.deepEqual(payload.nested, CLAIMS.nested, label);
            assert.equal(payload.exp - payload.iat, 300, label);
          }
        });

        it('jose signs, scopemint verifies and returns the same payload', async () => {
          const token = await joseSigned(alg, keys, (jwt) => jwt.setJti('id-1'));
          const expected = jose.decodeJwt(token);
          const { header, payload } = verifier.verify(token);
          assert.deepEqual(payload, expected);
          assert.deepEqual(header, { alg, typ: 'JWT' });
          if (!alg.startsWith('HS')) {
            // The same jose token also verifies with the key given as a JWK exported by jose.
            const jwk = await jose.exportJWK(await jose.importSPKI(keys.verifier.publicKey, alg));
            const byJwk = createVerifier({ publicKey: jwk, algorithms: [alg] });
            assert.deepEqual(byJwk.verify(token).payload, expected);
          }
        });

        it('tampered scopemint tokens are rejected by both libraries', async () => {
          const token = signer.sign(CLAIMS);
          const joseVerifyKey = alg.startsWith('HS') ? keys.joseSign : await jose.importSPKI(signer.publicKey(), alg);
          for (const [what, tampered, code, lenientInJose] of tamperings(token)) {
            throwsCode(() => verifier.verify(tampered), code, undefined, what);
            if (!lenientInJose) await assert.rejects(jose.jwtVerify(tampered, joseVerifyKey, { algorithms: [alg] }), jose.errors.JOSEError, what);
          }
          // The untampered token still passes both, so the rejections above are about the tampering.
          assert.equal(verifier.verify(token).payload.sub, CLAIMS.sub);
          await jose.jwtVerify(token, joseVerifyKey, { algorithms: [alg] });
        });

        it('tampered jose tokens are rejected by both libraries', async () => {
          const token = await joseSigned(alg, keys);
          const joseVerifyKey = alg.startsWith('HS') ? keys.joseSign : await jose.importSPKI(keys.verifier.publicKey, alg);
          for (const [what, tampered, code, lenientInJose] of tamperings(token)) {
            throwsCode(() => verifier.verify(tampered), code, undefined, what);
            if (!lenientInJose) await assert.rejects(jose.jwtVerify(tampered, joseVerifyKey, { algorithms: [alg] }), jose.errors.JOSEError, what);
          }
          assert.equal(verifier.verify(token).payload.org, CLAIMS.org);
        });
      });
    }
  });
}

describe('interop: algorithm binding across libraries', () => {
  it('a jose token with another RSA algorithm than the verifier allows is refused', async () => {
    const { privateKey, publicKey } = rsaKeys();
    const token = await new jose.SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'PS256' }).setExpirationTime('5m').sign(privateKey);
    // Same key, but the verifier only allows RS256 (its default for an RSA key).
    throwsCode(() => createVerifier({ publicKey: pem(publicKey, 'spki') }).verify(token), 'ERR_JOSE_ALG_NOT_ALLOWED');
    assert.equal(createVerifier({ publicKey: pem(publicKey, 'spki'), algorithms: ['PS256'] }).verify(token).payload.sub, 'x');
  });

  it('a jose HS256 token using our RSA public PEM as its secret is refused (key confusion)', async () => {
    const { publicKey } = rsaKeys();
    const spki = pem(publicKey, 'spki');
    const token = await new jose.SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(spki));
    throwsCode(() => createVerifier({ publicKey: spki }).verify(token), 'ERR_JOSE_ALG_NOT_ALLOWED');
    throwsCode(() => createVerifier({ publicKey: spki, algorithms: ['RS256', 'PS256'] }).verify(token), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });
});

describe('interop: claims survive byte-for-byte', () => {
  // Non-ASCII text, U+2028, HTML-ish text, deep nesting and big numbers.
  const claims = {
    name: 'Zoë 🚀', ключ: 'значение', sep: '\u2028', html: '</script>&',
    deep: { a: [{ b: [1, 2, { c: null }] }] }, big: 2 ** 53 - 1, neg: -0.5, t: true,
  };
  const secret = new Uint8Array(32).fill(7);

  it('scopemint -> jose', async () => {
    const token = createSigner({ secret, ttlSeconds: 60 }).sign(claims);
    const { payload } = await jose.jwtVerify(token, secret);
    for (const [k, v] of Object.entries(claims)) assert.deepEqual(payload[k], v, k);
  });

  it('jose -> scopemint', async () => {
    const token = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1m').sign(secret);
    assert.deepEqual(createVerifier({ secret }).verify(token).payload, jose.decodeJwt(token));
  });

  // A string cut mid-emoji (name.slice(0, n)) holds a lone surrogate; JSON.stringify
  // writes it as the escape "\ud83d". jose signs and verifies it, but RFC 8259 §8.2
  // (https://www.rfc-editor.org/rfc/rfc8259#section-8.2) leaves unpaired surrogates
  // unpredictable between parsers, so scopemint refuses one on every path (sign, verify,
  // decode, authorize): a deliberate difference from jose, tested in both directions.
  const truncated = { name: 'Rocket 🚀'.slice(0, 8), exp: 4_000_000_000 };

  it('a lone surrogate claim (truncated emoji): scopemint refuses to sign it', () => {
    assert.equal(truncated.name.at(-1), '\ud83d');
    throwsCode(() => createSigner({ secret, ttlSeconds: 60 }).sign({ name: truncated.name }), 'ERR_INVALID_OPTION', 'claims');
  });

  it('a lone surrogate claim (truncated emoji): jose -> scopemint is refused', async () => {
    const token = await new jose.SignJWT(truncated).setProtectedHeader({ alg: 'HS256' }).sign(secret);
    assert.equal((await jose.jwtVerify(token, secret)).payload.name, truncated.name);
    throwsCode(() => createVerifier({ secret }).verify(token), 'ERR_JWT_MALFORMED');
  });
});
