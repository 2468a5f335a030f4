// Every error path with its exact code, plus the behaviour around them:
// TokenError itself, clock tolerance boundaries, jti, decode, ignored headers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as jose from 'jose';
import {
  NOW, TokenError, b64url, createSigner, createVerifier, decode, flipChar, generateKeyPair, hmacToken, keyToken,
  pem, rsaKeys, throwsCode,
} from './helpers.mjs';

const secret = randomBytes(32);
const verifier = createVerifier({ secret, currentTime: NOW });
const HS = { alg: 'HS256', typ: 'JWT' };
const valid = { sub: 'u', iat: NOW - 10, exp: NOW + 60 };
/** A correctly HMAC-signed token, so only the thing under test is wrong. */
const token = (payload, header = HS) => hmacToken(secret, header, payload);
const signer = createSigner({ secret, ttlSeconds: 60 });

describe('TokenError', () => {
  it('is a real Error subclass with name, code and message', () => {
    const error = throwsCode(() => verifier.verify('a.b'), 'ERR_JWT_MALFORMED');
    assert.ok(error instanceof Error);
    assert.ok(error instanceof TokenError);
    assert.equal(error.name, 'TokenError');
    assert.equal(Object.getPrototypeOf(TokenError.prototype), Error.prototype);
    assert.equal(typeof error.message, 'string');
    assert.ok(error.message.length > 0);
    assert.match(error.stack, /TokenError/);
    assert.equal(Object.prototype.toString.call(error), '[object Error]');
    // No claim is involved here, so none is reported.
    assert.equal('claim' in error, false);
  });

  it('errors raised by the JS layer and by wasm are the same class', () => {
    const fromJs = throwsCode(() => verifier.verify(42), 'ERR_JWT_MALFORMED');
    const fromWasm = throwsCode(() => verifier.verify('x'), 'ERR_JWT_MALFORMED');
    assert.equal(fromJs.constructor, fromWasm.constructor);
    assert.equal(fromJs.constructor, TokenError);
  });

  it('the verifier still works after an error (no poisoned wasm state)', () => {
    for (let i = 0; i < 50; i++) throwsCode(() => verifier.verify('x.y.z'), 'ERR_JWT_MALFORMED');
    assert.equal(verifier.verify(token(valid)).payload.sub, 'u');
  });
});

/** base64url *with* its '=' padding kept. */
const padded = (json) => Buffer.from(json).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
// 52 bytes: not a multiple of 3, so its base64 ends in padding.
const PADDED_PAYLOAD = `{"sub":"u","iat":${NOW - 10},"exp":${NOW + 60},"x":12}`;

describe('ERR_JWT_MALFORMED', () => {
  const good = token(valid);
  const [h, p, s] = good.split('.');
  const malformed = {
    'empty string': '',
    '1 segment': h,
    '2 segments': `${h}.${p}`,
    '4 segments': `${good}.${s}`,
    '5 segments': `${good}.x.y`,
    'empty header': `.${p}.${s}`,
    'header not base64url': `${h.slice(0, 3)}$${h.slice(4)}.${p}.${s}`,
    'header with standard base64 chars': `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT?>>' })).toString('base64').replace(/=+$/, '')}.${p}.${s}`,
    'header padded': token(valid, { raw: padded('{"alg":"HS256","x":12}') }),
    'header invalid JSON': token(valid, { json: '{"alg":"HS256",}' }),
    'header not an object': token(valid, { json: '["HS256"]' }),
    'header invalid UTF-8': token(valid, { raw: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url') }),
    'header duplicate alg': token(valid, { json: '{"alg":"HS256","alg":"none"}' }),
    'header without alg': token(valid, { typ: 'JWT' }),
    'header alg not a string': token(valid, { alg: 256 }),
    'header kid not a string': token(valid, { alg: 'HS256', kid: 7 }),
    'header crit empty': token(valid, { alg: 'HS256', crit: [] }),
    'header crit not a list': token(valid, { alg: 'HS256', crit: 'exp' }),
    'header b64 not boolean': token(valid, { alg: 'HS256', b64: 'false' }),
    // The next ones carry a valid HMAC over the broken segment, so the signature
    // passes and the payload itself is what fails.
    'payload not base64url': token({ raw: `${p.slice(0, 3)}$${p.slice(4)}` }),
    'payload padded': token({ raw: padded(PADDED_PAYLOAD) }),
    'payload invalid JSON': token({ json: '{"sub":"u",' }),
    'payload trailing garbage': token({ json: `${JSON.stringify(valid)}x` }),
    'payload invalid UTF-8': token({ raw: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]).toString('base64url') }),
    'payload is an array': token({ json: '[1,2]' }),
    'payload is a string': token({ json: '"sub"' }),
    'payload is a number': token({ json: '123' }),
    'payload is null': token({ json: 'null' }),
    'payload is true': token({ json: 'true' }),
    'payload duplicate member': token({ json: `{"sub":"a","sub":"admin","exp":${NOW + 60}}` }),
    'payload duplicate via escape': token({ json: `{"sub":"a","\\u0073ub":"admin","exp":${NOW + 60}}` }),
    'payload nested duplicate': token({ json: `{"exp":${NOW + 60},"scope":{"k":1,"k":2}}` }),
    'payload duplicate in array element': token({ json: `{"exp":${NOW + 60},"r":[{"a":1},{"a":1,"a":2}]}` }),
    'signature not base64url': `${h}.${p}.${s.slice(0, 5)}+${s.slice(6)}`,
    'signature padded': `${h}.${p}.${s}=`,
  };
  for (const [label, bad] of Object.entries(malformed)) {
    it(label, () => {
      assert.equal(typeof bad, 'string');
      throwsCode(() => verifier.verify(bad), 'ERR_JWT_MALFORMED');
    });
  }

  it('the padding tests are real: the same JSON unpadded verifies', () => {
    assert.match(padded(PADDED_PAYLOAD), /=$/);
    assert.match(padded('{"alg":"HS256","x":12}'), /=$/);
    assert.equal(verifier.verify(token({ raw: b64url(PADDED_PAYLOAD) })).payload.x, 12);
    assert.equal(verifier.verify(token(valid, { json: '{"alg":"HS256","x":12}' })).header.x, 12);
  });

  for (const notString of [undefined, null, 42, {}, ['a.b.c'], Buffer.from('a.b.c'), new String('a.b.c')]) {
    it(`non-string token: ${Object.prototype.toString.call(notString)}`, () => {
      throwsCode(() => verifier.verify(notString), 'ERR_JWT_MALFORMED');
      throwsCode(() => decode(notString), 'ERR_JWT_MALFORMED');
    });
  }
});

