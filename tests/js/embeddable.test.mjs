// Embeddable through the package: the Tokens API body with every documented
// field (https://docs.embeddable.com/deployment/tokens-api and
// https://docs.embeddable.com/data-modeling/row-level-security/security-filters),
// and requestEmbeddableToken against a loopback server that answers like that
// API: 200 {"token"}, errors as {"errorMessage"} (as Embeddable's own example
// apps read them, embeddable-hq/web-component-example).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import * as jose from 'jose';
import { createSigner, embeddableTokenRequest, requestEmbeddableToken } from 'scopemint';
import { isCode } from './helpers.mjs';


const BODY = {
  embeddableId: 'dash-1',
  savedVersion: 'production',
  expiryInSeconds: 60 * 60 * 24 * 7,
  securityContext: { userId: '9sZSJ9LHsiYXR0cmlidXRlIjoiZ2VvaXBf', regions: ['us-east', 'eu-west'] },
  user: 'sina@embeddable.com',
  dashboardState: 'team1-dashboard7',
  environment: 'default',
  roles: ['manager'],
  filters: [{ member: 'customers.id', operator: 'equals', values: ['5'] }],
};

test('embeddableTokenRequest takes every documented field with its type checked', () => {
  assert.deepEqual(embeddableTokenRequest(BODY), BODY);
  for (const [patch, claim] of [
    [{ savedVersion: 7 }, 'savedVersion'],
    [{ roles: 'manager' }, 'roles'],
    [{ filters: [{ member: 'customers', operator: 'equals', values: ['5'] }] }, 'filters[0].member'],
    [{ filters: [{ member: 'customers.id', operator: 'in', values: ['5'] }] }, 'filters[0].operator'],
    [{ filters: [{ member: 'customers.id', operator: 'equals', values: [5] }] }, 'filters[0].values[0]'],
    [{ customCanvasReadOnly: 'true' }, 'customCanvasReadOnly'],
    [{ apiKey: 'k' }, 'apiKey'],
  ]) {
    assert.throws(() => embeddableTokenRequest({ ...BODY, ...patch }), (e) => isCode('ERR_INVALID_OPTION')(e) && e.claim === claim);
  }
});

test('a self-issued security token is signed, not encrypted: anyone holding it reads its claims', async () => {
  const secret = 'a'.repeat(32);
  const { token } = createSigner({ secret }).signSecurityToken(BODY);
  const readable = jose.decodeJwt(token);
  assert.deepEqual(readable.securityContext, BODY.securityContext);
  assert.deepEqual(readable.filters, BODY.filters);
  const { payload } = await jose.jwtVerify(token, new TextEncoder().encode(secret));
  assert.equal(payload.exp - payload.iat, BODY.expiryInSeconds);
});

/** A loopback Tokens API. `answer(request, body)` returns [status, text] or undefined (never answers). */
async function tokensApi(answer) {
  const seen = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: text });
      const reply = answer(req, text);
      if (reply === undefined) return; // hang: the client's timeout must end it
      const [status, body, headers = { 'content-type': 'application/json' }] = reply;
      res.writeHead(status, headers);
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  return {
    baseUrl,
    seen,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

test('requestEmbeddableToken POSTs the documented request and resolves to { token }', async () => {
  const api = await tokensApi((req, text) =>
    req.url === '/api/v1/security-token' && req.headers.authorization === 'Bearer key-1' && JSON.parse(text).embeddableId === 'dash-1'
      ? [200, JSON.stringify({ token: 'eyJhbGciOiJIUzI1NiJ9.eyJzZWN1cml0eVRva2VuSWQiOiI1OCJ9.sig' })]
      : [400, JSON.stringify({ errorMessage: 'unexpected request' })],
  );
  try {
    const result = await requestEmbeddableToken({ apiKey: 'key-1', baseUrl: api.baseUrl, ...BODY });
    assert.deepEqual(result, { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzZWN1cml0eVRva2VuSWQiOiI1OCJ9.sig' });
    const [request] = api.seen;
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers.accept, 'application/json');
    // The body is exactly the documented fields: apiKey and baseUrl never leave.
    assert.deepEqual(JSON.parse(request.body), BODY);
  } finally {
    await api.close();
  }
});

test('HTTP errors, bad JSON, timeouts and unreachable hosts are typed errors', async () => {
  const api = await tokensApi((req) => {
    switch (req.headers.authorization) {
      case 'Bearer wrong': return [401, JSON.stringify({ errorMessage: 'Invalid API key' })];
      case 'Bearer broken': return [502, '<html>Bad gateway</html>', { 'content-type': 'text/html' }];
      case 'Bearer garbled': return [200, '{"token": '];
      case 'Bearer empty': return [200, JSON.stringify({ token: '' })];
      case 'Bearer redirect': return [307, '', { location: 'http://127.0.0.1:1/steal' }];
      // A 4 MiB answer: read no further than the bound Rust sets, then refused.
      case 'Bearer huge': return [200, JSON.stringify({ token: 'eyJ.a.b', pad: 'x'.repeat(4 << 20) })];
      default: return undefined;
    }
  });
  const call = (apiKey, options) => requestEmbeddableToken({ apiKey, baseUrl: api.baseUrl, ...BODY }, options);
  try {
    await assert.rejects(call('wrong'), (e) => isCode('ERR_EMBEDDABLE_HTTP')(e) && e.status === 401 && /Invalid API key/.test(e.message));
    await assert.rejects(call('broken'), (e) => isCode('ERR_EMBEDDABLE_HTTP')(e) && e.status === 502);
    await assert.rejects(call('garbled'), isCode('ERR_EMBEDDABLE_RESPONSE_INVALID'));
    await assert.rejects(call('empty'), isCode('ERR_EMBEDDABLE_RESPONSE_INVALID'));
    await assert.rejects(call('redirect'), isCode('ERR_EMBEDDABLE_NETWORK'));
    await assert.rejects(call('huge'), (e) => isCode('ERR_EMBEDDABLE_RESPONSE_INVALID')(e) && /more than 65536 bytes/.test(e.message));
    const started = Date.now();
    await assert.rejects(call('hang', { timeoutMs: 200 }), isCode('ERR_EMBEDDABLE_TIMEOUT'));
    assert.ok(Date.now() - started < 5000);
  } finally {
    await api.close();
  }
  // Nothing listens there any more.
  await assert.rejects(requestEmbeddableToken({ apiKey: 'k', baseUrl: api.baseUrl, ...BODY }), isCode('ERR_EMBEDDABLE_NETWORK'));
  // Bad input fails before any request.
  await assert.rejects(requestEmbeddableToken({ apiKey: 'k', region: 'mars', ...BODY }), (e) => isCode('ERR_INVALID_OPTION')(e) && e.claim === 'region');
  await assert.rejects(requestEmbeddableToken({ apiKey: 'k', region: 'eu', ...BODY }, { timeoutMs: 0 }), isCode('ERR_INVALID_OPTION'));
  await assert.rejects(requestEmbeddableToken({ region: 'eu', ...BODY }), (e) => e.claim === 'apiKey');
  await assert.rejects(requestEmbeddableToken({ apiKey: 'k', region: 'eu', ...BODY, expiryInSeconds: undefined }), isCode('ERR_INVALID_OPTION'));
});
