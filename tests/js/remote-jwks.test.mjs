// createVerifier({ jwksUrl }): a local loopback HTTP server publishes the key
// set, rotates it and counts requests. Compared with jose's createRemoteJWKSet.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import * as jose from 'jose';
import { createSigner, createVerifier, generateKeyPair } from 'scopemint';
import { isCode, sleep } from './helpers.mjs';

function key(kid) {
  const pair = generateKeyPair('ES256');
  return { kid, signer: createSigner({ privateKey: pair.privateKey, keyId: kid, ttlSeconds: 600 }), jwk: { ...pair.publicJwk, kid } };
}
const k1 = key('k1');
const k2 = key('k2');
const stranger = key('k3'); // never published

// What the server answers; tests change it.
const server = { keys: [k1.jwk], requests: 0, handler: undefined };
const httpServer = http.createServer((req, res) => {
  server.requests += 1;
  res.setHeader('connection', 'close'); // no pooled sockets between cases
  if (server.handler) return server.handler(req, res);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ keys: server.keys }));
});
httpServer.listen(0, '127.0.0.1');
await once(httpServer, 'listening');
const base = `http://127.0.0.1:${httpServer.address().port}`;
after(() => {
  httpServer.closeAllConnections();
  httpServer.close();
});

function reset(keys = [k1.jwk]) {
  server.keys = keys;
  server.requests = 0;
  server.handler = undefined;
}


test('fetched on first use, then cached; sync verify uses the keys loaded so far', async () => {
  reset();
  const verifier = createVerifier({ jwksUrl: `${base}/jwks` });
  const token = k1.signer.sign({ sub: 'u1' });
  assert.throws(() => verifier.verify(token), isCode('ERR_JWKS_NO_MATCHING_KEY'));
  assert.equal(server.requests, 0);
  assert.equal((await verifier.verifyAsync(token)).payload.sub, 'u1');
  for (let i = 0; i < 10; i++) await verifier.verifyAsync(token);
  assert.equal(verifier.verify(token).payload.sub, 'u1');
  assert.equal(server.requests, 1);
});

test('rotation: an unknown kid refetches once; old and new keys both verify', async () => {
  reset();
  const verifier = createVerifier({ jwksUrl: `${base}/jwks`, cooldownSeconds: 0.2 });
  const old = k1.signer.sign({ sub: 'old' });
  await verifier.verifyAsync(old);
  server.keys = [k1.jwk, k2.jwk]; // the issuer publishes its next key
  // Within the cooldown after a fetch an unknown kid is refused without asking (as jose does).
  const rotated = k2.signer.sign({ sub: 'new' });
  await assert.rejects(verifier.verifyAsync(rotated), isCode('ERR_JWKS_NO_MATCHING_KEY'));
  await sleep(250);
  assert.equal((await verifier.verifyAsync(rotated)).payload.sub, 'new');
  assert.equal((await verifier.verifyAsync(old)).payload.sub, 'old');
  assert.equal(verifier.verify(rotated).payload.sub, 'new');
  assert.equal(server.requests, 2);
});

test('a burst of unknown-kid tokens is at most one fetch per cooldown', async () => {
  reset();
  const verifier = createVerifier({ jwksUrl: `${base}/jwks`, cooldownSeconds: 1 });
  await verifier.verifyAsync(k1.signer.sign({}));
  await sleep(1100); // past the cooldown: the burst may refetch, once
  const forged = Array.from({ length: 50 }, (_, i) => stranger.signer.sign({ i }));
  const results = await Promise.allSettled(forged.map((token) => verifier.verifyAsync(token)));
  assert.ok(results.every((r) => r.status === 'rejected' && r.reason.code === 'ERR_JWKS_NO_MATCHING_KEY'));
  for (const token of forged) await assert.rejects(verifier.verifyAsync(token), isCode('ERR_JWKS_NO_MATCHING_KEY'));
  assert.equal(server.requests, 2, 'the first fetch plus one refetch for the whole burst');
});

test('keys older than cacheMaxAgeSeconds are fetched again; a removed key stops working', async () => {
  reset([k1.jwk, k2.jwk]);
  const verifier = createVerifier({ jwksUrl: `${base}/jwks`, cacheMaxAgeSeconds: 0.2, cooldownSeconds: 0 });
  const token = k1.signer.sign({});
  await verifier.verifyAsync(token);
  server.keys = [k2.jwk]; // k1 retired
  await sleep(300);
  await assert.rejects(verifier.verifyAsync(token), isCode('ERR_JWKS_NO_MATCHING_KEY'));
  await verifier.verifyAsync(k2.signer.sign({}));
  assert.ok(server.requests >= 2);
});

test('authorizeAsync: the same grant as authorize, keys fetched first', async () => {
  reset();
  const verifier = createVerifier({ jwksUrl: `${base}/jwks` });
  const token = k1.signer.sign({ scopes: ['PIPES:READ:top_pages'] });
  const grant = await verifier.authorizeAsync(token, { type: 'PIPES:READ', resource: 'top_pages' });
  assert.equal(grant.resource, 'top_pages');
  await assert.rejects(verifier.authorizeAsync(token, { type: 'PIPES:READ', resource: 'other' }), isCode('ERR_SCOPE_DENIED'));
  // Local keys answer the same API.
  const local = createVerifier({ jwks: { keys: [k1.jwk] } });
  assert.deepEqual(await local.authorizeAsync(token, { type: 'PIPES:READ', resource: 'top_pages' }), grant);
  assert.equal((await local.verifyAsync(token)).payload.scopes[0], 'PIPES:READ:top_pages');
});