describe('ERR_JWT_EXPIRED', () => {
  it('exp in the past, and exp equal to now', () => {
    throwsCode(() => verifier.verify(token({ ...valid, exp: NOW - 1 })), 'ERR_JWT_EXPIRED', 'exp');
    throwsCode(() => verifier.verify(token({ ...valid, exp: NOW })), 'ERR_JWT_EXPIRED', 'exp');
    assert.equal(verifier.verify(token({ ...valid, exp: NOW + 1 })).payload.exp, NOW + 1);
  });

  it('maxTokenAgeSeconds', () => {
    const v = createVerifier({ secret, currentTime: NOW, maxTokenAgeSeconds: 60 });
    assert.equal(v.verify(token({ ...valid, iat: NOW - 60 })).payload.sub, 'u');
    throwsCode(() => v.verify(token({ ...valid, iat: NOW - 61 })), 'ERR_JWT_EXPIRED', 'iat');
    // The age limit needs iat, and an iat in the future is not a young token.
    throwsCode(() => v.verify(token({ sub: 'u', exp: NOW + 60 })), 'ERR_JWT_CLAIM_INVALID', 'iat');
    throwsCode(() => v.verify(token({ ...valid, iat: NOW + 5 })), 'ERR_JWT_CLAIM_INVALID', 'iat');
  });

  it('a real signer token expires at the right time', () => {
    const t = createSigner({ secret, ttlSeconds: 60 }).sign({ sub: 'u' });
    const { iat, exp } = decode(t).payload;
    assert.equal(exp - iat, 60);
    assert.equal(createVerifier({ secret, currentTime: exp - 1 }).verify(t).payload.sub, 'u');
    throwsCode(() => createVerifier({ secret, currentTime: exp }).verify(t), 'ERR_JWT_EXPIRED', 'exp');
  });
});

describe('ERR_JWT_NOT_YET_VALID', () => {
  it('nbf in the future', () => {
    throwsCode(() => verifier.verify(token({ ...valid, nbf: NOW + 1 })), 'ERR_JWT_NOT_YET_VALID', 'nbf');
    assert.equal(verifier.verify(token({ ...valid, nbf: NOW })).payload.nbf, NOW);
  });

  it('notBefore from the signer', () => {
    const t = signer.sign({ sub: 'u' }, { notBefore: new Date((NOW + 100) * 1000), expiresAt: NOW + 200 });
    throwsCode(() => verifier.verify(t), 'ERR_JWT_NOT_YET_VALID', 'nbf');
    assert.equal(createVerifier({ secret, currentTime: NOW + 100 }).verify(t).payload.nbf, NOW + 100);
  });
});

