// Embeddable security tokens, both halves a backend owns:
//  - `token`: a self-issued JWT with the same fields (securityTokenId, iat, exp,
//    securityContext, …) for a self-hosted semantic layer that trusts your secret;
//  - `tokensApiRequest`: the validated request for Embeddable's Tokens API, which
//    you send with your API key (this example makes no network call).
//
//   EMBEDDABLE_TOKEN_SECRET=… node examples-node/embeddable-token.mjs
//   curl -X POST http://127.0.0.1:PORT/api/embeddable-token
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { createSigner, embeddableTokenRequest } from 'scopemint';

/** Stands in for your session lookup. */
const DEMO_USER = { email: 'sina@embeddable.com', userId: '9sZSJ9LHsiYXR0cmlidXRlIjoiZ2VvaXBf', regions: ['us-east', 'eu-west'] };

export function createServer({ secret, embeddableId = 'dashboard-id', region = 'us', user = DEMO_USER, expiryInSeconds = 3600 } = {}) {
  if (!secret) throw new Error('createServer: secret is required');
  const signer = createSigner({ secret });

  return http.createServer((req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== '/api/embeddable-token') return send(404, { error: 'not found' });
    if (req.method !== 'POST') return send(405, { error: 'use POST' });
    const params = {
      embeddableId,
      expiryInSeconds,
      // Passed to the data models for row-level security.
      securityContext: { userId: user.userId, regions: user.regions },
      user: user.email,
      environment: 'prod',
    };
    try {
      const { token } = signer.signSecurityToken(params);
      send(200, {
        token,
        tokensApiRequest: {
          method: 'POST',
          url: `https://api.${region}.embeddable.com/api/v1/security-token`,
          // The API key stays on the server; shown redacted.
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: 'Bearer <API key>' },
          body: embeddableTokenRequest(params),
        },
      });
    } catch (error) {
      send(500, { error: error.message, code: error.code });
    }
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let secret = process.env.EMBEDDABLE_TOKEN_SECRET;
  if (!secret) {
    secret = randomBytes(32).toString('base64url');
    console.log('No EMBEDDABLE_TOKEN_SECRET: using a random demo secret for this run.');
  }
  const server = createServer({ secret });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address();
    console.log(`Embeddable token route: POST http://127.0.0.1:${port}/api/embeddable-token`);
  });
}
