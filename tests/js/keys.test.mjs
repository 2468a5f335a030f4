// Key input formats (PEM flavours, JWK, JWKS, certificates), algorithm
// inference, and every way a key can be wrong.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as wasmEntry from '../../pkg/dist/universal.mjs';
import {
  NOW, createSigner, createVerifier, decode, fixture, generateKeyPair, hmacToken, pem, rsaKeys, throwsCode,
} from './helpers.mjs';

const TTL = { ttlSeconds: 600 };
const CLAIMS = { sub: 'user_1', org: 'acme' };

/** Signs with `signerOptions` and verifies with `verifierOptions`, returning the payload. */
function roundTrip(signerOptions, verifierOptions) {
  const token = createSigner({ ...TTL, ...signerOptions }).sign(CLAIMS);
  return createVerifier(verifierOptions).verify(token).payload;
}

function ec(curve) {
  return generateKeyPairSync('ec', { namedCurve: curve });
}

const p256 = ec('P-256');
const p384 = ec('P-384');
const ed = generateKeyPairSync('ed25519');
const rsa = rsaKeys();
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
const jwk = (keyObject) => keyObject.export({ format: 'jwk' });

/** The same PEM with its DER cut short by 10 bytes. */
function truncatedPem(text) {
  const der = Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return `-----BEGIN PRIVATE KEY-----\n${der.subarray(0, -10).toString('base64')}\n-----END PRIVATE KEY-----\n`;
}

describe('private key formats', () => {
  const cases = [
    ['PKCS#8 RSA', pem(rsa.privateKey, 'pkcs8'), rsa.publicKey, 'RS256'],
    ['PKCS#1 RSA (BEGIN RSA PRIVATE KEY)', pem(rsa.privateKey, 'pkcs1'), rsa.publicKey, 'RS256'],
    ['PKCS#8 P-256', pem(p256.privateKey, 'pkcs8'), p256.publicKey, 'ES256'],
    ['SEC1 P-256 (BEGIN EC PRIVATE KEY)', pem(p256.privateKey, 'sec1'), p256.publicKey, 'ES256'],
    ['PKCS#8 P-384', pem(p384.privateKey, 'pkcs8'), p384.publicKey, 'ES384'],
    ['SEC1 P-384', pem(p384.privateKey, 'sec1'), p384.publicKey, 'ES384'],
    ['PKCS#8 Ed25519', pem(ed.privateKey, 'pkcs8'), ed.publicKey, 'EdDSA'],
    ['JWK RSA', jwk(rsa.privateKey), rsa.publicKey, 'RS256'],
    ['JWK P-256', jwk(p256.privateKey), p256.publicKey, 'ES256'],
    ['JWK P-384', jwk(p384.privateKey), p384.publicKey, 'ES384'],
    ['JWK Ed25519', jwk(ed.privateKey), ed.publicKey, 'EdDSA'],
  ];
  for (const [label, privateKey, publicKey, alg] of cases) {
    it(`${label} signs, and the algorithm is inferred as ${alg}`, () => {
      const signer = createSigner({ privateKey, ...TTL });
      assert.equal(signer.algorithm, alg);
      const token = signer.sign(CLAIMS);
      assert.equal(decode(token).header.alg, alg);
      // Verified against node's own export of the public key, not ours.
      const verifier = createVerifier({ publicKey: pem(publicKey, 'spki') });
      assert.deepEqual(verifier.algorithms, [alg]);
      assert.equal(verifier.verify(token).payload.sub, 'user_1');
    });
  }

  it('OpenSSL SEC1 with an EC PARAMETERS block before the key', () => {
    const sec1 = fixture('p256-sec1-with-params.pem');
    assert.match(sec1, /BEGIN EC PARAMETERS[\s\S]*BEGIN EC PRIVATE KEY/);
    const publicKey = pem(createPublicKey(sec1), 'spki');
    assert.equal(roundTrip({ privateKey: sec1 }, { publicKey }).org, 'acme');
  });

  it('a JWK declaring alg makes that the default algorithm', () => {
    const privateKey = { ...jwk(rsa.privateKey), alg: 'PS384', kid: 'rsa-ps' };
    const signer = createSigner({ privateKey, ...TTL });
    assert.equal(signer.algorithm, 'PS384');
    assert.equal(signer.keyId, 'rsa-ps');
    assert.deepEqual(decode(signer.sign(CLAIMS)).header, { alg: 'PS384', typ: 'JWT', kid: 'rsa-ps' });
    // ...and asking for another algorithm contradicts the JWK.
    throwsCode(() => createSigner({ privateKey, algorithm: 'RS256', ...TTL }), 'ERR_INVALID_OPTION', 'algorithm');
  });

  it('an HMAC secret infers HS256', () => {
    assert.equal(createSigner({ secret: randomBytes(64), ...TTL }).algorithm, 'HS256');
    assert.deepEqual(createVerifier({ secret: randomBytes(64) }).algorithms, ['HS256']);
  });
});