describe('ERR_JWT_CLAIM_INVALID', () => {
  it('iss', () => {
    const v = createVerifier({ secret, currentTime: NOW, issuer: 'https://a.example' });
    assert.equal(v.verify(token({ ...valid, iss: 'https://a.example' })).payload.iss, 'https://a.example');
    throwsCode(() => v.verify(token({ ...valid, iss: 'https://b.example' })), 'ERR_JWT_CLAIM_INVALID', 'iss');
    throwsCode(() => v.verify(token(valid)), 'ERR_JWT_CLAIM_INVALID', 'iss');
    throwsCode(() => v.verify(token({ ...valid, iss: ['https://a.example'] })), 'ERR_JWT_CLAIM_INVALID', 'iss');
    const list = createVerifier({ secret, currentTime: NOW, issuer: ['https://a.example', 'https://b.example'] });
    assert.equal(list.verify(token({ ...valid, iss: 'https://b.example' })).payload.iss, 'https://b.example');
    throwsCode(() => list.verify(token({ ...valid, iss: 'https://c.example' })), 'ERR_JWT_CLAIM_INVALID', 'iss');
  });

  it('aud as a string option', () => {
    const v = createVerifier({ secret, currentTime: NOW, audience: 'dash' });
    assert.equal(v.verify(token({ ...valid, aud: 'dash' })).payload.aud, 'dash');
    assert.deepEqual(v.verify(token({ ...valid, aud: ['other', 'dash'] })).payload.aud, ['other', 'dash']);
    throwsCode(() => v.verify(token({ ...valid, aud: 'other' })), 'ERR_JWT_CLAIM_INVALID', 'aud');
    throwsCode(() => v.verify(token({ ...valid, aud: ['other'] })), 'ERR_JWT_CLAIM_INVALID', 'aud');
    throwsCode(() => v.verify(token({ ...valid, aud: [] })), 'ERR_JWT_CLAIM_INVALID', 'aud');
    throwsCode(() => v.verify(token(valid)), 'ERR_JWT_CLAIM_INVALID', 'aud');
    throwsCode(() => v.verify(token({ ...valid, aud: 'DASH' })), 'ERR_JWT_CLAIM_INVALID', 'aud');
  });

  it('aud as a list option', () => {
    const v = createVerifier({ secret, currentTime: NOW, audience: ['a', 'b'] });
    assert.equal(v.verify(token({ ...valid, aud: 'b' })).payload.aud, 'b');
    assert.deepEqual(v.verify(token({ ...valid, aud: ['x', 'a'] })).payload.aud, ['x', 'a']);
    throwsCode(() => v.verify(token({ ...valid, aud: 'c' })), 'ERR_JWT_CLAIM_INVALID', 'aud');
    throwsCode(() => v.verify(token({ ...valid, aud: ['c', 'd'] })), 'ERR_JWT_CLAIM_INVALID', 'aud');
  });

  it('aud of the wrong type is refused even without an audience option', () => {
    throwsCode(() => verifier.verify(token({ ...valid, aud: 5 })), 'ERR_JWT_CLAIM_INVALID', 'aud');
    throwsCode(() => verifier.verify(token({ ...valid, aud: ['a', 5] })), 'ERR_JWT_CLAIM_INVALID', 'aud');
  });

  it('requiredClaims', () => {
    const v = createVerifier({ secret, currentTime: NOW, requiredClaims: ['org', 'sub'] });
    assert.equal(v.verify(token({ ...valid, org: 'acme' })).payload.org, 'acme');
    throwsCode(() => v.verify(token(valid)), 'ERR_JWT_CLAIM_INVALID', 'org');
    throwsCode(() => v.verify(token({ exp: NOW + 60, org: 'acme' })), 'ERR_JWT_CLAIM_INVALID', 'sub');
  });

  it('missing exp unless allowMissingExpiry', () => {
    throwsCode(() => verifier.verify(token({ sub: 'u' })), 'ERR_JWT_CLAIM_INVALID', 'exp');
    const lax = createVerifier({ secret, currentTime: NOW, allowMissingExpiry: true });
    assert.equal(lax.verify(token({ sub: 'u' })).payload.sub, 'u');
    // allowMissingExpiry does not switch off expiry of tokens that have exp.
    throwsCode(() => lax.verify(token({ sub: 'u', exp: NOW - 1 })), 'ERR_JWT_EXPIRED', 'exp');
  });

  it('exp, nbf, iat not numbers', () => {
    for (const exp of [String(NOW + 60), null, true, [NOW + 60], { t: 1 }]) {
      throwsCode(() => verifier.verify(token({ sub: 'u', exp })), 'ERR_JWT_CLAIM_INVALID', 'exp', JSON.stringify(exp));
    }
    throwsCode(() => verifier.verify(token({ ...valid, nbf: String(NOW) })), 'ERR_JWT_CLAIM_INVALID', 'nbf');
    throwsCode(() => verifier.verify(token({ ...valid, iat: 'yesterday' })), 'ERR_JWT_CLAIM_INVALID', 'iat');
  });

  it('iss, sub, jti not strings', () => {
    throwsCode(() => verifier.verify(token({ ...valid, sub: 1 })), 'ERR_JWT_CLAIM_INVALID', 'sub');
    throwsCode(() => verifier.verify(token({ ...valid, iss: {} })), 'ERR_JWT_CLAIM_INVALID', 'iss');
    throwsCode(() => verifier.verify(token({ ...valid, jti: 7 })), 'ERR_JWT_CLAIM_INVALID', 'jti');
  });

  it('typ mismatch', () => {
    const v = createVerifier({ secret, currentTime: NOW, typ: 'at+jwt' });
    assert.equal(v.verify(token(valid, { alg: 'HS256', typ: 'at+jwt' })).header.typ, 'at+jwt');
    // Case-insensitive, application/ prefix optional.
    assert.equal(v.verify(token(valid, { alg: 'HS256', typ: 'application/AT+JWT' })).payload.sub, 'u');
    throwsCode(() => v.verify(token(valid, HS)), 'ERR_JWT_CLAIM_INVALID', 'typ');
    throwsCode(() => v.verify(token(valid, { alg: 'HS256' })), 'ERR_JWT_CLAIM_INVALID', 'typ');
    throwsCode(() => v.verify(token(valid, { alg: 'HS256', typ: 'at+jwt2' })), 'ERR_JWT_CLAIM_INVALID', 'typ');
  });
});

describe('ERR_JWS_SIGNATURE_INVALID', () => {
  it('wrong secret, flipped signature, changed payload', () => {
    const t = token(valid);
    const [h, p, s] = t.split('.');
    throwsCode(() => createVerifier({ secret: randomBytes(32), currentTime: NOW }).verify(t), 'ERR_JWS_SIGNATURE_INVALID');
    throwsCode(() => verifier.verify(`${h}.${p}.${flipChar(s)}`), 'ERR_JWS_SIGNATURE_INVALID');
    throwsCode(() => verifier.verify(`${h}.${b64url({ ...valid, sub: 'admin' })}.${s}`), 'ERR_JWS_SIGNATURE_INVALID');
    throwsCode(() => verifier.verify(`${h}.${p}.`), 'ERR_JWS_SIGNATURE_INVALID');
  });

  it('the signature is checked before claims: an expired forged token is a signature error', () => {
    const forged = hmacToken(randomBytes(32), HS, { exp: NOW - 100 });
    throwsCode(() => verifier.verify(forged), 'ERR_JWS_SIGNATURE_INVALID');
  });
});

