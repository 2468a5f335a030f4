// A Vizzly identity endpoint on node:http. The dashboard's identity callback
// POSTs here; the response is the body Vizzly expects:
// { dashboardAccessToken, dataAccessToken?, queryEngineAccessToken? }.
//
//   node examples-node/vizzly-identity.mjs          # demo key, printed public key
//   VIZZLY_PRIVATE_KEY_FILE=key.pem PORT=8080 node examples-node/vizzly-identity.mjs
//   curl -X POST http://127.0.0.1:8080/api/vizzly/identity
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from 'scopemint';
// The drop-in for @vizzly/auth: same method names, Promises.
import { createSigner } from 'scopemint/vizzly';

/** Stands in for your session lookup: who is calling? */
const DEMO_USER = { id: 'user_123', projectId: 'prj_demo', isAdmin: false };

/**
 * Builds the server without listening. `privateKey`: P-256 PEM (e.g. from
 * `scopemint keygen` or `vizzly create-key-pair`); `user`: the demo user.
 */
export function createServer({ privateKey, ttlInMinutes = 10, user = DEMO_USER } = {}) {
  if (!privateKey) throw new Error('createServer: privateKey is required');
  // Built once: the key is parsed and options checked here, not per request.
  const signer = createSigner({ privateKey, ttlInMinutes });

  return http.createServer(async (req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== '/api/vizzly/identity') return send(404, { error: 'not found' });
    if (req.method !== 'POST') return send(405, { error: 'use POST' });
    try {
      // Vizzly's flat identity config (https://docs.vizzly.co/dashboard/callbacks/identity):
      // the data token comes from the data fields, the query-engine token from the allow* flags.
      const tokens = await signer.generateTokens({
        accessType: user.isAdmin ? 'admin' : 'standard',
        projectId: user.projectId,
        userReference: user.id,
        scope: 'read_write',
        dataSetIds: ['hr-payroll-data', 'hr-people-data'],
        // Row-level security. A flat list means ANY filter matches; filters that
        // must ALL hold go in a nested list: [[a, b]] is "a AND b".
        secureFilters: {
          'hr-payroll-data': [{ field: 'field_user_id', op: '=', value: user.id }],
          'hr-people-data': [[
            { field: 'field_user_id', op: '=', value: user.id },
            { field: 'field_project_id', op: '=', value: user.projectId },
          ]],
        },
        // Only engineers using the Config Manager need a query-engine token.
        ...(user.isAdmin ? { allowDatabaseSchemaAccess: true, allowDataPreviewAccess: true } : {}),
      });
      send(200, tokens);
    } catch (error) {
      send(500, { error: error.message, code: error.code });
    }
  });
}

function loadKey() {
  const file = process.env.VIZZLY_PRIVATE_KEY_FILE;
  if (file) return { privateKey: readFileSync(file, 'utf8') };
  const pair = generateKeyPair('ES256');
  console.log('No VIZZLY_PRIVATE_KEY_FILE: using a fresh demo key. Its public key (register it with Vizzly):');
  console.log(pair.publicKey);
  return { privateKey: pair.privateKey };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = createServer(loadKey());
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address();
    console.log(`Vizzly identity endpoint: POST http://127.0.0.1:${port}/api/vizzly/identity`);
  });
}