describe('public key formats', () => {
  const token = (privateKey, alg) => createSigner({ privateKey: pem(privateKey, 'pkcs8'), algorithm: alg, ...TTL }).sign(CLAIMS);

  it('SPKI PEM for every key type', () => {
    for (const [pair, alg] of [[rsa, 'RS256'], [p256, 'ES256'], [p384, 'ES384'], [ed, 'EdDSA']]) {
      const verifier = createVerifier({ publicKey: pem(pair.publicKey, 'spki') });
      assert.equal(verifier.verify(token(pair.privateKey, alg)).payload.sub, 'user_1', alg);
    }
  });

  it('PKCS#1 RSA public key (BEGIN RSA PUBLIC KEY)', () => {
    const publicKey = pem(rsa.publicKey, 'pkcs1');
    assert.match(publicKey, /BEGIN RSA PUBLIC KEY/);
    const verifier = createVerifier({ publicKey, algorithms: ['RS512', 'PS256'] });
    assert.equal(verifier.verify(token(rsa.privateKey, 'PS256')).payload.org, 'acme');
    assert.equal(verifier.verify(token(rsa.privateKey, 'RS512')).payload.org, 'acme');
  });

  // Self-signed certificates made once with the openssl CLI (see fixtures/README.md).
  for (const [name, alg] of [['rsa2048', 'RS256'], ['p256', 'ES256'], ['p384', 'ES384'], ['ed25519', 'EdDSA']]) {
    it(`X.509 CERTIFICATE (${name})`, () => {
      const cert = fixture(`${name}-cert.pem`);
      assert.match(cert, /BEGIN CERTIFICATE/);
      const verifier = createVerifier({ publicKey: cert });
      assert.deepEqual(verifier.algorithms, [alg]);
      const good = createSigner({ privateKey: fixture(`${name}-cert-key.pem`), ...TTL }).sign(CLAIMS);
      assert.equal(verifier.verify(good).payload.sub, 'user_1');
      // The certificate's key, not some other key, is the one used.
      const other = name === 'rsa2048' ? null : generateKeyPair(alg);
      if (other) {
        const forged = createSigner({ privateKey: other.privateKey, ...TTL }).sign(CLAIMS);
        throwsCode(() => verifier.verify(forged), 'ERR_JWS_SIGNATURE_INVALID');
      } else {
        throwsCode(() => verifier.verify(token(rsa.privateKey, 'RS256')), 'ERR_JWS_SIGNATURE_INVALID');
      }
    });
  }

  it('public JWK for every key type', () => {
    for (const [pair, alg] of [[rsa, 'RS256'], [p256, 'ES256'], [p384, 'ES384'], [ed, 'EdDSA']]) {
      const verifier = createVerifier({ publicKey: jwk(pair.publicKey) });
      assert.equal(verifier.verify(token(pair.privateKey, alg)).payload.sub, 'user_1', alg);
    }
  });

  it('a public JWK with alg restricts the verifier to it', () => {
    const verifier = createVerifier({ publicKey: { ...jwk(rsa.publicKey), alg: 'PS256' } });
    assert.deepEqual(verifier.algorithms, ['PS256']);
    throwsCode(() => verifier.verify(token(rsa.privateKey, 'RS256')), 'ERR_JOSE_ALG_NOT_ALLOWED');
    assert.equal(verifier.verify(token(rsa.privateKey, 'PS256')).payload.sub, 'user_1');
  });
});