test('failures are typed, hostile answers bounded, nothing waits past timeoutMs', async () => {
  const token = k1.signer.sign({});
  const cases = [
    ['ERR_JWKS_INVALID', (req, res) => { res.writeHead(500); res.end('{}'); }],
    ['ERR_JWKS_INVALID', (req, res) => { res.writeHead(200); res.end('<html>not json</html>'); }],
    ['ERR_JWKS_INVALID', (req, res) => { res.writeHead(200); res.end(JSON.stringify({ keys: Array.from({ length: 101 }, () => k1.jwk) })); }],
    ['ERR_JWKS_INVALID', (req, res) => { res.writeHead(200); res.end(JSON.stringify({ keys: [k1.jwk], pad: 'x'.repeat(300 * 1024) })); }],
    // Endless body without a length: cut off at maxJwksBytes.
    ['ERR_JWKS_INVALID', (req, res) => { res.writeHead(200); const chunk = 'x'.repeat(64 * 1024); const pump = () => { if (!res.destroyed) res.write(chunk, pump); }; pump(); }],
    ['ERR_JWKS_INVALID', (req, res) => { res.writeHead(200); res.end(JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })); }],
    ['ERR_JWKS_FETCH_FAILED', (req, res) => { res.writeHead(302, { location: 'https://elsewhere.example/jwks' }); res.end(); }],
    ['ERR_JWKS_FETCH_FAILED', (req, res) => req.socket.destroy()],
    ['ERR_JWKS_TIMEOUT', () => {}], // never answers
    ['ERR_JWKS_TIMEOUT', (req, res) => { res.writeHead(200); res.write('{"keys":['); }], // headers, then silence
  ];
  for (const [expected, handler] of cases) {
    reset();
    server.handler = handler;
    const verifier = createVerifier({ jwksUrl: `${base}/jwks`, timeoutMs: 300 });
    const started = Date.now();
    const error = await verifier.verifyAsync(token).then(() => undefined, (e) => e);
    assert.ok(isCode(expected)(error) && error.claim === 'jwksUrl', `${expected}: ${handler}: ${error?.code} ${error?.message}`);
    assert.ok(Date.now() - started < 2000, `${expected} took ${Date.now() - started} ms`);
    httpServer.closeAllConnections();
    await sleep(50); // let the client see those sockets close before the next case
  }
  // Nothing listening.
  const closed = http.createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = closed.address().port;
  closed.close();
  await assert.rejects(createVerifier({ jwksUrl: `http://127.0.0.1:${port}/jwks` }).verifyAsync(token), isCode('ERR_JWKS_FETCH_FAILED'));
});

test('jwksUrl options are checked at creation', () => {
  for (const options of [
    { jwksUrl: 'http://issuer.example/jwks' },
    { jwksUrl: 'not a url' },
    { jwksUrl: `${base}/jwks`, timeoutMs: 0 },
    { jwksUrl: `${base}/jwks`, cooldownSeconds: -1 },
    { jwksUrl: `${base}/jwks`, publicKey: k1.jwk },
    { publicKey: k1.jwk, cooldownSeconds: 5 },
    { jwksUrl: `${base}/jwks`, algorithms: ['NONE'] },
  ]) {
    assert.throws(() => createVerifier(options), isCode('ERR_INVALID_OPTION'), JSON.stringify(options));
  }
});

test("compared with jose's createRemoteJWKSet: same tokens accepted, no more fetches", async () => {
  reset();
  const ours = createVerifier({ jwksUrl: `${base}/jwks`, cooldownSeconds: 0.2 });
  const old = k1.signer.sign({ sub: 'old' });
  await ours.verifyAsync(old);
  server.keys = [k1.jwk, k2.jwk];
  await sleep(250);
  const rotated = k2.signer.sign({ sub: 'new' });
  await ours.verifyAsync(rotated);
  // Unknown kids are refused (checked, so a stray acceptance cannot hide) without a fetch each.
  for (const token of Array.from({ length: 20 }, () => stranger.signer.sign({}))) {
    await assert.rejects(ours.verifyAsync(token), isCode('ERR_JWKS_NO_MATCHING_KEY'));
  }
  const oursRequests = server.requests;

  reset();
  const set = jose.createRemoteJWKSet(new URL(`${base}/jwks`), { cooldownDuration: 200 });
  await jose.jwtVerify(old, set);
  server.keys = [k1.jwk, k2.jwk];
  await sleep(250);
  assert.equal((await jose.jwtVerify(rotated, set)).payload.sub, 'new');
  for (const token of Array.from({ length: 20 }, () => stranger.signer.sign({}))) {
    await assert.rejects(jose.jwtVerify(token, set), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
  }
  const joseRequests = server.requests;
  // Both: one initial fetch, one refetch for the rotated kid, none for the 20 unknown kids (cooldown).
  assert.equal(oursRequests, 2);
  assert.equal(joseRequests, 2);
});
