// A route minting a Tinybird JWT for the logged-in user, like Tinybird's
// Next.js example, but signed locally (no call to Tinybird): fixed_params pin
// the pipe to this user's rows, and the browser gets only the short-lived JWT.
//
//   TINYBIRD_ADMIN_TOKEN=p.… TINYBIRD_WORKSPACE_ID=… node examples-node/tinybird-token.mjs
//   curl -X POST -H 'authorization: Bearer session-alice' http://127.0.0.1:PORT/api/tinybird-token
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { createSigner } from 'scopemint';

/** Stands in for your session store: session id -> user. */
export const DEMO_SESSIONS = {
  'session-alice': { id: 123, orgId: 'acme' },
  'session-bob': { id: 456, orgId: 'globex' },
};

export function createServer({ adminToken, workspaceId, sessions = DEMO_SESSIONS, ttlSeconds = 3600 } = {}) {
  if (!adminToken || !workspaceId) throw new Error('createServer: adminToken and workspaceId are required');
  // Tinybird JWTs are HS256 signed with the workspace admin token.
  const signer = createSigner({ secret: adminToken, workspaceId });

  return http.createServer((req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== '/api/tinybird-token') return send(404, { error: 'not found' });
    if (req.method !== 'POST') return send(405, { error: 'use POST' });
    const session = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const user = session === undefined ? undefined : sessions[session];
    if (user === undefined) return send(401, { error: 'Unauthorized' });
    try {
      const { token } = signer.createJWT({
        name: `user_${user.id}_${Date.now()}`,
        expiresAt: new Date(Date.now() + ttlSeconds * 1000),
        scopes: [
          // The server fixes user_id and org_id; the client cannot override them.
          { type: 'PIPES:READ', resource: 'user_analytics', fixed_params: { user_id: user.id, org_id: user.orgId } },
          { type: 'DATASOURCES:APPEND', resource: 'user_events' },
        ],
        limits: { rps: 10 },
      });
      send(200, { token });
    } catch (error) {
      send(500, { error: error.message, code: error.code });
    }
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let adminToken = process.env.TINYBIRD_ADMIN_TOKEN;
  const workspaceId = process.env.TINYBIRD_WORKSPACE_ID ?? 'demo_workspace';
  if (!adminToken) {
    adminToken = 'p.demo-admin-token-not-valid-at-tinybird-0123456789';
    console.log('No TINYBIRD_ADMIN_TOKEN: signing with a demo token (Tinybird will not accept these JWTs).');
  }
  const server = createServer({ adminToken, workspaceId });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address();
    console.log(`Tinybird token route: POST http://127.0.0.1:${port}/api/tinybird-token`);
    console.log(`  try: curl -X POST -H 'authorization: Bearer session-alice' http://127.0.0.1:${port}/api/tinybird-token`);
  });
}