describe('JWKS', () => {
  const a = generateKeyPair('ES256');
  const b = generateKeyPair('ES256');
  const jwks = {
    keys: [
      { ...a.publicJwk, kid: 'a' },
      { ...b.publicJwk, kid: 'b' },
      { ...jwk(rsa.publicKey), kid: 'r', alg: 'RS256', use: 'sig' },
      // An encryption key in the same set is skipped, not an error.
      { ...jwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey), kid: 'enc', use: 'enc' },
    ],
  };
  const signA = createSigner({ privateKey: a.privateKey, keyId: 'a', ...TTL });
  const signB = createSigner({ privateKey: b.privateKey, keyId: 'b', ...TTL });
  const verifier = createVerifier({ jwks, algorithms: ['ES256', 'RS256'] });

  it('the token kid picks the right key', () => {
    assert.equal(verifier.verify(signA.sign({ who: 'a' })).payload.who, 'a');
    assert.equal(verifier.verify(signB.sign({ who: 'b' })).payload.who, 'b');
    const rsaToken = createSigner({ privateKey: pem(rsa.privateKey, 'pkcs8'), keyId: 'r', ...TTL }).sign({ who: 'r' });
    assert.equal(verifier.verify(rsaToken).payload.who, 'r');
  });

  it('a kid naming the wrong key fails the signature', () => {
    const lying = createSigner({ privateKey: a.privateKey, keyId: 'b', ...TTL }).sign(CLAIMS);
    throwsCode(() => verifier.verify(lying), 'ERR_JWS_SIGNATURE_INVALID');
  });

  it('an unknown kid -> ERR_JWKS_NO_MATCHING_KEY', () => {
    const token = createSigner({ privateKey: a.privateKey, keyId: 'zzz', ...TTL }).sign(CLAIMS);
    throwsCode(() => verifier.verify(token), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('a kid whose key has another algorithm -> ERR_JWKS_NO_MATCHING_KEY', () => {
    const token = createSigner({ privateKey: a.privateKey, keyId: 'r', ...TTL }).sign(CLAIMS);
    throwsCode(() => verifier.verify(token), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('the kid of a skipped "enc" key -> ERR_JWKS_NO_MATCHING_KEY', () => {
    const token = createSigner({ privateKey: a.privateKey, keyId: 'enc', ...TTL }).sign(CLAIMS);
    throwsCode(() => verifier.verify(token), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('no kid with several candidate keys -> ERR_JWKS_NO_MATCHING_KEY', () => {
    const token = createSigner({ privateKey: a.privateKey, ...TTL }).sign(CLAIMS);
    assert.equal(decode(token).header.kid, undefined);
    throwsCode(() => verifier.verify(token), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('no kid with exactly one candidate key verifies', () => {
    const single = createVerifier({ jwks: { keys: [{ ...a.publicJwk, kid: 'a' }] } });
    assert.equal(single.verify(createSigner({ privateKey: a.privateKey, ...TTL }).sign(CLAIMS)).payload.sub, 'user_1');
  });

  it('bad sets -> ERR_KEY_INVALID', () => {
    throwsCode(() => createVerifier({ jwks: { keys: [] } }), 'ERR_KEY_INVALID');
    throwsCode(() => createVerifier({ jwks: { nokeys: true } }), 'ERR_KEY_INVALID');
    throwsCode(() => createVerifier({ jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] } }), 'ERR_KEY_INVALID');
    // A private key in a published set is refused rather than silently used.
    throwsCode(() => createVerifier({ jwks: { keys: [jwk(p256.privateKey)] } }), 'ERR_KEY_INVALID');
    // A set passed where one key is expected.
    throwsCode(() => createVerifier({ publicKey: jwks }), 'ERR_KEY_INVALID');
  });
});

describe('key and algorithm must fit', () => {
  it('an EC key with algorithm RS256 is refused by a signer', () => {
    throwsCode(() => createSigner({ privateKey: pem(p256.privateKey, 'pkcs8'), algorithm: 'RS256', ...TTL }), 'ERR_KEY_INVALID');
  });

  it('other mismatches are refused by a signer', () => {
    const mismatches = [
      [{ privateKey: pem(p256.privateKey, 'pkcs8') }, 'ES384'],
      [{ privateKey: pem(p384.privateKey, 'pkcs8') }, 'ES256'],
      [{ privateKey: pem(rsa.privateKey, 'pkcs8') }, 'ES256'],
      [{ privateKey: pem(rsa.privateKey, 'pkcs8') }, 'HS256'],
      [{ privateKey: pem(ed.privateKey, 'pkcs8') }, 'ES256'],
      [{ secret: randomBytes(64) }, 'RS256'],
      [{ secret: randomBytes(64) }, 'EdDSA'],
    ];
    for (const [key, algorithm] of mismatches) {
      throwsCode(() => createSigner({ ...key, algorithm, ...TTL }), 'ERR_KEY_INVALID', undefined, algorithm);
    }
  });

  it('an EC public key with algorithms [RS256] is refused by a verifier at creation', () => {
    // Reported as an invalid `algorithms` entry (the signer reports the same mistake as ERR_KEY_INVALID).
    throwsCode(() => createVerifier({ publicKey: pem(p256.publicKey, 'spki'), algorithms: ['RS256'] }), 'ERR_INVALID_OPTION', 'algorithms');
    throwsCode(() => createVerifier({ secret: randomBytes(64), algorithms: ['ES256'] }), 'ERR_INVALID_OPTION', 'algorithms');
  });
});

describe('weak keys are refused', () => {
  it('RSA 1024-bit keys in every format', () => {
    const privates = [pem(rsa1024.privateKey, 'pkcs8'), pem(rsa1024.privateKey, 'pkcs1'), jwk(rsa1024.privateKey)];
    for (const privateKey of privates) throwsCode(() => createSigner({ privateKey, ...TTL }), 'ERR_KEY_INVALID');
    const publics = [pem(rsa1024.publicKey, 'spki'), pem(rsa1024.publicKey, 'pkcs1'), jwk(rsa1024.publicKey)];
    for (const publicKey of publics) throwsCode(() => createVerifier({ publicKey }), 'ERR_KEY_INVALID');
    throwsCode(() => createVerifier({ jwks: { keys: [jwk(rsa1024.publicKey)] } }), 'ERR_KEY_INVALID');
  });

  for (const [alg, min] of [['HS256', 32], ['HS384', 48], ['HS512', 64]]) {
    it(`${alg} secrets shorter than ${min} bytes`, () => {
      const short = randomBytes(min - 1);
      throwsCode(() => createSigner({ secret: short, algorithm: alg, ...TTL }), 'ERR_KEY_INVALID');
      throwsCode(() => createVerifier({ secret: short, algorithms: [alg] }), 'ERR_KEY_INVALID');
      throwsCode(() => createSigner({ secret: 'x'.repeat(min - 1), algorithm: alg, ...TTL }), 'ERR_KEY_INVALID');
      // Exactly the hash length is enough.
      const exact = randomBytes(min);
      assert.equal(roundTrip({ secret: exact, algorithm: alg }, { secret: exact, algorithms: [alg] }).sub, 'user_1');
    });
  }

  it('string secrets count UTF-8 bytes, not characters', () => {
    const secret = 'é'.repeat(16); // 16 characters, 32 bytes
    const token = createSigner({ secret, ...TTL }).sign(CLAIMS);
    assert.equal(createVerifier({ secret: Buffer.from(secret, 'utf8') }).verify(token).payload.sub, 'user_1');
    throwsCode(() => createSigner({ secret: 'é'.repeat(15), ...TTL }), 'ERR_KEY_INVALID');
  });

  it('a Uint8Array view uses only its own bytes; ArrayBuffer works too', () => {
    const backing = randomBytes(64);
    const view = backing.subarray(8, 40);
    const token = createSigner({ secret: view, ...TTL }).sign(CLAIMS);
    assert.equal(createVerifier({ secret: Buffer.from(view) }).verify(token).payload.sub, 'user_1');
    const copy = new Uint8Array(view).buffer;
    assert.equal(createVerifier({ secret: copy }).verify(token).payload.sub, 'user_1');
    throwsCode(() => createVerifier({ secret: backing }).verify(token), 'ERR_JWS_SIGNATURE_INVALID');
  });
});

describe('key confusion', () => {
  const spki = pem(rsa.publicKey, 'spki');
  const confused = [
    ['SPKI PEM', spki],
    ['SPKI PEM with leading whitespace', `\n  ${spki}`],
    ['SPKI PEM as bytes', Buffer.from(spki)],
    ['certificate PEM', fixture('p256-cert.pem')],
    ['private PEM', pem(p256.privateKey, 'pkcs8')],
    ['JWK as JSON text', JSON.stringify(jwk(p256.publicKey))],
  ];
  for (const [label, secret] of confused) {
    it(`a ${label} passed as secret is refused`, () => {
      throwsCode(() => createSigner({ secret, ...TTL }), 'ERR_KEY_INVALID', undefined, 'signer');
      throwsCode(() => createVerifier({ secret }), 'ERR_KEY_INVALID', undefined, 'verifier');
    });
  }

  // The PEM parser finds a block anywhere in the text, so the `secret` guard must too:
  // otherwise text the verifier would read as a public key becomes an HMAC secret.
  const preamble = `Bag Attributes\n    localKeyID: 01 00 00 00\nsubject=CN = scopemint test p256\n\n${fixture('p256-cert.pem')}`;
  for (const [label, text] of [['PEM with a UTF-8 BOM', `\uFEFF${spki}`], ['certificate with an OpenSSL text preamble', preamble]]) {
    it(`a ${label} is a key for publicKey, so it is refused as secret`, () => {
      assert.equal(createVerifier({ publicKey: text }).algorithms.length, 1);
      throwsCode(() => createVerifier({ secret: text }), 'ERR_KEY_INVALID', undefined, 'verifier');
      throwsCode(() => createSigner({ secret: text, ...TTL }), 'ERR_KEY_INVALID', undefined, 'signer');
    });
  }

  it('a JWK object passed as secret is refused with ERR_KEY_INVALID', () => {
    // README: "ERR_KEY_INVALID ... is a PEM/JWK passed as `secret`".
    throwsCode(() => createVerifier({ secret: jwk(p256.publicKey) }), 'ERR_KEY_INVALID');
    throwsCode(() => createSigner({ secret: jwk(p256.privateKey), ...TTL }), 'ERR_KEY_INVALID');
  });

  it('the classic attack: HS256 signed with the public PEM, sent to the RSA verifier', () => {
    const forged = hmacToken(spki, { alg: 'HS256', typ: 'JWT' }, { sub: 'admin', exp: NOW + 60 });
    throwsCode(() => createVerifier({ publicKey: spki, currentTime: NOW }).verify(forged), 'ERR_JOSE_ALG_NOT_ALLOWED');
    throwsCode(() => createVerifier({ publicKey: spki, algorithms: ['HS256'] }), 'ERR_INVALID_OPTION', 'algorithms');
  });

  it('private keys passed as a verifier publicKey are refused', () => {
    const privates = [
      pem(rsa.privateKey, 'pkcs8'),
      pem(rsa.privateKey, 'pkcs1'),
      pem(p256.privateKey, 'sec1'),
      pem(ed.privateKey, 'pkcs8'),
      jwk(p256.privateKey),
      jwk(rsa.privateKey),
      jwk(ed.privateKey),
    ];
    for (const publicKey of privates) throwsCode(() => createVerifier({ publicKey }), 'ERR_KEY_INVALID');
  });

  it('public keys passed as a signer privateKey are refused', () => {
    for (const privateKey of [spki, pem(rsa.publicKey, 'pkcs1'), fixture('p256-cert.pem'), jwk(p256.publicKey), jwk(ed.publicKey)]) {
      throwsCode(() => createSigner({ privateKey, ...TTL }), 'ERR_KEY_INVALID');
    }
  });
});

describe('malformed and unsupported keys', () => {
  it('are refused with ERR_KEY_INVALID', () => {
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const encrypted = rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const badPrivates = [
      ['not a PEM', 'hello'],
      ['broken base64', '-----BEGIN PRIVATE KEY-----\n@@@@\n-----END PRIVATE KEY-----\n'],
      ['no END line', pem(p256.privateKey, 'pkcs8').replace(/-----END[^]*/, '')],
      ['truncated DER', truncatedPem(pem(p256.privateKey, 'pkcs8'))],
      ['encrypted PKCS#8', encrypted],
      ['P-521', pem(p521.privateKey, 'pkcs8')],
      ['secp256k1', pem(k1.privateKey, 'pkcs8')],
      ['oct JWK', { kty: 'oct', k: randomBytes(32).toString('base64url') }],
      ['JWK use enc', { ...jwk(p256.privateKey), use: 'enc' }],
      ['JWK with unknown alg', { ...jwk(p256.privateKey), alg: 'ES512' }],
      ['EC JWK d of another key', { ...jwk(p256.privateKey), d: jwk(other.privateKey).d }],
      ['Ed25519 JWK x of another key', { ...jwk(ed.privateKey), x: jwk(generateKeyPairSync('ed25519').publicKey).x }],
      ['EC JWK short x', { ...jwk(p256.privateKey), x: 'AAAA' }],
      ['JWK without kty', { d: 'AAAA' }],
    ];
    for (const [label, privateKey] of badPrivates) {
      throwsCode(() => createSigner({ privateKey, ...TTL }), 'ERR_KEY_INVALID', undefined, label);
    }
    const badPublics = [
      ['P-521', pem(p521.publicKey, 'spki')],
      ['secp256k1 JWK', jwk(k1.publicKey)],
      ['garbage', 'garbage'],
      ['EC JWK missing y', { kty: 'EC', crv: 'P-256', x: jwk(p256.publicKey).x }],
      ['RSA JWK missing e', { kty: 'RSA', n: jwk(rsa.publicKey).n }],
    ];
    for (const [label, publicKey] of badPublics) {
      throwsCode(() => createVerifier({ publicKey }), 'ERR_KEY_INVALID', undefined, label);
    }
  });

  it('a key of the wrong JS type is an invalid option', () => {
    throwsCode(() => createSigner({ privateKey: 42, ...TTL }), 'ERR_INVALID_OPTION', 'privateKey');
    throwsCode(() => createVerifier({ publicKey: ['x'] }), 'ERR_INVALID_OPTION', 'publicKey');
  });
});

describe('PEM pasted into environment variables', () => {
  const escape = (text) => text.replace(/\n/g, '\\n');

  it('literal \\n sequences are accepted for private and public PEM', () => {
    for (const [pair, type] of [[rsa, 'pkcs1'], [p256, 'sec1'], [ed, 'pkcs8']]) {
      const privateKey = escape(pem(pair.privateKey, type));
      assert.ok(!privateKey.includes('\n'));
      const publicKey = escape(pem(pair.publicKey, 'spki'));
      assert.equal(roundTrip({ privateKey }, { publicKey }).sub, 'user_1', type);
    }
    assert.equal(createVerifier({ publicKey: escape(fixture('p256-cert.pem')) }).algorithms[0], 'ES256');
  });

  it('CRLF line endings are accepted', () => {
    const privateKey = pem(p256.privateKey, 'pkcs8').replace(/\n/g, '\r\n');
    const publicKey = pem(p256.publicKey, 'spki').replace(/\n/g, '\r\n');
    assert.equal(roundTrip({ privateKey }, { publicKey }).sub, 'user_1');
  });
});

describe('signer exports round-trip into a verifier', () => {
  const sources = [
    ['RSA', { privateKey: pem(rsa.privateKey, 'pkcs8'), algorithm: 'PS512' }],
    ['P-256', { privateKey: generateKeyPair('ES256').privateKey }],
    ['P-384', { privateKey: generateKeyPair('ES384').privateKey }],
    ['Ed25519', { privateKey: generateKeyPair('EdDSA').privateKey }],
  ];
  for (const [label, options] of sources) {
    it(`${label}: publicJwk(), jwks() and publicKey()`, () => {
      const signer = createSigner({ ...options, keyId: `kid-${label}`, ...TTL });
      const token = signer.sign(CLAIMS);
      const publicJwk = signer.publicJwk();
      assert.equal(publicJwk.d, undefined);
      assert.equal(publicJwk.alg, signer.algorithm);
      assert.equal(publicJwk.use, 'sig');
      assert.equal(publicJwk.kid, `kid-${label}`);
      assert.deepEqual(signer.jwks(), { keys: [publicJwk] });
      assert.match(signer.publicKey(), /^-----BEGIN PUBLIC KEY-----\n/);

      for (const verifierOptions of [{ publicKey: publicJwk }, { jwks: signer.jwks() }, { publicKey: signer.publicKey() }]) {
        const verifier = createVerifier({ ...verifierOptions, algorithms: [signer.algorithm] });
        assert.equal(verifier.verify(token).payload.sub, 'user_1');
      }
      // The PEM is a real SPKI: node:crypto reads it and gets the same key.
      assert.deepEqual(createPublicKey(signer.publicKey()).export({ format: 'jwk' }).x ?? null, publicJwk.x ?? null);
      // A mutated copy does not change the signer.
      publicJwk.kid = 'changed';
      assert.equal(signer.publicJwk().kid, `kid-${label}`);
    });
  }

  it('generateKeyPair output is consistent', () => {
    for (const alg of ['ES256', 'ES384', 'EdDSA']) {
      const pair = generateKeyPair(alg);
      assert.equal(pair.publicJwk.alg, alg);
      assert.deepEqual(createPublicKey(pair.publicKey).export({ format: 'jwk' }), {
        ...Object.fromEntries(Object.entries(pair.publicJwk).filter(([k]) => !['alg', 'use'].includes(k))),
      });
      assert.equal(roundTrip({ privateKey: pair.privateKey }, { publicKey: pair.publicJwk }).sub, 'user_1');
    }
  });

  it('HMAC signers have no public key', () => {
    const signer = createSigner({ secret: randomBytes(32), ...TTL });
    throwsCode(() => signer.publicJwk(), 'ERR_KEY_INVALID');
    throwsCode(() => signer.jwks(), 'ERR_KEY_INVALID');
    throwsCode(() => signer.publicKey(), 'ERR_KEY_INVALID');
  });
});

// Both entries answer alike: the Node one (node:crypto signatures) and the
// wasm-only universal one.
const entries = { node: { createSigner, createVerifier }, wasm: wasmEntry };

/** A TokenError with `code` from whichever entry threw (each has its own class for now). */
function refuses(fn, code, label) {
  assert.throws(fn, { name: 'TokenError', code }, label);
}

describe('JWKS keys not meant for verifying are never used (RFC 7517 §4.2 use, §4.3 key_ops)', () => {
  // https://www.rfc-editor.org/rfc/rfc7517#section-4.3: "verify" is the operation a verifier needs.
  const a = generateKeyPair('ES256');
  const b = generateKeyPair('ES256');
  const tokenByB = createSigner({ privateKey: b.privateKey, keyId: 'b', ...TTL }).sign(CLAIMS);
  const bare = (publicJwk) => { const { use, ...rest } = publicJwk; return rest; };
  for (const meta of [{ use: 'enc' }, { key_ops: ['encrypt'] }, { key_ops: ['wrapKey'] }, { key_ops: ['sign'] }]) {
    it(`the only key with the token's kid has ${JSON.stringify(meta)} -> ERR_JWKS_NO_MATCHING_KEY`, () => {
      const jwks = { keys: [{ ...bare(a.publicJwk), kid: 'a' }, { ...bare(b.publicJwk), kid: 'b', ...meta }] };
      for (const [name, entry] of Object.entries(entries)) {
        refuses(() => entry.createVerifier({ jwks }).verify(tokenByB), 'ERR_JWKS_NO_MATCHING_KEY', name);
        // A set of nothing but such keys verifies nothing: refused when created.
        refuses(() => entry.createVerifier({ jwks: { keys: [{ ...bare(b.publicJwk), kid: 'b', ...meta }] } }), 'ERR_KEY_INVALID', name);
        // As a single publicKey it is refused too.
        refuses(() => entry.createVerifier({ publicKey: { ...bare(b.publicJwk), ...meta } }), 'ERR_KEY_INVALID', name);
      }
    });
  }

  it('key_ops including "verify" is used', () => {
    const jwks = { keys: [{ ...bare(b.publicJwk), kid: 'b', key_ops: ['verify'] }] };
    for (const entry of Object.values(entries)) {
      assert.equal(entry.createVerifier({ jwks }).verify(tokenByB).payload.sub, 'user_1');
    }
  });

  it('WebCrypto JWK exports (key_ops ["sign"] / ["verify"]) work as they are', async () => {
    const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const privateKey = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
    const publicKey = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
    assert.deepEqual([privateKey.key_ops, publicKey.key_ops], [['sign'], ['verify']]);
    for (const entry of Object.values(entries)) {
      const token = entry.createSigner({ privateKey, ...TTL }).sign(CLAIMS);
      assert.equal(entry.createVerifier({ publicKey }).verify(token).payload.org, 'acme');
      // A private JWK whose key_ops do not allow signing cannot sign.
      refuses(() => entry.createSigner({ privateKey: { ...privateKey, key_ops: ['verify'] }, ...TTL }), 'ERR_KEY_INVALID');
    }
  });
});

describe('key confusion: key material in any encoding is refused as an HMAC secret', () => {
  const der = (keyObject, type) => keyObject.export({ type, format: 'der' });
  const certDer = Buffer.from(fixture('p256-cert.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const bodies = {
    'RSA SPKI': der(rsa.publicKey, 'spki'),
    'RSA PKCS#1': der(rsa.publicKey, 'pkcs1'),
    'Ed25519 SPKI': der(ed.publicKey, 'spki'),
    'P-256 certificate': certDer,
    'P-256 PKCS#8': der(p256.privateKey, 'pkcs8'),
  };
  const encodings = {
    'DER bytes': (bytes) => new Uint8Array(bytes),
    base64: (bytes) => bytes.toString('base64'),
    base64url: (bytes) => bytes.toString('base64url'),
    'base64 in 64-column lines': (bytes) => bytes.toString('base64').replace(/.{64}/g, '$&\n'),
    hex: (bytes) => bytes.toString('hex'),
  };
  const texts = {};
  for (const [body, bytes] of Object.entries(bodies)) {
    for (const [encoding, encode] of Object.entries(encodings)) texts[`${body} as ${encoding}`] = encode(bytes);
  }
  const publicJwk = JSON.stringify(jwk(p256.publicKey));
  texts['JWK with escaped member names'] = publicJwk.replace('"kty"', '"\\u006b\\u0074\\u0079"').replace('"crv"', '"\\u0063rv"');
  texts['JWKS JSON'] = JSON.stringify({ keys: [jwk(p256.publicKey)] });
  const sshDir = new URL('../fixtures/', import.meta.url);
  for (const file of ['ssh-rsa.pub', 'ssh-ecdsa-p256.pub', 'ssh-ed25519.pub', 'ssh-ed25519-rfc4716.pub']) {
    texts[`OpenSSH ${file}`] = readFileSync(new URL(file, sshDir), 'utf8');
  }
  assert.match(texts['OpenSSH ssh-ecdsa-p256.pub'], /^ecdsa-sha2-nistp256 AAAA/);

  for (const [label, secret] of Object.entries(texts)) {
    it(label, () => {
      for (const [name, entry] of Object.entries(entries)) {
        refuses(() => entry.createVerifier({ secret }), 'ERR_KEY_INVALID', `${name} verifier`);
        refuses(() => entry.createSigner({ secret, ...TTL }), 'ERR_KEY_INVALID', `${name} signer`);
      }
    });
  }

  it('random secrets in the same encodings are still accepted', () => {
    for (let i = 0; i < 50; i++) {
      const bytes = randomBytes(32 + i);
      for (const encode of Object.values(encodings)) {
        assert.equal(createVerifier({ secret: encode(bytes) }).algorithms[0], 'HS256');
      }
    }
  });
});