describe('ERR_JOSE_ALG_NOT_ALLOWED', () => {
  const rsa = rsaKeys();
  const spki = pem(rsa.publicKey, 'spki');
  const rsaVerifier = createVerifier({ publicKey: spki, currentTime: NOW });
  const es = generateKeyPair('ES256');
  const jwksVerifier = createVerifier({ jwks: { keys: [{ ...es.publicJwk, kid: 'k' }] }, currentTime: NOW });
  const payload = b64url({ sub: 'admin', exp: NOW + 60 });

  for (const name of ['none', 'None', 'NONE', 'nOnE']) {
    it(`alg "${name}"`, () => {
      const header = b64url({ alg: name, typ: 'JWT' });
      const headerWithKid = b64url({ alg: name, kid: 'k' });
      const unsigned = `${header}.${payload}.`;
      // with no signature, with a signature, and in front of every kind of verifier
      throwsCode(() => verifier.verify(unsigned), 'ERR_JOSE_ALG_NOT_ALLOWED');
      throwsCode(() => verifier.verify(hmacToken(secret, { alg: name }, { sub: 'a', exp: NOW + 60 })), 'ERR_JOSE_ALG_NOT_ALLOWED');
      throwsCode(() => rsaVerifier.verify(unsigned), 'ERR_JOSE_ALG_NOT_ALLOWED');
      throwsCode(() => jwksVerifier.verify(`${headerWithKid}.${payload}.`), 'ERR_JOSE_ALG_NOT_ALLOWED');
      throwsCode(() => createVerifier({ secret, algorithms: ['HS256'], allowMissingExpiry: true }).verify(unsigned), 'ERR_JOSE_ALG_NOT_ALLOWED');
    });
  }

  it('jose UnsecuredJWT output is refused', () => {
    const unsecured = new jose.UnsecuredJWT({ sub: 'admin' }).setExpirationTime(NOW + 60).encode();
    throwsCode(() => verifier.verify(unsecured), 'ERR_JOSE_ALG_NOT_ALLOWED');
    throwsCode(() => rsaVerifier.verify(unsecured), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('"none" cannot even be configured', () => {
    throwsCode(() => createVerifier({ secret, algorithms: ['none'] }), 'ERR_INVALID_OPTION', 'algorithms');
    throwsCode(() => createSigner({ secret, algorithm: 'none', ttlSeconds: 60 }), 'ERR_INVALID_OPTION', 'algorithm');
  });

  it('an alg outside the allowlist, even with a valid signature', () => {
    const secret64 = randomBytes(64);
    const hs512 = createSigner({ secret: secret64, algorithm: 'HS512', ttlSeconds: 60 }).sign({ sub: 'u' });
    throwsCode(() => createVerifier({ secret: secret64 }).verify(hs512), 'ERR_JOSE_ALG_NOT_ALLOWED');
    throwsCode(() => createVerifier({ secret: secret64, algorithms: ['HS256', 'HS384'] }).verify(hs512), 'ERR_JOSE_ALG_NOT_ALLOWED');
    assert.equal(createVerifier({ secret: secret64, algorithms: ['HS512'] }).verify(hs512).payload.sub, 'u');
  });

  it('algorithm names are case-sensitive and exact', () => {
    for (const alg of ['hs256', 'Hs256', 'HS256 ', '', 'ES256K', 'RS1']) {
      throwsCode(() => verifier.verify(hmacToken(secret, { alg }, valid)), 'ERR_JOSE_ALG_NOT_ALLOWED', undefined, JSON.stringify(alg));
    }
  });

  it('an HS256 token to an RS256 verifier', () => {
    // Signed with the RSA public key's PEM as the HMAC secret: the classic confusion attack.
    const forged = hmacToken(spki, HS, { sub: 'admin', exp: NOW + 60 });
    throwsCode(() => rsaVerifier.verify(forged), 'ERR_JOSE_ALG_NOT_ALLOWED');
    const forgedJwk = hmacToken(JSON.stringify(rsa.publicKey.export({ format: 'jwk' })), HS, { sub: 'admin', exp: NOW + 60 });
    throwsCode(() => createVerifier({ publicKey: rsa.publicKey.export({ format: 'jwk' }) }).verify(forgedJwk), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });
});

describe('ERR_JOSE_HEADER_UNSUPPORTED', () => {
  it('unknown crit extensions', () => {
    throwsCode(() => verifier.verify(token(valid, { alg: 'HS256', crit: ['exp'], exp: NOW + 60 })), 'ERR_JOSE_HEADER_UNSUPPORTED');
    throwsCode(() => verifier.verify(token(valid, { alg: 'HS256', crit: ['urn:example:x'], 'urn:example:x': 1 })), 'ERR_JOSE_HEADER_UNSUPPORTED');
    throwsCode(() => verifier.verify(token(valid, { alg: 'HS256', crit: ['b64'] })), 'ERR_JOSE_HEADER_UNSUPPORTED');
  });

  it('b64: false', () => {
    throwsCode(() => verifier.verify(token(valid, { alg: 'HS256', b64: false })), 'ERR_JOSE_HEADER_UNSUPPORTED');
    throwsCode(() => verifier.verify(token(valid, { alg: 'HS256', b64: false, crit: ['b64'] })), 'ERR_JOSE_HEADER_UNSUPPORTED');
    // A real RFC 7797 token from jose: the payload is not base64url-encoded.
    const input = `${b64url({ alg: 'HS256', b64: false, crit: ['b64'] })}.${JSON.stringify(valid)}`;
    const detached = `${input.split('.')[0]}..${createHmac('sha256', secret).update(input).digest('base64url')}`;
    throwsCode(() => verifier.verify(detached), 'ERR_JOSE_HEADER_UNSUPPORTED');
  });
});

describe('ERR_KEY_INVALID and ERR_JWKS_NO_MATCHING_KEY (details in keys.test.mjs)', () => {
  it('representative cases', () => {
    throwsCode(() => createSigner({ secret: 'short', ttlSeconds: 60 }), 'ERR_KEY_INVALID');
    throwsCode(() => createVerifier({ publicKey: 'not a key' }), 'ERR_KEY_INVALID');
    const pair = generateKeyPair('ES256');
    const v = createVerifier({ jwks: { keys: [{ ...pair.publicJwk, kid: 'one' }] } });
    const t = createSigner({ privateKey: pair.privateKey, keyId: 'two', ttlSeconds: 60 }).sign({});
    throwsCode(() => v.verify(t), 'ERR_JWKS_NO_MATCHING_KEY');
  });
});

describe('ERR_TOKEN_TOO_LARGE', () => {
  it('default limit is 16 KiB, checked before decoding', () => {
    throwsCode(() => verifier.verify('a'.repeat(16385)), 'ERR_TOKEN_TOO_LARGE');
    throwsCode(() => verifier.verify('a'.repeat(16384)), 'ERR_JWT_MALFORMED');
    // Bytes, not characters: 8193 two-byte characters are 16386 bytes.
    throwsCode(() => verifier.verify('é'.repeat(8193)), 'ERR_TOKEN_TOO_LARGE');
    throwsCode(() => decode('a'.repeat(16385)), 'ERR_TOKEN_TOO_LARGE');
  });

  it('a real token just under and just over the default', () => {
    const base = token({ ...valid, pad: '' }).length;
    // base64url grows 4 chars per 3 bytes; aim exactly at 16384 characters.
    const padFor = (length) => 'x'.repeat(Math.floor(((length - base) * 3) / 4));
    let under = token({ ...valid, pad: padFor(16384) });
    while (under.length > 16384) under = token({ ...valid, pad: decode(under).payload.pad.slice(1) });
    assert.ok(under.length <= 16384 && under.length > 16370, String(under.length));
    assert.equal(verifier.verify(under).payload.sub, 'u');
    let over = under;
    while (over.length <= 16384) over = token({ ...valid, pad: `${decode(over).payload.pad}x` });
    throwsCode(() => verifier.verify(over), 'ERR_TOKEN_TOO_LARGE');
  });

  it('custom maxTokenBytes for verify and decode', () => {
    const t = token(valid);
    assert.equal(createVerifier({ secret, currentTime: NOW, maxTokenBytes: t.length }).verify(t).payload.sub, 'u');
    throwsCode(() => createVerifier({ secret, currentTime: NOW, maxTokenBytes: t.length - 1 }).verify(t), 'ERR_TOKEN_TOO_LARGE');
    throwsCode(() => createVerifier({ secret, currentTime: NOW, maxTokenBytes: 100 }).verify(t), 'ERR_TOKEN_TOO_LARGE');
    const big = token({ ...valid, pad: 'x'.repeat(20000) });
    assert.equal(createVerifier({ secret, currentTime: NOW, maxTokenBytes: 40000 }).verify(big).payload.pad.length, 20000);
    assert.equal(decode(t, { maxTokenBytes: t.length }).payload.sub, 'u');
    throwsCode(() => decode(t, { maxTokenBytes: t.length - 1 }), 'ERR_TOKEN_TOO_LARGE');
    assert.equal(decode(big, { maxTokenBytes: 40000 }).payload.pad.length, 20000);
    throwsCode(() => decode(big), 'ERR_TOKEN_TOO_LARGE');
  });
});

describe('ERR_INVALID_OPTION', () => {
  const key = { secret, ttlSeconds: 60 };

  it('unknown option names, at creation time', () => {
    throwsCode(() => createSigner({ ...key, expiresIn: '1h' }), 'ERR_INVALID_OPTION', 'expiresIn');
    throwsCode(() => createSigner({ ...key, ttlMinutes: 5 }), 'ERR_INVALID_OPTION', 'ttlMinutes');
    throwsCode(() => createVerifier({ secret, audiance: 'x' }), 'ERR_INVALID_OPTION', 'audiance');
    throwsCode(() => createVerifier({ secret, clockTolerance: 5 }), 'ERR_INVALID_OPTION', 'clockTolerance');
    throwsCode(() => signer.sign({}, { expiresIn: 60 }), 'ERR_INVALID_OPTION', 'expiresIn');
    throwsCode(() => decode(token(valid), { verify: true }), 'ERR_INVALID_OPTION', 'verify');
  });

  it('wrong types', () => {
    const cases = [
      [() => createSigner({ ...key, ttlSeconds: '60' }), 'ttlSeconds'],
      [() => createSigner({ ...key, issuer: 5 }), 'issuer'],
      [() => createSigner({ ...key, audience: [1] }), 'audience'],
      [() => createSigner({ ...key, algorithm: 'HS999' }), 'algorithm'],
      [() => createSigner({ ...key, allowMissingExpiry: 'yes' }), 'allowMissingExpiry'],
      [() => createSigner({ ...key, keyId: 1 }), 'keyId'],
      [() => createVerifier({ secret, algorithms: 'HS256' }), 'algorithms'],
      [() => createVerifier({ secret, algorithms: [] }), 'algorithms'],
      [() => createVerifier({ secret, clockToleranceSeconds: '5' }), 'clockToleranceSeconds'],
      [() => createVerifier({ secret, clockToleranceSeconds: -1 }), 'clockToleranceSeconds'],
      // A tolerance beyond a day would switch expiry off in all but name.
      [() => createVerifier({ secret, clockToleranceSeconds: 86_401 }), 'clockToleranceSeconds'],
      [() => createVerifier({ secret, clockToleranceSeconds: 1e300 }), 'clockToleranceSeconds'],
      [() => createVerifier({ secret, requiredClaims: 'sub' }), 'requiredClaims'],
      [() => createVerifier({ secret, maxTokenBytes: 1.5 }), 'maxTokenBytes'],
      [() => createVerifier({ secret, maxTokenBytes: 0 }), 'maxTokenBytes'],
      [() => createVerifier({ secret, maxTokenAgeSeconds: 0 }), 'maxTokenAgeSeconds'],
      [() => createVerifier({ secret, issuer: '' }), 'issuer'],
      [() => createVerifier({ secret, audience: [] }), 'audience'],
      [() => createVerifier({ secret, typ: 1 }), 'typ'],
      [() => createSigner({ ...key, ttlSeconds: 0 }), 'ttlSeconds'],
      [() => createSigner({ ...key, ttlSeconds: -5 }), 'ttlSeconds'],
      [() => signer.sign({}, { jti: 5 }), 'jti'],
      [() => signer.sign({}, { jti: '' }), 'jti'],
      [() => signer.sign({}, { header: 'kid' }), 'header'],
      [() => signer.sign({}, { audience: '' }), 'audience'],
      [() => decode(token(valid), { maxTokenBytes: 0 }), 'maxTokenBytes'],
    ];
    for (const [fn, claim] of cases) throwsCode(fn, 'ERR_INVALID_OPTION', claim, claim);
  });

  // JSON.stringify turns NaN/Infinity into null; a NaN from parseInt(process.env.X)
  // must be refused like any other bad number, not silently mean "option not given".
  for (const [make, option, value] of [
    [(o) => createVerifier({ secret, ...o }), 'maxTokenAgeSeconds', NaN],
    [(o) => createVerifier({ secret, ...o }), 'clockToleranceSeconds', NaN],
    [(o) => createVerifier({ secret, ...o }), 'maxTokenBytes', NaN],
    [(o) => createSigner({ secret, ...o }), 'ttlSeconds', NaN],
    [(o) => createSigner({ secret, ...o }), 'ttlInMinutes', Infinity],
  ]) {
    it(`${option}: ${value} is refused at creation`, () => {
      throwsCode(() => make({ [option]: value }), 'ERR_INVALID_OPTION', option);
    });
  }

  it('missing, both, or all keys', () => {
    throwsCode(() => createSigner({ ttlSeconds: 60 }), 'ERR_INVALID_OPTION');
    throwsCode(() => createSigner({ secret, privateKey: generateKeyPair('ES256').privateKey, ttlSeconds: 60 }), 'ERR_INVALID_OPTION');
    throwsCode(() => createVerifier({}), 'ERR_INVALID_OPTION');
    throwsCode(() => createVerifier({ secret, publicKey: generateKeyPair('ES256').publicKey }), 'ERR_INVALID_OPTION');
    throwsCode(() => createSigner(), 'ERR_INVALID_OPTION');
    throwsCode(() => createVerifier(null), 'ERR_INVALID_OPTION');
  });

  it('ttlInMinutes and ttlSeconds together', () => {
    throwsCode(() => createSigner({ secret, ttlInMinutes: 5, ttlSeconds: 300 }), 'ERR_INVALID_OPTION', 'ttlSeconds');
    const t = createSigner({ secret, ttlInMinutes: 5 }).sign({});
    assert.equal(decode(t).payload.exp - decode(t).payload.iat, 300);
  });

  it('a claim given twice: claim and option', () => {
    throwsCode(() => signer.sign({ exp: NOW + 60 }, { expiresAt: NOW + 90 }), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(() => signer.sign({ nbf: NOW }, { notBefore: NOW }), 'ERR_INVALID_OPTION', 'notBefore');
    throwsCode(() => signer.sign({ iss: 'a' }, { issuer: 'b' }), 'ERR_INVALID_OPTION', 'issuer');
    throwsCode(() => signer.sign({ iss: 'a' }, { issuer: 'a' }), 'ERR_INVALID_OPTION', 'issuer');
    throwsCode(() => signer.sign({ sub: 'a' }, { subject: 'b' }), 'ERR_INVALID_OPTION', 'subject');
    throwsCode(() => signer.sign({ aud: 'a' }, { audience: 'b' }), 'ERR_INVALID_OPTION', 'audience');
    throwsCode(() => signer.sign({ jti: 'a' }, { jti: 'b' }), 'ERR_INVALID_OPTION', 'jti');
    throwsCode(() => signer.sign({ jti: 'a' }, { jti: true }), 'ERR_INVALID_OPTION', 'jti');
  });

  it('registered claims of the wrong type in sign()', () => {
    for (const claims of [{ exp: 'tomorrow' }, { nbf: null }, { iat: '1' }, { iss: 1 }, { sub: {} }, { jti: 2 }, { aud: 3 }, { aud: ['a', 1] }]) {
      throwsCode(() => signer.sign(claims), 'ERR_INVALID_OPTION', 'claims', JSON.stringify(claims));
    }
  });

  it('claims that are not a JSON object', () => {
    for (const claims of [null, undefined, [1], 'sub', 5, () => 1]) {
      throwsCode(() => signer.sign(claims), 'ERR_INVALID_OPTION', 'claims', String(claims));
    }
    const circular = {};
    circular.self = circular;
    throwsCode(() => signer.sign(circular), 'ERR_INVALID_OPTION', 'claims');
    // A BigInt inside is named by its path (tests/js/fail-closed.test.mjs covers every such value).
    throwsCode(() => signer.sign({ n: 10n }), 'ERR_INVALID_OPTION', 'n');
  });

  it('expiresAt / notBefore / currentTime in milliseconds', () => {
    throwsCode(() => signer.sign({}, { expiresAt: Date.now() }), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(() => signer.sign({}, { notBefore: NOW * 1000 }), 'ERR_INVALID_OPTION', 'notBefore');
    throwsCode(() => createVerifier({ secret, currentTime: NOW * 1000 }), 'ERR_INVALID_OPTION', 'currentTime');
    // Seconds, a Date and an ISO string are all fine and mean the same instant.
    for (const expiresAt of [NOW + 60, new Date((NOW + 60) * 1000), new Date((NOW + 60) * 1000).toISOString()]) {
      assert.equal(decode(signer.sign({}, { expiresAt })).payload.exp, NOW + 60);
    }
  });

  it('invalid Date, negative and zone-less instants', () => {
    throwsCode(() => signer.sign({}, { expiresAt: new Date('not a date') }), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(() => signer.sign({}, { notBefore: new Date(NaN), expiresAt: NOW }), 'ERR_INVALID_OPTION', 'notBefore');
    throwsCode(() => createVerifier({ secret, currentTime: new Date(NaN) }), 'ERR_INVALID_OPTION', 'currentTime');
    throwsCode(() => signer.sign({}, { expiresAt: -1 }), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(() => signer.sign({}, { expiresAt: '2030-01-01T10:00:00' }), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(() => signer.sign({}, { expiresAt: 'tomorrow' }), 'ERR_INVALID_OPTION', 'expiresAt');
    throwsCode(() => signer.sign({}, { expiresAt: true }), 'ERR_INVALID_OPTION', 'expiresAt');
  });

  it('a signer without any expiry refuses to sign unless allowMissingExpiry', () => {
    const noTtl = createSigner({ secret });
    throwsCode(() => noTtl.sign({ sub: 'u' }), 'ERR_INVALID_OPTION', 'expiresAt');
    assert.equal(decode(noTtl.sign({ sub: 'u' }, { expiresAt: NOW + 5 })).payload.exp, NOW + 5);
    assert.equal(decode(noTtl.sign({ sub: 'u', exp: NOW + 7 })).payload.exp, NOW + 7);
    const forever = createSigner({ secret, allowMissingExpiry: true }).sign({ sub: 'u' });
    assert.equal('exp' in decode(forever).payload, false);
  });

  for (const member of ['alg', 'crit', 'b64', 'jku', 'x5u', 'jwk', 'x5c']) {
    it(`reserved header member "${member}"`, () => {
      throwsCode(() => signer.sign({}, { header: { [member]: member === 'b64' ? true : 'x' } }), 'ERR_INVALID_OPTION', 'header');
    });
  }

  it('allowed header members are written', () => {
    const t = signer.sign({}, { header: { kid: 'k9', typ: 'at+jwt', cty: 'x', custom: { a: 1 } } });
    assert.deepEqual(decode(t).header, { alg: 'HS256', typ: 'at+jwt', kid: 'k9', cty: 'x', custom: { a: 1 } });
    assert.equal(createVerifier({ secret }).verify(t).header.kid, 'k9');
  });
});

describe('options are validated at creation, not first use', () => {
  it('createSigner / createVerifier throw without any sign or verify call', () => {
    // Each of these would otherwise only surface on the first request.
    throwsCode(() => createSigner({ secret: randomBytes(16), ttlSeconds: 60 }), 'ERR_KEY_INVALID');
    throwsCode(() => createSigner({ secret, ttlSeconds: 60, issuer: ['a'] }), 'ERR_INVALID_OPTION', 'issuer');
    throwsCode(() => createSigner({ secret, ttlSeconds: 60, audience: '' }), 'ERR_INVALID_OPTION', 'audience');
    throwsCode(() => createVerifier({ publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }), 'ERR_KEY_INVALID');
    throwsCode(() => createVerifier({ secret, currentTime: 'noon' }), 'ERR_INVALID_OPTION', 'currentTime');
    throwsCode(() => createVerifier({ secret, algorithms: ['HS256', 'HS512'] }), 'ERR_KEY_INVALID');
  });
});

describe('clockToleranceSeconds boundaries', () => {
  const at = (currentTime, tolerance = 30) => createVerifier({ secret, currentTime, clockToleranceSeconds: tolerance });
  const expiring = token({ sub: 'u', exp: NOW });
  const starting = token({ sub: 'u', exp: NOW + 1000, nbf: NOW });

  it('exp: accepted up to tolerance, refused at it', () => {
    assert.equal(at(NOW - 1, 0).verify(expiring).payload.sub, 'u');
    throwsCode(() => at(NOW, 0).verify(expiring), 'ERR_JWT_EXPIRED', 'exp');
    assert.equal(at(NOW).verify(expiring).payload.sub, 'u');
    assert.equal(at(NOW + 29).verify(expiring).payload.sub, 'u');
    throwsCode(() => at(NOW + 30).verify(expiring), 'ERR_JWT_EXPIRED', 'exp');
    throwsCode(() => at(NOW + 31).verify(expiring), 'ERR_JWT_EXPIRED', 'exp');
  });

  it('nbf: accepted from nbf - tolerance, refused before', () => {
    assert.equal(at(NOW, 0).verify(starting).payload.sub, 'u');
    throwsCode(() => at(NOW - 1, 0).verify(starting), 'ERR_JWT_NOT_YET_VALID', 'nbf');
    assert.equal(at(NOW - 30).verify(starting).payload.sub, 'u');
    throwsCode(() => at(NOW - 31).verify(starting), 'ERR_JWT_NOT_YET_VALID', 'nbf');
  });

  it('maxTokenAgeSeconds and a future iat honour the tolerance', () => {
    const v = (currentTime) => createVerifier({ secret, currentTime, clockToleranceSeconds: 10, maxTokenAgeSeconds: 60 });
    const issued = token({ sub: 'u', iat: NOW, exp: NOW + 1000 });
    assert.equal(v(NOW + 70).verify(issued).payload.sub, 'u');
    throwsCode(() => v(NOW + 71).verify(issued), 'ERR_JWT_EXPIRED', 'iat');
    assert.equal(v(NOW - 10).verify(issued).payload.sub, 'u');
    throwsCode(() => v(NOW - 11).verify(issued), 'ERR_JWT_CLAIM_INVALID', 'iat');
  });

  it('currentTime accepts a Date and an ISO string', () => {
    const iso = new Date(NOW * 1000).toISOString();
    assert.equal(createVerifier({ secret, currentTime: new Date((NOW - 1) * 1000) }).verify(expiring).payload.sub, 'u');
    throwsCode(() => createVerifier({ secret, currentTime: iso }).verify(expiring), 'ERR_JWT_EXPIRED', 'exp');
  });
});

describe('jti', () => {
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('jti: true gives a fresh UUID v4 each time', () => {
    const ids = new Set();
    for (let i = 0; i < 200; i++) {
      const { jti } = decode(signer.sign({}, { jti: true })).payload;
      assert.match(jti, UUID_V4);
      ids.add(jti);
    }
    assert.equal(ids.size, 200);
  });

  it('a string jti is used as given; none is added by default', () => {
    assert.equal(decode(signer.sign({}, { jti: 'order-7' })).payload.jti, 'order-7');
    assert.equal('jti' in decode(signer.sign({})).payload, false);
  });
});

describe('synchronous API', () => {
  it('sign and verify return values, and await still yields them', async () => {
    const direct = signer.sign({ sub: 'u' });
    assert.equal(typeof direct, 'string');
    const awaited = await signer.sign({ sub: 'u' });
    assert.equal(typeof awaited, 'string');
    assert.equal(awaited.split('.').length, 3);
    const verified = createVerifier({ secret }).verify(awaited);
    assert.equal(typeof verified.then, 'undefined');
    assert.equal((await createVerifier({ secret }).verify(awaited)).payload.sub, 'u');
  });
});

describe('decode', () => {
  it('gives header, payload, issuedAt, expiresAt, expired, secondsLeft', () => {
    const t = createSigner({ secret, ttlSeconds: 120, keyId: 'k' }).sign({ sub: 'u' });
    const d = decode(t);
    assert.deepEqual(d.header, { alg: 'HS256', typ: 'JWT', kid: 'k' });
    assert.equal(d.payload.sub, 'u');
    assert.ok(d.issuedAt instanceof Date);
    assert.ok(d.expiresAt instanceof Date);
    assert.equal(d.issuedAt.getTime(), d.payload.iat * 1000);
    assert.equal(d.expiresAt.getTime(), d.payload.exp * 1000);
    assert.equal(d.expired, false);
    assert.ok(Number.isInteger(d.secondsLeft));
    assert.ok(d.secondsLeft <= 120 && d.secondsLeft >= 115, String(d.secondsLeft));
    for (const field of ['header', 'payload', 'issuedAt', 'expiresAt', 'expired', 'secondsLeft']) assert.ok(field in d, field);
  });

  it('expired and exp-less tokens', () => {
    const old = decode(token({ iat: 1_000_000_000, exp: 1_000_000_100 }));
    assert.equal(old.expired, true);
    assert.equal(old.secondsLeft, 0);
    assert.equal(old.expiresAt.toISOString(), '2001-09-09T01:48:20.000Z');
    const bare = decode(token({ sub: 'u' }));
    assert.equal(bare.issuedAt, null);
    assert.equal(bare.expiresAt, null);
    assert.equal(bare.expired, false);
    assert.equal(bare.secondsLeft, null);
  });

  it('never verifies: forged, unsigned and foreign tokens decode', () => {
    const forged = hmacToken(randomBytes(32), HS, { sub: 'admin', exp: 1 });
    assert.equal(decode(forged).payload.sub, 'admin');
    const unsigned = `${b64url({ alg: 'none' })}.${b64url({ sub: 'root' })}.`;
    assert.deepEqual(decode(unsigned).header, { alg: 'none' });
    assert.equal(decode(unsigned).payload.sub, 'root');
  });

  it('still refuses malformed tokens', () => {
    throwsCode(() => decode('a.b'), 'ERR_JWT_MALFORMED');
    throwsCode(() => decode(token({ json: '{"a":1,"a":2}' })), 'ERR_JWT_MALFORMED');
    throwsCode(() => decode(token({ json: '[]' })), 'ERR_JWT_MALFORMED');
  });
});

describe('jku / x5u / x5c / jwk headers never pick the key', () => {
  const legit = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attackerJwk = attacker.publicKey.export({ format: 'jwk' });
  const legitVerifier = createVerifier({ publicKey: pem(legit.publicKey, 'spki'), currentTime: NOW });
  const legitJwks = createVerifier({ jwks: { keys: [{ ...legit.publicKey.export({ format: 'jwk' }), kid: 'main' }] }, currentTime: NOW });
  const es = { dsaEncoding: 'ieee-p1363' };
  const claims = { sub: 'admin', exp: NOW + 60 };

  it('a token signed by an attacker key with its JWK embedded fails', async () => {
    const header = { alg: 'ES256', typ: 'JWT', jwk: attackerJwk };
    const forged = keyToken(attacker.privateKey, header, claims, es);
    // The forgery is well made: jose accepts it when told to trust the embedded key.
    const { payload } = await jose.jwtVerify(forged, jose.EmbeddedJWK, { currentDate: new Date(NOW * 1000) });
    assert.equal(payload.sub, 'admin');
    throwsCode(() => legitVerifier.verify(forged), 'ERR_JWS_SIGNATURE_INVALID');
    throwsCode(() => legitJwks.verify(keyToken(attacker.privateKey, { ...header, kid: 'main' }, claims, es)), 'ERR_JWS_SIGNATURE_INVALID');
  });

  it('jku, x5u and x5c pointing elsewhere are ignored', () => {
    const cert = Buffer.from('not really a cert').toString('base64');
    for (const extra of [{ jku: 'https://evil.example/jwks.json' }, { x5u: 'https://evil.example/cert.pem' }, { x5c: [cert] }]) {
      const header = { alg: 'ES256', kid: 'main', ...extra };
      throwsCode(() => legitJwks.verify(keyToken(attacker.privateKey, header, claims, es)), 'ERR_JWS_SIGNATURE_INVALID', undefined, Object.keys(extra)[0]);
      // Signed by the real key, the same header changes nothing: it verifies with the configured key.
      assert.equal(legitJwks.verify(keyToken(legit.privateKey, header, claims, es)).payload.sub, 'admin');
    }
  });
});
